// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_floor.bpf.c - the least an unauthenticated drop can cost under
 * gate511's rules: the minimal program's parse and g511_clients lookup,
 * plus the two lookups every unauthenticated packet needs before it may be
 * dropped (its source MAC in g511_macs, its destination in g511_garden),
 * then XDP_DROP. No other rule, no clock, no counter. bench/xdp_bench
 * prints it next to the real drop path: what is above this floor is the
 * rules' own cost, what is below it no rewrite of the rules can remove.
 * Same key and value sizes and map types as gate511's maps.
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
} floor_clients SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, G511_MAX_MACS);
	__type(key, struct g511_mac);
	__type(value, struct g511_grant);
} floor_macs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, G511_MAX_GARDEN);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct g511_garden_key);
	__type(value, struct g511_garden_val);
} floor_garden SEC(".maps");

SEC("xdp")
int xdp_floor(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct g511_garden_key dst = { .prefixlen = 128 };
	struct ethhdr *eth = data;
	struct g511_addr src = {};
	struct g511_mac mac = {};

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > data_end)
			return XDP_DROP;
		src.addr[10] = src.addr[11] = 0xff;
		__builtin_memcpy(&src.addr[12], &iph->saddr, 4);
		dst.addr[10] = dst.addr[11] = 0xff;
		__builtin_memcpy(&dst.addr[12], &iph->daddr, 4);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		if ((void *)(ip6h + 1) > data_end)
			return XDP_DROP;
		__builtin_memcpy(src.addr, &ip6h->saddr, 16);
		__builtin_memcpy(dst.addr, &ip6h->daddr, 16);
	} else {
		return XDP_DROP;
	}
	if (bpf_map_lookup_elem(&floor_clients, &src))
		return XDP_PASS;
	__builtin_memcpy(mac.mac, eth->h_source, ETH_ALEN);
	if (bpf_map_lookup_elem(&floor_macs, &mac))
		return XDP_PASS;
	if (bpf_map_lookup_elem(&floor_garden, &dst))
		return XDP_PASS;
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
