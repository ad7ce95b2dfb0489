// SPDX-License-Identifier: GPL-2.0
/*
 * tc_min.bpf.c - the BPF_PROG_RUN baseline of bench/tc.sh: a TC program
 * that does nothing and passes (what BPF_PROG_RUN itself costs per run).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int tc_min(struct __sk_buff *skb)
{
	return skb->len ? TC_ACT_UNSPEC : TC_ACT_SHOT;
}

char _license[] SEC("license") = "GPL";
