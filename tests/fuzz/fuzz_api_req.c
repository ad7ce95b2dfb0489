// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_api_req.c - libFuzzer target for the portal API's request parsing:
 * a POST /v1/grants body into a grant request (api_req.c over the strict
 * JSON reader, json_read.c), on an exact-size heap copy so that a read
 * past the end is caught; the same bytes as a POST /v1/login body; and the
 * same bytes as an Authorization header
 * (sig_parse, sig.c).
 *
 * Checked: 0 or -EINVAL; a refusal always says why; an accepted request
 * names a valid client, a terminated user name without control
 * characters, and parses the same way twice; an accepted header has every
 * field within its bounds.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "api_req.h"
#include "sig.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_grant_req r, again;
	struct api_login_req l;
	struct sig_auth a;
	const char *why;
	char err[256], *text;
	int ret;

	text = malloc(size ? size : 1);
	memcpy(text, data, size);
	err[0] = '\0';
	ret = api_grant_req_parse(text, size, &r, err, sizeof(err));
	check(ret == 0 || ret == -EINVAL);
	if (ret) {
		check(err[0] != '\0');
	} else {
		size_t n = strnlen(r.user, sizeof(r.user));

		check(client_valid(&r.client));
		check(n < sizeof(r.user));
		for (size_t i = 0; i < n; i++)
			check((unsigned char)r.user[i] >= 0x20 && r.user[i] != 0x7f);
		check(api_grant_req_parse(text, size, &again, err, sizeof(err)) == 0);
		check(!memcmp(&r, &again, sizeof(r)));
	}
	/* a login: all three fields, within their bounds; a refusal keeps no password */
	ret = api_login_req_parse(text, size, &l, err, sizeof(err));
	check(ret == 0 || ret == -EINVAL);
	if (ret) {
		check(err[0] != '\0' && !l.password[0]);
	} else {
		size_t nu = strnlen(l.user, sizeof(l.user)), np = strnlen(l.password,
									  sizeof(l.password));

		check(client_valid(&l.client));
		check(nu >= 1 && nu <= 253 && np >= 1 && np <= API_PASSWORD_MAX);
		for (size_t i = 0; i < nu; i++)
			check((unsigned char)l.user[i] >= 0x20 && l.user[i] != 0x7f);
	}
	free(text);

	/* the header: a NUL-terminated copy, as httpd hands it over */
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	ret = sig_parse(text, &a, &why);
	check(ret == 0 || ret == -EINVAL);
	if (!ret) {
		size_t nl = strlen(a.nonce);

		check(a.keyid[0] && strlen(a.keyid) < sizeof(a.keyid));
		check(nl >= SIG_NONCE_MIN && nl <= SIG_NONCE_MAX);
		check(strlen(a.sig) == SIG_HEX_LEN);
	}
	free(text);
	return 0;
}
