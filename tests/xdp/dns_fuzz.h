/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dns_fuzz.h - gate511_tc's DNS path (bpf/gate511_dns.h) under mutated
 * answers, through BPF_PROG_RUN; included by xdp_table.c (its harness).
 *
 * The parser runs in the kernel, where the verifier already proves it
 * memory-safe and bounded; what a fuzzer can still find is a logic hole.
 * Three seeds, each mutated (bytes flipped, set to pointer/length values,
 * counts changed, the message cut short), and a property per seed that
 * holds for every mutant:
 *
 *   untrusted  the garden name from an address that is no resolver:
 *              nothing is ever learned;
 *   foreign    a trusted resolver answering for names that share no
 *              label with a garden name: nothing is ever learned;
 *   garden     a trusted resolver answering for the garden name: what
 *              is learned carries that name's id, an expiry within the
 *              clamp (give or take the datapath clock's coarse slack), and
 *              an address whose four bytes are in the message.
 *
 * Every mutant must also be passed on (TC_ACT_UNSPEC, as every answer: the
 * client has no grant to count against). G511_DNS_FUZZ_N sets the count
 * per seed (default 4000), G511_DNS_FUZZ_SEED the seed (default fixed, so
 * a failure reproduces; the failing mutant is hexdumped).
 */
#ifndef G511_DNS_FUZZ_H
#define G511_DNS_FUZZ_H

#define DF_ETH	14
#define DF_IP	20
#define DF_UDP	8
#define DF_HDRS	(DF_ETH + DF_IP + DF_UDP)
#define DF_MAX	600

struct df_msg {
	__u8 b[DF_MAX];
	size_t n;		/* DNS bytes in b, after DF_HDRS */
};

static void df_put(struct df_msg *m, const void *p, size_t n)
{
	if (DF_HDRS + m->n + n <= DF_MAX) {
		memcpy(m->b + DF_HDRS + m->n, p, n);
		m->n += n;
	}
}

static void df_u16(struct df_msg *m, unsigned int v)
{
	__u8 b[2] = { (__u8)(v >> 8), (__u8)v };

	df_put(m, b, 2);
}

static void df_name(struct df_msg *m, const char *dotted)
{
	const char *p = dotted;

	while (*p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		__u8 l = (__u8)len;

		df_put(m, &l, 1);
		df_put(m, p, len);
		p += len + (dot ? 1 : 0);
	}
	df_put(m, "", 1);
}

/* header, the question, a CNAME (owner: a pointer to it) and two A records
 * (owner: a pointer to the CNAME's target); TTL 300 */
static void df_answer(struct df_msg *m, const char *qname, const char *cname)
{
	static const __u8 a1[4] = { 198, 51, 100, 21 }, a2[4] = { 198, 51, 100, 22 };
	size_t target;

	m->n = 0;
	df_u16(m, 0x5111);
	df_u16(m, 0x8180);			/* response, RD RA, no error */
	df_u16(m, 1);
	df_u16(m, 3);
	df_u16(m, 0);
	df_u16(m, 0);
	df_name(m, qname);
	df_u16(m, 1);
	df_u16(m, 1);
	df_u16(m, 0xc00c);			/* the question's name */
	df_u16(m, 5);
	df_u16(m, 1);
	df_u16(m, 0);
	df_u16(m, 300);
	df_u16(m, (unsigned int)strlen(cname) + 2);
	target = m->n;
	df_name(m, cname);
	for (int i = 0; i < 2; i++) {
		df_u16(m, 0xc000 | (unsigned int)target);
		df_u16(m, 1);
		df_u16(m, 1);
		df_u16(m, 0);
		df_u16(m, 300);
		df_u16(m, 4);
		df_put(m, i ? a2 : a1, 4);
	}
}

/* Ethernet, IPv4 (no options, DF clear), UDP 53 -> 40000 to CLIENT4. */
static void df_frame(struct df_msg *m, const char *src)
{
	__u8 *e = m->b, *ip = m->b + DF_ETH, *udp = ip + DF_IP;
	size_t ulen = DF_UDP + m->n, tot = DF_IP + ulen;
	struct in_addr s, d;
	__u32 sum = 0;

	memcpy(e, client_mac, 6);
	memcpy(e + 6, device_mac, 6);
	e[12] = 0x08;
	e[13] = 0x00;
	memset(ip, 0, DF_IP);
	ip[0] = 0x45;
	ip[2] = (__u8)(tot >> 8);
	ip[3] = (__u8)tot;
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	inet_pton(AF_INET, src, &s);
	inet_pton(AF_INET, CLIENT4, &d);
	memcpy(ip + 12, &s, 4);
	memcpy(ip + 16, &d, 4);
	for (int i = 0; i < DF_IP; i += 2)
		sum += (__u32)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (__u8)(~sum >> 8);
	ip[11] = (__u8)~sum;
	udp[0] = 0;
	udp[1] = 53;
	udp[2] = 0x9c;
	udp[3] = 0x40;
	udp[4] = (__u8)(ulen >> 8);
	udp[5] = (__u8)ulen;
	udp[6] = udp[7] = 0;			/* no UDP checksum (IPv4) */
}

static __u64 df_rand_state;

static __u32 df_rand(void)
{
	/* xorshift64*: reproducible from the seed */
	df_rand_state ^= df_rand_state >> 12;
	df_rand_state ^= df_rand_state << 25;
	df_rand_state ^= df_rand_state >> 27;
	return (__u32)((df_rand_state * 0x2545f4914f6cdd1dULL) >> 32);
}

/* 1 to 6 edits of the DNS bytes, sometimes a cut at the end */
static void df_mutate(struct df_msg *m)
{
	static const __u8 magic[] = { 0x00, 0x01, 0x05, 0x0c, 0x3f, 0x40, 0x7f, 0x80,
				      0xc0, 0xc0, 0xff };
	unsigned int edits = 1 + df_rand() % 6;

	for (unsigned int i = 0; i < edits && m->n; i++) {
		size_t at = df_rand() % m->n;
		__u8 *p = m->b + DF_HDRS + at;

		switch (df_rand() % 4) {
		case 0: *p ^= (__u8)(1u << (df_rand() % 8)); break;
		case 1: *p = magic[df_rand() % sizeof(magic)]; break;
		case 2: *p = (__u8)df_rand(); break;
		default:	/* a count in the header */
			m->b[DF_HDRS + 4 + 2 * (df_rand() % 4) + 1] = (__u8)(df_rand() % 20);
			break;
		}
	}
	if (df_rand() % 5 == 0)
		m->n -= df_rand() % (m->n + 1);
}

static bool df_has4(const struct df_msg *m, const __u8 *a)
{
	for (size_t i = 0; i + 4 <= m->n; i++)
		if (!memcmp(m->b + DF_HDRS + i, a, 4))
			return true;
	return false;
}

static void df_dump(const char *what, const struct df_msg *m)
{
	fprintf(stderr, "  dns_fuzz: %s; the DNS message (%zu bytes):\n   ", what, m->n);
	for (size_t i = 0; i < m->n; i++)
		fprintf(stderr, "%02x%s", m->b[DF_HDRS + i], i % 32 == 31 ? "\n   " : "");
	fprintf(stderr, "\n");
}

enum df_kind { DF_UNTRUSTED, DF_FOREIGN, DF_GARDEN };

/* One mutant through gate511_tc; false (dumped) when the property fails. */
static bool df_one(const struct harness *h, enum df_kind kind, const struct df_msg *m,
		   unsigned int *learned)
{
	struct __sk_buff skb = {};
	__u8 out[DF_MAX + 64];
	struct g511_addr k, next;
	struct g511_gdns_val v;
	bool first = true, ok = true;
	__u64 t0 = boottime_ns(), t1;

	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = m->b,
		.data_size_in = (__u32)(DF_HDRS + m->n),
		.data_out = out,
		.data_size_out = sizeof(out),
		.ctx_in = &skb,
		.ctx_size_in = sizeof(skb),
		.repeat = 1,
	);
	if (bpf_prog_test_run_opts(h->tc_prog_fd, &opts)) {
		df_dump("BPF_PROG_RUN failed", m);
		return false;
	}
	t1 = boottime_ns();
	if (opts.retval != (__u32)TC_ACT_UNSPEC) {
		df_dump("the answer was not passed", m);
		ok = false;
	}
	while (ok && bpf_map_get_next_key(h->gdns_fd, first ? NULL : &k, &next) == 0) {
		first = false;
		k = next;
		if (bpf_map_lookup_elem(h->gdns_fd, &k, &v))
			continue;
		(*learned)++;
		if (kind != DF_GARDEN) {
			df_dump(kind == DF_UNTRUSTED ? "learned from an untrusted source" :
				"learned for a name outside the garden", m);
			ok = false;
		} else if (v.name_id != 1 || !df_has4(m, k.addr + 12) ||
			   v.expires_ns + COARSE_SLACK_NS < t0 + G511_GDNS_TTL_MIN * NSEC_PER_SEC ||
			   v.expires_ns > t1 + G511_GDNS_TTL_MAX * NSEC_PER_SEC + COARSE_SLACK_NS) {
			fprintf(stderr, "  dns_fuzz: learned %u.%u.%u.%u, name id %u, expires in %lld ms\n",
				k.addr[12], k.addr[13], k.addr[14], k.addr[15], v.name_id,
				(long long)((__s64)(v.expires_ns - t0) / 1000000));
			df_dump("a learned entry breaks the rules (name id, address, expiry)", m);
			ok = false;
		}
		bpf_map_delete_elem(h->gdns_fd, &k);
	}
	return ok;
}

static bool dns_fuzz(const struct harness *h)
{
	static const struct {
		enum df_kind kind;
		const char *src, *qname, *cname;
	} seeds[] = {
		{ DF_UNTRUSTED, "198.51.100.9", "example.com", "cdn.example.com" },
		{ DF_FOREIGN, RESOLVER4, "zzzz.invalid", "yyyy.invalid" },
		{ DF_GARDEN, RESOLVER4, "example.com", "edge.cdn.invalid" },
	};
	const char *env = getenv("G511_DNS_FUZZ_N");
	unsigned int n = env && *env ? (unsigned int)strtoul(env, NULL, 10) : 4000;
	struct g511_config cfg = config_site();
	struct df_msg base, m;
	__u32 key = 0;
	bool ok = true;

	env = getenv("G511_DNS_FUZZ_SEED");
	df_rand_state = env && *env ? strtoull(env, NULL, 0) : 0x511d15ULL;
	if (!df_rand_state)
		df_rand_state = 1;
	if (maps_reset(h) || bpf_map_update_elem(h->config_fd, &key, &cfg, BPF_ANY) ||
	    gname_put(h, "example.com", false, 1, 0)) {
		fprintf(stderr, "  dns_fuzz: setup failed: %s\n", strerror(errno));
		return false;
	}
	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]) && ok; s++) {
		unsigned int learned = 0;

		df_answer(&base, seeds[s].qname, seeds[s].cname);
		df_frame(&base, seeds[s].src);
		/* the seed itself: the garden one must teach, the others not */
		ok &= df_one(h, seeds[s].kind, &base, &learned);
		if (seeds[s].kind == DF_GARDEN && learned != 2) {
			df_dump("the unmutated garden answer taught not 2 addresses", &base);
			ok = false;
		}
		for (unsigned int i = 0; i < n && ok; i++) {
			m = base;
			df_mutate(&m);
			df_frame(&m, seeds[s].src);	/* lengths after a cut */
			ok &= df_one(h, seeds[s].kind, &m, &learned);
		}
		printf("# dns_fuzz %s: %u mutants, %u addresses learned\n",
		       seeds[s].kind == DF_UNTRUSTED ? "untrusted" :
		       seeds[s].kind == DF_FOREIGN ? "foreign" : "garden", n, learned);
	}
	return ok;
}

#endif /* G511_DNS_FUZZ_H */
