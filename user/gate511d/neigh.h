/* SPDX-License-Identifier: GPL-2.0 */
/*
 * neigh.h - the link-layer address the kernel's neighbour table holds for
 * an IP address on one interface (ARP for IPv4, ND for IPv6), asked over
 * rtnetlink (RTM_GETNEIGH, one entry, no dump). The RFC 8908 API uses it
 * to tell who a TCP peer on the client link is: a MAC-bound grant holds
 * only for that MAC, and a MAC grant is found by it.
 */
#ifndef GATE511D_NEIGH_H
#define GATE511D_NEIGH_H

#include <stdint.h>
#include "gate511.h"

/*
 * The MAC of addr (IPv4 mapped or IPv6) on ifindex: 0, -ENOENT (no entry,
 * or one that is not resolved: INCOMPLETE, FAILED, NOARP), or -errno.
 * Blocks at most about a second (the netlink socket's receive timeout).
 */
int neigh_mac(int ifindex, const struct g511_addr *addr, uint8_t mac[6]);

#endif /* GATE511D_NEIGH_H */
