// SPDX-License-Identifier: GPL-2.0
/*
 * test_import_error.c - what an import needs besides the grant format:
 * user/lib/clientset.c, the set that finds a client named twice, and
 * ctl_error_item(), how the CLI reads "import item N: " in a daemon's ERROR
 * to name the line of the file.
 */
#include <errno.h>
#include <stdio.h>
#include "test.h"
#include "addr.h"
#include "clientset.h"
#include "ctl_proto.h"

static bool set_basics(void)
{
	struct g511_client a, a2, b, m, m2;
	struct clientset s;
	unsigned int first = 0, i;
	bool ok = true;

	client_parse("fd00::5", &a);
	client_parse("fd00:0:0::5", &a2);
	client_parse("fd00::6", &b);
	client_parse("02:AA:00:00:00:01", &m);
	client_parse("02-aa-00-00-00-01", &m2);
	clientset_init(&s);
	ok &= ASSERT_EQ(clientset_add(&s, &a, 3, &first), 0, "new");
	ok &= ASSERT_EQ(clientset_add(&s, &b, 4, &first), 0, "another");
	ok &= ASSERT_EQ(clientset_add(&s, &m, 5, &first), 0, "a MAC");
	ok &= ASSERT_EQ(clientset_add(&s, &a2, 9, &first), 1, "same address");
	ok &= ASSERT_EQ(first, 3, "its first number");
	ok &= ASSERT_EQ(clientset_add(&s, &m2, 10, &first), 1, "same MAC");
	ok &= ASSERT_EQ(first, 5, "its first number");
	ok &= ASSERT_EQ(clientset_add(&s, &a, 0, &first), -EINVAL, "0 is no number");
	ok &= ASSERT_EQ(s.n, 3, "three in it");
	/* growth keeps every entry */
	for (i = 0; i < 5000; i++) {
		struct g511_client c = { .kind = G511_CLIENT_ADDR };

		c.key[10] = c.key[11] = 0xff;
		c.key[12] = 10;
		c.key[14] = (__u8)(i >> 8);
		c.key[15] = (__u8)i;
		ok &= ASSERT_EQ(clientset_add(&s, &c, 100 + i, &first), 0, "grow");
	}
	for (i = 0; i < 5000 && ok; i++) {
		struct g511_client c = { .kind = G511_CLIENT_ADDR };

		c.key[10] = c.key[11] = 0xff;
		c.key[12] = 10;
		c.key[14] = (__u8)(i >> 8);
		c.key[15] = (__u8)i;
		ok &= ASSERT_EQ(clientset_add(&s, &c, 1, &first), 1, "still there");
		ok &= ASSERT_EQ(first, 100 + i, "with its number");
	}
	ok &= ASSERT_EQ(clientset_add(&s, &a2, 9, &first), 1, "old ones too");
	ok &= ASSERT_EQ(first, 3, "same number");
	clientset_free(&s);
	ok &= ASSERT_EQ(s.n, 0, "freed");
	return ok;
}

static bool error_item(void)
{
	static const struct {
		const char *msg;
		unsigned int item;
		const char *rest;
	} cases[] = {
		{ "import item 17: 10.51.0.1: the gateway's own address", 17,
		  "10.51.0.1: the gateway's own address" },
		{ "import item 1: x", 1, "x" },
		{ "import item 1048576: x", 1048576, "x" },
		{ "import item 1048577: x", 0, NULL },	/* more than an import holds */
		{ "import item 0: x", 0, NULL },
		{ "import item 07: x", 0, NULL },
		{ "import item 5 x", 0, NULL },
		{ "import item : x", 0, NULL },
		{ "import: more than 1048576 grants", 0, NULL },
		{ "map g511_clients is full", 0, NULL },
		{ "", 0, NULL },
	};
	bool ok = true;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *rest = NULL;

		test_current = cases[i].msg;
		ok &= ASSERT_EQ(ctl_error_item(cases[i].msg, &rest), cases[i].item, "item");
		if (cases[i].rest)
			ok &= ASSERT_STREQ(rest, cases[i].rest, "rest");
	}
	return ok;
}

int main(void)
{
	RUN_CASE(set_basics);
	RUN_CASE(error_item);
	return test_summary();
}
