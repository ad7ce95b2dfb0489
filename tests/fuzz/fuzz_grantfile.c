// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_grantfile.c - libFuzzer target for the import/export grant format
 * (user/lib/grantfile.c), on an exact-size heap copy of the input.
 *
 * Checked: a parse returns 0 or -EINVAL with "line N: " in the error; every
 * request it yields passes the control protocol's checks (ctl_encode), and
 * format -> parse gives back the same request byte for byte, on one line
 * no longer than GRANTFILE_LINE_MAX. The input is also parsed as a single
 * line, newlines and NULs included, which must never crash.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl_proto.h"
#include "grantfile.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

static int round_trip(const struct g511_ctl_grant_req *r, unsigned int lineno, void *ctx)
{
	static struct g511_ctl_grant_req again;
	static __u8 msg[G511_CTL_MSG_MAX];
	char line[GRANTFILE_LINE_MAX], err[256];
	int n;

	(void)ctx;
	check(lineno > 0);
	check(ctl_encode(msg, sizeof(msg), G511_CTL_IMPORT_ITEM, 1, r) > 0);
	n = grantfile_format_req(r, line, sizeof(line));
	check(n > 0 && (size_t)n < sizeof(line));
	check(memchr(line, '\n', (size_t)n) == NULL);
	check(grantfile_parse_line(line, (size_t)n, &again, err, sizeof(err)) == 0);
	check(memcmp(r, &again, sizeof(again)) == 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct g511_ctl_grant_req r;
	char err[256];
	char *text;
	int ret;

	text = malloc(size ? size : 1);
	memcpy(text, data, size);
	ret = grantfile_parse(text, size, round_trip, NULL, err, sizeof(err));
	check(ret == 0 || ret == -EINVAL);
	if (ret)
		check(strncmp(err, "line ", 5) == 0);
	ret = grantfile_parse_line(text, size, &r, err, sizeof(err));
	check(ret == 0 || ret == 1 || ret == -EINVAL);
	if (ret == 0)
		round_trip(&r, 1, NULL);
	free(text);
	return 0;
}
