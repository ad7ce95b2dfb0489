// SPDX-License-Identifier: GPL-2.0
/*
 * gate511.bpf.c - the captive-portal enforcer on the client-facing NIC.
 *
 * Authorized sources pass untouched; unauthenticated clients get DHCP, ARP,
 * neighbour discovery, DNS to the configured resolvers and the walled
 * garden, their HTTP goes to the responder's AF_XDP socket, their HTTPS is
 * answered with an RST so browsers fail fast, and everything else is
 * dropped. Every packet ends in exactly one verdict counter in g511_stats.
 *
 * Fail closed: the parser drops what it cannot read, the redirect falls back
 * to XDP_DROP when no socket is bound, and the grant deadline and byte
 * quota are checked here, so a dead daemon never extends anyone's access.
 *
 * The download direction is the TC egress program gate511_tc (section
 * "tc", same maps), in gate511_tc.h, included at the end.
 *
 * Layout: parsing helpers (each bounds-check next to the pointer it makes),
 * the predicates the rules are made of, then gate511_decide(), the one place
 * a verdict is chosen: parse, then the rules in the order they win.
 *
 * Cost model (bench/xdp_bench prints it per stage): on this class of CPU
 * every call and return is dear (return thunks), so the fast path makes
 * exactly one call, the clients-map lookup; the clock, the config and the
 * counters are all inlined by the verifier.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <xdp/xdp_helpers.h>

#include "gate511.h"
#include "g511_wire.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, G511_MAX_CLIENTS);
	__type(key, struct g511_addr);
	__type(value, struct g511_grant);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} g511_clients SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, G511_MAX_MACS);
	__type(key, struct g511_mac);
	__type(value, struct g511_grant);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} g511_macs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, G511_MAX_GARDEN);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* required for LPM tries */
	__type(key, struct g511_garden_key);
	__type(value, struct g511_garden_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} g511_garden SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct g511_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} g511_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, G511_STAT__MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} g511_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, G511_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} g511_xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, G511_MAX_GARDEN_NAMES);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* required for LPM tries */
	__type(key, struct g511_gname_key);
	__type(value, struct g511_gname_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} g511_gnames SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, G511_MAX_GARDEN_DNS);
	__type(key, struct g511_addr);
	__type(value, struct g511_gdns_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} g511_garden_dns SEC(".maps");

/*
 * Private to the program and never pinned: the coarse clock cached per CPU,
 * see now_boot_ns(). Nothing outside reads it, so it is not in the contract.
 */
struct clock_cache {
	__u64 jiffies;		/* jiffies64 when mono_ns was read */
	__u64 mono_ns;		/* bpf_ktime_get_coarse_ns() then */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct clock_cache);
} g511_clock SEC(".maps");

/* libxdp: run early among programs sharing the NIC; chain on PASS only. */
struct {
	__uint(priority, 10);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(gate511_xdp);

/* last_seen is refreshed when older than this: ~67 ms, a cheap shift */
#define LAST_SEEN_GRANULARITY_NS (1ULL << 26)
#define REPLY_TTL		64
#define TCP_DOFF_PLAIN		5	/* 20-byte header, no options */

/* What the parser learned; offsets are from ctx->data. */
struct pkt {
	void *data;
	void *data_end;
	struct ethhdr *eth;
	void *l3;
	void *l4;
	__u32 ip_end;		/* offset of the end of the IP datagram */
	__u16 eth_proto;	/* innermost ethertype, host order */
	__u8 ntags;
	__u8 l4_proto;
	__u8 hop_limit;
	__u8 ipv6_exthdrs;	/* extension headers before L4 */
	bool frag;
	__u8 icmp_type;		/* ICMP/ICMPv6 type (parse_l4) */
	__u16 sport;		/* TCP/UDP ports, host order (parse_l4) */
	__u16 dport;
	struct g511_addr src __attribute__((aligned(8)));
	struct g511_addr dst __attribute__((aligned(8)));
};

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *cnt = bpf_map_lookup_elem(&g511_stats, &idx);

	if (cnt)
		*cnt += 1;
}

static __always_inline bool is_vlan_proto(__u16 proto_be)
{
	return proto_be == bpf_htons(G511_ETH_P_8021Q) ||
	       proto_be == bpf_htons(G511_ETH_P_8021AD) ||
	       proto_be == bpf_htons(G511_ETH_P_QINQ9100);
}

static __always_inline void addr_from_v4(struct g511_addr *a, __be32 ip)
{
	__u32 *w = (__u32 *)a->addr;

	w[0] = 0;
	w[1] = 0;
	w[2] = bpf_htonl(0xffff);
	w[3] = ip;
}

static __always_inline bool addr_is_v4(const struct g511_addr *a)
{
	const __u32 *w = (const __u32 *)a->addr;

	return w[0] == 0 && w[1] == 0 && w[2] == bpf_htonl(0xffff);
}

static __always_inline bool mac_eq(const __u8 *a, const __u8 *b)
{
	return *(const __u32 *)a == *(const __u32 *)b &&
	       *(const __u16 *)(a + 4) == *(const __u16 *)(b + 4);
}

/* Ethernet and up to G511_MAX_VLAN_TAGS tags. Returns 0 or a drop stat. */
static __always_inline int parse_eth(struct pkt *p)
{
	struct ethhdr *eth = p->data;
	__u16 proto;
	void *pos;

	if ((void *)(eth + 1) > p->data_end)
		return G511_STAT_DROP_MALFORMED;
	p->eth = eth;
	proto = eth->h_proto;
	pos = eth + 1;

#pragma unroll
	for (int i = 0; i < G511_MAX_VLAN_TAGS + 1; i++) {
		__be16 *tag = pos;	/* TCI, then the inner ethertype */

		if (!is_vlan_proto(proto))
			break;
		if (i == G511_MAX_VLAN_TAGS)
			return G511_STAT_DROP_VLAN;
		if ((void *)(tag + 2) > p->data_end)
			return G511_STAT_DROP_MALFORMED;
		proto = tag[1];
		pos = tag + 2;
		p->ntags++;
	}
	p->eth_proto = bpf_ntohs(proto);
	p->l3 = pos;
	return 0;
}

/* IPv4 header: IHL and lengths must agree with the frame. */
static __always_inline int parse_ipv4(struct pkt *p)
{
	struct iphdr *iph = p->l3;
	__u32 ihl, tot;

	if ((void *)(iph + 1) > p->data_end)
		return G511_STAT_DROP_MALFORMED;
	if (iph->version != 4)
		return G511_STAT_DROP_MALFORMED;
	ihl = iph->ihl * 4;
	tot = bpf_ntohs(iph->tot_len);
	if (ihl < sizeof(*iph) || tot < ihl)
		return G511_STAT_DROP_MALFORMED;
	if ((void *)iph + tot > p->data_end)
		return G511_STAT_DROP_MALFORMED;

	p->ip_end = (void *)iph + tot - p->data;
	p->l4 = (void *)iph + ihl;
	p->l4_proto = iph->protocol;
	p->hop_limit = iph->ttl;
	p->frag = (iph->frag_off & bpf_htons(G511_IP_FRAGMENT)) != 0;
	addr_from_v4(&p->src, iph->saddr);
	addr_from_v4(&p->dst, iph->daddr);
	return 0;
}

/* IPv6 fixed header; the extension-header walk is parse_ipv6_ext(). */
static __always_inline int parse_ipv6(struct pkt *p)
{
	struct ipv6hdr *ip6h = p->l3;
	__u32 plen;

	if ((void *)(ip6h + 1) > p->data_end)
		return G511_STAT_DROP_MALFORMED;
	if (ip6h->version != 6)
		return G511_STAT_DROP_MALFORMED;
	plen = bpf_ntohs(ip6h->payload_len);
	if ((void *)(ip6h + 1) + plen > p->data_end)
		return G511_STAT_DROP_MALFORMED;

	p->ip_end = (void *)(ip6h + 1) + plen - p->data;
	p->l4 = ip6h + 1;
	p->l4_proto = ip6h->nexthdr;
	p->hop_limit = ip6h->hop_limit;
	__builtin_memcpy(p->src.addr, &ip6h->saddr, 16);
	__builtin_memcpy(p->dst.addr, &ip6h->daddr, 16);
	/*
	 * An IPv4-mapped source (::ffff:a.b.c.d, RFC 4291 2.5.5.2) never
	 * appears on the wire, and it is the very key an IPv4 grant has in
	 * g511_clients: without this an IPv6 packet "from ::ffff:10.0.0.7"
	 * passes on 10.0.0.7's grant (and the kernel forwards it). Checked
	 * before the grant lookup. (tests/adversarial/20_identity.sh)
	 */
	if (addr_is_v4(&p->src))
		return G511_STAT_DROP_SRC;
	return 0;
}

/*
 * Walk at most G511_MAX_IPV6_EXTHDRS extension headers to the upper layer.
 * Only unauthenticated packets are walked. A fragment header anywhere, or a
 * chain longer than the bound, is dropped: the port we'd decide on may not
 * be in this packet at all.
 */
static __always_inline int parse_ipv6_ext(struct pkt *p)
{
	__u8 nexthdr = p->l4_proto;
	void *pos = p->l4;

#pragma unroll
	for (int i = 0; i < G511_MAX_IPV6_EXTHDRS; i++) {
		struct ipv6_opt_hdr *opt = pos;

		if (nexthdr == IPPROTO_FRAGMENT)
			return G511_STAT_DROP_FRAG;
		if (nexthdr != IPPROTO_HOPOPTS && nexthdr != IPPROTO_ROUTING &&
		    nexthdr != IPPROTO_DSTOPTS)
			break;
		if ((void *)(opt + 1) > p->data_end)
			return G511_STAT_DROP_MALFORMED;
		nexthdr = opt->nexthdr;
		pos += (opt->hdrlen + 1) * 8;
		p->ipv6_exthdrs++;
	}
	if (nexthdr == IPPROTO_FRAGMENT)
		return G511_STAT_DROP_FRAG;
	if (nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	    nexthdr == IPPROTO_DSTOPTS)
		return G511_STAT_DROP_EXTHDRS;
	if (pos > p->data + p->ip_end)
		return G511_STAT_DROP_MALFORMED;
	p->l4 = pos;
	p->l4_proto = nexthdr;
	return 0;
}

/*
 * The upper layer of an unauthenticated packet: IPv6 extension headers
 * walked, then the ports (TCP, UDP) or the type (ICMP, ICMPv6) the rules
 * look at. Only headers are read here; no verdict but "cannot read it".
 * Other protocols keep ports 0 and reach the rules as they are.
 */
static __always_inline int parse_l4(struct pkt *p)
{
	void *ip_end;
	int err;

	if (p->eth_proto == G511_ETH_P_IPV6) {
		err = parse_ipv6_ext(p);
		if (err)
			return err;
	}
	ip_end = p->data + p->ip_end;

	switch (p->l4_proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = p->l4;

		if ((void *)(th + 1) > p->data_end || th->doff < TCP_DOFF_PLAIN ||
		    p->l4 + th->doff * 4 > ip_end)
			return G511_STAT_DROP_MALFORMED;
		p->sport = bpf_ntohs(th->source);
		p->dport = bpf_ntohs(th->dest);
		return 0;
	}
	case IPPROTO_UDP: {
		struct udphdr *uh = p->l4;

		if ((void *)(uh + 1) > p->data_end || (void *)(uh + 1) > ip_end)
			return G511_STAT_DROP_MALFORMED;
		p->sport = bpf_ntohs(uh->source);
		p->dport = bpf_ntohs(uh->dest);
		return 0;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		__u8 *icmp = p->l4;

		/* type, code, checksum: the rules need the type only */
		if ((void *)(icmp + 4) > p->data_end || (void *)(icmp + 4) > ip_end)
			return G511_STAT_DROP_MALFORMED;
		p->icmp_type = icmp[0];
		return 0;
	}
	default:
		return 0;
	}
}

/*
 * CLOCK_BOOTTIME now, from the coarse monotonic clock plus the daemon's
 * g511_config.boot_offset_ns (a BOOTTIME read costs ~25 ns under kvm-clock).
 *
 * bpf_ktime_get_coarse_ns() is a helper call, ~12 ns here: with "Safe RET"
 * return thunks every call/return pair is dear, and it was most of what the
 * authorized path cost over the minimal program. The coarse clock moves
 * only when the tick moves jiffies, and bpf_jiffies64() is inlined by the
 * verifier into one load (x86-64 JIT). So each CPU keeps the last coarse
 * value and reads the clock again only when jiffies has moved: one helper
 * call per CPU per tick instead of one per packet.
 *
 * Staleness: the coarse clock itself lags by up to a tick. jiffies is bumped
 * just before the timekeeper update, so a CPU may see the new jiffies with
 * the old clock; then the clock value has not moved and the cache keeps the
 * old jiffies, so the next packet reads again. Worst case (no packet for a
 * tick, then a read inside that window) the value lags two ticks (8 ms at
 * HZ=250), never more: deadlines are still enforced here, daemon or not.
 * A stale read only makes a deadline land that much later, by a tick.
 */
static __always_inline __u64 now_boot_ns(const struct g511_config *cfg)
{
	__u64 jiffies = bpf_jiffies64(), mono;
	struct clock_cache *c;
	__u32 key0 = 0;

	c = bpf_map_lookup_elem(&g511_clock, &key0);
	if (!c)		/* cannot happen (key 0 of ARRAY[1]); the verifier asks */
		return bpf_ktime_get_coarse_ns() + cfg->boot_offset_ns;
	if (c->jiffies != jiffies) {
		mono = bpf_ktime_get_coarse_ns();
		if (mono != c->mono_ns)
			c->jiffies = jiffies;
		c->mono_ns = mono;
	}
	return c->mono_ns + cfg->boot_offset_ns;
}

/*
 * L3 bytes of the frame (struct g511_grant): the IP datagram as its header
 * says (parse_ipv4/6 checked it fits), else what follows the L2 header.
 */
static __always_inline __u64 l3_len(const struct pkt *p)
{
	if (p->ip_end)
		return p->ip_end - (__u32)(p->l3 - p->data);
	return p->data_end - p->l3;
}

/*
 * Upload policing (rate_up_bps): a token bucket per grant, in L3 bytes as
 * the counters. It holds up to a burst of 250 ms at the rate (at least
 * one full frame) and refills from up_stamp_ns on the clock of
 * now_boot_ns(); a packet takes its length, and one that finds fewer
 * tokens is dropped (drop_rate) and not counted. A grant the daemon just
 * wrote (up_stamp_ns 0) starts with a full bucket.
 *
 * Why 250 ms: a TCP sender that overruns a policer loses a run of
 * packets and often waits out a retransmission timeout, at least 200 ms
 * on Linux. A bucket shallower than that overflows during the wait and
 * its tokens are lost: with 100 ms, iperf3 on the test bed (RTT ~50 us)
 * got 46 % of a 5 Mbit/s rate; with 250 ms, 98 % (tests/e2e/57_rate.sh).
 * On longer paths (RTT of tens of ms) TCP settles inside the bucket.
 *
 * Several CPUs may police one grant at once, with plain loads and stores:
 * each stores a value computed from its own single load of up_tokens,
 * either a refill clamped to the burst or a count it checked to be at
 * least the packet's length, so up_tokens stays in [0, burst] whatever
 * the interleaving: it never wraps. A race can only lose an update: a
 * debit (one extra packet per CPU in the race) or, when one CPU refills
 * from a stamp another just moved, a refill counted twice (clamped to one
 * burst). The CPUs' clocks may disagree by a tick or two (now_boot_ns());
 * a stamp in the future refills nothing (signed difference).
 *
 * The refill is elapsed times rate/8 bytes per second, exact below 147
 * Gbit/s (the daemon refuses rates above 100 Gbit/s); after a second or
 * more without a refill the bucket is full (at rates under 121 kbit/s the
 * one-frame burst would take longer). The stamp moves only when a whole
 * byte was added, so the coarse clock's ticks lose nothing at low rates.
 */
#define RATE_BURST_DIV		4		/* burst: 1/4 s = 250 ms at the rate */
#define RATE_BURST_MIN		1514		/* bytes, one full Ethernet frame */
#define RATE_REFILL_MAX_NS	1000000000ULL	/* idle a second: the bucket is full */

static __always_inline __u64 rate_burst(__u64 bps)
{
	__u64 b = bps / 8 / RATE_BURST_DIV;

	return b < RATE_BURST_MIN ? RATE_BURST_MIN : b;
}

static __always_inline bool rate_up_take(struct g511_grant *g, __u64 len, __u64 now)
{
	__u64 rate = g->rate_up_bps, burst = rate_burst(rate);
	__u64 tokens = *(volatile __u64 *)&g->up_tokens;
	__s64 elapsed = (__s64)(now - g->up_stamp_ns);
	__u64 add;

	if (elapsed > 0) {
		add = (__u64)elapsed > RATE_REFILL_MAX_NS ? burst :
			(__u64)elapsed * (rate >> 3) / 1000000000ULL;
		if (add) {
			tokens = tokens + add > burst || tokens + add < tokens ?
				burst : tokens + add;
			g->up_stamp_ns = now;
		}
	}
	if (tokens > burst)	/* the rate was lowered since */
		tokens = burst;
	if (tokens < len) {
		g->up_tokens = tokens;
		return false;
	}
	g->up_tokens = tokens - len;
	return true;
}

/* What grant_holds() found. */
enum grant_hold {
	GRANT_NONE = 0,		/* no grant holds: as if there were none */
	GRANT_OK,		/* passes, counted */
	GRANT_OVER_RATE,	/* holds, but over its upload rate: drop */
};

/*
 * Grant check for an entry of g511_clients or g511_macs. Counts why a found
 * grant does not hold; on success updates the grant's counters. A grant
 * whose quota is used up (both directions, see struct g511_grant) holds no
 * more: the client is treated as one without a grant. One over its upload
 * rate still holds, but the packet is dropped (and not counted).
 */
static __always_inline enum grant_hold grant_holds(struct g511_grant *g, const struct pkt *p,
						   const struct g511_config *cfg)
{
	__u64 now = now_boot_ns(cfg), len;

	if (g->expires_ns && now >= g->expires_ns) {
		stat_inc(G511_EV_GRANT_EXPIRED);
		return GRANT_NONE;
	}
	if (g->idle_ns && now > g->last_seen_ns + g->idle_ns) {
		stat_inc(G511_EV_GRANT_IDLE);
		return GRANT_NONE;
	}
	if ((g->flags & G511_GRANT_F_MAC_BOUND) && !mac_eq(g->mac, p->eth->h_source)) {
		stat_inc(G511_EV_MAC_MISMATCH);
		return GRANT_NONE;
	}
	if (g->quota_bytes && g->bytes + g->bytes_down >= g->quota_bytes) {
		stat_inc(G511_EV_GRANT_QUOTA);
		return GRANT_NONE;
	}
	len = l3_len(p);
	if (g->rate_up_bps && !rate_up_take(g, len, now))
		return GRANT_OVER_RATE;
	g->packets++;	/* plain: see struct g511_grant */
	__sync_fetch_and_add(&g->bytes, len);
	if (now - g->last_seen_ns > LAST_SEEN_GRANULARITY_NS)
		g->last_seen_ns = now;
	return GRANT_OK;
}

/* Bit b of a G511_FILTER_BITS-bit prefilter of g511_config. */
static __always_inline bool filter_has(const __u8 *bits, __u8 b)
{
	return bits[b >> 3] & (1U << (b & 7));
}

static __always_inline enum grant_hold src_mac_authorized(const struct pkt *p,
							   const struct g511_config *cfg)
{
	struct g511_mac key = {};
	struct g511_grant *g;

	/* no MAC grant ends in this octet: the lookup would miss */
	if ((cfg->filtered & G511_FILTER_MACS) &&
	    !filter_has(cfg->mac_filter, p->eth->h_source[ETH_ALEN - 1]))
		return GRANT_NONE;
	__builtin_memcpy(key.mac, p->eth->h_source, ETH_ALEN);
	g = bpf_map_lookup_elem(&g511_macs, &key);
	return g ? grant_holds(g, p, cfg) : GRANT_NONE;
}

static __always_inline bool addr_eq(const struct g511_addr *a, const struct g511_addr *b)
{
	const __u64 *x = (const __u64 *)a->addr, *y = (const __u64 *)b->addr;

	return x[0] == y[0] && x[1] == y[1];
}

static __always_inline __u32 addr_v4(const struct g511_addr *a)
{
	return bpf_ntohl(((const __u32 *)a->addr)[3]);
}

/* Multicast, broadcast, loopback: no client sends from these. */
static __always_inline bool src_is_bogus(const struct g511_addr *a)
{
	if (addr_is_v4(a)) {
		__u32 ip = addr_v4(a);

		return (ip >> 28) == 0xe || ip == 0xffffffff || (ip >> 24) == 127;
	}
	if (a->addr[0] == 0xff)
		return true;
	/* ::1 */
	return ((const __u64 *)a->addr)[0] == 0 &&
	       ((const __u32 *)a->addr)[2] == 0 &&
	       ((const __u32 *)a->addr)[3] == bpf_htonl(1);
}

static __always_inline bool src_is_unspec(const struct g511_addr *a)
{
	const __u32 *w = (const __u32 *)a->addr;

	if (addr_is_v4(a))
		return w[3] == 0;
	return w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0;
}

/*
 * Unauthenticated sources must sit in one of the client prefixes, when the
 * daemon configured any. IPv6 link-local is always fine; an IPv4 subnet's
 * broadcast address never is (IPv4 /30 and shorter, i.e. /126 and shorter
 * in the mapped space, have one: all host bits set).
 */
static __always_inline bool g511_src_in_client_nets(const struct g511_addr *src,
						    const struct g511_config *cfg)
{
	const __u32 *x = (const __u32 *)src->addr;
	__u32 n = cfg->n_client_nets;
	bool v4 = addr_is_v4(src);

	if (n == 0)
		return true;
	if (src->addr[0] == 0xfe && (src->addr[1] & 0xc0) == 0x80)
		return true;
#pragma unroll
	for (int i = 0; i < G511_MAX_CLIENT_NETS; i++) {
		const struct g511_garden_key *net = &cfg->client_nets[i];
		const __u32 *y = (const __u32 *)net->addr;
		const __u32 *host = cfg->client_hostmasks[i];
		__u32 diff = 0;

		if (i >= n)
			break;
		/* masks from the daemon (see g511_config.client_hostmasks) */
#pragma unroll
		for (int w = 0; w < 4; w++)
			diff |= (x[w] ^ y[w]) & ~host[w];
		if (diff)
			continue;
		if (v4 && net->prefixlen <= 126 && (x[3] & host[3]) == host[3])
			return false;
		return true;
	}
	return false;
}

/* Serves resolvers[] and local_addrs[] alike: one bound for both. */
_Static_assert(G511_MAX_RESOLVERS == G511_MAX_LOCAL_ADDRS, "addr_in_list bound");

static __always_inline bool addr_in_list(const struct g511_addr *a,
					 const struct g511_addr *list, __u8 n)
{
#pragma unroll
	for (int i = 0; i < G511_MAX_RESOLVERS; i++)
		if (i < n && addr_eq(a, &list[i]))
			return true;
	return false;
}

/*
 * Where neighbour discovery may go: link-local unicast (fe80::/10),
 * link-scope multicast (ff02::1, ff02::2, solicited-node ff02::1:ffXX:XXXX)
 * or the gateway's own addresses. The kernel forwards an RS/NS/NA sent to
 * any other address (hop limit 255 or not), which made ND a tunnel to the
 * Internet for unauthenticated clients (tests/adversarial/10_evasion.sh,
 * nd_tunnel). A unicast NUD probe to a global gateway address not in
 * local_addrs is dropped; the client falls back to multicast solicitation.
 */
static __always_inline bool dst_is_on_link(const struct pkt *p,
					   const struct g511_config *cfg)
{
	const __u8 *a = p->dst.addr;

	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return true;
	if (a[0] == 0xff && (a[1] & 0x0f) == 0x02)
		return true;
	return addr_in_list(&p->dst, cfg->local_addrs, cfg->n_local_addrs);
}

static __always_inline bool dst_is_dhcp_server(const struct pkt *p,
					       const struct g511_config *cfg)
{
	const __u32 *w = (const __u32 *)p->dst.addr;

	if (p->eth_proto == G511_ETH_P_IP) {
		if (w[3] == 0xffffffff)
			return true;
	} else if (w[0] == bpf_htonl(0xff020000) && w[1] == 0 &&
		   w[2] == 0 && w[3] == bpf_htonl(0x00010002)) {
		return true;	/* ff02::1:2, All_DHCP_Relay_Agents_and_Servers */
	}
	return addr_in_list(&p->dst, cfg->local_addrs, cfg->n_local_addrs);
}

static __always_inline bool port_in(__u16 port, const __u16 *ports, __u32 n)
{
#pragma unroll
	for (int i = 0; i < G511_GARDEN_PORTS; i++)
		if (i < n && ports[i] == port)
			return true;
	return false;
}

static __always_inline bool dst_in_garden(const struct pkt *p, const struct g511_config *cfg)
{
	struct g511_garden_key key = { .prefixlen = 128 };
	struct g511_garden_val *val;

	/* no garden prefix starts with this byte: the lookup would miss */
	if ((cfg->filtered & G511_FILTER_GARDEN) &&
	    !(p->eth_proto == G511_ETH_P_IP ? filter_has(cfg->garden_filter4, p->dst.addr[12]) :
					       filter_has(cfg->garden_filter6, p->dst.addr[0])))
		return false;
	__builtin_memcpy(key.addr, p->dst.addr, 16);
	val = bpf_map_lookup_elem(&g511_garden, &key);
	if (!val)
		return false;
	if (val->nports == 0)
		return true;
	if (p->l4_proto != IPPROTO_TCP && p->l4_proto != IPPROTO_UDP)
		return false;
	return port_in(p->dport, val->ports, val->nports);
}

/*
 * An address a garden name resolved to (g511_garden_dns, written by the
 * TC program from a trusted answer): only before its expiry, which is
 * checked here, so an address lapses with the daemon dead too.
 */
static __always_inline bool dst_in_garden_dns(const struct pkt *p, const struct g511_config *cfg)
{
	struct g511_gdns_val *val;

	val = bpf_map_lookup_elem(&g511_garden_dns, &p->dst);
	if (!val)
		return false;
	if (now_boot_ns(cfg) >= val->expires_ns)
		return false;
	if (val->nports == 0)
		return true;
	if (p->l4_proto != IPPROTO_TCP && p->l4_proto != IPPROTO_UDP)
		return false;
	return port_in(p->dport, val->ports, val->nports);
}

/*
 * TCP to the gateway's RFC 8908 API (capport_listen): the one listener of
 * the gateway's that an unauthenticated client may reach, by exact
 * address and port. Not a garden entry: the garden passes UDP too, and a
 * /32 of ours would shadow an admin's wider entry in the LPM trie.
 */
static __always_inline bool dst_is_capport(const struct pkt *p,
					   const struct g511_config *cfg)
{
	return cfg->capport_port && p->l4_proto == IPPROTO_TCP &&
	       p->dport == cfg->capport_port && addr_eq(&p->dst, &cfg->capport_addr);
}

static __always_inline bool is_redirect_port(const struct g511_config *cfg, __u16 dport)
{
	if (cfg->n_redirect_ports == 0)
		return dport == G511_PORT_HTTP;
	return port_in(dport, cfg->redirect_ports, cfg->n_redirect_ports);
}

/* RFC 1071 sum over n 16-bit words; n is a constant so this unrolls. */
static __always_inline __u32 csum_words(__u32 sum, const void *ptr, int n)
{
	const __u16 *w = ptr;

#pragma unroll
	for (int i = 0; i < n; i++)
		sum += w[i];
	return sum;
}

static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/*
 * Turn a TCP segment to port 443 into an RST|ACK back to its sender, in
 * place: MACs, VLAN tags kept, addresses and ports swapped, no options, no
 * payload, full checksums. Returns XDP_TX, or XDP_DROP (stat set) when the
 * packet is not one we answer.
 */
static __always_inline int reply_rst(struct xdp_md *ctx, struct pkt *p, __u32 *stat)
{
	struct tcphdr *th = p->l4;
	__u32 l3_off = p->l3 - p->data, l4_off, payload, seq_in, hdrs;
	__u8 tmp_mac[ETH_ALEN];
	__be32 new_seq, new_ack;
	__u32 sum = 0;
	bool had_ack;

	*stat = G511_STAT_DROP_HTTPS;
	if ((void *)(th + 1) > p->data_end)
		return XDP_DROP;
	if (th->rst)
		return XDP_DROP;
	l4_off = (void *)th - p->data;
	payload = p->ip_end - l4_off - th->doff * 4;
	seq_in = bpf_ntohl(th->seq);
	had_ack = th->ack;
	new_seq = had_ack ? th->ack_seq : 0;
	new_ack = bpf_htonl(seq_in + payload + th->syn + th->fin);

	/* Only plain headers are answered: no IP options echoed back. */
	if (p->eth_proto == G511_ETH_P_IP ?
	    ((struct iphdr *)p->l3)->ihl != sizeof(struct iphdr) / 4 : p->ipv6_exthdrs)
		return XDP_DROP;

	__builtin_memcpy(tmp_mac, p->eth->h_dest, ETH_ALEN);
	__builtin_memcpy(p->eth->h_dest, p->eth->h_source, ETH_ALEN);
	__builtin_memcpy(p->eth->h_source, tmp_mac, ETH_ALEN);

	if (p->eth_proto == G511_ETH_P_IP) {
		struct iphdr *iph = p->l3;
		__be32 a;

		if ((void *)(iph + 1) > p->data_end)
			return XDP_DROP;
		a = iph->saddr;
		iph->saddr = iph->daddr;
		iph->daddr = a;
		iph->tos = 0;
		iph->tot_len = bpf_htons(sizeof(*iph) + sizeof(*th));
		iph->id = 0;
		iph->frag_off = bpf_htons(G511_IP_DF);
		iph->ttl = REPLY_TTL;
		iph->check = 0;
		iph->check = csum_fold(csum_words(0, iph, sizeof(*iph) / 2));
		sum = csum_words(0, &iph->saddr, 4);
		hdrs = sizeof(*iph);
	} else {
		struct ipv6hdr *ip6h = p->l3;
		struct in6_addr a;

		if ((void *)(ip6h + 1) > p->data_end)
			return XDP_DROP;
		a = ip6h->saddr;
		ip6h->saddr = ip6h->daddr;
		ip6h->daddr = a;
		*(__be32 *)ip6h = bpf_htonl(0x60000000);  /* version, tc 0, flow 0 */
		ip6h->payload_len = bpf_htons(sizeof(*th));
		ip6h->hop_limit = REPLY_TTL;
		sum = csum_words(0, &ip6h->saddr, 16);
		hdrs = sizeof(*ip6h);
	}
	/* ip header is fixed-size here, so th sits right after it */
	th = p->l3 + hdrs;
	if ((void *)(th + 1) > p->data_end)
		return XDP_DROP;
	{
		__be16 port = th->source;

		th->source = th->dest;
		th->dest = port;
	}
	th->seq = new_seq;
	th->ack_seq = new_ack;
	*(((__be16 *)th) + 6) = bpf_htons((TCP_DOFF_PLAIN << 12) | G511_TCP_RST | G511_TCP_ACK);
	th->window = 0;
	th->check = 0;
	th->urg_ptr = 0;
	sum += bpf_htons(IPPROTO_TCP) + bpf_htons(sizeof(*th));
	th->check = csum_fold(csum_words(sum, th, sizeof(*th) / 2));

	/* Cut payload, options and Ethernet padding. */
	{
		int delta = (int)(l3_off + hdrs + sizeof(*th)) -
			    (int)(p->data_end - p->data);

		if (delta && bpf_xdp_adjust_tail(ctx, delta))
			return XDP_DROP;
	}
	*stat = G511_STAT_TX_RST;
	return XDP_TX;
}

/* ---- the predicates the rules are made of (after parse_l4) ---- */

static __always_inline bool is_icmp6(const struct pkt *p, __u8 type)
{
	return p->eth_proto == G511_ETH_P_IPV6 && p->l4_proto == IPPROTO_ICMPV6 &&
	       p->icmp_type == type;
}

/* RS, NS, NA: what a host needs before it has an address worth granting. */
static __always_inline bool is_nd_solicit_or_advert(const struct pkt *p)
{
	return is_icmp6(p, G511_ND_ROUTER_SOLICIT) || is_icmp6(p, G511_ND_NEIGH_SOLICIT) ||
	       is_icmp6(p, G511_ND_NEIGH_ADVERT);
}

/* A DHCP client speaking to servers: DHCPv4 68 -> 67, DHCPv6 546 -> 547. */
static __always_inline bool is_dhcp_request(const struct pkt *p)
{
	if (p->l4_proto != IPPROTO_UDP)
		return false;
	if (p->eth_proto == G511_ETH_P_IP)
		return p->sport == G511_PORT_DHCP4_CLIENT && p->dport == G511_PORT_DHCP4_SERVER;
	return p->sport == G511_PORT_DHCP6_CLIENT && p->dport == G511_PORT_DHCP6_SERVER;
}

static __always_inline bool is_dns(const struct pkt *p)
{
	return p->dport == G511_PORT_DNS &&
	       (p->l4_proto == IPPROTO_UDP || p->l4_proto == IPPROTO_TCP);
}

static __always_inline bool is_tcp_to(const struct pkt *p, __u16 port)
{
	return p->l4_proto == IPPROTO_TCP && p->dport == port;
}

/*
 * An all-zero config, for a program loaded before the daemon wrote one
 * (see struct g511_config). The lookup of key 0 in an ARRAY[1] cannot
 * fail, but the verifier wants the NULL case handled.
 */
static const struct g511_config default_config = {};

static __always_inline const struct g511_config *config_get(void)
{
	const struct g511_config *cfg;
	__u32 key0 = 0;

	cfg = bpf_map_lookup_elem(&g511_config, &key0);
	return cfg ? cfg : &default_config;
}

/*
 * A global function, verified once on its own: inlined, its four compares
 * multiply the states of gate511_decide() past the verifier's limit. Only
 * UDP from port 53 of an unauthenticated client pays for the call.
 */
__attribute__((noinline)) int g511_src_is_resolver(const struct g511_addr *src)
{
	const struct g511_config *cfg = config_get();

	if (!src)
		return 0;
	return addr_in_list(src, cfg->resolvers, cfg->n_resolvers);
}

#define VERDICT(s, action) do { *stat = (s); return (action); } while (0)
#define DROP(s) VERDICT(s, XDP_DROP)

/*
 * Cost breakdown: bench/run.sh builds this file again with
 * -DG511_BENCH_STAGE=n, a program cut short after stage n, and
 * bench/xdp_bench times each cut; the differences are what each stage adds.
 * Stage 0 is the empty program (BPF_PROG_RUN's own cost); the cut programs
 * count nothing, so the last stage (all the rules, no counter) and the real
 * program differ by the stat_inc(). Nothing of this is in a real build.
 * The cut returns a verdict that depends on what the stage produced, so the
 * compiler cannot drop the stage's work.
 */
#define G511_BENCH_L2		1	/* parse_eth() */
#define G511_BENCH_CONFIG	2	/* config_get(), VLAN policy */
#define G511_BENCH_L3		3	/* parse_ipv4() / parse_ipv6() */
#define G511_BENCH_LOOKUP	4	/* g511_clients lookup */
#define G511_BENCH_GRANT	5	/* grant_holds(), MAC grant */
#define G511_BENCH_RULES	6	/* unauthenticated rules, no stat_inc() */
#ifdef G511_BENCH_STAGE
#define bench_stage(n, keep)						\
	do {								\
		if (G511_BENCH_STAGE == (n))				\
			return (keep) ? XDP_PASS : XDP_DROP;		\
	} while (0)
#else
#define bench_stage(n, keep) do { } while (0)
#endif

/*
 * The verdict: parse what the rules need, then the rules in the order they
 * win; the first that matches decides. Each rule is one "if" on the parsed
 * packet; parse_*() only say "cannot read it" (drop_malformed and the
 * parser bounds).
 *
 * A few one-line rules keep braces, and the RA rule its err: that text is
 * what tests/adversarial/mutate.sh finds to weaken each rule.
 */
static __always_inline int gate511_decide(struct xdp_md *ctx, __u32 *stat)
{
	struct pkt p = {
		.data = (void *)(long)ctx->data,
		.data_end = (void *)(long)ctx->data_end,
	};
	const struct g511_config *cfg;
	struct g511_grant *grant;
	enum grant_hold hold;
	bool unspec;
	int err;

	bench_stage(0, 1);
	/* L2: tags within the bound, and allowed at all. */
	err = parse_eth(&p);
	if (err)
		DROP(err);
	bench_stage(G511_BENCH_L2, p.eth_proto);
	cfg = config_get();
	if (p.ntags && cfg->vlan_policy == G511_VLAN_DROP)
		DROP(G511_STAT_DROP_VLAN);
	bench_stage(G511_BENCH_CONFIG, cfg->boot_offset_ns != 1);

	/* Not IP: ARP passes, anything else only from a device trusted by MAC. */
	if (p.eth_proto == G511_ETH_P_ARP)
		VERDICT(G511_STAT_PASS_ARP, XDP_PASS);
	if (p.eth_proto != G511_ETH_P_IP && p.eth_proto != G511_ETH_P_IPV6) {
		hold = src_mac_authorized(&p, cfg);
		if (hold == GRANT_OK)
			VERDICT(G511_STAT_PASS_MAC, XDP_PASS);
		if (hold == GRANT_OVER_RATE)
			DROP(G511_STAT_DROP_RATE);
		DROP(G511_STAT_DROP_UNAUTH);
	}

	/* L3: lengths agree with the frame; no v4-mapped IPv6 source. */
	err = p.eth_proto == G511_ETH_P_IP ? parse_ipv4(&p) : parse_ipv6(&p);
	if (err)
		DROP(err);
	bench_stage(G511_BENCH_L3, p.src.addr[15] != p.dst.addr[15]);

	/* Authorized: the source address, else the source MAC, holds a grant. */
	grant = bpf_map_lookup_elem(&g511_clients, &p.src);
	bench_stage(G511_BENCH_LOOKUP, grant);
	hold = grant ? grant_holds(grant, &p, cfg) : GRANT_NONE;
	if (hold == GRANT_OK)
		VERDICT(G511_STAT_PASS_CLIENT, XDP_PASS);
	if (hold == GRANT_OVER_RATE)
		DROP(G511_STAT_DROP_RATE);
	hold = src_mac_authorized(&p, cfg);
	if (hold == GRANT_OK)
		VERDICT(G511_STAT_PASS_MAC, XDP_PASS);
	if (hold == GRANT_OVER_RATE)
		DROP(G511_STAT_DROP_RATE);
	bench_stage(G511_BENCH_GRANT, p.l4_proto);

	/* Unauthenticated from here on: only what the portal needs. */
	if (p.frag) {
		DROP(G511_STAT_DROP_FRAG);
	}
	err = parse_l4(&p);
	if (err)
		DROP(err);

	/* Neighbour discovery: no client is a router; RFC 4861 requires hop
	 * limit 255, and RS/NS/NA never leave the link (dst_is_on_link). */
	if (is_icmp6(&p, G511_ND_ROUTER_ADVERT)) {
		err = G511_STAT_DROP_RA;
		DROP(err);
	}
	if (is_nd_solicit_or_advert(&p) && p.hop_limit == G511_ND_HOP_LIMIT &&
	    !src_is_bogus(&p.src) && dst_is_on_link(&p, cfg)) {
		VERDICT(G511_STAT_PASS_ND, XDP_PASS);
	}

	/* Sources: nothing below may answer or pass a spoofed one. */
	if (src_is_bogus(&p.src)) {
		DROP(G511_STAT_DROP_SRC);
	}
	/*
	 * The gateway's own addresses are no client's source. IPv4 drops such
	 * a packet as a martian, IPv6 forwards it: DNS or the garden would
	 * carry it out in the gateway's name (tests/adversarial/20_identity.sh).
	 */
	if (addr_in_list(&p.src, cfg->local_addrs, cfg->n_local_addrs)) {
		DROP(G511_STAT_DROP_SRC);
	}
	/*
	 * Nor a resolver's: the TC program learns garden addresses from its
	 * DNS answers (gate511_dns.h checks that they did not come in here).
	 */
	if (p.l4_proto == IPPROTO_UDP && p.sport == G511_PORT_DNS &&
	    g511_src_is_resolver(&p.src)) {
		DROP(G511_STAT_DROP_SRC);
	}
	unspec = src_is_unspec(&p.src);
	if (!unspec && !g511_src_in_client_nets(&p.src, cfg))
		DROP(G511_STAT_DROP_SRC);

	/* DHCP to a server, the one thing 0.0.0.0 may send. */
	if (is_dhcp_request(&p)) {
		if (dst_is_dhcp_server(&p, cfg)) {
			VERDICT(G511_STAT_PASS_DHCP, XDP_PASS);
		}
		DROP(G511_STAT_DROP_UNAUTH);
	}
	if (unspec)
		DROP(G511_STAT_DROP_SRC);

	/* The RFC 8908 API, then the walled garden, then DNS to the
	 * resolvers the policy allows. */
	if (dst_is_capport(&p, cfg))
		VERDICT(G511_STAT_PASS_CAPPORT, XDP_PASS);
	if (dst_in_garden(&p, cfg))
		VERDICT(G511_STAT_PASS_GARDEN, XDP_PASS);
	if (dst_in_garden_dns(&p, cfg)) {
		VERDICT(G511_STAT_PASS_GARDEN_DNS, XDP_PASS);
	}
	if (is_dns(&p)) {
		if (cfg->dns_policy == G511_DNS_ANY ||
		    (cfg->dns_policy == G511_DNS_RESOLVERS &&
		     addr_in_list(&p.dst, cfg->resolvers, cfg->n_resolvers))) {
			VERDICT(G511_STAT_PASS_DNS, XDP_PASS);
		}
		DROP(G511_STAT_DROP_DNS);
	}

	/* HTTP to the responder (fail closed without one), HTTPS answered. */
	if (p.l4_proto == IPPROTO_TCP && is_redirect_port(cfg, p.dport)) {
		int act = bpf_redirect_map(&g511_xsks, ctx->rx_queue_index, XDP_DROP);

		*stat = act == XDP_REDIRECT ? G511_STAT_REDIRECT : G511_STAT_DROP_NO_XSK;
		return act == XDP_REDIRECT ? XDP_REDIRECT : XDP_DROP;
	}
	if (is_tcp_to(&p, G511_PORT_HTTPS)) {
		if (cfg->https_action == G511_HTTPS_RST)
			return reply_rst(ctx, &p, stat);
		DROP(G511_STAT_DROP_HTTPS);
	}

	DROP(G511_STAT_DROP_UNAUTH);
}

/* bench: no counter in the cut programs (see bench_stage()) */
#ifdef G511_BENCH_STAGE
#define stat_inc(idx) do { } while (0)
#endif

SEC("xdp")
int gate511_xdp(struct xdp_md *ctx)
{
	__u32 stat = G511_STAT_DROP_MALFORMED;
	int action = gate511_decide(ctx, &stat);

	stat_inc(stat);
	return action;
}

#include "gate511_tc.h"

char _license[] SEC("license") = "GPL";
