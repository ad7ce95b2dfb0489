/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gate511_dns.h - the walled garden by name, learned from DNS answers on
 * their way to clients (included by gate511_tc.h).
 *
 * An answer is read only when it is UDP from port 53 of a configured
 * resolver (or, locally generated, of one of the gateway's own addresses),
 * not an IPv4 fragment, IPv6 with UDP right after the fixed header, and
 * did not come in on the interface it leaves by (a client's forgery
 * hairpinned through the gateway). XDP also drops a client's packet whose
 * source is a resolver's address. TCP answers are not read.
 *
 * The DNS message is copied into a per-CPU scratch buffer and parsed with
 * masked offsets: one question, at most DNS_MAX_RR answer records, names
 * decoded with compression pointers that must point strictly backwards
 * (no loop can form) and at most DNS_MAX_HOPS of them. The chain is the
 * question name plus each CNAME target whose owner is in the chain
 * (DNS_MAX_CHAIN names, compared by a 64-bit hash of the decoded name);
 * if any chain name is in g511_gnames, each A/AAAA record whose
 * owner is in the chain goes into g511_garden_dns with its TTL clamped.
 * The insert happens before the answer leaves: a client that connects at
 * once finds the address in place for its first SYN.
 *
 * Malformed or truncated answers teach nothing (ev_tc_dns_malformed); the
 * packet itself always passes: this never changes a verdict.
 */
#ifndef GATE511_DNS_H
#define GATE511_DNS_H

#define DNS_BUF		2048	/* the message must fit, else it is skipped */
#define DNS_MASK	(DNS_BUF - 1)
#define DNS_HDR_LEN	12
#define DNS_MAX_RR	16
#define DNS_MAX_CHAIN	8
#define DNS_MAX_HOPS	8
#define DNS_NAME_STEPS	(G511_GNAME_LEN + 64 + DNS_MAX_HOPS)
#define DNS_TYPE_A	1
#define DNS_TYPE_CNAME	5
#define DNS_TYPE_AAAA	28
#define DNS_CLASS_IN	1
#define DNS_FLAG_QR	0x8000
#define DNS_FLAG_TC	0x0200
#define DNS_OPCODE	0x7800
#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

/*
 * State of one name decode. It lives in the scratch map value, not on
 * the stack: the verifier then knows nothing of its fields and checks
 * each bpf_loop callback once, not once per value they take.
 */
struct name_walk {
	__u32 pos;		/* next wire byte */
	__u32 end;		/* where the name ends in its record; 0 = not yet */
	__u32 min_ptr;		/* a pointer must go below this */
	__u32 out;		/* decoded bytes (may exceed G511_GNAME_LEN) */
	__u32 rem;		/* bytes left in the current label */
	__u32 hops;
	__u32 odd;		/* a label byte that cannot match: '.', '\0' */
	__s32 state;		/* 0 running, 1 done, -1 malformed */
	__u64 hash;
};

struct dns_scratch {
	__u8 msg[DNS_BUF];
	__u8 fwd[G511_GNAME_LEN];	/* decoded name, dotted, lowercase */
	struct g511_gname_key key;
	struct g511_gname_val match;	/* the chain's garden name, if any */
	__u64 chain[DNS_MAX_CHAIN];
	__u32 len;			/* bytes in msg */
	__u32 nchain;
	__u32 matched;
	__u32 pos;			/* next record (RR walk) */
	__u32 left;			/* records left */
	__u32 ttl_min;			/* s */
	__u64 now;
	struct name_walk w;
};

/* bpf_loop's context: the scratch buffer, on the stack of the caller */
struct dns_ctx {
	struct dns_scratch *s;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dns_scratch);
} g511_dns_scratch SEC(".maps");

static __always_inline __u8 dns_byte(const struct dns_scratch *s, __u32 pos)
{
	return s->msg[pos & DNS_MASK];
}

static __always_inline __u32 dns_u16(const struct dns_scratch *s, __u32 pos)
{
	return (__u32)dns_byte(s, pos) << 8 | dns_byte(s, pos + 1);
}

static __always_inline void name_emit(struct dns_scratch *s, struct name_walk *w, __u8 b)
{
	if (w->out < G511_GNAME_LEN)
		s->fwd[w->out & (G511_GNAME_LEN - 1)] = b;
	w->out++;
	w->hash = (w->hash ^ b) * FNV_PRIME;
}

static long name_step(__u32 i, void *ctx)
{
	struct dns_scratch *s = ((struct dns_ctx *)ctx)->s;
	struct name_walk *w = &s->w;
	__u32 ptr;
	__u8 b;

	if (w->pos >= s->len || w->pos >= DNS_BUF) {
		w->state = -1;
		return 1;
	}
	b = dns_byte(s, w->pos);
	if (w->rem) {
		if (b >= 'A' && b <= 'Z')
			b += 'a' - 'A';
		if (b == '.' || b == 0)
			w->odd = 1;
		name_emit(s, w, b);
		w->rem--;
		w->pos++;
		return 0;
	}
	if (b == 0) {
		if (!w->end)
			w->end = w->pos + 1;
		w->state = 1;
		return 1;
	}
	if ((b & 0xc0) == 0xc0) {
		if (w->pos + 1 >= s->len) {
			w->state = -1;
			return 1;
		}
		ptr = (__u32)(b & 0x3f) << 8 | dns_byte(s, w->pos + 1);
		if (!w->end)
			w->end = w->pos + 2;
		/* strictly backwards, bounded: no loop */
		if (ptr >= w->min_ptr || ++w->hops > DNS_MAX_HOPS) {
			w->state = -1;
			return 1;
		}
		w->pos = ptr;
		w->min_ptr = ptr;
		return 0;
	}
	if (b & 0xc0) {		/* 0x40, 0x80: not a label */
		w->state = -1;
		return 1;
	}
	if (w->out)
		name_emit(s, w, '.');
	w->rem = b;
	w->pos++;
	return 0;
}

static long rev_step(__u32 i, void *ctx)
{
	struct dns_scratch *s = ((struct dns_ctx *)ctx)->s;
	__u32 n = s->w.out;

	if (i >= n || n > G511_GNAME_LEN)
		return 1;
	s->key.name[i & (G511_GNAME_LEN - 1)] = s->fwd[(n - 1 - i) & (G511_GNAME_LEN - 1)];
	return 0;
}

/*
 * Decode the name at pos: its hash in *hash, where its record goes on in
 * *end, and, when it can match, s->key its g511_gnames key.
 * Returns 1 when the key is valid, 0 when the name cannot match (too
 * long, odd bytes), -1 when the message is malformed.
 */
static __always_inline int dns_name(struct dns_scratch *s, __u32 pos, __u32 *end, __u64 *hash)
{
	struct dns_ctx c = { .s = s };
	struct name_walk *w = &s->w;

	__builtin_memset(w, 0, sizeof(*w));
	w->pos = pos;
	w->min_ptr = pos;
	w->hash = FNV_OFFSET;
	bpf_loop(DNS_NAME_STEPS, name_step, &c, 0);
	if (w->state != 1)
		return -1;
	*end = w->end;
	*hash = w->hash;
	if (w->odd || w->out >= G511_GNAME_LEN) {
		stat_inc(G511_EV_TC_DNS_LONG);
		return 0;
	}
	__builtin_memset(s->key.name, 0, sizeof(s->key.name));
	bpf_loop(G511_GNAME_LEN, rev_step, &c, 0);
	s->key.prefixlen = (w->out + 1) * 8;	/* the '\0' after the name counts */
	return 1;
}

static __always_inline bool dns_in_chain(const struct dns_scratch *s, __u64 h)
{
#pragma unroll
	for (int i = 0; i < DNS_MAX_CHAIN; i++)
		if (i < s->nchain && s->chain[i] == h)
			return true;
	return false;
}

/* A chain name: remember it, and whether it is a garden name. */
static __always_inline void dns_chain_add(struct dns_scratch *s, __u64 h, int keyed)
{
	struct g511_gname_val *v;

	if (s->nchain < DNS_MAX_CHAIN)
		s->chain[s->nchain & (DNS_MAX_CHAIN - 1)] = h;
	s->nchain++;
	if (keyed != 1 || s->matched)
		return;
	v = bpf_map_lookup_elem(&g511_gnames, &s->key);
	if (v) {
		s->match = *v;
		s->matched = 1;
	}
}

static __always_inline void dns_learn(struct dns_scratch *s, const struct g511_addr *a, __u32 ttl)
{
	struct g511_gdns_val v = {
		.name_id = s->match.name_id,
		.nports = s->match.nports,
	};

	if (ttl < s->ttl_min)
		ttl = s->ttl_min;
	if (ttl > G511_GDNS_TTL_MAX)
		ttl = G511_GDNS_TTL_MAX;
	v.expires_ns = s->now + (__u64)ttl * 1000000000ULL;
	__builtin_memcpy(v.ports, s->match.ports, sizeof(v.ports));
	if (bpf_map_update_elem(&g511_garden_dns, a, &v, BPF_ANY))
		stat_inc(G511_EV_TC_DNS_FULL);
	else
		stat_inc(G511_EV_TC_DNS_LEARNED);
}

/* One answer record at s->pos; 1 stops the walk. */
static long rr_step(__u32 i, void *ctx)
{
	struct dns_scratch *s = ((struct dns_ctx *)ctx)->s;
	__u32 pos = s->pos, end = 0, type, class, ttl, rdlen, nend;
	struct g511_addr a = {};
	__u64 h = 0, th = 0;
	int keyed;

	if (!s->left)
		return 1;
	s->left--;
	if (dns_name(s, pos, &end, &h) < 0)
		goto bad;
	pos = end;
	if (pos + 10 > s->len)
		goto bad;
	type = dns_u16(s, pos);
	class = dns_u16(s, pos + 2);
	ttl = dns_u16(s, pos + 4) << 16 | dns_u16(s, pos + 6);
	rdlen = dns_u16(s, pos + 8);
	pos += 10;
	if (pos + rdlen > s->len)
		goto bad;
	s->pos = pos + rdlen;
	if (class != DNS_CLASS_IN || !dns_in_chain(s, h))
		return 0;
	if (type == DNS_TYPE_CNAME) {
		keyed = dns_name(s, pos, &nend, &th);
		if (keyed < 0 || nend > pos + rdlen)
			goto bad;
		dns_chain_add(s, th, keyed);
		return 0;
	}
	if (!s->matched)
		return 0;
	if (type == DNS_TYPE_A && rdlen == 4) {
		a.addr[10] = 0xff;
		a.addr[11] = 0xff;
#pragma unroll
		for (int k = 0; k < 4; k++)
			a.addr[12 + k] = dns_byte(s, pos + k);
		dns_learn(s, &a, ttl);
	} else if (type == DNS_TYPE_AAAA && rdlen == 16) {
#pragma unroll
		for (int k = 0; k < 16; k++)
			a.addr[k] = dns_byte(s, pos + k);
		dns_learn(s, &a, ttl);
	}
	return 0;
bad:
	stat_inc(G511_EV_TC_DNS_MALFORMED);
	return 1;
}

/* Is this an answer the garden may learn from? See the top of the file. */
static __always_inline bool dns_trusted(const struct __sk_buff *skb, const struct tc_pkt *t,
					const struct g511_config *cfg)
{
	if (skb->ingress_ifindex == skb->ifindex)
		return false;		/* hairpinned: came from this side */
	if (addr_in_list(&t->src, cfg->resolvers, cfg->n_resolvers))
		return true;
	return skb->ingress_ifindex == 0 &&
	       addr_in_list(&t->src, cfg->local_addrs, cfg->n_local_addrs);
}

static __always_inline void tc_dns_learn(struct __sk_buff *skb, const struct tc_pkt *t,
					 const struct g511_config *cfg)
{
	struct dns_scratch *s;
	__u32 key0 = 0, off, len, end = 0, flags, qd, an;
	__u64 h = 0;
	int keyed;

	if (t->l4_proto != IPPROTO_UDP || t->sport != G511_PORT_DNS)
		return;
	if (!dns_trusted(skb, t, cfg)) {
		stat_inc(G511_EV_TC_DNS_UNTRUSTED);
		return;
	}
	if (t->p.eth_proto == G511_ETH_P_IP) {
		struct iphdr *iph = t->p.l3;

		if ((void *)(iph + 1) > t->p.data_end ||
		    (iph->frag_off & bpf_htons(G511_IP_MF | G511_IP_OFFSET))) {
			stat_inc(G511_EV_TC_DNS_UNTRUSTED);
			return;
		}
	}
	off = (__u32)(t->l4 - t->p.data) + sizeof(struct udphdr);
	if (skb->len <= off)
		goto bad;
	len = skb->len - off;
	if (len < DNS_HDR_LEN || len > DNS_BUF)
		goto bad;
	s = bpf_map_lookup_elem(&g511_dns_scratch, &key0);
	if (!s)
		return;
	if (bpf_skb_load_bytes(skb, off, s->msg, ((len - 1) & DNS_MASK) + 1))
		goto bad;
	s->len = len;
	flags = dns_u16(s, 2);
	qd = dns_u16(s, 4);
	an = dns_u16(s, 6);
	if (!(flags & DNS_FLAG_QR) || (flags & (DNS_FLAG_TC | DNS_OPCODE)) || qd != 1)
		goto bad;
	s->nchain = 0;
	s->matched = 0;
	keyed = dns_name(s, DNS_HDR_LEN, &end, &h);
	if (keyed < 0 || end + 4 > len)
		goto bad;
	dns_chain_add(s, h, keyed);
	s->pos = end + 4;
	s->left = an < DNS_MAX_RR ? an : DNS_MAX_RR;
	s->ttl_min = cfg->gdns_ttl_min ? cfg->gdns_ttl_min : G511_GDNS_TTL_MIN;
	s->now = now_boot_ns(cfg);
	{
		struct dns_ctx c = { .s = s };

		bpf_loop(DNS_MAX_RR, rr_step, &c, 0);
	}
	return;
bad:
	stat_inc(G511_EV_TC_DNS_MALFORMED);
}

#endif /* GATE511_DNS_H */
