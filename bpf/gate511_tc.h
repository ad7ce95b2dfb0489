/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gate511_tc.h - the TC egress program on the client-facing NIC, included
 * into gate511.bpf.c (one object, the same maps; section "tc").
 *
 * XDP sees what clients send; what they download leaves on transmit, where
 * only a TC egress program runs. This one counts the download to each
 * granted client (by destination address, else destination MAC for MAC
 * grants) in the grant's packets_down/bytes_down, and cuts a grant whose
 * quota is used up (struct g511_grant: used = bytes + bytes_down).
 *
 * What it never does is stand between an unauthenticated client and the
 * answers to what XDP let it send: DHCP offers, neighbour discovery, DNS
 * answers, the walled garden, the 511 page. A destination with no grant
 * (or a grant past its deadline: XDP already stopped its uploads, and the
 * sweep removes it) passes untouched. An over-quota client is captive
 * again, so it gets what a captive client gets (tc_captive_reply()), and
 * the rest of its download is dropped: a transfer in progress stops.
 *
 * Download rates (rate_down_bps) are shaped by earliest departure time,
 * as the kernel's TCP pacing and Cilium's bandwidth manager do: each
 * packet of a rated grant gets skb->tstamp = the time it may leave
 * (tc_edt()), and the fq qdisc that gate511d installs as the link's root
 * (user/gate511d/shaping.c) holds it until then. Without fq the stamp is
 * ignored, but the drop horizon still holds the rate on average: a
 * policer 2 s deep (bursts pass unpaced). Packets to unlimited clients
 * keep their tstamp untouched.
 *
 * Verdicts: exactly one G511_TC_* counter per packet. Pass is
 * TC_ACT_UNSPEC (TCX_NEXT under a tcx link): a filter or program after
 * ours still runs.
 *
 * Headers are read with direct packet access; a packet whose headers are
 * not in the linear part is pulled first (ev_tc_pull). Nothing here
 * assumes the IP lengths agree with skb->len: the kernel built or
 * forwarded every packet we see.
 */
#ifndef GATE511_TC_H
#define GATE511_TC_H

#include <linux/pkt_cls.h>

/* Ethernet, two tags, an IPv6 header, a TCP header without options. */
#define TC_HDRS_LEN	(14 + 2 * 4 + 40 + 20)

struct tc_pkt {
	struct pkt p;		/* data, data_end, eth, l3, eth_proto, ntags */
	void *l4;
	__u8 l4_proto;		/* 0: not IP, or an IPv6 extension header */
	__u16 sport;		/* host order; 0 when l4 is not readable */
	__u16 dport;
	struct g511_addr src __attribute__((aligned(8)));
	struct g511_addr dst __attribute__((aligned(8)));
};

/* IPv4 or IPv6 fixed header: addresses, protocol, where L4 starts. */
static __always_inline bool tc_parse_ip(struct tc_pkt *t)
{
	void *end = t->p.data_end;

	if (t->p.eth_proto == G511_ETH_P_IP) {
		struct iphdr *iph = t->p.l3;

		if ((void *)(iph + 1) > end || iph->version != 4 || iph->ihl < 5)
			return false;
		addr_from_v4(&t->src, iph->saddr);
		addr_from_v4(&t->dst, iph->daddr);
		/* a later fragment carries no ports: l4_proto 0 */
		if (!(iph->frag_off & bpf_htons(G511_IP_OFFSET)))
			t->l4_proto = iph->protocol;
		t->l4 = (void *)iph + iph->ihl * 4;
	} else if (t->p.eth_proto == G511_ETH_P_IPV6) {
		struct ipv6hdr *ip6h = t->p.l3;

		if ((void *)(ip6h + 1) > end || ip6h->version != 6)
			return false;
		__builtin_memcpy(t->src.addr, &ip6h->saddr, 16);
		__builtin_memcpy(t->dst.addr, &ip6h->daddr, 16);
		/* extension headers are not walked: l4_proto stays theirs */
		t->l4_proto = ip6h->nexthdr;
		t->l4 = ip6h + 1;
	} else {
		return false;
	}
	if (t->l4_proto == IPPROTO_TCP || t->l4_proto == IPPROTO_UDP) {
		__be16 *ports = t->l4;	/* ports left 0 if not linear */

		if ((void *)(ports + 2) <= end) {
			t->sport = bpf_ntohs(ports[0]);
			t->dport = bpf_ntohs(ports[1]);
		}
	}
	return true;
}

/*
 * L3 bytes this skb will be on the wire. skb->len counts the Ethernet
 * header and tags once; a GSO packet leaves as gso_segs segments, each
 * with its own IP and TCP/UDP headers, so those are added per segment
 * (for TCP and UDP over IPv4 or IPv6 without extension headers; other GSO
 * packets count their payload once, a small undercount).
 */
static __always_inline __u64 tc_l3_len(const struct __sk_buff *skb, const struct tc_pkt *t)
{
	__u64 len = skb->len - (__u32)(t->p.l3 - t->p.data);
	__u32 segs = skb->gso_segs, hdrs;

	if (segs <= 1)
		return len;
	hdrs = t->l4 - t->p.l3;
	if (t->l4_proto == IPPROTO_TCP) {
		__u8 *doff = t->l4 + 12;

		if ((void *)(doff + 1) > t->p.data_end)
			return len;
		hdrs += (*doff >> 4) * 4;
	} else if (t->l4_proto == IPPROTO_UDP) {
		hdrs += sizeof(struct udphdr);
	} else {
		return len;
	}
	return len + (__u64)(segs - 1) * hdrs;
}

static __always_inline bool tc_src_in_garden(const struct tc_pkt *t,
					     const struct g511_config *cfg)
{
	struct g511_garden_key key = { .prefixlen = 128 };
	struct g511_garden_val *val;

	if ((cfg->filtered & G511_FILTER_GARDEN) &&
	    !(t->p.eth_proto == G511_ETH_P_IP ? filter_has(cfg->garden_filter4, t->src.addr[12]) :
						 filter_has(cfg->garden_filter6, t->src.addr[0])))
		return false;
	__builtin_memcpy(key.addr, t->src.addr, 16);
	val = bpf_map_lookup_elem(&g511_garden, &key);
	if (!val)
		return false;
	if (val->nports == 0)
		return true;
	if (t->l4_proto != IPPROTO_TCP && t->l4_proto != IPPROTO_UDP)
		return false;
	return port_in(t->sport, val->ports, val->nports);
}

/*
 * To an over-quota client: is this what XDP's rules for an unauthenticated
 * client ask for in return? Anything the gateway itself sends (DHCP, ND,
 * its link-local or configured addresses), DHCP server replies, DNS
 * answers from the resolvers the policy allows, the walled garden. The
 * 511 page and the HTTPS RST leave by AF_XDP / XDP_TX, which no TC
 * program sees.
 */
static __always_inline bool tc_captive_reply(const struct tc_pkt *t,
					     const struct g511_config *cfg)
{
	const __u8 *s = t->src.addr;

	if (t->p.eth_proto == G511_ETH_P_IPV6 && s[0] == 0xfe && (s[1] & 0xc0) == 0x80)
		return true;
	if (addr_in_list(&t->src, cfg->local_addrs, cfg->n_local_addrs))
		return true;
	if (t->l4_proto == IPPROTO_UDP &&
	    ((t->sport == G511_PORT_DHCP4_SERVER && t->dport == G511_PORT_DHCP4_CLIENT) ||
	     (t->sport == G511_PORT_DHCP6_SERVER && t->dport == G511_PORT_DHCP6_CLIENT)))
		return true;
	if (t->sport == G511_PORT_DNS &&
	    (t->l4_proto == IPPROTO_UDP || t->l4_proto == IPPROTO_TCP) &&
	    (cfg->dns_policy == G511_DNS_ANY ||
	     (cfg->dns_policy == G511_DNS_RESOLVERS &&
	      addr_in_list(&t->src, cfg->resolvers, cfg->n_resolvers))))
		return true;
	return tc_src_in_garden(t, cfg);
}

static __always_inline bool grant_over_quota(const struct g511_grant *g)
{
	return g->quota_bytes && g->bytes + g->bytes_down >= g->quota_bytes;
}

/* A MAC grant for the destination MAC (unicast only), or NULL. */
static __always_inline struct g511_grant *tc_dst_mac_grant(const struct tc_pkt *t,
							   const struct g511_config *cfg)
{
	struct g511_mac key = {};
	const __u8 *dst = t->p.eth->h_dest;

	if (dst[0] & 1)		/* broadcast, multicast: nobody's download */
		return NULL;
	if ((cfg->filtered & G511_FILTER_MACS) && !filter_has(cfg->mac_filter, dst[ETH_ALEN - 1]))
		return NULL;
	__builtin_memcpy(key.mac, dst, ETH_ALEN);
	return bpf_map_lookup_elem(&g511_macs, &key);
}

/* Ethernet and the IP header: true when both were read (t->l4 set). */
static __always_inline bool tc_parse(struct __sk_buff *skb, struct tc_pkt *t)
{
	t->p.data = (void *)(long)skb->data;
	t->p.data_end = (void *)(long)skb->data_end;
	if (parse_eth(&t->p)) {
		t->p.eth = NULL;
		return false;
	}
	if (t->p.eth_proto != G511_ETH_P_IP && t->p.eth_proto != G511_ETH_P_IPV6)
		return true;	/* not IP: nothing more to read */
	return tc_parse_ip(t);
}

/*
 * EDT for a rated grant: the packet leaves at departure = max(now,
 * down_next_ns), and the next one no earlier than departure + its wire
 * time at the rate (L3 bytes, as the counters). now is CLOCK_MONOTONIC,
 * what fq compares skb->tstamp with. A packet that would leave more than
 * TC_DROP_HORIZON_NS from now is dropped (tc_drop_rate) and does not move
 * down_next_ns: the sender backs off instead of filling fq (whose own
 * horizon, 10 s, is longer). Two CPUs shaping one grant at once may lose
 * one store of down_next_ns, letting one packet leave a wire time early;
 * nothing wraps (departure is never before now).
 */
#define TC_DROP_HORIZON_NS	(2 * 1000 * 1000 * 1000ULL)

static __always_inline bool tc_edt(struct __sk_buff *skb, struct g511_grant *g, __u64 len)
{
	__u64 rate = g->rate_down_bps, now = bpf_ktime_get_ns();
	__u64 departure = *(volatile __u64 *)&g->down_next_ns;

	if (departure < now)
		departure = now;
	if (departure - now > TC_DROP_HORIZON_NS)
		return false;
	g->down_next_ns = departure + len * 8 * 1000000000ULL / rate;
	skb->tstamp = departure;
	return true;
}

#include "gate511_dns.h"

#define TC_VERDICT(s, action) do { *stat = (s); return (action); } while (0)

static __always_inline int gate511_tc_decide(struct __sk_buff *skb, __u32 *stat)
{
	struct tc_pkt t = {};
	const struct g511_config *cfg;
	struct g511_grant *grant = NULL;
	bool by_mac = false, ip;
	__u64 len;

	/*
	 * Pull only when the headers we read are not in the linear part
	 * (rare): a pull of a GSO packet's payload would cost more than all
	 * the rest of this program.
	 */
	if (!tc_parse(skb, &t) && skb->len > skb->data_end - skb->data) {
		bpf_skb_pull_data(skb, skb->len < TC_HDRS_LEN ? skb->len : TC_HDRS_LEN);
		stat_inc(G511_EV_TC_PULL);
		__builtin_memset(&t, 0, sizeof(t));
		tc_parse(skb, &t);
	}
	/* Unreadable or not ours to judge: nobody's download, it passes. */
	if (!t.p.eth)
		TC_VERDICT(G511_TC_PASS, TC_ACT_UNSPEC);
	if (t.p.eth_proto == G511_ETH_P_ARP)
		TC_VERDICT(G511_TC_PASS, TC_ACT_UNSPEC);
	ip = t.l4 != NULL;
	cfg = config_get();
	/* learning the garden from DNS never changes the verdict */
	if (ip && t.sport == G511_PORT_DNS)
		tc_dns_learn(skb, &t, cfg);
	if (ip)
		grant = bpf_map_lookup_elem(&g511_clients, &t.dst);
	if (!grant && (grant = tc_dst_mac_grant(&t, cfg)))
		by_mac = true;
	if (!grant)
		TC_VERDICT(G511_TC_PASS, TC_ACT_UNSPEC);

	if (grant_over_quota(grant)) {
		if (ip && tc_captive_reply(&t, cfg))
			TC_VERDICT(G511_TC_PASS_CAPTIVE, TC_ACT_UNSPEC);
		TC_VERDICT(G511_TC_DROP_QUOTA, TC_ACT_SHOT);
	}
	len = tc_l3_len(skb, &t);
	if (grant->rate_down_bps && !tc_edt(skb, grant, len))
		TC_VERDICT(G511_TC_DROP_RATE, TC_ACT_SHOT);
	grant->packets_down++;	/* plain: see struct g511_grant */
	__sync_fetch_and_add(&grant->bytes_down, len);
	TC_VERDICT(by_mac ? G511_TC_PASS_MAC : G511_TC_PASS_CLIENT, TC_ACT_UNSPEC);
}

SEC("tc")
int gate511_tc(struct __sk_buff *skb)
{
	__u32 stat = G511_TC_PASS;
	int action = gate511_tc_decide(skb, &stat);

	stat_inc(stat);
	return action;
}

#endif /* GATE511_TC_H */
