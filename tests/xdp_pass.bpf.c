// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_pass.bpf.c - test bed helper. A veth only delivers frames that its
 * peer sent with XDP_TX (or AF_XDP TX) when it has an XDP program itself;
 * this one passes everything, so the client side of the test bed sees
 * gate511's replies.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
