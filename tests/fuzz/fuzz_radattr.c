// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_radattr.c - libFuzzer target for the RADIUS packet reader
 * (user/lib/radattr.c): rad_parse() on an exact-size heap copy, then,
 * for a packet it accepts, every reader a listener runs on bytes from the
 * network: the attribute walk, both verifiers, the Accept and CoA /
 * Disconnect mappings.
 *
 * Checked: rad_parse returns 0 or -EBADMSG; an accepted packet's length
 * is within the input; the walk visits attributes that end inside it; the
 * verifiers return 0, -EBADMSG or -EACCES; strings come out terminated.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "radattr.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t req_auth[RAD_AUTH_LEN];
	struct rad_dae_req dae;
	struct rad_accept acc;
	struct rad_view v;
	const uint8_t *val;
	size_t off = 0, vlen;
	uint8_t *copy, t;
	int ret;

	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	ret = rad_parse(copy, size, &v);
	check(ret == 0 || ret == -EBADMSG);
	if (ret == 0) {
		check(v.len >= RAD_HDR_LEN && v.len <= size);
		while (rad_next(&v, &off, &t, &val, &vlen))
			check(val >= copy + RAD_HDR_LEN && val + vlen <= copy + v.len);
		ret = rad_verify_reply(&v, req_auth, "s", 1);
		check(ret == 0 || ret == -EBADMSG || ret == -EACCES);
		ret = rad_verify_request(&v, "s", 1);
		check(ret == 0 || ret == -EBADMSG || ret == -EACCES);
		rad_accept_read(&v, &acc);
		check(memchr(acc.reply_msg, '\0', sizeof(acc.reply_msg)) != NULL);
		check(acc.class_len <= RAD_MAX_ATTR);
		rad_dae_read(&v, &dae);
		check(memchr(dae.user, '\0', sizeof(dae.user)) != NULL);
		check(memchr(dae.acct_session_id, '\0', sizeof(dae.acct_session_id)) != NULL);
		check(memchr(dae.nas_id, '\0', sizeof(dae.nas_id)) != NULL);
	}
	free(copy);
	return 0;
}
