// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_ctl.c - libFuzzer target for the control protocol decoder
 * (user/lib/ctl_proto.c). The input is read as a stream of messages, the
 * way gate511d reads a connection: header first (ctl_decode_hdr), then the
 * whole message (ctl_decode), each from an exact-size heap copy so ASan
 * sees any read past it.
 *
 * Checked on every message: a header that passes names a length no larger
 * than G511_CTL_MSG_MAX; what decodes re-encodes to the very same bytes;
 * decoded clients and garden entries print without overflowing; decoding
 * is deterministic.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "ctl_proto.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

static void exercise_body(const struct g511_ctl_msg *m)
{
	char text[G511_GARDEN_STRLEN];

	switch (m->hdr.type) {
	case G511_CTL_ALLOW:
	case G511_CTL_IMPORT_ITEM:
		client_format(&m->body.grant_req.client, text, sizeof(text));
		break;
	case G511_CTL_DENY:
	case G511_CTL_SHOW:
		client_format(&m->body.client_req.client, text, sizeof(text));
		break;
	case G511_CTL_GARDEN_ADD:
	case G511_CTL_GARDEN_DEL:
	case G511_CTL_GARDEN:
		garden_format(&m->body.garden.key, &m->body.garden.val, text,
			      sizeof(text));
		check(strlen(text) < sizeof(text));
		break;
	case G511_CTL_ERROR:
		check(strlen(m->body.error.msg) < sizeof(m->body.error.msg));
		break;
	case G511_CTL_SESSION:
		check(strcmp(ctl_reason_name(m->body.session.reason), "unknown") != 0);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t again[G511_CTL_MSG_MAX];
	struct g511_ctl_msg m, m2;
	size_t off = 0;

	while (size - off >= G511_CTL_HDR_LEN) {
		struct g511_ctl_hdr hdr;
		uint8_t *copy;
		int err, len;

		copy = malloc(G511_CTL_HDR_LEN);
		memcpy(copy, data + off, G511_CTL_HDR_LEN);
		err = ctl_decode_hdr(copy, G511_CTL_HDR_LEN, &hdr);
		free(copy);
		if (err)
			break;		/* the daemon answers and hangs up */
		check(hdr.len >= G511_CTL_HDR_LEN && hdr.len <= G511_CTL_MSG_MAX);
		if (hdr.len > size - off)
			break;		/* truncated: the daemon waits, then times out */

		copy = malloc(hdr.len);
		memcpy(copy, data + off, hdr.len);
		err = ctl_decode(copy, hdr.len, &m);
		check(ctl_decode(copy, hdr.len, &m2) == err);
		if (!err) {
			check(!memcmp(&m, &m2, sizeof(m)));
			exercise_body(&m);
			len = ctl_encode(again, sizeof(again), m.hdr.type, m.hdr.seq,
					 &m.body);
			check(len == (int)hdr.len);
			/* the version is the one field encode sets anew (ERROR) */
			check(!memcmp(again + 8, copy + 8, hdr.len - 8));
		} else {
			check(err == -EINVAL);	/* the header already passed */
		}
		free(copy);
		if (err)
			break;
		off += hdr.len;
	}
	return 0;
}
