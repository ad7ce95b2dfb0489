// SPDX-License-Identifier: GPL-2.0
/*
 * txq_steer.bpf.c - test bed helper for 40_faults.sh: a tc egress program
 * on the client veth that puts each IPv4 TCP/UDP flow on TX queue
 * (source port % 4). A veth delivers a frame to the peer's RX queue of the
 * same index, so the test chooses which of gate511's RX queues (and so
 * which AF_XDP socket) a connection lands on. This kernel has no
 * act_skbedit; a tc program may write skb->queue_mapping, which the stack
 * then takes as a recorded queue (index + 1) when it picks the TX queue.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define NQUEUES 4

SEC("tc")
int txq_steer(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__be16 *ports;

	if ((void *)(iph + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	ports = (void *)iph + iph->ihl * 4;
	if ((void *)(ports + 2) > end)
		return TC_ACT_OK;
	skb->queue_mapping = bpf_ntohs(ports[0]) % NQUEUES + 1;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
