/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * g511_wire.h - wire constants the XDP program (bpf/) and the user-space
 * responder (user/lib/responder.c) both parse or build, kept in one place so
 * the two sides cannot disagree on what a tag, a flag or a port is.
 *
 * Host byte order; convert with bpf_htons()/htons() at the point of use.
 * Only <linux/types.h>-level C: no libc or kernel headers, so it builds for
 * --target=bpf and for user space alike. IP protocol numbers are the
 * IPPROTO_* names of <linux/in.h> / <netinet/in.h>, which both sides have.
 */
#ifndef G511_WIRE_H
#define G511_WIRE_H

/* ---- Ethernet ---- */

#define G511_ETH_HLEN		14
#define G511_VLAN_HLEN		4	/* TCI + inner ethertype */
#define G511_ETH_P_IP		0x0800
#define G511_ETH_P_ARP		0x0806
#define G511_ETH_P_IPV6		0x86DD
#define G511_ETH_P_8021Q	0x8100	/* C-tag */
#define G511_ETH_P_8021AD	0x88A8	/* S-tag */
#define G511_ETH_P_QINQ9100	0x9100	/* pre-standard S-tag, still seen */

/* ---- parser bounds (policy: a longer chain is dropped, never skipped) ---- */

#define G511_MAX_VLAN_TAGS	2	/* 802.1Q, 802.1ad and 0x9100 tags */
#define G511_MAX_IPV6_EXTHDRS	8	/* extension headers before L4 */

/* ---- IPv4 ---- */

#define G511_IP_DF		0x4000	/* frag_off, host order */
#define G511_IP_MF		0x2000
#define G511_IP_OFFSET		0x1fff
#define G511_IP_FRAGMENT	(G511_IP_MF | G511_IP_OFFSET)	/* any fragment */

/* ---- TCP header flags (byte 13) ---- */

#define G511_TCP_FIN		0x01
#define G511_TCP_SYN		0x02
#define G511_TCP_RST		0x04
#define G511_TCP_PSH		0x08
#define G511_TCP_ACK		0x10
#define G511_TCP_URG		0x20

/* ---- ICMPv6 neighbour discovery (RFC 4861) ---- */

#define G511_ND_ROUTER_SOLICIT	133
#define G511_ND_ROUTER_ADVERT	134
#define G511_ND_NEIGH_SOLICIT	135
#define G511_ND_NEIGH_ADVERT	136
#define G511_ND_HOP_LIMIT	255	/* every ND message carries it */

/* ---- UDP/TCP ports the rules name ---- */

#define G511_PORT_DNS		53
#define G511_PORT_DHCP4_SERVER	67
#define G511_PORT_DHCP4_CLIENT	68
#define G511_PORT_HTTP		80	/* redirect port when none configured */
#define G511_PORT_HTTPS		443
#define G511_PORT_DHCP6_CLIENT	546
#define G511_PORT_DHCP6_SERVER	547

#endif /* G511_WIRE_H */
