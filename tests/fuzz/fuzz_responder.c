// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_responder.c - libFuzzer target for the responder core
 * (g511_resp_handle). Two modes, picked by the first input byte:
 *
 *  raw    the rest of the input is the frame, as is (parsers, bounds);
 *  built  the input describes a valid Ethernet/VLAN/IPv4|IPv6/TCP frame
 *         whose ack carries a cookie of ours (or one near it, stale or
 *         wrong), and the rest of the input is its TCP payload, so the
 *         HTTP parser and the page renderer are reached.
 *
 * Input layout (seeds in tests/fuzz/corpus/fuzz_responder, written by
 * tests/unit/gen_resp_vectors.py):
 *   [0] bit0 mode (0 raw, 1 built); bit1 config (0 built-in page with
 *       probes, 1 {{orig}} template, portal with a query, signed links,
 *       network name and venue, no probes)
 *   [1] number of output buffers: 1 + b % 64
 *   [2] buffer size: 64 + 16 * b
 *   raw:   [3..] frame
 *   built: [3] bit0 IPv6, bits1-2 VLAN tags (0-2), bits3-5 MSS class
 *          [4] extra TCP flags (FIN, PSH, URG, ECE, CWR kept; ACK set)
 *          [5-6] window  [7] ack: 0 cookie+1, 1 cookie+1+delta,
 *          2 arbitrary, 3 cookie of two periods ago  [8-11] delta/ack
 *          [12..] payload
 *
 * Checked on every input: never more frames than buffers, every frame
 * within its buffer (ASan also sees each buffer at its exact size) and at
 * least a bare header long, action and count agree, and the same input
 * gives the same bytes a second time.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cookie.h"
#include "responder.h"
#include "bytes.h"

#define NOW		(64ULL * 100000 + 17)
#define MAXSEG		64
#define BUILT_HDR	12

static struct g511_resp_conf rc_def, rc_alt;
static const struct g511_resp_key key = { { 0xf0, 0x0d, 0x51, 0x1a, 1, 2, 3, 4,
					    5, 6, 7, 8, 9, 10, 11, 12 } };
static const uint8_t key32[32] = { 7, 7, 7, 7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
static const char tmpl_alt[] =
	"<html><head><title>{{title}}</title></head><body><p>You asked for {{orig}}.</p>\n"
	"<a href=\"{{link}}\">log in</a> at {{ portal }} {{network}} {{venue}} "
	"{{venue_link}}</body></html>\n";

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void)argc;
	(void)argv;
	if (g511_resp_conf_init(&rc_def, "http://portal.example/login", NULL, 0, true,
				err, sizeof(err)) ||
	    g511_resp_conf_init(&rc_alt, "https://portal.example/p?site=a&x=<y>", tmpl_alt,
				sizeof(tmpl_alt) - 1, false, err, sizeof(err)) ||
	    g511_resp_conf_sign(&rc_alt, "fuzz-gw", key32, err, sizeof(err)) ||
	    g511_resp_conf_brand(&rc_alt, "Fuzz <net>", "https://venue.example/?a=1&b=2", err,
				 sizeof(err)))
		abort();
	return 0;
}

/* Build the frame of "built" mode; returns a malloc'ed exact-size frame. */
static uint8_t *build(const uint8_t *d, size_t size, size_t *len)
{
	bool v6 = d[3] & 1;
	unsigned int tags = ((d[3] >> 1) & 3) % 3, mss_idx = ((d[3] >> 3) & 7) % 5, i;
	size_t plen = size - BUILT_HDR, l2 = 14 + 4 * tags, l3 = v6 ? 40 : 20;
	struct g511_cookie_tuple t = { 0 };
	uint8_t *f, *ip, *tcp;
	uint32_t ack, arg = (uint32_t)d[8] << 24 | (uint32_t)d[9] << 16 | d[10] << 8 | d[11];

	*len = l2 + l3 + 20 + plen;
	f = malloc(*len);
	memset(f, 0, l2 + l3 + 20);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	for (i = 0; i < tags; i++) {
		put16(f + 12 + 4 * i, i == 0 && tags == 2 ? 0x88a8 : 0x8100);
		put16(f + 14 + 4 * i, (uint16_t)(10 + i));
	}
	put16(f + l2 - 2, v6 ? 0x86dd : 0x0800);
	ip = f + l2;
	if (v6) {
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)(20 + plen));
		ip[6] = 6;
		ip[7] = 64;
		ip[8] = 0x20; ip[9] = 0x01; ip[23] = 0x10;
		ip[24] = 0x20; ip[25] = 0x01; ip[39] = 0x80;
		memcpy(t.saddr, ip + 8, 16);
		memcpy(t.daddr, ip + 24, 16);
	} else {
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(20 + 20 + plen));
		ip[8] = 64;
		ip[9] = 6;
		ip[12] = 192; ip[15] = 10;
		ip[16] = 198; ip[19] = 80;
		t.saddr[10] = t.saddr[11] = t.daddr[10] = t.daddr[11] = 0xff;
		memcpy(t.saddr + 12, ip + 12, 4);
		memcpy(t.daddr + 12, ip + 16, 4);
	}
	tcp = ip + l3;
	put16(tcp, 40000);
	put16(tcp + 2, 80);
	memcpy(&t.sport_be, tcp, 2);
	memcpy(&t.dport_be, tcp + 2, 2);
	switch (d[7] & 3) {
	case 0:
		ack = g511_cookie_make(key.k, &t, NOW, mss_idx) + 1;
		break;
	case 1:
		ack = g511_cookie_make(key.k, &t, NOW, mss_idx) + 1 + (arg & 0x1ffff);
		break;
	case 2:
		ack = arg;
		break;
	default:
		ack = g511_cookie_make(key.k, &t, NOW - 128, mss_idx) + 1;
		break;
	}
	put32(tcp + 4, 1001);
	put32(tcp + 8, ack);
	tcp[12] = 0x50;
	tcp[13] = (uint8_t)((d[4] & 0xe9) | 0x10);	/* FIN PSH URG ECE CWR, + ACK */
	tcp[14] = d[5];
	tcp[15] = d[6];
	memcpy(tcp + 20, d + BUILT_HDR, plen);
	return f;
}

static void run(const struct g511_resp_conf *rc, const uint8_t *frame, size_t len,
		unsigned int max, size_t buf_size)
{
	uint8_t *bufs[MAXSEG], *again[MAXSEG];
	size_t lens[MAXSEG], lens2[MAXSEG];
	struct g511_resp_out out = { .max = max, .buf_size = buf_size, .bufs = bufs, .lens = lens };
	struct g511_resp_out out2 = { .max = max, .buf_size = buf_size, .bufs = again,
				      .lens = lens2 };
	unsigned int i;
	int n;

	for (i = 0; i < max; i++) {
		bufs[i] = malloc(buf_size);
		again[i] = malloc(buf_size);
	}
	n = g511_resp_handle(rc, &key, NOW, 1700000000, frame, len, &out);
	if (n < 0 || (unsigned int)n != out.n || out.n > max)
		abort();
	if ((out.n == 0) != (out.action == G511_RESP_NONE))
		abort();
	if (out.action < 0 || out.action >= G511_RESP__MAX ||
	    out.reason < 0 || out.reason >= G511_RESP_DROP__MAX)
		abort();
	for (i = 0; i < out.n; i++)
		if (lens[i] > buf_size || lens[i] < 14 + 20 + 20)
			abort();
	/* deterministic */
	g511_resp_handle(rc, &key, NOW, 1700000000, frame, len, &out2);
	if (out2.n != out.n || out2.action != out.action || out2.reason != out.reason)
		abort();
	for (i = 0; i < out.n; i++)
		if (lens2[i] != lens[i] || memcmp(bufs[i], again[i], lens[i]))
			abort();
	for (i = 0; i < max; i++) {
		free(bufs[i]);
		free(again[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct g511_resp_conf *rc;
	unsigned int max;
	size_t buf_size, len;
	uint8_t *frame;

	if (size < 3)
		return 0;
	rc = (data[0] & 2) ? &rc_alt : &rc_def;
	max = 1 + data[1] % MAXSEG;
	buf_size = 64 + 16 * (size_t)data[2];
	if (!(data[0] & 1)) {
		/* exact-size copy of the frame: reads past it are caught */
		len = size - 3;
		frame = malloc(len ? len : 1);
		memcpy(frame, data + 3, len);
	} else {
		if (size < BUILT_HDR)
			return 0;
		frame = build(data, size, &len);
	}
	run(rc, frame, len, max, buf_size);
	free(frame);
	return 0;
}
