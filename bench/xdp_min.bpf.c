// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_min.bpf.c - the benchmark baseline: the least a source-address
 * allow-list can do. Ethernet + IPv4/IPv6 parse, one hash lookup, XDP_PASS.
 * Same key and value sizes as gate511's g511_clients so the lookup costs
 * the same; no VLANs, no deadlines, no counters, no stats.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "gate511.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, G511_MAX_CLIENTS);
	__type(key, struct g511_addr);
	__type(value, struct g511_grant);
} min_clients SEC(".maps");

SEC("xdp")
int xdp_min(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct g511_addr key = {};

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > data_end)
			return XDP_DROP;
		key.addr[10] = 0xff;
		key.addr[11] = 0xff;
		__builtin_memcpy(&key.addr[12], &iph->saddr, 4);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		if ((void *)(ip6h + 1) > data_end)
			return XDP_DROP;
		__builtin_memcpy(key.addr, &ip6h->saddr, 16);
	} else {
		return XDP_DROP;
	}
	return bpf_map_lookup_elem(&min_clients, &key) ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
