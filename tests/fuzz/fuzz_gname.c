// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_gname.c - libFuzzer target for walled-garden names
 * (user/lib/gardenname.c): gname_parse() on a NUL-terminated copy of the
 * input; for a name it accepts, its canonical text parses to itself, the
 * key fits and ends as the datapath expects, and formatting stays in its
 * buffer.
 *
 * Checked: gname_parse returns 0, -EINVAL or -E2BIG and clears the result
 * on failure; an accepted name is lowercase, at most G511_GNAME_MAX bytes
 * (plus "*."), re-parses to the same text and ports; its key's prefixlen
 * is a whole number of bytes, at most G511_GNAME_LEN * 8, and its last
 * byte is '\0' (exact) or '.' (wildcard).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gardenname.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[G511_GNAME_ENTRY_STRLEN];
	struct g511_gname g, again;
	struct g511_gname_key key;
	size_t n, plen;
	char *s;
	int ret;

	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	ret = gname_parse(s, &g);
	check(ret == 0 || ret == -EINVAL || ret == -E2BIG);
	if (ret) {
		check(g.name[0] == '\0' && g.ports.nports == 0);
		free(s);
		return 0;
	}
	n = strnlen(g.name, sizeof(g.name));
	check(n < sizeof(g.name));
	check(n <= G511_GNAME_MAX + (gname_is_wildcard(&g) ? 2 : 0));
	for (size_t i = 0; i < n; i++)
		check(!(g.name[i] >= 'A' && g.name[i] <= 'Z'));
	check(gname_parse(g.name, &again) == 0);
	check(strcmp(again.name, g.name) == 0);
	gname_key(&g, &key);
	check(key.prefixlen % 8 == 0 && key.prefixlen >= 16 &&
	      key.prefixlen <= G511_GNAME_LEN * 8);
	plen = key.prefixlen / 8;
	check(key.name[plen - 1] == (gname_is_wildcard(&g) ? '.' : '\0'));
	gname_format(&g, buf, sizeof(buf));
	check(strnlen(buf, sizeof(buf)) < sizeof(buf));
	check(gname_parse(buf, &again) == 0 && !strcmp(again.name, g.name) &&
	      !memcmp(&again.ports, &g.ports, sizeof(g.ports)));
	free(s);
	return 0;
}
