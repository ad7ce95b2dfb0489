// SPDX-License-Identifier: GPL-2.0
/*
 * loadgen.c - a new-TCP-connection-per-request HTTP load generator that
 * does not run out of breath before the server does on a 2-core box.
 *
 * Socket clients (wrk with Connection: close) saturate their own core at
 * ~15k connections/s. This one speaks just enough TCP over one AF_PACKET
 * socket (TPACKET_V2 RX ring, sendmmsg with PACKET_QDISC_BYPASS): SYN with
 * MSS 1460; on the SYN-ACK one segment with ACK and the whole request; the
 * response read in order up to its FIN and checked against Content-Length;
 * then a RST, so neither side keeps anything. It sends from addresses of a
 * range the client's own stack does not own, so that stack drops the
 * replies instead of resetting them (the gateway needs a route back for
 * the range when a kernel server answers; gate511 swaps MACs and needs
 * none).
 *
 * Connection slot s uses source port PORT_BASE + s; each new connection in
 * a slot takes the next source address of the range (from a random start),
 * so a 4-tuple comes back only after (addresses in range) connections in
 * that slot.
 *
 * Closed loop (-c N in flight) or open loop (-r rate, -c as a cap on what
 * is in flight). Latency is from queuing the SYN to the segment that
 * completes the response. With -f N it only sends N SYNs and counts the
 * SYN-ACKs (flood mode). The loop busy-polls the ring and never sleeps, so
 * its CPU is always busy and tick-based accounting samples it fairly;
 * gen_busy is the share of loop time that had packets to move.
 *
 * Prints one line of key=value pairs on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <pcap/pcap.h>
#include "csum.h"
#include "bytes.h"

#define PORT_BASE	1024
#define MAX_SLOTS	16384
#define HDR_MAX		1024		/* response header bytes kept per slot */
#define TX_BATCH	64
#define TX_QUEUE	4096		/* frames queued for sendmmsg */
#define TX_FRAME	256		/* largest frame we send */
#define RX_BUDGET	256		/* ring frames handled per loop */
#define RING_FRAME	2048
#define RING_BLOCK	(64 * 1024)
#define RING_BLOCKS	256
#define LAT_STEP_NS	100
#define LAT_BUCKETS	(2 * 1000 * 1000)	/* 100 ns steps up to 200 ms */
#define MAX_SECONDS	60
#define MAX_FLOOD	100000000UL
#define CLIENT_WIN	65535
#define CLIENT_MSS	1460

#define TCP_FIN	0x01
#define TCP_SYN	0x02
#define TCP_RST	0x04
#define TCP_PSH	0x08
#define TCP_ACK	0x10

enum conn_state { C_FREE, C_SYN_SENT, C_REQ_SENT };

struct conn {
	uint32_t saddr;			/* network order */
	uint32_t gen;			/* picks the slot's next source address */
	uint8_t state;
	bool fin;
	bool hdr_done;
	uint32_t snd_isn;
	uint32_t rcv_nxt;
	uint64_t t_start;
	int status;
	long clen;			/* Content-Length, -1 unknown */
	uint32_t hdr_len;		/* header bytes in hdr (until done) */
	uint32_t hdr_total;		/* header length once done */
	uint64_t resp_bytes;
	char hdr[HDR_MAX];
};

struct opts {
	const char *ifname;
	uint8_t gw_mac[6];
	uint32_t src_net;		/* first usable address, host order */
	uint32_t src_count;		/* usable addresses */
	uint32_t src_mask;		/* host order */
	uint32_t dst;			/* network order */
	uint16_t port;
	unsigned int conc;
	double rate;
	double seconds;
	const char *host;
	const char *path;
	int expect;
	unsigned int timeout_ms;
	unsigned long flood;
};

struct stats {
	uint64_t started, completed, timeouts, resets, bad_status, short_resp;
	uint64_t no_slot, ooo, stray, tx_frames, tx_err, lat_over;
	uint64_t resp_bytes, synacks;
};

struct gen {
	struct opts o;
	int fd;
	uint8_t mac[6];
	uint8_t *ring;
	size_t ring_len;
	unsigned int ring_frames, ring_idx;
	struct conn *conns;
	uint32_t *free_slots;
	unsigned int n_free, nslots;
	uint8_t (*txq)[TX_FRAME];
	uint16_t *txlen;
	unsigned int tx_head, tx_n;	/* ring of queued frames */
	uint16_t ip_id;
	uint64_t rnd;
	char req[512];
	size_t req_len;
	uint32_t *lat;			/* histogram, LAT_STEP_NS buckets */
	struct stats st;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint32_t rnd32(struct gen *g)
{
	g->rnd ^= g->rnd << 13;
	g->rnd ^= g->rnd >> 7;
	g->rnd ^= g->rnd << 17;
	return (uint32_t)(g->rnd >> 16);
}

/* ---- sending ---- */

static int tx_flush(struct gen *g)
{
	struct mmsghdr msgs[TX_BATCH];
	struct iovec iov[TX_BATCH];
	unsigned int rounds = 0;

	while (g->tx_n && rounds++ < TX_QUEUE / TX_BATCH) {
		unsigned int n = 0;
		int sent;

		while (n < TX_BATCH && n < g->tx_n) {
			unsigned int i = (g->tx_head + n) % TX_QUEUE;

			iov[n].iov_base = g->txq[i];
			iov[n].iov_len = g->txlen[i];
			memset(&msgs[n], 0, sizeof(msgs[n]));
			msgs[n].msg_hdr.msg_iov = &iov[n];
			msgs[n].msg_hdr.msg_iovlen = 1;
			n++;
		}
		sent = sendmmsg(g->fd, msgs, n, MSG_DONTWAIT);
		if (sent <= 0) {
			if (sent < 0 && errno != EAGAIN && errno != ENOBUFS && errno != EINTR)
				return -errno;
			g->st.tx_err++;
			return 0;	/* device busy: the rest goes next loop */
		}
		g->tx_head = (g->tx_head + (unsigned int)sent) % TX_QUEUE;
		g->tx_n -= (unsigned int)sent;
		g->st.tx_frames += (uint64_t)sent;
		if ((unsigned int)sent < n)
			return 0;
	}
	return 0;
}

/* A frame slot at the tail of the TX queue, NULL when full. */
static uint8_t *tx_slot(struct gen *g, unsigned int *idx)
{
	if (g->tx_n == TX_QUEUE)
		return NULL;
	*idx = (g->tx_head + g->tx_n) % TX_QUEUE;
	return g->txq[*idx];
}

/* Queue one IPv4/TCP segment from saddr:sport to the server. */
static void tx_segment(struct gen *g, uint32_t saddr, uint16_t sport, uint32_t seq,
		       uint32_t ack, uint8_t flags, const void *data, size_t dlen)
{
	size_t opt = (flags & TCP_SYN) ? 4 : 0, tcp_len = 20 + opt + dlen;
	unsigned int idx;
	uint8_t *f = tx_slot(g, &idx), *ip, *tcp;
	uint16_t csum;

	if (!f) {
		g->st.tx_err++;
		return;
	}
	memcpy(f, g->o.gw_mac, 6);
	memcpy(f + 6, g->mac, 6);
	put16(f + 12, ETHERTYPE_IP);
	ip = f + 14;
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(20 + tcp_len));
	put16(ip + 4, g->ip_id++);
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	put16(ip + 10, 0);
	memcpy(ip + 12, &saddr, 4);
	memcpy(ip + 16, &g->o.dst, 4);
	csum = g511_csum_ipv4_hdr(ip, 20);
	memcpy(ip + 10, &csum, 2);
	tcp = ip + 20;
	put16(tcp, sport);
	put16(tcp + 2, g->o.port);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = (uint8_t)(((20 + opt) / 4) << 4);
	tcp[13] = flags;
	put16(tcp + 14, (flags & TCP_RST) ? 0 : CLIENT_WIN);
	put16(tcp + 16, 0);
	put16(tcp + 18, 0);
	if (opt) {
		tcp[20] = 2;
		tcp[21] = 4;
		put16(tcp + 22, CLIENT_MSS);
	}
	if (dlen)
		memcpy(tcp + 20 + opt, data, dlen);
	csum = g511_csum_tcp4(ip + 12, ip + 16, tcp, tcp_len);
	memcpy(tcp + 16, &csum, 2);
	g->txlen[idx] = (uint16_t)(14 + 20 + tcp_len);
	g->tx_n++;
}

static uint16_t slot_port(unsigned int s)
{
	return (uint16_t)(PORT_BASE + s);
}

static void conn_rst(struct gen *g, unsigned int s)
{
	struct conn *c = &g->conns[s];
	uint32_t seq = c->snd_isn + 1 + (c->state == C_REQ_SENT ? (uint32_t)g->req_len : 0);

	if (c->state == C_REQ_SENT)
		tx_segment(g, c->saddr, slot_port(s), seq, c->rcv_nxt + c->fin,
			   TCP_RST | TCP_ACK, NULL, 0);
	else
		tx_segment(g, c->saddr, slot_port(s), seq, 0, TCP_RST, NULL, 0);
}

static void conn_free(struct gen *g, unsigned int s)
{
	g->conns[s].state = C_FREE;
	g->free_slots[g->n_free++] = s;
}

static void conn_start(struct gen *g, uint64_t now)
{
	unsigned int s = g->free_slots[--g->n_free];
	struct conn *c = &g->conns[s];

	c->saddr = htonl(g->o.src_net + c->gen % g->o.src_count);
	c->gen++;
	c->state = C_SYN_SENT;
	c->fin = false;
	c->hdr_done = false;
	c->snd_isn = rnd32(g);
	c->t_start = now;
	c->status = 0;
	c->clen = -1;
	c->hdr_len = 0;
	c->hdr_total = 0;
	c->resp_bytes = 0;
	tx_segment(g, c->saddr, slot_port(s), c->snd_isn, 0, TCP_SYN, NULL, 0);
	g->st.started++;
}

/* ---- receiving ---- */

static bool parse_header(struct conn *c)
{
	char *end, *p;

	end = memmem(c->hdr, c->hdr_len, "\r\n\r\n", 4);
	if (!end)
		return false;
	c->hdr_total = (uint32_t)(end + 4 - c->hdr);
	*end = '\0';
	if (c->hdr_total > 12 && !strncmp(c->hdr, "HTTP/1.", 7))
		c->status = atoi(c->hdr + 9);
	for (p = strstr(c->hdr, "\r\n"); p; p = strstr(p + 2, "\r\n"))
		if (!strncasecmp(p + 2, "Content-Length:", 15)) {
			c->clen = strtol(p + 17, NULL, 10);
			break;
		}
	c->hdr_done = true;
	return true;
}

static void record_latency(struct gen *g, uint64_t ns)
{
	uint64_t b = ns / LAT_STEP_NS;

	if (b >= LAT_BUCKETS) {
		b = LAT_BUCKETS - 1;
		g->st.lat_over++;
	}
	g->lat[b]++;
}

static void conn_data(struct gen *g, unsigned int s, uint32_t seq, uint8_t flags,
		      const uint8_t *data, size_t len, uint64_t now)
{
	struct conn *c = &g->conns[s];
	int32_t off = (int32_t)(c->rcv_nxt - seq);

	if (off < 0) {				/* a hole: we do not reassemble */
		g->st.ooo++;
		return;
	}
	if ((size_t)off < len) {		/* new bytes (after any overlap) */
		const uint8_t *d = data + off;
		size_t dlen = len - (size_t)off;

		if (!c->hdr_done) {
			size_t room = HDR_MAX - 1 - c->hdr_len;
			size_t n = dlen < room ? dlen : room;

			memcpy(c->hdr + c->hdr_len, d, n);
			c->hdr_len += (uint32_t)n;
			parse_header(c);
		}
		c->resp_bytes += dlen;
		c->rcv_nxt += (uint32_t)dlen;
	}
	/* A FIN counts once every byte before it is in. */
	if ((flags & TCP_FIN) && seq + (uint32_t)len == c->rcv_nxt)
		c->fin = true;
	if (!c->fin)
		return;

	/* The server closed: the response is complete or it is short. */
	if (!c->hdr_done || c->clen < 0 || c->resp_bytes - c->hdr_total < (uint64_t)c->clen) {
		g->st.short_resp++;
	} else if (g->o.expect && c->status != g->o.expect) {
		g->st.bad_status++;
	} else {
		g->st.completed++;
		g->st.resp_bytes += c->resp_bytes;
		record_latency(g, now - c->t_start);
	}
	conn_rst(g, s);
	conn_free(g, s);
}

static void rx_frame(struct gen *g, const uint8_t *f, size_t len, uint64_t now)
{
	const uint8_t *ip, *tcp;
	size_t ihl, tot, doff;
	uint32_t daddr, seq, ack;
	uint16_t dport;
	unsigned int s;
	struct conn *c;
	uint8_t flags;

	if (len < 14 + 20 + 20 || get16(f + 12) != ETHERTYPE_IP)
		goto stray;
	ip = f + 14;
	ihl = (size_t)(ip[0] & 15) * 4;
	tot = get16(ip + 2);
	if (ip[9] != IPPROTO_TCP || ihl < 20 || tot < ihl + 20 || tot > len - 14)
		goto stray;
	tcp = ip + ihl;
	doff = (size_t)(tcp[12] >> 4) * 4;
	if (doff < 20 || ihl + doff > tot)
		goto stray;
	memcpy(&daddr, ip + 16, 4);
	dport = get16(tcp + 2);
	if (get16(tcp) != g->o.port || dport < PORT_BASE || dport >= PORT_BASE + g->nslots)
		goto stray;
	s = dport - PORT_BASE;
	c = &g->conns[s];
	if (c->state == C_FREE || c->saddr != daddr)
		goto stray;
	seq = get32(tcp + 4);
	ack = get32(tcp + 8);
	flags = tcp[13];

	if (flags & TCP_RST) {
		g->st.resets++;
		conn_free(g, s);
		return;
	}
	if ((flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) {
		if (ack != c->snd_isn + 1)
			goto stray;
		g->st.synacks++;
		c->rcv_nxt = seq + 1;
		c->state = C_REQ_SENT;
		tx_segment(g, c->saddr, slot_port(s), c->snd_isn + 1, c->rcv_nxt,
			   TCP_ACK | TCP_PSH, g->req, g->req_len);
		return;
	}
	if (c->state != C_REQ_SENT || !(flags & TCP_ACK))
		goto stray;
	conn_data(g, s, seq, flags, tcp + doff, tot - ihl - doff, now);
	return;
stray:
	g->st.stray++;
}

/* Hand every filled ring frame (up to budget) to rx_frame; frames handled. */
static unsigned int rx_poll(struct gen *g, unsigned int budget, uint64_t now,
			    void (*fn)(struct gen *, const uint8_t *, size_t, uint64_t))
{
	unsigned int n = 0;

	while (n < budget) {
		struct tpacket2_hdr *h = (void *)(g->ring + (size_t)g->ring_idx * RING_FRAME);

		if (!(__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			break;
		fn(g, (const uint8_t *)h + h->tp_mac, h->tp_snaplen, now);
		__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		g->ring_idx = (g->ring_idx + 1) % g->ring_frames;
		n++;
	}
	return n;
}

static void expire(struct gen *g, uint64_t now)
{
	uint64_t limit = (uint64_t)g->o.timeout_ms * 1000000ULL;

	for (unsigned int s = 0; s < g->nslots; s++) {
		struct conn *c = &g->conns[s];

		if (c->state != C_FREE && now - c->t_start > limit) {
			g->st.timeouts++;
			conn_rst(g, s);
			conn_free(g, s);
		}
	}
}

/* ---- set-up ---- */

static int attach_filter(struct gen *g)
{
	char expr[160];
	struct bpf_program prog;
	struct sock_fprog fprog;
	struct in_addr dst = { .s_addr = g->o.dst };
	struct in_addr net = { .s_addr = htonl(g->o.src_net & g->o.src_mask) };
	char dsts[INET_ADDRSTRLEN], nets[INET_ADDRSTRLEN];
	pcap_t *p;
	int err = 0;

	inet_ntop(AF_INET, &dst, dsts, sizeof(dsts));
	inet_ntop(AF_INET, &net, nets, sizeof(nets));
	snprintf(expr, sizeof(expr),
		 "ip and tcp and src host %s and src port %u and dst net %s mask %u.%u.%u.%u",
		 dsts, g->o.port, nets, g->o.src_mask >> 24, (g->o.src_mask >> 16) & 0xff,
		 (g->o.src_mask >> 8) & 0xff, g->o.src_mask & 0xff);
	p = pcap_open_dead(DLT_EN10MB, RING_FRAME);
	if (!p)
		return -ENOMEM;
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		fprintf(stderr, "loadgen: filter '%s': %s\n", expr, pcap_geterr(p));
		pcap_close(p);
		return -EINVAL;
	}
	fprog.len = (unsigned short)prog.bf_len;
	fprog.filter = (struct sock_filter *)prog.bf_insns;
	if (setsockopt(g->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)))
		err = -errno;
	pcap_freecode(&prog);
	pcap_close(p);
	return err;
}

static int open_socket(struct gen *g)
{
	struct tpacket_req req = {
		.tp_block_size = RING_BLOCK,
		.tp_block_nr = RING_BLOCKS,
		.tp_frame_size = RING_FRAME,
		.tp_frame_nr = RING_BLOCKS * (RING_BLOCK / RING_FRAME),
	};
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int ver = TPACKET_V2, one = 1, err;
	struct ifreq ifr = {};
	const char *what;

	/* Protocol 0: nothing arrives before the filter is in place. */
	g->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (g->fd < 0) {
		what = "socket";
		goto fail;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", g->o.ifname);
	what = "interface";
	if (ioctl(g->fd, SIOCGIFINDEX, &ifr))
		goto fail;
	sll.sll_ifindex = ifr.ifr_ifindex;
	if (ioctl(g->fd, SIOCGIFHWADDR, &ifr))
		goto fail;
	memcpy(g->mac, ifr.ifr_hwaddr.sa_data, 6);
	what = "PACKET_VERSION";
	if (setsockopt(g->fd, SOL_PACKET, PACKET_VERSION, &ver, sizeof(ver)))
		goto fail;
	what = "PACKET_RX_RING";
	if (setsockopt(g->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)))
		goto fail;
	what = "PACKET_QDISC_BYPASS";
	if (setsockopt(g->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		goto fail;
	what = "PACKET_IGNORE_OUTGOING";
	if (setsockopt(g->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)))
		goto fail;
	g->ring_len = (size_t)req.tp_block_size * req.tp_block_nr;
	g->ring_frames = req.tp_frame_nr;
	g->ring = mmap(NULL, g->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		       g->fd, 0);
	what = "mmap";
	if (g->ring == MAP_FAILED) {
		g->ring = NULL;
		goto fail;
	}
	err = attach_filter(g);
	if (err) {
		errno = -err;
		what = "filter";
		goto fail;
	}
	sll.sll_protocol = htons(ETH_P_IP);
	what = "bind";
	if (bind(g->fd, (struct sockaddr *)&sll, sizeof(sll)))
		goto fail;
	return 0;
fail:
	err = -errno;
	fprintf(stderr, "loadgen: %s on %s: %s\n", what, g->o.ifname, strerror(errno));
	return err;
}

static double pct(const struct gen *g, double q)
{
	uint64_t want = (uint64_t)(q * (double)g->st.completed), seen = 0;

	if (!g->st.completed)
		return 0;
	if (want >= g->st.completed)
		want = g->st.completed - 1;
	for (unsigned int b = 0; b < LAT_BUCKETS; b++) {
		seen += g->lat[b];
		if (seen > want)
			return (b + 0.5) * LAT_STEP_NS / 1000.0;
	}
	return 0;
}

static unsigned long rx_drops(struct gen *g)
{
	struct tpacket_stats ps;
	socklen_t l = sizeof(ps);

	if (getsockopt(g->fd, SOL_PACKET, PACKET_STATISTICS, &ps, &l))
		return 0;
	return ps.tp_drops;
}

/* ---- the two modes ---- */

/*
 * Our own utime + stime in clock ticks, from /proc/self/stat: tick-sampled
 * like the rest of the bench's accounting, so softirq work the kernel does
 * on our way through sendmmsg() counts as softirq, not as ours.
 */
static long self_ticks(void)
{
	char buf[1024], *p;
	long ut = 0, st = 0;
	FILE *f;
	size_t n;

	f = fopen("/proc/self/stat", "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld",
			 &ut, &st) != 2)
		return 0;
	return ut + st;
}

static int run_http(struct gen *g)
{
	uint64_t t0 = now_ns(), end = t0 + (uint64_t)(g->o.seconds * 1e9), last_expire = t0;
	uint64_t now = t0, busy = 0;
	long ticks0 = self_ticks();
	double secs;
	int err;

	while (now < end) {
		unsigned int got, started = 0, queued;
		uint64_t t_iter = now;

		got = rx_poll(g, RX_BUDGET, now, rx_frame);
		if (g->o.rate > 0) {
			uint64_t due = (uint64_t)((double)(now - t0) * g->o.rate / 1e9);

			while (g->st.started + g->st.no_slot < due && started < TX_BATCH) {
				if (!g->n_free || g->tx_n > TX_QUEUE - TX_BATCH * 2) {
					g->st.no_slot++;
					continue;
				}
				conn_start(g, now);
				started++;
			}
		} else {
			while (g->n_free && started < TX_BATCH &&
			       g->tx_n < TX_QUEUE - TX_BATCH * 2) {
				conn_start(g, now);
				started++;
			}
		}
		queued = g->tx_n;
		err = tx_flush(g);
		if (err)
			return err;
		now = now_ns();
		/* Time in loops that moved something: how loaded we are. */
		if (got || queued)
			busy += now - t_iter;
		if (now - last_expire > 10000000ULL) {
			expire(g, now);
			last_expire = now;
		}
	}
	secs = (double)(now - t0) / 1e9;
	/* What is still in flight did not complete within the run: reset it. */
	for (unsigned int s = 0; s < g->nslots; s++)
		if (g->conns[s].state != C_FREE) {
			conn_rst(g, s);
			conn_free(g, s);
		}
	for (int i = 0; i < 100 && g->tx_n; i++) {
		err = tx_flush(g);
		if (err)
			return err;
		if (g->tx_n)
			usleep(1000);
	}

	printf("mode=%s seconds=%.3f started=%lu completed=%lu rps=%.0f p50_us=%.1f "
	       "p99_us=%.1f timeouts=%lu resets=%lu short=%lu bad_status=%lu no_slot=%lu "
	       "ooo=%lu stray=%lu tx_frames=%lu tx_busy=%lu rx_drops=%lu lat_over=%lu "
	       "bytes_per_resp=%.0f gen_busy=%.2f gen_ticks=%ld\n",
	       g->o.rate > 0 ? "open" : "closed", secs, g->st.started, g->st.completed,
	       (double)g->st.completed / secs, pct(g, 0.50), pct(g, 0.99), g->st.timeouts,
	       g->st.resets, g->st.short_resp, g->st.bad_status, g->st.no_slot, g->st.ooo,
	       g->st.stray, g->st.tx_frames, g->st.tx_err, rx_drops(g), g->st.lat_over,
	       g->st.completed ? (double)g->st.resp_bytes / (double)g->st.completed : 0.0,
	       (double)busy / (double)(now - t0), self_ticks() - ticks0);
	return 0;
}

static void rx_count(struct gen *g, const uint8_t *f, size_t len, uint64_t now)
{
	(void)now;
	if (len >= 14 + 20 + 20 && (f[14 + (f[14] & 15) * 4 + 13] & (TCP_SYN | TCP_ACK)) ==
	    (TCP_SYN | TCP_ACK))
		g->st.synacks++;
	else
		g->st.stray++;
}

static int run_flood(struct gen *g)
{
	uint64_t t0 = now_ns(), limit = t0 + MAX_SECONDS * 1000000000ULL, t1, now;
	unsigned long k = 0;
	int err;

	while (k < g->o.flood && now_ns() < limit) {
		while (k < g->o.flood && g->tx_n < TX_QUEUE - 1) {
			uint32_t a = g->o.src_net + (uint32_t)(k % g->o.src_count);
			uint16_t port = (uint16_t)(PORT_BASE + (k / g->o.src_count) % 64000);

			tx_segment(g, htonl(a), port, rnd32(g), 0, TCP_SYN, NULL, 0);
			k++;
		}
		err = tx_flush(g);
		if (err)
			return err;
		rx_poll(g, g->ring_frames, 0, rx_count);
	}
	for (int i = 0; i < 1000 && g->tx_n; i++) {
		err = tx_flush(g);
		if (err)
			return err;
		rx_poll(g, g->ring_frames, 0, rx_count);
	}
	t1 = now_ns();
	/* Collect the SYN-ACKs still on their way for half a second. */
	for (now = t1; now - t1 < 500000000ULL; now = now_ns())
		if (!rx_poll(g, g->ring_frames, 0, rx_count))
			usleep(1000);
	printf("mode=flood syns=%lu seconds=%.2f syn_rate=%.0f synacks=%lu tx_busy=%lu "
	       "rx_drops=%lu\n", g->st.tx_frames, (double)(t1 - t0) / 1e9,
	       (double)g->st.tx_frames / ((double)(t1 - t0) / 1e9), g->st.synacks,
	       g->st.tx_err, rx_drops(g));
	return 0;
}

/* ---- options ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: loadgen -i IFACE -g GW_MAC -d DST_IP [options]   (root, in the client netns)\n"
		"  -i, --interface IFACE   client interface to send on\n"
		"  -g, --gw-mac MAC        next hop (gateway) MAC address\n"
		"  -d, --dst IP            server IPv4 address\n"
		"  -p, --port PORT         server port (default 80)\n"
		"  -s, --src NET/LEN       source addresses the client stack does not own\n"
		"                          (default 10.51.128.0/17)\n"
		"  -c, --conc N            connections in flight (default 128, max %d)\n"
		"  -r, --rate R            open loop: new connections per second (-c caps\n"
		"                          what is in flight); default closed loop\n"
		"  -t, --time SECONDS      run time (default 5, max %d)\n"
		"  -H, --host HOST         Host header (default the server address)\n"
		"  -u, --path PATH         request path (default /)\n"
		"  -e, --expect CODE       count other status codes as errors\n"
		"  -w, --timeout MS        give a connection up after MS (default 1000)\n"
		"  -f, --syn-flood N       only send N SYNs (distinct sources), count SYN-ACKs\n"
		"  -h, --help\n", MAX_SLOTS, MAX_SECONDS);
}

static int parse_net(const char *s, uint32_t *net, uint32_t *count, uint32_t *mask)
{
	char buf[32], *slash;
	struct in_addr a;
	long len;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	len = strtol(slash + 1, NULL, 10);
	if (inet_pton(AF_INET, buf, &a) != 1 || len < 8 || len > 30)
		return -EINVAL;
	*count = 1U << (32 - len);
	*mask = ~(*count - 1);
	*net = ntohl(a.s_addr) & *mask;
	/* Skip the network and broadcast addresses. */
	*net += 1;
	*count -= 2;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "gw-mac", required_argument, NULL, 'g' },
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "src", required_argument, NULL, 's' },
		{ "conc", required_argument, NULL, 'c' },
		{ "rate", required_argument, NULL, 'r' },
		{ "time", required_argument, NULL, 't' },
		{ "host", required_argument, NULL, 'H' },
		{ "path", required_argument, NULL, 'u' },
		{ "expect", required_argument, NULL, 'e' },
		{ "timeout", required_argument, NULL, 'w' },
		{ "syn-flood", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool have_mac = false, have_dst = false;
	struct in_addr a;
	int c;

	o->port = 80;
	o->conc = 128;
	o->seconds = 5;
	o->path = "/";
	o->timeout_ms = 1000;
	parse_net("10.51.128.0/17", &o->src_net, &o->src_count, &o->src_mask);
	while ((c = getopt_long(argc, argv, "i:g:d:p:s:c:r:t:H:u:e:w:f:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'i': o->ifname = optarg; break;
		case 'g':
			if (sscanf(optarg, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &o->gw_mac[0],
				   &o->gw_mac[1], &o->gw_mac[2], &o->gw_mac[3], &o->gw_mac[4],
				   &o->gw_mac[5]) != 6) {
				fprintf(stderr, "loadgen: bad MAC '%s'\n", optarg);
				return -1;
			}
			have_mac = true;
			break;
		case 'd':
			if (inet_pton(AF_INET, optarg, &a) != 1) {
				fprintf(stderr, "loadgen: bad IPv4 address '%s'\n", optarg);
				return -1;
			}
			o->dst = a.s_addr;
			have_dst = true;
			break;
		case 'p': o->port = (uint16_t)atoi(optarg); break;
		case 's':
			if (parse_net(optarg, &o->src_net, &o->src_count, &o->src_mask)) {
				fprintf(stderr, "loadgen: bad source range '%s' (/8../30)\n",
					optarg);
				return -1;
			}
			break;
		case 'c': o->conc = (unsigned int)atoi(optarg); break;
		case 'r': o->rate = atof(optarg); break;
		case 't': o->seconds = atof(optarg); break;
		case 'H': o->host = optarg; break;
		case 'u': o->path = optarg; break;
		case 'e': o->expect = atoi(optarg); break;
		case 'w': o->timeout_ms = (unsigned int)atoi(optarg); break;
		case 'f': o->flood = strtoul(optarg, NULL, 10); break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc || !o->ifname || !have_mac || !have_dst) {
		usage(stderr);
		return -1;
	}
	if (o->conc < 1 || o->conc > MAX_SLOTS || o->seconds <= 0 ||
	    o->seconds > MAX_SECONDS || o->timeout_ms < 1 || o->timeout_ms > 10000 ||
	    o->flood > MAX_FLOOD || o->rate < 0 || !o->port) {
		fprintf(stderr, "loadgen: option out of range\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct gen g;
	char dst[INET_ADDRSTRLEN];
	int err;

	if (parse_args(argc, argv, &g.o))
		return 2;
	g.nslots = g.o.conc;
	g.rnd = now_ns() | 1;
	g.conns = calloc(g.nslots, sizeof(*g.conns));
	g.free_slots = calloc(g.nslots, sizeof(*g.free_slots));
	g.txq = calloc(TX_QUEUE, sizeof(*g.txq));
	g.txlen = calloc(TX_QUEUE, sizeof(*g.txlen));
	g.lat = calloc(LAT_BUCKETS, sizeof(*g.lat));
	if (!g.conns || !g.free_slots || !g.txq || !g.txlen || !g.lat) {
		fprintf(stderr, "loadgen: out of memory\n");
		return 1;
	}
	/* Each run starts its slots at random places in the source range, so
	 * back-to-back runs do not reuse each other's 4-tuples. */
	for (unsigned int s = g.nslots; s > 0; s--) {
		g.free_slots[g.n_free++] = s - 1;
		g.conns[s - 1].gen = rnd32(&g);
	}
	inet_ntop(AF_INET, &g.o.dst, dst, sizeof(dst));
	g.req_len = (size_t)snprintf(g.req, sizeof(g.req),
				     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: gate511-loadgen\r\n"
				     "Accept: */*\r\nConnection: close\r\n\r\n",
				     g.o.path, g.o.host ? g.o.host : dst);
	if (g.req_len >= sizeof(g.req) || g.req_len > TX_FRAME - 14 - 20 - 24) {
		fprintf(stderr, "loadgen: request too long\n");
		return 2;
	}
	err = open_socket(&g);
	if (err)
		return 1;
	err = g.o.flood ? run_flood(&g) : run_http(&g);
	if (err)
		fprintf(stderr, "loadgen: send on %s: %s\n", g.o.ifname, strerror(-err));
	munmap(g.ring, g.ring_len);
	close(g.fd);
	return err ? 1 : 0;
}
