/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * gate511.h - the one contract between the XDP program (bpf/) and user space
 * (user/): map names, keys, values, runtime config and statistics indices.
 *
 * Rules: <linux/types.h> types only, explicit padding so both sides agree on
 * every byte, byte order in field names (_be) where it is not host order.
 * Addresses are 16 bytes everywhere; IPv4 is stored as ::ffff:a.b.c.d.
 * Times are CLOCK_BOOTTIME nanoseconds (what bpf_ktime_get_boot_ns() reads).
 */
#ifndef GATE511_H
#define GATE511_H

#include <linux/types.h>

#define G511_PROG_NAME		"gate511_xdp"
#define G511_TC_PROG_NAME	"gate511_tc"	/* TC egress, section "tc" */
#define G511_PIN_DIR_DEFAULT	"/sys/fs/bpf/tc/globals"

#define G511_MAP_CLIENTS	"g511_clients"
#define G511_MAP_MACS		"g511_macs"
#define G511_MAP_GARDEN		"g511_garden"
#define G511_MAP_CONFIG		"g511_config"
#define G511_MAP_STATS		"g511_stats"
#define G511_MAP_XSKS		"g511_xsks"
#define G511_MAP_GARDEN_NAMES	"g511_gnames"	/* <= 15 bytes: the kernel's map name */
#define G511_MAP_GARDEN_DNS	"g511_garden_dns"

/* Default map sizes; user space may resize before load (bench, big sites). */
#define G511_MAX_CLIENTS	131072
#define G511_MAX_MACS		16384
#define G511_MAX_GARDEN		4096
#define G511_MAX_QUEUES		64
#define G511_MAX_GARDEN_NAMES	1024
#define G511_MAX_GARDEN_DNS	16384

/* Parser bounds (G511_MAX_VLAN_TAGS, G511_MAX_IPV6_EXTHDRS) live with the
 * other wire constants the XDP program and the responder share. */
#include "g511_wire.h"

/* ---- g511_clients: struct g511_addr -> struct g511_grant ---- */

struct g511_addr {
	__u8 addr[16];			/* IPv6, or ::ffff:a.b.c.d */
};

#define G511_GRANT_F_MAC_BOUND	(1U << 0)	/* mac[] must match the source */

/*
 * One grant, as both datapath programs see it. The first block is written
 * by the daemon when it grants; the second by the datapath (XDP for the
 * upload direction, the TC egress program for the download one) and read
 * by the daemon for accounting; the daemon writes it as zero.
 *
 * Which bytes count: L3, the IP datagram (header included, no Ethernet
 * header, tags or padding), both ways, as RFC 8908's bytes-remaining; for
 * a frame that is not IP (a MAC grant's PPPoE, say), what follows the
 * Ethernet header and tags. A GSO packet on egress counts as the segments
 * it will be on the wire (each with its headers).
 *
 * The datapath adds to bytes and bytes_down atomically (exact volume, what
 * quotas need); packets, packets_down and last_seen_ns are plain stores, so
 * two CPUs passing the same client's packets in the same instant may lose a
 * packet count. The atomic add costs ~5 ns a packet; two of them would miss
 * the datapath's budget.
 *
 * Quota: used = bytes + bytes_down. A packet passes on the grant while
 * used < quota_bytes before it; once used >= quota_bytes the grant no
 * longer holds in either program (XDP: as if there were none; TC: the
 * download is dropped, but for what a captive client may receive), daemon
 * or not. The check and the add are not one atomic step, so the overshoot
 * is below one packet per CPU (a program runs with bottom halves off: one
 * at a time per CPU); on egress a packet may be a GSO one, up to 64 KiB.
 *
 * quota_bytes, rate_up_bps and rate_down_bps are carried from the phase-2
 * groundwork on; 0 means "none". The datapath state for them (up_tokens,
 * up_stamp_ns, down_next_ns) belongs to the programs alone.
 */
struct g511_grant {
	/* daemon */
	__u64 expires_ns;	/* session deadline, BOOTTIME ns; 0 = none */
	__u64 idle_ns;		/* idle timeout length, ns; 0 = none */
	__u64 quota_bytes;	/* upload + download bytes allowed; 0 = none */
	__u64 rate_up_bps;	/* upload rate, bits/s; 0 = unlimited */
	__u64 rate_down_bps;	/* download rate, bits/s; 0 = unlimited */
	__u8 mac[6];		/* bound MAC when G511_GRANT_F_MAC_BOUND */
	__u16 flags;		/* G511_GRANT_F_* */
	__u32 grant_id;		/* daemon's id of the grant (state DB row) */
	__u32 pad;		/* must be zero */
	/* datapath */
	__u64 last_seen_ns;	/* BOOTTIME ns of the last packet (XDP) */
	__u64 packets;		/* upload packets passed (XDP); see above */
	__u64 bytes;		/* upload bytes passed, L3 length (XDP) */
	__u64 packets_down;	/* download packets (TC egress) */
	__u64 bytes_down;	/* download bytes, L3 length (TC egress) */
	__u64 up_tokens;	/* upload token bucket, bytes (XDP) */
	__u64 up_stamp_ns;	/* last refill of up_tokens (XDP) */
	__u64 down_next_ns;	/* earliest departure of the next packet (TC) */
};

/* ---- g511_macs: struct g511_mac -> struct g511_grant ---- */

struct g511_mac {
	__u8 mac[6];
	__u16 pad;		/* must be zero */
};

/* ---- g511_garden: LPM key -> struct g511_garden_val ---- */

struct g511_garden_key {
	__u32 prefixlen;	/* 0..128; IPv4 /n is stored as /(96+n) */
	__u8 addr[16];
};

#define G511_GARDEN_PORTS	8

struct g511_garden_val {
	__u16 nports;		/* 0 = every port and protocol */
	__u16 ports[G511_GARDEN_PORTS];	/* TCP/UDP destination ports, host order */
	__u16 pad;
};

/*
 * ---- g511_gnames: LPM key -> struct g511_gname_val ----
 *
 * Walled garden by domain name. The TC egress program reads DNS answers
 * from the configured resolvers to clients and matches the question name
 * and its CNAME chain here; the A/AAAA addresses of a match go into
 * g511_garden_dns, where XDP finds them.
 *
 * A name is stored lowercase, dotted, without the final dot, and then
 * reversed byte by byte, so that a longest-prefix match is a match on the
 * name's last labels: "login.example.com" is "moc.elpmaxe.nigol".
 * An exact name ends with a '\0' the key holds too: example.com is the
 * prefix "moc.elpmaxe\0" (12 bytes, prefixlen 96). A wildcard *.example.com
 * is the prefix "moc.elpmaxe." (12 bytes): it needs one more label after
 * the dot, so it never matches the apex example.com itself, nor
 * badexample.com ("moc.elpmaxedab"). Labels holding '.' or '\0' and names
 * longer than G511_GNAME_LEN - 1 match nothing.
 */
#define G511_GNAME_LEN		128

struct g511_gname_key {
	__u32 prefixlen;		/* bits: 8 * bytes of name[] that count */
	__u8 name[G511_GNAME_LEN];
};

#define G511_GNAME_F_WILDCARD	(1U << 0)	/* *.name (informational) */

struct g511_gname_val {
	__u32 name_id;		/* daemon's id of the name */
	__u16 flags;		/* G511_GNAME_F_* */
	__u16 nports;		/* 0 = every port and protocol */
	__u16 ports[G511_GARDEN_PORTS];	/* TCP/UDP destination ports, host order */
};

/*
 * ---- g511_garden_dns: struct g511_addr -> struct g511_gdns_val ----
 *
 * Written by the TC program only (the daemon deletes expired entries and
 * those of a name removed). expires_ns is BOOTTIME ns, now + the record's
 * TTL clamped to [ttl_min, G511_GDNS_TTL_MAX]; XDP passes to the address
 * (ports as the name's) only before it, daemon or not. Full: the insert
 * fails and is counted (ev_tc_dns_full); nothing is evicted.
 */
#define G511_GDNS_TTL_MIN	30	/* s, default of gdns_ttl_min */
#define G511_GDNS_TTL_MAX	3600	/* s */

struct g511_gdns_val {
	__u64 expires_ns;	/* BOOTTIME ns */
	__u32 name_id;		/* g511_gname_val.name_id that taught it */
	__u16 nports;
	__u16 ports[G511_GARDEN_PORTS];
	__u16 pad;
};

/* ---- g511_config: ARRAY[1] of struct g511_config ---- */

enum g511_https_action {
	G511_HTTPS_RST = 0,	/* answer with TCP RST|ACK via XDP_TX */
	G511_HTTPS_DROP = 1,
};

enum g511_dns_policy {
	G511_DNS_RESOLVERS = 0,	/* only to the configured resolvers */
	G511_DNS_ANY = 1,	/* to any destination (tunnelling risk) */
	G511_DNS_NONE = 2,	/* no DNS before login */
};

enum g511_vlan_policy {
	G511_VLAN_ALLOW = 0,	/* up to G511_MAX_VLAN_TAGS tags */
	G511_VLAN_DROP = 1,	/* any tagged frame is dropped */
};

#define G511_MAX_REDIRECT_PORTS	8
#define G511_MAX_RESOLVERS	4
#define G511_MAX_LOCAL_ADDRS	4
#define G511_MAX_CLIENT_NETS	4
#define G511_CONFIG_VERSION	1

/*
 * g511_config.filtered: which prefilters below are valid. Every
 * unauthenticated packet would look up g511_macs and g511_garden (10-20 ns
 * each, most of a drop's cost); a prefilter says "no entry can match" in one
 * load. 0, as after an `ip link` load with no daemon, means "look
 * everything up". The daemon sets a key's bit before the entry goes into
 * its map and clears bits only by recomputing them from the maps after
 * entries went, so a valid filter never hides an entry the daemon wrote; a
 * wrong bit could only refuse access, never give it.
 */
#define G511_FILTER_MACS	(1U << 0)	/* mac_filter is valid */
#define G511_FILTER_GARDEN	(1U << 1)	/* garden_filter4/6 are valid */
#define G511_FILTER_BITS	256		/* one bit per value of a byte */

/*
 * An all-zero config (program loaded with `ip link`, no daemon yet) means the
 * safe defaults: redirect port 80, RST for 443, DNS only to resolvers (none
 * configured, so none), tagged frames allowed, DHCP only to broadcast,
 * client sources not checked against prefixes.
 */
struct g511_config {
	__u32 version;		/* G511_CONFIG_VERSION once the daemon wrote it */
	__u8 https_action;	/* enum g511_https_action */
	__u8 dns_policy;	/* enum g511_dns_policy */
	__u8 vlan_policy;	/* enum g511_vlan_policy */
	__u8 n_redirect_ports;	/* 0 = just port 80 */
	__u16 redirect_ports[G511_MAX_REDIRECT_PORTS];	/* host order */
	__u8 n_resolvers;
	__u8 n_local_addrs;
	__u8 n_client_nets;	/* 0 = client sources not checked */
	__u8 filtered;		/* G511_FILTER_*: which prefilters are valid */
	/*
	 * Not read by the datapath: which state database filled these maps
	 * (the first 32 bits of its box id; 0 = not known). gate511d compares
	 * it with its database's before it reconciles, so that another box's
	 * database restored by mistake does not revoke this box's clients.
	 */
	__u32 box_tag;
	/*
	 * CLOCK_BOOTTIME - CLOCK_MONOTONIC, ns, kept current by the daemon
	 * (it changes only across a suspend). The XDP program reads the
	 * coarse monotonic clock and adds this: a BOOTTIME read costs ~25 ns
	 * per packet under kvm-clock, the coarse read ~1 ns.
	 */
	__u64 boot_offset_ns;
	/* DNS resolvers clients may query before login. */
	struct g511_addr resolvers[G511_MAX_RESOLVERS];
	/* The gateway's own addresses: DHCP to them passes, and no client
	 * may use them as its source. */
	struct g511_addr local_addrs[G511_MAX_LOCAL_ADDRS];
	/*
	 * The prefixes unauthenticated sources must come from (IPv4 /n as
	 * /(96+n) over ::ffff:0:0/96), so that a spoofed source cannot turn
	 * the resolvers, DHCP or the garden into a reflector. IPv6
	 * link-local sources are always accepted (ND, DHCPv6); the IPv4
	 * subnet broadcast never is.
	 */
	struct g511_garden_key client_nets[G511_MAX_CLIENT_NETS];
	/*
	 * The host part of each client prefix as four 32-bit words in network
	 * order (~ the prefix mask), written beside client_nets by whoever
	 * writes the config (g511_config_set_hostmasks(), user/lib/maptab.c),
	 * so the datapath does not derive masks per packet. Inverted so that
	 * a missing one (zero) means "the whole address must match": a
	 * config written without them fails closed.
	 */
	__be32 client_hostmasks[G511_MAX_CLIENT_NETS][4];
	/* bit b: some MAC in g511_macs has b as its last octet */
	__u8 mac_filter[G511_FILTER_BITS / 8];
	/* bit b: some garden prefix may hold an IPv4 destination whose first
	 * octet is b (garden_filter4), an IPv6 one whose first byte is b (6) */
	__u8 garden_filter4[G511_FILTER_BITS / 8];
	__u8 garden_filter6[G511_FILTER_BITS / 8];
	/*
	 * The gateway's RFC 8908 API (gate511d's capport_listen): an
	 * unauthenticated client may open TCP to exactly this address and
	 * port, nothing else of the gateway's. Port 0: no API, nothing passes.
	 */
	struct g511_addr capport_addr;
	__u16 capport_port;	/* host order */
	__u16 capport_pad;
	/* garden by name: lowest TTL learned addresses get, s; 0 = 30 */
	__u16 gdns_ttl_min;
	__u16 gdns_pad;
};

/* ---- g511_stats: PERCPU_ARRAY[G511_STAT__MAX] of __u64 ---- */

/*
 * Two programs count here, each in its own range. XDP: verdict counters
 * G511_STAT_* (exactly one per packet XDP sees), then its event counters
 * G511_EV_* (things noticed on the way; they may add up to anything). TC
 * egress: verdict counters G511_TC_* (exactly one per packet it sees), then
 * its events G511_EV_TC_*. The ranges are G511_XDP_VERDICT_FIRST..LAST and
 * G511_TC_VERDICT_FIRST..LAST below: "one verdict per packet" holds in each.
 *
 * One list, G511_STATS(X), makes both the enum and the names: X(symbol,
 * name). A counter added without a name does not compile (X takes two
 * arguments, and the name must be a non-empty string literal). Append in
 * the range a counter belongs to; names are what metrics and the CLI show.
 */
#define G511_STATS(X)							\
	X(G511_STAT_PASS_CLIENT, "pass_client")	/* source address holds a grant */ \
	X(G511_STAT_PASS_MAC, "pass_mac")	/* source MAC holds a grant */	\
	X(G511_STAT_PASS_ARP, "pass_arp")				\
	X(G511_STAT_PASS_DHCP, "pass_dhcp")				\
	X(G511_STAT_PASS_ND, "pass_nd")		/* RS, NS, NA */		\
	X(G511_STAT_PASS_DNS, "pass_dns")				\
	X(G511_STAT_PASS_GARDEN, "pass_garden")				\
	X(G511_STAT_REDIRECT, "redirect")	/* to the responder's AF_XDP socket */ \
	X(G511_STAT_TX_RST, "tx_rst")		/* RST|ACK sent back for HTTPS */ \
	X(G511_STAT_DROP_NO_XSK, "drop_no_xsk")	/* redirect port but no responder */ \
	X(G511_STAT_DROP_HTTPS, "drop_https")	/* HTTPS when https_action = drop */ \
	X(G511_STAT_DROP_UNAUTH, "drop_unauth")	/* everything else unauthenticated */ \
	X(G511_STAT_DROP_FRAG, "drop_frag")	/* IPv4/IPv6 fragment, unauthenticated */ \
	X(G511_STAT_DROP_MALFORMED, "drop_malformed") /* truncated or inconsistent headers */ \
	X(G511_STAT_DROP_EXTHDRS, "drop_exthdrs") /* IPv6 header chain over the bound */ \
	X(G511_STAT_DROP_VLAN, "drop_vlan")	/* too many tags, or tags not allowed */ \
	X(G511_STAT_DROP_RA, "drop_ra")		/* router advertisement from a client */ \
	X(G511_STAT_DROP_DNS, "drop_dns")	/* DNS to a resolver not configured */ \
	X(G511_STAT_DROP_SRC, "drop_src")	/* bad source: multicast/unspecified */ \
	X(G511_STAT_PASS_CAPPORT, "pass_capport") /* TCP to the RFC 8908 API */ \
	X(G511_STAT_DROP_RATE, "drop_rate")	/* granted, but over its upload rate */ \
	X(G511_STAT_PASS_GARDEN_DNS, "pass_garden_dns") /* to an address a garden name resolved to */ \
	X(G511_EV_GRANT_EXPIRED, "ev_grant_expired") /* grant found but past its deadline */ \
	X(G511_EV_GRANT_IDLE, "ev_grant_idle")	/* grant found but idle too long */ \
	X(G511_EV_MAC_MISMATCH, "ev_mac_mismatch") /* grant bound to another MAC */ \
	X(G511_EV_GRANT_QUOTA, "ev_grant_quota") /* grant found but its quota used up */ \
	/* TC egress (download), one verdict per packet */		\
	X(G511_TC_PASS_CLIENT, "tc_pass_client") /* to an address grant: counted */ \
	X(G511_TC_PASS_MAC, "tc_pass_mac")	/* to a MAC grant: counted */	\
	X(G511_TC_PASS, "tc_pass")		/* to no grant (unauthenticated, broadcast) */ \
	X(G511_TC_PASS_CAPTIVE, "tc_pass_captive") /* over quota, but what a captive client gets */ \
	X(G511_TC_DROP_QUOTA, "tc_drop_quota")	/* over quota: dropped */	\
	X(G511_TC_DROP_RATE, "tc_drop_rate")	/* over rate past the drop horizon */ \
	X(G511_EV_TC_PULL, "ev_tc_pull")	/* headers not linear: pulled */ \
	X(G511_EV_TC_DNS_LEARNED, "ev_tc_dns_learned") /* garden address learned from DNS */ \
	X(G511_EV_TC_DNS_UNTRUSTED, "ev_tc_dns_untrusted") /* from port 53, not a trusted resolver */ \
	X(G511_EV_TC_DNS_MALFORMED, "ev_tc_dns_malformed") /* trusted answer not parsed */ \
	X(G511_EV_TC_DNS_FULL, "ev_tc_dns_full")	/* g511_garden_dns full: not learned */ \
	X(G511_EV_TC_DNS_LONG, "ev_tc_dns_long")	/* a name too long or odd to match */

#define G511_STAT_ENUM_(sym, name)	sym,
enum g511_stat {
	G511_STATS(G511_STAT_ENUM_)
	G511_STAT__MAX,
};

/* The verdict ranges (inclusive) of the two programs, see above. */
#define G511_XDP_VERDICT_FIRST	G511_STAT_PASS_CLIENT
#define G511_XDP_VERDICT_LAST	G511_STAT_PASS_GARDEN_DNS
#define G511_TC_VERDICT_FIRST	G511_TC_PASS_CLIENT
#define G511_TC_VERDICT_LAST	G511_TC_DROP_RATE

/* Initializer for a name table indexed by enum g511_stat:
 * static const char *const names[] = G511_STAT_NAMES; */
#define G511_STAT_NAME_(sym, name)	[sym] = "" name,
#define G511_STAT_NAMES { G511_STATS(G511_STAT_NAME_) }

/* ---- contract sizes: both sides compile these, so a layout change that
 * only one side sees cannot build (C11 _Static_assert; clang --target=bpf
 * and gcc both have it in C, not in C++) ---- */

#ifndef __cplusplus
#define G511_STAT_HAS_NAME_(sym, name)					\
	_Static_assert(sizeof("" name) > 1, #sym " has no name");
G511_STATS(G511_STAT_HAS_NAME_)

_Static_assert(sizeof(struct g511_addr) == 16, "g511_addr layout");
_Static_assert(sizeof(struct g511_mac) == 8, "g511_mac layout");
_Static_assert(sizeof(struct g511_grant) == 120, "g511_grant layout");
_Static_assert(sizeof(struct g511_garden_key) == 20, "g511_garden_key layout");
_Static_assert(sizeof(struct g511_garden_val) == 20, "g511_garden_val layout");
_Static_assert(sizeof(struct g511_config) == 432, "g511_config layout");
_Static_assert(sizeof(struct g511_gname_key) == 132, "g511_gname_key layout");
_Static_assert(sizeof(struct g511_gname_val) == 24, "g511_gname_val layout");
_Static_assert(sizeof(struct g511_gdns_val) == 32, "g511_gdns_val layout");
#endif

#endif /* GATE511_H */
