// SPDX-License-Identifier: GPL-2.0
/*
 * core_bench.c - ns per frame of the responder's pure core
 * (g511_resp_handle) in a tight loop: a SYN (-> SYN-ACK) and a request
 * (-> the 511 page with FIN), IPv4 and IPv6, the request carrying the
 * cookie read from the SYN-ACK the core just built. Each is printed next to
 * a baseline measured in the same run: copying the reply bytes the core
 * wrote into a fresh buffer and computing their TCP checksum, the least any
 * responder must do per reply.
 *
 * Usage: core_bench   (no privileges needed)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "csum.h"
#include "responder.h"
#include "bytes.h"

#define RUNS	5
#define REPEAT	1000000
#define NBUF	16
#define BUFSZ	2048
#define NOW_S	(64ULL * 1000)

static const struct g511_resp_key key = { { 0x62, 0x65, 0x6e, 0x63, 0x68, 0x35, 0x31, 0x31,
					    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 } };
static const char request[] =
	"GET / HTTP/1.1\r\nHost: 10.52.0.2\r\nUser-Agent: gate511-loadgen\r\n"
	"Accept: */*\r\nConnection: close\r\n\r\n";

struct out_bufs {
	uint8_t *bufs[NBUF];
	size_t lens[NBUF];
	struct g511_resp_out out;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * A client frame to the server: Ethernet, IPv4 or IPv6, TCP with the given
 * flags; a SYN carries MSS 1460, anything else the request. Checksums are
 * filled so the frame is what a real client sends. Returns its length.
 */
static size_t client_frame(uint8_t *f, bool v6, uint8_t flags, uint32_t seq, uint32_t ack)
{
	static const uint8_t saddr6[16] = { 0xfd, 0x51, [15] = 2 };
	static const uint8_t daddr6[16] = { 0xfd, 0x52, [15] = 2 };
	static const uint8_t saddr4[4] = { 10, 51, 0, 2 }, daddr4[4] = { 10, 52, 0, 2 };
	bool syn = flags & 0x02;
	size_t plen = syn ? 0 : sizeof(request) - 1;
	size_t tcp_len = 20 + (syn ? 4 : 0) + plen;
	uint8_t *ip = f + 14, *tcp;
	uint16_t csum;

	memset(f, 0, 14 + 40 + tcp_len);
	memcpy(f, "\x02\x51\x00\x00\x00\x01\x02\x51\x00\x00\x00\x02", 12);
	if (v6) {
		put16(f + 12, 0x86dd);
		put32(ip, 0x60000000);
		put16(ip + 4, (uint16_t)tcp_len);
		ip[6] = 6;
		ip[7] = 64;
		memcpy(ip + 8, saddr6, 16);
		memcpy(ip + 24, daddr6, 16);
		tcp = ip + 40;
	} else {
		put16(f + 12, 0x0800);
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(20 + tcp_len));
		put16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, saddr4, 4);
		memcpy(ip + 16, daddr4, 4);
		csum = g511_csum_ipv4_hdr(ip, 20);
		memcpy(ip + 10, &csum, 2);
		tcp = ip + 20;
	}
	put16(tcp, 40000);
	put16(tcp + 2, 80);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = (uint8_t)((syn ? 6 : 5) << 4);
	tcp[13] = flags;
	put16(tcp + 14, 64240);
	if (syn) {
		tcp[20] = 2;
		tcp[21] = 4;
		put16(tcp + 22, 1460);
	} else {
		memcpy(tcp + 20, request, plen);
	}
	if (v6)
		csum = g511_csum_tcp6(ip + 8, ip + 24, tcp, tcp_len);
	else
		csum = g511_csum_tcp4(ip + 12, ip + 16, tcp, tcp_len);
	memcpy(tcp + 16, &csum, 2);
	return (size_t)(tcp + tcp_len - f);
}

static void out_reset(struct out_bufs *o)
{
	o->out.max = NBUF;
	o->out.buf_size = BUFSZ;
	o->out.bufs = o->bufs;
	o->out.lens = o->lens;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median over RUNS of ns per call of the core on one frame. */
static double time_core(const struct g511_resp_conf *rc, const uint8_t *frame, size_t len,
			struct out_bufs *o)
{
	double ns[RUNS];

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < REPEAT; i++) {
			out_reset(o);
			g511_resp_handle(rc, &key, NOW_S, 1700000000, frame, len, &o->out);
			__asm__ volatile("" ::: "memory");
		}
		ns[r] = (double)(now_ns() - t0) / REPEAT;
	}
	qsort(ns, RUNS, sizeof(ns[0]), cmp_double);
	return ns[RUNS / 2];
}

/*
 * Baseline: copy each reply frame the core produced into a scratch buffer
 * and checksum its TCP part (header + payload) over the pseudo-header.
 */
static double time_baseline(const struct out_bufs *o, bool v6, uint8_t *scratch)
{
	size_t l3 = v6 ? 40 : 20;
	volatile uint16_t sink = 0;
	double ns[RUNS];

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < REPEAT; i++) {
			for (unsigned int k = 0; k < o->out.n; k++) {
				uint8_t *ip = scratch + 14;

				memcpy(scratch, o->bufs[k], o->lens[k]);
				if (v6)
					sink = g511_csum_tcp6(ip + 8, ip + 24, ip + l3,
							      o->lens[k] - 14 - l3);
				else
					sink = g511_csum_tcp4(ip + 12, ip + 16, ip + l3,
							      o->lens[k] - 14 - l3);
			}
			__asm__ volatile("" ::: "memory");
		}
		ns[r] = (double)(now_ns() - t0) / REPEAT;
	}
	(void)sink;
	qsort(ns, RUNS, sizeof(ns[0]), cmp_double);
	return ns[RUNS / 2];
}

static size_t out_bytes(const struct out_bufs *o)
{
	size_t n = 0;

	for (unsigned int k = 0; k < o->out.n; k++)
		n += o->lens[k];
	return n;
}

int main(void)
{
	static uint8_t storage[NBUF][BUFSZ], syn[BUFSZ], req[BUFSZ], scratch[BUFSZ];
	static const uint8_t sign_key[32] = { 1, 2, 3 };
	struct g511_resp_conf rc, rc_sign;
	struct out_bufs o;
	char err[256];
	int ret = 0;

	if (g511_resp_conf_init(&rc, "http://portal.example/login", NULL, 0, true, err,
				sizeof(err))) {
		fprintf(stderr, "core_bench: config: %s\n", err);
		return 1;
	}
	/* the same with signed portal links: one HMAC-SHA256 per page */
	if (g511_resp_conf_init(&rc_sign, "http://portal.example/login", NULL, 0, true, err,
				sizeof(err)) ||
	    g511_resp_conf_sign(&rc_sign, "bench-gw", sign_key, err, sizeof(err))) {
		fprintf(stderr, "core_bench: config: %s\n", err);
		return 1;
	}
	for (int i = 0; i < NBUF; i++)
		o.bufs[i] = storage[i];

	printf("responder core (g511_resp_handle): ns/frame, median of %d x %d calls\n", RUNS,
	       REPEAT);
	printf("baseline: copy the reply bytes + TCP checksum over them, same run\n\n");
	printf("%-22s %9s %9s %7s %8s  %s\n", "case", "core", "baseline", "ratio", "bytes",
	       "reply");
	for (int v6 = 0; v6 <= 1; v6++) {
		size_t syn_len, req_len;
		double t_syn, b_syn, t_req, b_req;
		size_t syn_bytes;
		uint32_t cookie;
		char name[32];

		syn_len = client_frame(syn, v6, 0x02, 1000, 0);
		out_reset(&o);
		g511_resp_handle(&rc, &key, NOW_S, 1700000000, syn, syn_len, &o.out);
		if (o.out.action != G511_RESP_SYNACK || o.out.n != 1) {
			fprintf(stderr, "core_bench: SYN got %s/%s, not a SYN-ACK\n",
				g511_resp_action_name(o.out.action),
				g511_resp_drop_name(o.out.reason));
			ret = 1;
			break;
		}
		cookie = get32(o.bufs[0] + 14 + (v6 ? 40 : 20) + 4);
		t_syn = time_core(&rc, syn, syn_len, &o);
		b_syn = time_baseline(&o, v6, scratch);
		syn_bytes = out_bytes(&o);

		req_len = client_frame(req, v6, 0x18, 1001, cookie + 1);
		out_reset(&o);
		g511_resp_handle(&rc, &key, NOW_S, 1700000000, req, req_len, &o.out);
		if (o.out.action != G511_RESP_HTTP) {
			fprintf(stderr, "core_bench: request got %s/%s, not the 511 page\n",
				g511_resp_action_name(o.out.action),
				g511_resp_drop_name(o.out.reason));
			ret = 1;
			break;
		}
		t_req = time_core(&rc, req, req_len, &o);
		b_req = time_baseline(&o, v6, scratch);

		snprintf(name, sizeof(name), "SYN, %s", v6 ? "IPv6" : "IPv4");
		printf("%-22s %9.1f %9.1f %6.2fx %8zu  SYN-ACK\n", name, t_syn, b_syn,
		       t_syn / b_syn, syn_bytes);
		snprintf(name, sizeof(name), "request, %s", v6 ? "IPv6" : "IPv4");
		printf("%-22s %9.1f %9.1f %6.2fx %8zu  511 page, %u segment%s + FIN\n", name,
		       t_req, b_req, t_req / b_req, out_bytes(&o), o.out.n,
		       o.out.n == 1 ? "" : "s");
		t_req = time_core(&rc_sign, req, req_len, &o);
		b_req = time_baseline(&o, v6, scratch);
		snprintf(name, sizeof(name), "signed, %s", v6 ? "IPv6" : "IPv4");
		printf("%-22s %9.1f %9.1f %6.2fx %8zu  511 page, signed link, %u segment%s\n",
		       name, t_req, b_req, t_req / b_req, out_bytes(&o), o.out.n,
		       o.out.n == 1 ? "" : "s");
	}
	g511_resp_conf_free(&rc);
	g511_resp_conf_free(&rc_sign);
	return ret;
}
