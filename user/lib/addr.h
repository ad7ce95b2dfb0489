/* SPDX-License-Identifier: GPL-2.0 */
/*
 * addr.h - text <-> binary for what gate511 names: client addresses
 * (IPv4 kept as ::ffff:a.b.c.d, like the maps), MACs, "clients" (an address
 * or a MAC, what the CLI's ADDR|MAC arguments become) and walled-garden
 * entries CIDR[:PORT[,PORT...]].
 *
 * Garden prefixes must be canonical: bits past the prefix length must be
 * zero ("10.0.0.5/8" is refused, like `ip route`), so that what is stored,
 * listed and deleted is exactly what the admin wrote. An IPv4 /n is stored
 * as the IPv6 prefix /(96+n) of ::ffff:a.b.c.d. An IPv6 entry with ports
 * needs brackets: [2001:db8::/32]:443.
 */
#ifndef GATE511_ADDR_H
#define GATE511_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "gate511.h"

#define G511_ADDR_STRLEN	46	/* INET6_ADDRSTRLEN */
#define G511_MAC_STRLEN		18	/* "aa:bb:cc:dd:ee:ff" + NUL */
#define G511_CLIENT_STRLEN	G511_ADDR_STRLEN
#define G511_GARDEN_STRLEN	128	/* "[v6/128]:" + 8 ports */

enum g511_client_kind {
	G511_CLIENT_ADDR = 1,	/* key = 16-byte address (g511_clients) */
	G511_CLIENT_MAC = 2,	/* key[0..5] = MAC, rest zero (g511_macs) */
};

/* Who a grant is for. Also the wire format in ctl_proto.h. */
struct g511_client {
	__u8 kind;		/* enum g511_client_kind */
	__u8 pad[3];		/* zero */
	__u8 key[16];
};

/* IPv4 dotted quad or IPv6 text; IPv4 becomes ::ffff:a.b.c.d. */
int addr_parse(const char *s, struct g511_addr *addr);
/* IPv4-mapped addresses print as dotted quads. */
void addr_format(const struct g511_addr *addr, char *buf, size_t len);
bool addr_is_v4(const struct g511_addr *addr);
/* 127.0.0.0/8 or ::1 */
bool addr_is_loopback(const struct g511_addr *addr);
/* 0.0.0.0 or :: */
bool addr_is_unspecified(const struct g511_addr *addr);

/* The value of one hex digit (either case), or -1. */
int hex_digit(char c);

/* "aa:bb:cc:dd:ee:ff" or "aa-bb-cc-dd-ee-ff", hex digits in any case. */
int mac_parse(const char *s, __u8 mac[6]);
void mac_format(const __u8 mac[6], char *buf, size_t len);
/* A MAC a device may use as a source: not multicast, not all-zero. */
bool mac_is_unicast(const __u8 mac[6]);

/*
 * ADDR|MAC as a client: refuses addresses no client can send from
 * (unspecified, multicast, IPv4 broadcast) and non-unicast MACs.
 */
int client_parse(const char *s, struct g511_client *client);
void client_format(const struct g511_client *client, char *buf, size_t len);
/* Well-formed: known kind, zero padding, zero tail for a MAC. */
bool client_valid(const struct g511_client *client);
int client_cmp(const struct g511_client *a, const struct g511_client *b);
/*
 * May client hold a grant on a gateway configured as x? Refuses what no
 * client sends from: unspecified, loopback, multicast, broadcast, the
 * network and broadcast addresses of an IPv4 client prefix (/30 and
 * shorter), the gateway's own addresses, non-unicast MACs. 0, or -EINVAL
 * with *why a sentence.
 */
int client_grantable(const struct g511_client *client, const struct g511_config *x,
		     const char **why);

/* CIDR[:PORT[,PORT...]] (IPv6 with ports: [CIDR]:PORT,...). */
int garden_parse(const char *s, struct g511_garden_key *key,
		 struct g511_garden_val *val);
/* PORT[,PORT...]: 1..8 distinct ports 1-65535, sorted. */
int garden_ports_parse(const char *s, struct g511_garden_val *val);
void garden_format(const struct g511_garden_key *key,
		   const struct g511_garden_val *val, char *buf, size_t len);
/* Key canonical (prefixlen <= 128, host bits zero), val in bounds. */
bool garden_key_valid(const struct g511_garden_key *key);
bool garden_val_valid(const struct g511_garden_val *val);

#endif /* GATE511_ADDR_H */
