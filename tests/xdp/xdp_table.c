// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_table.c - the decisions of both programs of bpf/gate511.bpf.o as a
 * table, run through BPF_PROG_RUN (bpf_prog_test_run_opts) on the frames in
 * tests/xdp/vectors/ (written by gen_vectors.py): the XDP program on what
 * clients send, and (rows with .tc) the TC egress program gate511_tc on
 * what they download, as an skb (BPF_PROG_TYPE_SCHED_CLS).
 *
 * Each case: reset the maps, apply its setup, run its input frame once, then
 * check the verdict, that its verdict counter (and event counter, if named)
 * in g511_stats went up by exactly one and no other verdict counter of that
 * program's range (G511_XDP_VERDICT_* or G511_TC_VERDICT_*) moved, nor any
 * of the other program's,
 * an XDP_PASS frame left untouched, an XDP_TX frame equal byte for byte to
 * <case>.out.pcap, and for some cases the grant's own counters.
 *
 * BPF_PROG_RUN gives rx_queue_index 0 and has no AF_XDP socket, so the
 * redirect decision shows up as the fail-closed XDP_DROP / drop_no_xsk.
 * Maps are never pinned: every pin path is cleared before load.
 *
 * Usage: xdp_table [OBJ]   (OBJ, else $G511_BPF_OBJ, else bpf/gate511.bpf.o;
 * vectors from $G511_VECTORS, else tests/xdp/vectors; both relative to the
 * repository, found from the current directory or the binary's location).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <pcap/pcap.h>
/*
 * libpcap's <pcap/bpf.h> (classic BPF) and <linux/bpf.h> both define struct
 * bpf_insn; the eBPF one is renamed here (nothing in this file uses it).
 * libbpf only forward-declares struct bpf_program, so pcap's definition of
 * that tag does no harm.
 */
#define bpf_insn g511_ebpf_insn
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#undef bpf_insn

#include "gate511.h"
#include "test.h"
#include "maptab.h"

#define FRAME_MAX	4096
#define NSEC_PER_SEC	1000000000ULL

/* Keep in step with gen_vectors.py. */
static const __u8 client_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const __u8 device_mac[6] = { 0x02, 0, 0, 0, 0, 0x42 };
static const __u8 stranger_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };
#define CLIENT4		"10.5.0.10"
#define CLIENT6		"2001:db8:5::10"
#define GW4		"10.5.0.1"
#define GW6		"2001:db8:5::1"
#define RESOLVER4	"10.5.0.53"
#define RESOLVER6	"2001:db8:5::53"
#define SERVER4		"198.51.100.7"

struct harness {
	struct bpf_object *obj;
	int prog_fd, tc_prog_fd;
	int clients_fd, macs_fd, garden_fd, config_fd, stats_fd;
	int gnames_fd, gdns_fd;
	int ncpus;
	char vectors[PATH_MAX];
};

struct xdp_case {
	const char *name;		/* also the vector: <name>.pcap */
	int (*setup)(const struct harness *h);	/* NULL: empty maps */
	__u32 verdict;			/* XDP_*, or TC_ACT_* when tc */
	int stat;			/* verdict counter that must be 1 */
	int event;			/* G511_EV_* that must be 1, or 0 */
	bool out_frame;			/* XDP_TX: compare with <name>.out.pcap */
	bool tc;			/* run gate511_tc (egress), not XDP */
	__u32 gso_segs;			/* tc: the skb is a GSO one of this many */
	__u32 iif;			/* tc: skb->ingress_ifindex (1: lo, hairpin) */
	/* l3_len: the frame's L3 bytes, as the harness reads its headers */
	bool (*check)(const struct harness *h, __u32 l3_len, __u64 t0);
	const char *vector;		/* the input, if not <name>.pcap */
};

static const char *const stat_names[] = G511_STAT_NAMES;

/* tc rows: skb->tstamp as the program left it, CLOCK_MONOTONIC around the run */
static __u64 tc_tstamp_in, tc_tstamp_out, tc_mono_t0, tc_mono_t1;

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static __u64 boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

#define COARSE_SLACK_NS (20 * 1000 * 1000ULL)

static __u64 boot_minus_mono_ns(void)
{
	struct timespec b, m;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_BOOTTIME, &b);
	return ((__u64)b.tv_sec - m.tv_sec) * NSEC_PER_SEC + b.tv_nsec - m.tv_nsec;
}

/* "a.b.c.d" -> ::ffff:a.b.c.d, anything else parsed as IPv6. */
static struct g511_addr addr16(const char *text)
{
	struct g511_addr a = {};
	struct in_addr in4;

	if (inet_pton(AF_INET, text, &in4) == 1) {
		a.addr[10] = 0xff;
		a.addr[11] = 0xff;
		memcpy(&a.addr[12], &in4, 4);
	} else if (inet_pton(AF_INET6, text, a.addr) != 1) {
		fprintf(stderr, "bad address in test table: %s\n", text);
		exit(2);
	}
	return a;
}

/* ---- map reset and setup helpers ---- */

static int map_clear(int fd, __u32 key_size)
{
	__u8 key[256];

	if (key_size > sizeof(key))
		return -E2BIG;
	/* Always delete the first key: deleting while walking skips entries. */
	while (bpf_map_get_next_key(fd, NULL, key) == 0) {
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	}
	return errno == ENOENT ? 0 : -errno;
}

static int maps_reset(const struct harness *h)
{
	struct g511_config cfg = {};
	size_t stats_sz = (size_t)h->ncpus * sizeof(__u64);
	__u64 *zero;
	__u32 key = 0;
	int err;

	err = map_clear(h->clients_fd, sizeof(struct g511_addr));
	if (!err)
		err = map_clear(h->macs_fd, sizeof(struct g511_mac));
	if (!err)
		err = map_clear(h->garden_fd, sizeof(struct g511_garden_key));
	if (!err)
		err = map_clear(h->gnames_fd, sizeof(struct g511_gname_key));
	if (!err)
		err = map_clear(h->gdns_fd, sizeof(struct g511_addr));
	if (err)
		return err;
	if (bpf_map_update_elem(h->config_fd, &key, &cfg, BPF_ANY))
		return -errno;
	zero = calloc(1, stats_sz);
	if (!zero)
		return -ENOMEM;
	for (key = 0; key < G511_STAT__MAX; key++) {
		if (bpf_map_update_elem(h->stats_fd, &key, zero, BPF_ANY)) {
			err = -errno;
			break;
		}
	}
	free(zero);
	return err;
}

static int stats_read(const struct harness *h, __u64 sums[G511_STAT__MAX])
{
	__u64 *vals = calloc(h->ncpus, sizeof(__u64));
	__u32 key;
	int cpu, err = 0;

	if (!vals)
		return -ENOMEM;
	for (key = 0; key < G511_STAT__MAX; key++) {
		if (bpf_map_lookup_elem(h->stats_fd, &key, vals)) {
			err = -errno;
			break;
		}
		sums[key] = 0;
		for (cpu = 0; cpu < h->ncpus; cpu++)
			sums[key] += vals[cpu];
	}
	free(vals);
	return err;
}

static int grant_put(const struct harness *h, const char *addr,
		     const struct g511_grant *grant)
{
	struct g511_addr key = addr16(addr);

	return bpf_map_update_elem(h->clients_fd, &key, grant, BPF_NOEXIST) ?
		-errno : 0;
}

static int grant_get(const struct harness *h, const char *addr,
		     struct g511_grant *grant)
{
	struct g511_addr key = addr16(addr);

	return bpf_map_lookup_elem(h->clients_fd, &key, grant) ? -errno : 0;
}

static int mac_put(const struct harness *h, const __u8 mac[6], __u64 expires)
{
	struct g511_mac key = {};
	struct g511_grant grant = { .expires_ns = expires };

	memcpy(key.mac, mac, 6);
	return bpf_map_update_elem(h->macs_fd, &key, &grant, BPF_NOEXIST) ?
		-errno : 0;
}

static int garden_put(const struct harness *h, const char *addr,
		      __u32 prefixlen, int nports, ...)
{
	struct g511_addr a = addr16(addr);
	struct g511_garden_key key = { .prefixlen = prefixlen };
	struct g511_garden_val val = { .nports = nports };
	va_list ap;
	int i;

	memcpy(key.addr, a.addr, 16);
	va_start(ap, nports);
	for (i = 0; i < nports && i < G511_GARDEN_PORTS; i++)
		val.ports[i] = va_arg(ap, int);
	va_end(ap);
	return bpf_map_update_elem(h->garden_fd, &key, &val, BPF_ANY) ?
		-errno : 0;
}

static int config_put(const struct harness *h, const struct g511_config *cfg)
{
	struct g511_config c = *cfg;
	__u32 key = 0;

	g511_config_set_hostmasks(&c);	/* as the daemon writes it */
	return bpf_map_update_elem(h->config_fd, &key, &c, BPF_ANY) ?
		-errno : 0;
}

/* The daemon's usual config: resolvers and the gateway's own addresses. */
static struct g511_config config_site(void)
{
	struct g511_config cfg = {
		.version = G511_CONFIG_VERSION,
		.n_resolvers = 2,
		.n_local_addrs = 2,
	};

	cfg.resolvers[0] = addr16(RESOLVER4);
	cfg.resolvers[1] = addr16(RESOLVER6);
	cfg.local_addrs[0] = addr16(GW4);
	cfg.local_addrs[1] = addr16(GW6);
	return cfg;
}

/* ---- case setups ---- */

static int setup_grant_v4(const struct harness *h)
{
	struct g511_grant g = { .expires_ns = boottime_ns() + 3600 * NSEC_PER_SEC };

	return grant_put(h, CLIENT4, &g);
}

static int setup_grant_v6(const struct harness *h)
{
	struct g511_grant g = { .expires_ns = 0 };

	return grant_put(h, CLIENT6, &g);
}

static int setup_grant_expired(const struct harness *h)
{
	struct g511_grant g = { .expires_ns = 1 };

	return grant_put(h, CLIENT4, &g);
}

static int setup_grant_idle(const struct harness *h)
{
	__u64 now = boottime_ns();
	struct g511_grant g = {
		.idle_ns = 1 * NSEC_PER_SEC,
		.last_seen_ns = now > 10 * NSEC_PER_SEC ? now - 10 * NSEC_PER_SEC : 1,
	};

	return grant_put(h, CLIENT4, &g);
}

/*
 * Seen a second ago: well inside the idle timeout, and old enough that the
 * program must refresh last_seen_ns (it may skip refreshing a value only
 * milliseconds old, to spare the cache line).
 */
static int setup_grant_idle_fresh(const struct harness *h)
{
	struct g511_grant g = {
		.idle_ns = 3600 * NSEC_PER_SEC,
		.last_seen_ns = boottime_ns() - NSEC_PER_SEC,
	};

	return grant_put(h, CLIENT4, &g);
}

static int setup_grant_mac_other(const struct harness *h)
{
	struct g511_grant g = { .flags = G511_GRANT_F_MAC_BOUND };

	memcpy(g.mac, stranger_mac, 6);
	return grant_put(h, CLIENT4, &g);
}

static int setup_grant_mac_match(const struct harness *h)
{
	struct g511_grant g = { .flags = G511_GRANT_F_MAC_BOUND };

	memcpy(g.mac, client_mac, 6);
	return grant_put(h, CLIENT4, &g);
}

static int setup_mac_device(const struct harness *h)
{
	return mac_put(h, device_mac, 0);
}

static int setup_mac_device_expired(const struct harness *h)
{
	return mac_put(h, device_mac, 1);
}

static int setup_site(const struct harness *h)
{
	struct g511_config cfg = config_site();

	return config_put(h, &cfg);
}

/* The site config plus client prefixes 10.5.0.0/24 and 2001:db8:5::/64. */
static int setup_client_nets(const struct harness *h)
{
	struct g511_config cfg = config_site();
	struct g511_addr a4 = addr16("10.5.0.0"), a6 = addr16("2001:db8:5::");

	cfg.n_client_nets = 2;
	cfg.client_nets[0].prefixlen = 96 + 24;
	memcpy(cfg.client_nets[0].addr, a4.addr, 16);
	cfg.client_nets[1].prefixlen = 64;
	memcpy(cfg.client_nets[1].addr, a6.addr, 16);
	return config_put(h, &cfg);
}

static int setup_dns_any(const struct harness *h)
{
	struct g511_config cfg = config_site();

	cfg.dns_policy = G511_DNS_ANY;
	return config_put(h, &cfg);
}

static int setup_dns_none(const struct harness *h)
{
	struct g511_config cfg = config_site();

	cfg.dns_policy = G511_DNS_NONE;
	return config_put(h, &cfg);
}

static int setup_garden(const struct harness *h)
{
	int err;

	err = garden_put(h, "192.0.2.0", 96 + 24, 0);
	if (!err)
		err = garden_put(h, "198.18.0.0", 96 + 24, 2, 443, 8443);
	if (!err)
		err = garden_put(h, "198.18.1.0", 96 + 24, G511_GARDEN_PORTS,
				 21, 22, 23, 25, 110, 143, 993, 995);
	if (!err)
		err = garden_put(h, "2001:db8:9a::", 48, 0);
	return err;
}

/* The RFC 8908 API on the gateway's own address, TCP 443. */
static int setup_capport(const struct harness *h, const char *addr)
{
	struct g511_config cfg = config_site();

	cfg.capport_addr = addr16(addr);
	cfg.capport_port = 443;
	return config_put(h, &cfg);
}

static int setup_capport_v4(const struct harness *h)
{
	return setup_capport(h, GW4);
}

static int setup_capport_v6(const struct harness *h)
{
	return setup_capport(h, GW6);
}

/* The API with client prefixes 10.5.0.0/24: sources are checked first. */
static int setup_capport_nets(const struct harness *h)
{
	struct g511_config cfg = config_site();
	struct g511_addr a4 = addr16("10.5.0.0");

	cfg.n_client_nets = 1;
	cfg.client_nets[0].prefixlen = 96 + 24;
	memcpy(cfg.client_nets[0].addr, a4.addr, 16);
	cfg.capport_addr = addr16(GW4);
	cfg.capport_port = 443;
	return config_put(h, &cfg);
}

static int setup_redirect_8080(const struct harness *h)
{
	struct g511_config cfg = config_site();

	cfg.n_redirect_ports = 1;
	cfg.redirect_ports[0] = 8080;
	return config_put(h, &cfg);
}

/* Every slot used; the port asked for sits in the last one. */
static int setup_redirect_full(const struct harness *h)
{
	static const __u16 ports[G511_MAX_REDIRECT_PORTS] = {
		80, 8080, 8000, 8008, 3128, 8081, 8181, 8888,
	};
	struct g511_config cfg = config_site();

	cfg.n_redirect_ports = G511_MAX_REDIRECT_PORTS;
	memcpy(cfg.redirect_ports, ports, sizeof(ports));
	return config_put(h, &cfg);
}

static int setup_resolvers_full(const struct harness *h)
{
	struct g511_config cfg = config_site();

	cfg.n_resolvers = G511_MAX_RESOLVERS;
	cfg.resolvers[2] = addr16("2001:db8:5::54");
	cfg.resolvers[3] = addr16("10.5.0.56");
	return config_put(h, &cfg);
}

static int setup_https_drop(const struct harness *h)
{
	struct g511_config cfg = config_site();

	cfg.https_action = G511_HTTPS_DROP;
	return config_put(h, &cfg);
}

static int setup_vlan_drop(const struct harness *h)
{
	struct g511_config cfg = config_site();

	cfg.vlan_policy = G511_VLAN_DROP;
	return config_put(h, &cfg);
}

static int setup_vlan_drop_grant(const struct harness *h)
{
	int err = setup_vlan_drop(h);

	return err ? err : setup_grant_v4(h);
}

/* ---- after-run checks on the grant ---- */

static bool grant_counted(const struct harness *h, const char *addr,
			  __u32 l3_len, __u64 t0)
{
	struct g511_grant g;
	bool ok = true;

	if (!ASSERT_EQ(grant_get(h, addr, &g), 0, "grant still there"))
		return false;
	ok &= ASSERT_EQ(g.packets, 1, "grant packets");
	ok &= ASSERT_EQ(g.bytes, l3_len, "grant bytes (L3)");
	ok &= ASSERT_EQ(g.packets_down + g.bytes_down, 0, "no download counted");
	/*
	 * The program reads the coarse monotonic clock (one tick behind at
	 * most) plus g511_config.boot_offset_ns, which these cases leave 0:
	 * so allow a tick of lag and the BOOTTIME-MONOTONIC gap.
	 */
	ok &= ASSERT_TRUE(g.last_seen_ns + boot_minus_mono_ns() + COARSE_SLACK_NS >= t0 &&
			  g.last_seen_ns <= boottime_ns(),
			  "grant last_seen_ns set to the time of the run");
	return ok;
}

static bool check_counted_v4(const struct harness *h, __u32 len, __u64 t0)
{
	return grant_counted(h, CLIENT4, len, t0);
}

static bool check_counted_v6(const struct harness *h, __u32 len, __u64 t0)
{
	return grant_counted(h, CLIENT6, len, t0);
}

/* A grant that did not let the packet through must not count it. */
static bool check_not_counted_v4(const struct harness *h, __u32 len, __u64 t0)
{
	struct g511_grant g;
	bool ok = true;

	(void)len;
	(void)t0;
	if (!ASSERT_EQ(grant_get(h, CLIENT4, &g), 0, "grant still there"))
		return false;
	ok &= ASSERT_EQ(g.packets, 0, "denied grant packets");
	ok &= ASSERT_EQ(g.bytes, 0, "denied grant bytes");
	return ok;
}

/* ---- byte quotas and the download direction ---- */

#define QUOTA		100000ULL

/* CLIENT4 with QUOTA, up and down already used as given. */
static int quota_grant(const struct harness *h, const char *addr, __u64 up, __u64 down)
{
	struct g511_grant g = {
		.quota_bytes = QUOTA, .bytes = up, .bytes_down = down,
		.packets = up ? 1 : 0, .packets_down = down ? 1 : 0,
	};

	return grant_put(h, addr, &g);
}

static int mac_quota_put(const struct harness *h, __u64 down)
{
	struct g511_mac key = {};
	struct g511_grant grant = { .quota_bytes = QUOTA, .bytes_down = down };

	memcpy(key.mac, device_mac, 6);
	return bpf_map_update_elem(h->macs_fd, &key, &grant, BPF_NOEXIST) ? -errno : 0;
}

/* One byte left: the packet passes (and overshoots by its length, less one). */
static int setup_quota_last_byte(const struct harness *h)
{
	return quota_grant(h, CLIENT4, 60000, QUOTA - 60000 - 1);
}

static int setup_quota_used_up(const struct harness *h)
{
	return quota_grant(h, CLIENT4, 60000, QUOTA - 60000);
}

static int setup_quota_by_download(const struct harness *h)
{
	return quota_grant(h, CLIENT4, 0, QUOTA);
}

static int setup_quota_by_upload(const struct harness *h)
{
	return quota_grant(h, CLIENT4, QUOTA, 0);
}

static int setup_quota_mac(const struct harness *h)
{
	return mac_quota_put(h, QUOTA);
}

/* The site, its garden, and CLIENT4 and CLIENT6 over their quotas. */
static int setup_quota_site(const struct harness *h)
{
	int err = setup_site(h);

	if (!err)
		err = setup_garden(h);
	if (!err)
		err = quota_grant(h, CLIENT4, 60000, QUOTA);
	if (!err)
		err = quota_grant(h, CLIENT6, 60000, QUOTA);
	return err;
}

static int setup_mac_device_live(const struct harness *h)
{
	return mac_put(h, device_mac, 0);
}

static bool grant_is(const struct harness *h, const char *addr, __u64 packets, __u64 bytes,
		     __u64 packets_down, __u64 bytes_down)
{
	struct g511_grant g;
	bool ok = true;

	if (!ASSERT_EQ(grant_get(h, addr, &g), 0, "grant still there"))
		return false;
	ok &= ASSERT_EQ(g.packets, packets, "grant packets");
	ok &= ASSERT_EQ(g.bytes, bytes, "grant bytes");
	ok &= ASSERT_EQ(g.packets_down, packets_down, "grant packets_down");
	ok &= ASSERT_EQ(g.bytes_down, bytes_down, "grant bytes_down (L3)");
	return ok;
}

static bool check_quota_last_byte(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)t0;
	return grant_is(h, CLIENT4, 2, 60000 + l3, 1, QUOTA - 60000 - 1);
}

static bool check_quota_uncounted(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)l3;
	(void)t0;
	return grant_is(h, CLIENT4, 1, 60000, 1, QUOTA - 60000);
}

static bool check_tc_last_byte(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)t0;
	return grant_is(h, CLIENT4, 1, 60000, 2, QUOTA - 60000 - 1 + l3);
}

static bool check_tc_v4(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)t0;
	return grant_is(h, CLIENT4, 0, 0, 1, l3);
}

static bool check_tc_v6(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)t0;
	return grant_is(h, CLIENT6, 0, 0, 1, l3);
}

/* tc_gso_v4: 4 segments, each with its 20-byte IP and 32-byte TCP header */
static bool check_tc_gso(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)t0;
	return grant_is(h, CLIENT4, 0, 0, 1, l3 + 3 * (20 + 32));
}

static bool check_tc_mac(const struct harness *h, __u32 l3, __u64 t0)
{
	struct g511_mac key = {};
	struct g511_grant g;
	bool ok = true;

	(void)t0;
	memcpy(key.mac, device_mac, 6);
	if (!ASSERT_EQ(bpf_map_lookup_elem(h->macs_fd, &key, &g), 0, "MAC grant still there"))
		return false;
	ok &= ASSERT_EQ(g.packets_down, 1, "MAC grant packets_down");
	ok &= ASSERT_EQ(g.bytes_down, l3, "MAC grant bytes_down (L3)");
	ok &= ASSERT_EQ(g.packets + g.bytes, 0, "MAC grant upload untouched");
	return ok;
}

/* Over quota: a captive reply passes, nothing is counted either way. */
static bool check_tc_uncounted_v4(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)l3;
	(void)t0;
	return grant_is(h, CLIENT4, 1, 60000, 1, QUOTA);
}

static bool check_tc_uncounted_v6(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)l3;
	(void)t0;
	return grant_is(h, CLIENT6, 1, 60000, 1, QUOTA);
}

static bool check_tc_used_up(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)l3;
	(void)t0;
	return grant_is(h, CLIENT4, 1, 60000, 1, QUOTA - 60000);
}

/* ---- upload policing (token bucket in XDP) ---- */

#define RATE_UP		8000000ULL	/* 1 MB/s: burst 250 ms = 250000 bytes */
#define RATE_BURST	250000ULL
#define RATE_FUTURE	(3600 * NSEC_PER_SEC)

/*
 * The program's clock is BOOTTIME through boot_offset_ns, so the config
 * carries it; a stamp an hour ahead means "no refill" (signed difference).
 */
static int rate_grant(const struct harness *h, bool mac, __u64 rate, __u64 tokens,
		      __u64 stamp)
{
	struct g511_config cfg = { .boot_offset_ns = boot_minus_mono_ns() };
	struct g511_grant g = { .rate_up_bps = rate, .up_tokens = tokens, .up_stamp_ns = stamp };
	struct g511_mac key = {};
	__u32 k0 = 0;

	if (bpf_map_update_elem(h->config_fd, &k0, &cfg, BPF_ANY))
		return -errno;
	if (!mac)
		return grant_put(h, CLIENT4, &g);
	memcpy(key.mac, device_mac, 6);
	return bpf_map_update_elem(h->macs_fd, &key, &g, BPF_NOEXIST) ? -errno : 0;
}

static int setup_rate_within(const struct harness *h)
{
	return rate_grant(h, false, RATE_UP, 5000, boottime_ns() + RATE_FUTURE);
}

static int setup_rate_over(const struct harness *h)
{
	return rate_grant(h, false, RATE_UP, 10, boottime_ns() + RATE_FUTURE);
}

static int setup_rate_mac_over(const struct harness *h)
{
	return rate_grant(h, true, RATE_UP, 10, boottime_ns() + RATE_FUTURE);
}

/* Empty, but the last refill long ago: a full bucket again. */
static int setup_rate_refilled(const struct harness *h)
{
	return rate_grant(h, false, RATE_UP, 0, 1);
}

/* Empty, last refill 50 ms ago: about 50000 bytes came back. */
static int setup_rate_refill_part(const struct harness *h)
{
	return rate_grant(h, false, RATE_UP, 0, boottime_ns() - 50 * 1000 * 1000ULL);
}

/* More tokens than the burst (the rate was lowered): clamped to it. */
static int setup_rate_lowered(const struct harness *h)
{
	return rate_grant(h, false, RATE_UP, 50 * RATE_BURST, boottime_ns() + RATE_FUTURE);
}

/* 8 kbit/s: 250 ms would be 250 bytes; the burst is one full frame. */
static int setup_rate_min_burst(const struct harness *h)
{
	return rate_grant(h, false, 8000, 0, 1);
}

static bool rate_is(const struct harness *h, __u64 lo, __u64 hi, __u64 packets, __u64 bytes)
{
	struct g511_grant g;
	bool ok = true;

	if (!ASSERT_EQ(grant_get(h, CLIENT4, &g), 0, "grant still there"))
		return false;
	if (g.up_tokens < lo || g.up_tokens > hi) {
		fprintf(stderr, "  up_tokens %llu, want %llu..%llu\n",
			(unsigned long long)g.up_tokens, (unsigned long long)lo,
			(unsigned long long)hi);
		ok = false;
	}
	ok &= ASSERT_EQ(g.packets, packets, "grant packets");
	ok &= ASSERT_EQ(g.bytes, bytes, "grant bytes (L3)");
	return ok;
}

static bool check_rate_within(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)t0;
	return rate_is(h, 5000 - l3, 5000 - l3, 1, l3);
}

static bool check_rate_over(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)l3;
	(void)t0;
	return rate_is(h, 10, 10, 0, 0);
}

static bool check_rate_full(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)t0;
	return rate_is(h, RATE_BURST - l3, RATE_BURST - l3, 1, l3);
}

/* 50 ms at 1 MB/s, give or take the coarse clock's lag */
static bool check_rate_part(const struct harness *h, __u32 l3, __u64 t0)
{
	__u64 slack = COARSE_SLACK_NS / 1000;	/* bytes in the slack at 1 MB/s */

	(void)t0;
	return rate_is(h, 50000 - slack - l3, 50000 + slack, 1, l3);
}

static bool check_rate_min_burst(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)t0;
	return rate_is(h, 1514 - l3, 1514 - l3, 1, l3);
}

/* ---- download shaping (EDT in the TC egress program) ---- */

#define RATE_DOWN	8000000ULL	/* 1 byte per microsecond */
#define TC_HORIZON	(2 * NSEC_PER_SEC)
#define TC_SENDER_TS	123456789ULL	/* a tstamp the sender set */

static int edt_grant(const struct harness *h, __u64 rate, __u64 next)
{
	struct g511_grant g = { .rate_down_bps = rate, .down_next_ns = next };

	tc_tstamp_in = TC_SENDER_TS;
	return grant_put(h, CLIENT4, &g);
}

/* Nothing queued: leaves now. */
static int setup_edt_idle(const struct harness *h)
{
	return edt_grant(h, RATE_DOWN, 0);
}

/* The previous packet's departure plus its wire time is 500 ms ahead. */
static int setup_edt_queued(const struct harness *h)
{
	return edt_grant(h, RATE_DOWN, mono_ns() + NSEC_PER_SEC / 2);
}

/* 2.5 s ahead: past the drop horizon. */
static int setup_edt_horizon(const struct harness *h)
{
	return edt_grant(h, RATE_DOWN, mono_ns() + TC_HORIZON + NSEC_PER_SEC / 2);
}

/* No rate: the sender's tstamp stays. */
static int setup_edt_unlimited(const struct harness *h)
{
	return edt_grant(h, 0, 0);
}

static __u64 edt_next(const struct harness *h)
{
	struct g511_grant g = {};

	grant_get(h, CLIENT4, &g);
	return g.down_next_ns;
}

static bool check_edt_idle(const struct harness *h, __u32 l3, __u64 t0)
{
	bool ok = true;

	(void)t0;
	if (tc_tstamp_out < tc_mono_t0 || tc_tstamp_out > tc_mono_t1) {
		fprintf(stderr, "  tstamp %llu not within the run %llu..%llu\n",
			(unsigned long long)tc_tstamp_out, (unsigned long long)tc_mono_t0,
			(unsigned long long)tc_mono_t1);
		ok = false;
	}
	/* the next packet: l3 bytes later at 1 byte/us */
	ok &= ASSERT_EQ(edt_next(h), tc_tstamp_out + (__u64)l3 * 1000, "down_next_ns");
	ok &= grant_is(h, CLIENT4, 0, 0, 1, l3);
	return ok;
}

static bool check_edt_queued(const struct harness *h, __u32 l3, __u64 t0)
{
	bool ok = true;

	(void)t0;
	ok &= ASSERT_TRUE(tc_tstamp_out > tc_mono_t1 + NSEC_PER_SEC / 4, "tstamp ahead");
	ok &= ASSERT_EQ(edt_next(h), tc_tstamp_out + (__u64)l3 * 1000, "down_next_ns");
	return ok;
}

static bool check_edt_horizon(const struct harness *h, __u32 l3, __u64 t0)
{
	bool ok = true;

	(void)l3;
	(void)t0;
	ok &= ASSERT_TRUE(edt_next(h) > tc_mono_t1 + TC_HORIZON, "down_next_ns unmoved");
	ok &= grant_is(h, CLIENT4, 0, 0, 0, 0);
	return ok;
}

static bool check_edt_unlimited(const struct harness *h, __u32 l3, __u64 t0)
{
	bool ok = true;

	(void)t0;
	ok &= ASSERT_EQ(tc_tstamp_out, TC_SENDER_TS, "tstamp untouched");
	ok &= ASSERT_EQ(edt_next(h), 0, "down_next_ns untouched");
	ok &= grant_is(h, CLIENT4, 0, 0, 1, l3);
	return ok;
}

/* GSO: the wire time of all 4 segments with their headers */
static bool check_edt_gso(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)t0;
	return ASSERT_EQ(edt_next(h), tc_tstamp_out + (__u64)(l3 + 3 * (20 + 32)) * 1000,
			 "down_next_ns");
}

/* ---- the table ---- */

/* Row: name, setup (NULL: empty maps and all-zero config), verdict + stat. */
#define PASS(s)		.verdict = XDP_PASS, .stat = G511_STAT_##s
#define DROP(s)		.verdict = XDP_DROP, .stat = G511_STAT_##s
#define RST		.verdict = XDP_TX, .stat = G511_STAT_TX_RST, .out_frame = true
/* TC egress rows: pass is TC_ACT_UNSPEC (the next filter, or through) */
/* ---- the garden by name (gate511_dns.h) ---- */

/* A g511_gnames entry: text reversed; exact names end in '\0' */
static int gname_put(const struct harness *h, const char *name, bool wildcard, __u32 id,
		     __u16 port)
{
	struct g511_gname_key k = {};
	struct g511_gname_val v = { .name_id = id };
	size_t n = strlen(name);

	for (size_t i = 0; i < n; i++)
		k.name[i] = (__u8)name[n - 1 - i];
	k.name[n] = wildcard ? '.' : '\0';
	k.prefixlen = (__u32)(n + 1) * 8;
	if (port) {
		v.nports = 1;
		v.ports[0] = port;
	}
	return bpf_map_update_elem(h->gnames_fd, &k, &v, BPF_ANY) ? -errno : 0;
}

/* The site, example.com (id 1) and *.wild.example:443 (id 2). */
static int setup_gnames(const struct harness *h)
{
	struct g511_config cfg = config_site();
	__u32 key = 0;
	int err;

	if (bpf_map_update_elem(h->config_fd, &key, &cfg, BPF_ANY))
		return -errno;
	err = gname_put(h, "example.com", false, 1, 0);
	if (!err)
		err = gname_put(h, "wild.example", true, 2, 443);
	return err;
}

static int gdns_count(const struct harness *h)
{
	struct g511_addr k, next;
	int n = 0;

	for (bool first = true; bpf_map_get_next_key(h->gdns_fd, first ? NULL : &k, &next) == 0;
	     first = false, k = next)
		n++;
	return n;
}

/* addr learned for name_id with expiry t0 + ttl s (the coarse clock's slack) */
static bool gdns_is(const struct harness *h, const char *addr, __u32 id, __u64 ttl_s,
		    __u64 t0, __u16 port)
{
	struct g511_addr a = addr16(addr);
	struct g511_gdns_val v;
	__u64 want = t0 + ttl_s * NSEC_PER_SEC;
	bool ok = true;

	if (!ASSERT_EQ(bpf_map_lookup_elem(h->gdns_fd, &a, &v), 0, addr))
		return false;
	ok &= ASSERT_EQ(v.name_id, id, "name_id");
	ok &= ASSERT_TRUE(v.expires_ns + COARSE_SLACK_NS >= want &&
			  v.expires_ns <= want + COARSE_SLACK_NS, "expires_ns = now + ttl");
	ok &= ASSERT_EQ(v.nports, port ? 1 : 0, "nports");
	if (port)
		ok &= ASSERT_EQ(v.ports[0], port, "port");
	ok &= ASSERT_EQ(gdns_count(h), 1, "one address learned");
	return ok;
}

static bool check_gdns_a(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)l3;
	return gdns_is(h, "198.51.100.1", 1, 300, t0, 0);
}

static bool check_gdns_aaaa(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)l3;
	return gdns_is(h, "2001:db8:99::1", 1, 300, t0, 0);
}

static bool check_gdns_cname(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)l3;
	return gdns_is(h, "198.51.100.3", 2, 300, t0, 443);
}

static bool check_gdns_compress(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)l3;
	return gdns_is(h, "198.51.100.5", 2, 300, t0, 443);
}

static bool check_gdns_ttl_min(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)l3;
	return gdns_is(h, "198.51.100.1", 1, G511_GDNS_TTL_MIN, t0, 0);
}

static bool check_gdns_ttl_max(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)l3;
	return gdns_is(h, "198.51.100.1", 1, G511_GDNS_TTL_MAX, t0, 0);
}

static bool check_gdns_none(const struct harness *h, __u32 l3, __u64 t0)
{
	(void)l3;
	(void)t0;
	return ASSERT_EQ(gdns_count(h), 0, "nothing learned");
}

/* XDP: a learned address passes until its expiry, then no longer */
static int setup_gdns_live(const struct harness *h)
{
	struct g511_config cfg = config_site();
	struct g511_gdns_val v = { .expires_ns = boottime_ns() + 60 * NSEC_PER_SEC };
	struct g511_addr a = addr16(SERVER4);
	__u32 key = 0;

	cfg.boot_offset_ns = boot_minus_mono_ns();
	if (bpf_map_update_elem(h->config_fd, &key, &cfg, BPF_ANY))
		return -errno;
	return bpf_map_update_elem(h->gdns_fd, &a, &v, BPF_ANY) ? -errno : 0;
}

static int setup_gdns_expired(const struct harness *h)
{
	struct g511_gdns_val v = { .expires_ns = boottime_ns() - NSEC_PER_SEC };
	struct g511_addr a = addr16(SERVER4);
	int err = setup_gdns_live(h);

	if (!err && bpf_map_update_elem(h->gdns_fd, &a, &v, BPF_ANY))
		err = -errno;
	return err;
}

static int setup_gdns_port(const struct harness *h)
{
	struct g511_gdns_val v = { .expires_ns = boottime_ns() + 60 * NSEC_PER_SEC,
				   .nports = 1, .ports = { 8443 } };
	struct g511_addr a = addr16(SERVER4);
	int err = setup_gdns_live(h);

	if (!err && bpf_map_update_elem(h->gdns_fd, &a, &v, BPF_ANY))
		err = -errno;
	return err;
}

#define TC_PASS(s)	.tc = true, .verdict = (__u32)TC_ACT_UNSPEC, .stat = G511_TC_##s
#define TC_DROP(s)	.tc = true, .verdict = TC_ACT_SHOT, .stat = G511_TC_##s

static const struct xdp_case cases[] = {
	/* authorized sources */
	{ "auth_v4_client", setup_grant_v4, PASS(PASS_CLIENT), .check = check_counted_v4 },
	{ "auth_v6_client", setup_grant_v6, PASS(PASS_CLIENT), .check = check_counted_v6 },
	{ "auth_v4_fragment", setup_grant_v4, PASS(PASS_CLIENT), .check = check_counted_v4 },
	{ "auth_v4_later_fragment", setup_grant_v4, PASS(PASS_CLIENT) },
	{ "auth_v4_gre", setup_grant_v4, PASS(PASS_CLIENT) },
	{ "auth_v6_fragment", setup_grant_v6, PASS(PASS_CLIENT) },
	{ "mac_device_icmp", setup_mac_device, PASS(PASS_MAC) },
	{ "mac_device_pppoe", setup_mac_device, PASS(PASS_MAC) },
	{ "mac_device_expired", setup_mac_device_expired, DROP(DROP_UNAUTH) },
	{ "grant_expired", setup_grant_expired, DROP(DROP_UNAUTH),
	  .event = G511_EV_GRANT_EXPIRED, .check = check_not_counted_v4 },
	{ "grant_idle", setup_grant_idle, DROP(DROP_UNAUTH),
	  .event = G511_EV_GRANT_IDLE, .check = check_not_counted_v4 },
	{ "grant_idle_fresh", setup_grant_idle_fresh, PASS(PASS_CLIENT),
	  .check = check_counted_v4 },
	{ "grant_mac_mismatch", setup_grant_mac_other, DROP(DROP_UNAUTH),
	  .event = G511_EV_MAC_MISMATCH, .check = check_not_counted_v4 },
	{ "grant_mac_match", setup_grant_mac_match, PASS(PASS_CLIENT),
	  .check = check_counted_v4 },
	{ "grant_other_addr", setup_grant_v4, DROP(DROP_UNAUTH),
	  .check = check_not_counted_v4 },
	{ "auth_v4_padded", setup_grant_v4, PASS(PASS_CLIENT), .check = check_counted_v4 },
	{ "auth_v4_bad_tcp", setup_grant_v4, PASS(PASS_CLIENT) },
	{ "auth_v6_many_exthdrs", setup_grant_v6, PASS(PASS_CLIENT) },
	{ "auth_v4_totlen_big", setup_grant_v4, DROP(DROP_MALFORMED),
	  .check = check_not_counted_v4 },
	{ "vlan_policy_drop_authorized", setup_vlan_drop_grant, DROP(DROP_VLAN) },

	/* ARP, DHCP, ND */
	{ "arp_request", NULL, PASS(PASS_ARP) },
	{ "dhcp4_discover_bcast", NULL, PASS(PASS_DHCP) },
	{ "arp_padded", NULL, PASS(PASS_ARP) },
	{ "vlan_arp", NULL, PASS(PASS_ARP) },
	{ "dhcp4_bcast_from_addr", NULL, PASS(PASS_DHCP) },
	{ "dhcp4_request_local", setup_site, PASS(PASS_DHCP) },
	{ "dhcp4_local_unconfigured", NULL, DROP(DROP_UNAUTH) },
	{ "dhcp4_unicast_foreign", setup_site, DROP(DROP_UNAUTH) },
	{ "udp67_internet", setup_site, DROP(DROP_UNAUTH) },
	{ "dhcp6_solicit", NULL, PASS(PASS_DHCP) },
	{ "dhcp6_wrong_sport", setup_site, DROP(DROP_UNAUTH) },
	{ "dhcp6_to_local", setup_site, PASS(PASS_DHCP) },
	{ "nd_rs", NULL, PASS(PASS_ND) },
	{ "nd_ns", NULL, PASS(PASS_ND) },
	{ "nd_na", NULL, PASS(PASS_ND) },
	{ "nd_ra_drop", NULL, DROP(DROP_RA) },
	{ "nd_ns_hlim64", NULL, DROP(DROP_UNAUTH) },
	{ "nd_ns_offlink", setup_site, DROP(DROP_UNAUTH) },
	{ "icmp6_echo", setup_site, DROP(DROP_UNAUTH) },

	/* DNS */
	{ "dns_v4_resolver", setup_site, PASS(PASS_DNS) },
	{ "dns_v6_resolver", setup_site, PASS(PASS_DNS) },
	{ "dns_v4_foreign", setup_site, DROP(DROP_DNS) },
	{ "dns_no_resolvers", NULL, DROP(DROP_DNS) },
	{ "dns_policy_any", setup_dns_any, PASS(PASS_DNS) },
	{ "dns_policy_none", setup_dns_none, DROP(DROP_DNS) },
	{ "dns_resolver_last_slot", setup_resolvers_full, PASS(PASS_DNS) },
	{ "dns_tcp_foreign", setup_site, DROP(DROP_DNS) },
	{ "dns_tcp_resolver", setup_site, PASS(PASS_DNS) },

	/* the RFC 8908 API: TCP to exactly its address and port */
	{ "capport_v4", setup_capport_v4, PASS(PASS_CAPPORT) },
	{ "capport_v4_off", setup_site, RST },
	{ "capport_v4_other_port", setup_capport_v4, DROP(DROP_UNAUTH) },
	{ "capport_v4_udp", setup_capport_v4, DROP(DROP_UNAUTH) },
	{ "capport_v4_other_addr", setup_capport_v4, RST },
	{ "capport_v4_fragment", setup_capport_v4, DROP(DROP_FRAG) },
	{ "capport_v6", setup_capport_v6, PASS(PASS_CAPPORT) },
	{ "capport_v6_wrong_family", setup_capport_v4, RST },
	{ "capport_v4_in_client_nets", setup_capport_nets, PASS(PASS_CAPPORT) },
	{ "capport_v4_spoofed_src", setup_capport_nets, DROP(DROP_SRC) },
	{ "capport_v4_gateway_src", setup_capport_v4, DROP(DROP_SRC) },
	/* walled garden */
	{ "garden_all_ports", setup_garden, PASS(PASS_GARDEN) },
	{ "gdns_pass", setup_gdns_live, PASS(PASS_GARDEN_DNS) },
	{ "gdns_expired", setup_gdns_expired, DROP(DROP_UNAUTH) },
	{ "gdns_port_match", setup_gdns_port, PASS(PASS_GARDEN_DNS) },
	{ "gdns_port_mismatch", setup_gdns_port, DROP(DROP_UNAUTH) },
	{ "dns_answer_from_client", setup_gnames, DROP(DROP_SRC) },
	{ "garden_port_match", setup_garden, PASS(PASS_GARDEN) },
	{ "garden_https_port", setup_garden, PASS(PASS_GARDEN) },
	{ "garden_udp_port_match", setup_garden, PASS(PASS_GARDEN) },
	{ "garden_port_mismatch_icmp", setup_garden, DROP(DROP_UNAUTH) },
	{ "garden_port_mismatch_http", setup_garden, DROP(DROP_NO_XSK) },
	{ "garden_last_port_slot", setup_garden, PASS(PASS_GARDEN) },
	{ "garden_v4_outside", setup_garden, DROP(DROP_UNAUTH) },
	{ "garden_v6_prefix", setup_garden, PASS(PASS_GARDEN) },
	{ "garden_v6_outside", setup_garden, DROP(DROP_UNAUTH) },

	/* redirect (no socket in BPF_PROG_RUN: fail closed) */
	{ "http_v4", NULL, DROP(DROP_NO_XSK) },
	{ "http_v6", NULL, DROP(DROP_NO_XSK) },
	{ "redirect_port_8080", setup_redirect_8080, DROP(DROP_NO_XSK) },
	{ "redirect_port_last_slot", setup_redirect_full, DROP(DROP_NO_XSK) },
	{ "http_v4_padded", NULL, DROP(DROP_NO_XSK) },
	{ "redirect_custom_not_80", setup_redirect_8080, DROP(DROP_UNAUTH) },

	/* HTTPS */
	{ "https_v4_syn_rst", NULL, RST },
	{ "https_v6_syn_rst", NULL, RST },
	{ "https_vlan_rst", NULL, RST },
	{ "https_qinq_v6_rst", NULL, RST },
	{ "https_v4_payload_ack", NULL, RST },
	{ "https_v4_fin_ack", NULL, RST },
	{ "https_v4_pure_ack", NULL, RST },
	{ "https_v4_options_drop", NULL, DROP(DROP_HTTPS) },
	{ "https_rst_in", NULL, DROP(DROP_HTTPS) },
	{ "https_rstack_in", NULL, DROP(DROP_HTTPS) },
	{ "https_action_drop", setup_https_drop, DROP(DROP_HTTPS) },
	{ "https_v6_exthdr_drop", NULL, DROP(DROP_HTTPS) },

	/* everything else unauthenticated */
	{ "quic_udp443", setup_site, DROP(DROP_UNAUTH) },
	{ "icmp_echo_v4", setup_site, DROP(DROP_UNAUTH) },
	{ "tcp_ssh_v4", setup_site, DROP(DROP_UNAUTH) },
	{ "gre_unauth", setup_site, DROP(DROP_UNAUTH) },
	{ "frag_v4_first", NULL, DROP(DROP_FRAG) },
	{ "frag_v4_later", NULL, DROP(DROP_FRAG) },
	{ "frag_v6", NULL, DROP(DROP_FRAG) },
	{ "frag_v6_after_dstopts", NULL, DROP(DROP_FRAG) },
	{ "exthdr_8_dstopts_http", NULL, DROP(DROP_NO_XSK) },
	{ "exthdr_9_dstopts_https", NULL, DROP(DROP_EXTHDRS) },
	{ "exthdr_hbh_routing_ssh", NULL, DROP(DROP_UNAUTH) },
	{ "esp_v6", NULL, DROP(DROP_UNAUTH) },
	{ "ah_v6", NULL, DROP(DROP_UNAUTH) },
	{ "no_next_v6", NULL, DROP(DROP_UNAUTH) },
	{ "vlan_one_http", NULL, DROP(DROP_NO_XSK) },
	{ "vlan_two_http", NULL, DROP(DROP_NO_XSK) },
	{ "vlan_9100_http", NULL, DROP(DROP_NO_XSK) },
	{ "vlan_three_tags", NULL, DROP(DROP_VLAN) },
	{ "vlan_policy_drop", setup_vlan_drop, DROP(DROP_VLAN) },
	{ "vlan_policy_drop_untagged_http", setup_vlan_drop, DROP(DROP_NO_XSK) },
	{ "pppoe_drop", NULL, DROP(DROP_UNAUTH) },
	{ "mpls_drop", NULL, DROP(DROP_UNAUTH) },
	{ "ipv4_options_http", NULL, DROP(DROP_NO_XSK) },

	/* malformed and truncated */
	{ "ipv4_ihl4", NULL, DROP(DROP_MALFORMED) },
	{ "ipv4_version6_in_v4", NULL, DROP(DROP_MALFORMED) },
	{ "ipv4_totlen_big", NULL, DROP(DROP_MALFORMED) },
	{ "ipv4_totlen_lt_ihl", NULL, DROP(DROP_MALFORMED) },
	{ "ipv6_plen_big", NULL, DROP(DROP_MALFORMED) },
	{ "tcp_doff4", NULL, DROP(DROP_MALFORMED) },
	{ "tcp_doff_beyond", NULL, DROP(DROP_MALFORMED) },
	{ "tcp_doff_beyond_v6", NULL, DROP(DROP_MALFORMED) },
	{ "trunc_eth13", NULL, DROP(DROP_MALFORMED) },
	{ "trunc_eth_type_only", NULL, DROP(DROP_MALFORMED) },
	{ "trunc_vlan_tag", NULL, DROP(DROP_MALFORMED) },
	{ "trunc_second_vlan_tag", NULL, DROP(DROP_MALFORMED) },
	{ "trunc_ipv4_hdr", NULL, DROP(DROP_MALFORMED) },
	{ "trunc_ipv4_options", NULL, DROP(DROP_MALFORMED) },
	{ "trunc_ipv6_hdr", NULL, DROP(DROP_MALFORMED) },
	{ "trunc_tcp_hdr", NULL, DROP(DROP_MALFORMED) },
	{ "trunc_tcp_hdr_v6", NULL, DROP(DROP_MALFORMED) },
	{ "trunc_udp_hdr", NULL, DROP(DROP_MALFORMED) },
	{ "trunc_icmp", NULL, DROP(DROP_MALFORMED) },
	{ "trunc_icmp6", NULL, DROP(DROP_MALFORMED) },
	{ "trunc_exthdr", NULL, DROP(DROP_MALFORMED) },
	{ "trunc_exthdr_len", NULL, DROP(DROP_MALFORMED) },

	/* bad sources */
	{ "src_zero_nondhcp", NULL, DROP(DROP_SRC) },
	{ "src_zero_udp_not_dhcp", NULL, DROP(DROP_SRC) },
	{ "src_multicast_v4", NULL, DROP(DROP_SRC) },
	{ "src_multicast_v6", NULL, DROP(DROP_SRC) },
	{ "src_unspec_v6", NULL, DROP(DROP_SRC) },
	{ "src_v4mapped_v6", setup_grant_v4, DROP(DROP_SRC) },
	{ "src_gateway_dns_v4", setup_site, DROP(DROP_SRC) },
	{ "src_gateway_dns_v6", setup_site, DROP(DROP_SRC) },

	/* client prefixes: spoofed sources reach no resolver, no garden */
	{ "cnet_dns_inside_v4", setup_client_nets, PASS(PASS_DNS) },
	{ "cnet_dns_inside_v6", setup_client_nets, PASS(PASS_DNS) },
	{ "cnet_dns_outside_v4", setup_client_nets, DROP(DROP_SRC) },
	{ "cnet_dns_outside_v6", setup_client_nets, DROP(DROP_SRC) },
	{ "cnet_dns_subnet_bcast", setup_client_nets, DROP(DROP_SRC) },
	{ "cnet_http_outside_v4", setup_client_nets, DROP(DROP_SRC) },
	{ "cnet_dhcp_zero_src", setup_client_nets, PASS(PASS_DHCP) },
	{ "cnet_dns_linklocal_v6", setup_client_nets, PASS(PASS_DNS) },
	{ "cnet_dns_outside_no_nets", setup_site, PASS(PASS_DNS) },

	/* byte quotas in XDP: used = bytes + bytes_down; at the quota, captive */
	{ "quota_last_byte", setup_quota_last_byte, PASS(PASS_CLIENT),
	  .check = check_quota_last_byte },
	{ "quota_used_up", setup_quota_used_up, DROP(DROP_UNAUTH),
	  .event = G511_EV_GRANT_QUOTA, .check = check_quota_uncounted },
	{ "quota_used_up_http", setup_quota_used_up, DROP(DROP_NO_XSK),
	  .event = G511_EV_GRANT_QUOTA, .check = check_quota_uncounted },
	{ "quota_used_by_download", setup_quota_by_download, DROP(DROP_UNAUTH),
	  .event = G511_EV_GRANT_QUOTA },
	{ "quota_mac_used_up", setup_quota_mac, DROP(DROP_UNAUTH),
	  .event = G511_EV_GRANT_QUOTA },

	/* upload rate: a token bucket of L3 bytes, burst 250 ms at the rate */
	{ "rate_up_within", setup_rate_within, .vector = "auth_v4_client", PASS(PASS_CLIENT),
	  .check = check_rate_within },
	{ "rate_up_over", setup_rate_over, .vector = "auth_v4_client", DROP(DROP_RATE),
	  .check = check_rate_over },
	{ "rate_up_over_http", setup_rate_over, .vector = "http_v4", DROP(DROP_RATE),
	  .check = check_rate_over },
	{ "rate_up_mac_over", setup_rate_mac_over, .vector = "mac_device_pppoe", DROP(DROP_RATE) },
	{ "rate_up_refilled", setup_rate_refilled, .vector = "auth_v4_client", PASS(PASS_CLIENT),
	  .check = check_rate_full },
	{ "rate_up_refill_part", setup_rate_refill_part, .vector = "auth_v4_client", PASS(PASS_CLIENT),
	  .check = check_rate_part },
	{ "rate_up_lowered", setup_rate_lowered, .vector = "auth_v4_client", PASS(PASS_CLIENT),
	  .check = check_rate_full },
	{ "rate_up_min_burst", setup_rate_min_burst, .vector = "auth_v4_client", PASS(PASS_CLIENT),
	  .check = check_rate_min_burst },

	/* TC egress: download counted by destination, L3 bytes */
	{ "tc_down_v4", setup_grant_v4, TC_PASS(PASS_CLIENT), .check = check_tc_v4 },
	{ "tc_down_v6", setup_grant_v6, TC_PASS(PASS_CLIENT), .check = check_tc_v6 },
	{ "tc_down_vlan", setup_grant_v4, TC_PASS(PASS_CLIENT), .check = check_tc_v4 },
	{ "tc_down_mac", setup_mac_device_live, TC_PASS(PASS_MAC), .check = check_tc_mac },
	{ "tc_down_mac_pppoe", setup_mac_device_live, TC_PASS(PASS_MAC), .check = check_tc_mac },
	{ "tc_gso_v4", setup_grant_v4, TC_PASS(PASS_CLIENT), .gso_segs = 4,
	  .check = check_tc_gso },
	/* download rate: EDT, skb->tstamp = departure, the next one l3 * 8 / rate later */
	{ "tc_rate_idle", setup_edt_idle, .vector = "tc_down_v4", TC_PASS(PASS_CLIENT),
	  .check = check_edt_idle },
	{ "tc_rate_queued", setup_edt_queued, .vector = "tc_down_v4", TC_PASS(PASS_CLIENT),
	  .check = check_edt_queued },
	{ "tc_rate_horizon", setup_edt_horizon, .vector = "tc_down_v4", TC_DROP(DROP_RATE),
	  .check = check_edt_horizon },
	{ "tc_rate_unlimited", setup_edt_unlimited, .vector = "tc_down_v4", TC_PASS(PASS_CLIENT),
	  .check = check_edt_unlimited },
	{ "tc_rate_gso", setup_edt_idle, .vector = "tc_gso_v4", TC_PASS(PASS_CLIENT),
	  .gso_segs = 4, .check = check_edt_gso },
	/* no grant: unauthenticated clients' answers flow, untouched */
	{ "tc_down_unauth", setup_site, TC_PASS(PASS) },
	{ "tc_down_unauth_v6", setup_site, TC_PASS(PASS) },
	{ "tc_arp_reply", setup_grant_v4, TC_PASS(PASS) },
	{ "tc_broadcast_dhcp", setup_grant_v4, TC_PASS(PASS) },
	/* quota cut-off at the exact byte, both directions counted */
	{ "tc_quota_last_byte", setup_quota_last_byte, TC_PASS(PASS_CLIENT),
	  .check = check_tc_last_byte },
	{ "tc_quota_used_up", setup_quota_used_up, TC_DROP(DROP_QUOTA),
	  .check = check_tc_used_up },
	{ "tc_quota_used_by_upload", setup_quota_by_upload, TC_DROP(DROP_QUOTA) },
	{ "tc_quota_mac", setup_quota_mac, TC_DROP(DROP_QUOTA) },
	/* over quota = captive: what a captive client gets still passes */
	{ "tc_quota_dns", setup_quota_site, TC_PASS(PASS_CAPTIVE),
	  .check = check_tc_uncounted_v4 },
	{ "tc_quota_dns_v6", setup_quota_site, TC_PASS(PASS_CAPTIVE),
	  .check = check_tc_uncounted_v6 },
	{ "tc_quota_dns_foreign", setup_quota_site, TC_DROP(DROP_QUOTA),
	  .check = check_tc_uncounted_v4 },
	{ "tc_quota_dhcp", setup_quota_site, TC_PASS(PASS_CAPTIVE) },
	{ "tc_quota_gateway", setup_quota_site, TC_PASS(PASS_CAPTIVE) },
	{ "tc_quota_nd", setup_quota_site, TC_PASS(PASS_CAPTIVE) },
	{ "tc_quota_garden", setup_quota_site, TC_PASS(PASS_CAPTIVE) },
	{ "tc_quota_garden_port", setup_quota_site, TC_PASS(PASS_CAPTIVE) },
	{ "tc_quota_garden_other_port", setup_quota_site, TC_DROP(DROP_QUOTA) },
	{ "tc_quota_later_fragment", setup_quota_site, TC_DROP(DROP_QUOTA) },
	/* the garden by name: answers from the resolvers on their way out */
	{ "tc_dns_a", setup_gnames, TC_PASS(PASS), .event = G511_EV_TC_DNS_LEARNED,
	  .check = check_gdns_a },
	{ "tc_dns_aaaa", setup_gnames, TC_PASS(PASS), .event = G511_EV_TC_DNS_LEARNED,
	  .check = check_gdns_aaaa },
	{ "tc_dns_cname", setup_gnames, TC_PASS(PASS), .event = G511_EV_TC_DNS_LEARNED,
	  .check = check_gdns_cname },
	{ "tc_dns_cname_unchained", setup_gnames, TC_PASS(PASS), .check = check_gdns_none },
	{ "tc_dns_compress", setup_gnames, TC_PASS(PASS), .event = G511_EV_TC_DNS_LEARNED,
	  .check = check_gdns_compress },
	{ "tc_dns_ptr_loop", setup_gnames, TC_PASS(PASS), .event = G511_EV_TC_DNS_MALFORMED,
	  .check = check_gdns_none },
	{ "tc_dns_ptr_forward", setup_gnames, TC_PASS(PASS), .event = G511_EV_TC_DNS_MALFORMED,
	  .check = check_gdns_none },
	{ "tc_dns_truncated", setup_gnames, TC_PASS(PASS), .event = G511_EV_TC_DNS_MALFORMED,
	  .check = check_gdns_none },
	{ "tc_dns_tc_bit", setup_gnames, TC_PASS(PASS), .event = G511_EV_TC_DNS_MALFORMED,
	  .check = check_gdns_none },
	{ "tc_dns_two_questions", setup_gnames, TC_PASS(PASS),
	  .event = G511_EV_TC_DNS_MALFORMED, .check = check_gdns_none },
	{ "tc_dns_oversized", setup_gnames, TC_PASS(PASS), .event = G511_EV_TC_DNS_MALFORMED,
	  .check = check_gdns_none },
	{ "tc_dns_wrong_source", setup_gnames, TC_PASS(PASS), .event = G511_EV_TC_DNS_UNTRUSTED,
	  .check = check_gdns_none },
	{ "tc_dns_wrong_port", setup_gnames, TC_PASS(PASS), .check = check_gdns_none },
	{ "tc_dns_fragment", setup_gnames, TC_PASS(PASS), .event = G511_EV_TC_DNS_UNTRUSTED,
	  .check = check_gdns_none },
	{ "tc_dns_tcp", setup_gnames, TC_PASS(PASS), .check = check_gdns_none },
	{ "tc_dns_hairpin", setup_gnames, TC_PASS(PASS), .iif = 1,
	  .event = G511_EV_TC_DNS_UNTRUSTED, .check = check_gdns_none },
	{ "tc_dns_apex", setup_gnames, TC_PASS(PASS), .check = check_gdns_none },
	{ "tc_dns_badsuffix", setup_gnames, TC_PASS(PASS), .check = check_gdns_none },
	{ "tc_dns_ttl_min", setup_gnames, TC_PASS(PASS), .event = G511_EV_TC_DNS_LEARNED,
	  .check = check_gdns_ttl_min },
	{ "tc_dns_ttl_max", setup_gnames, TC_PASS(PASS), .event = G511_EV_TC_DNS_LEARNED,
	  .check = check_gdns_ttl_max },
	{ "tc_dns_long_name", setup_gnames, TC_PASS(PASS), .event = G511_EV_TC_DNS_LONG,
	  .check = check_gdns_none },
	{ "tc_dns_many_rrs", setup_gnames, TC_PASS(PASS), .check = check_gdns_none },
};

/* ---- running a case ---- */

static const char *verdict_name(const struct xdp_case *c, __u32 v)
{
	if (c->tc) {
		switch ((int)v) {
		case TC_ACT_UNSPEC: return "TC_ACT_UNSPEC";
		case TC_ACT_OK: return "TC_ACT_OK";
		case TC_ACT_SHOT: return "TC_ACT_SHOT";
		default: return "TC_ACT_?";
		}
	}
	switch (v) {
	case XDP_ABORTED: return "XDP_ABORTED";
	case XDP_DROP: return "XDP_DROP";
	case XDP_PASS: return "XDP_PASS";
	case XDP_TX: return "XDP_TX";
	case XDP_REDIRECT: return "XDP_REDIRECT";
	default: return "?";
	}
}

static const char *stat_name(int idx)
{
	return idx >= 0 && idx < G511_STAT__MAX ? stat_names[idx] : "?";
}

/* Reads the single frame of a vector; returns its length or -errno. */
static int frame_read(const struct harness *h, const char *name,
		      __u8 *buf, size_t size)
{
	char path[PATH_MAX + 64], errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	pcap_t *pcap;
	int len;

	snprintf(path, sizeof(path), "%s/%s.pcap", h->vectors, name);
	pcap = pcap_open_offline(path, errbuf);
	if (!pcap) {
		fprintf(stderr, "  %s: %s\n", path, errbuf);
		return -ENOENT;
	}
	if (pcap_datalink(pcap) != DLT_EN10MB) {
		fprintf(stderr, "  %s: not an Ethernet capture\n", path);
		len = -EINVAL;
	} else if (pcap_next_ex(pcap, &hdr, &data) != 1) {
		fprintf(stderr, "  %s: no frame\n", path);
		len = -EINVAL;
	} else if (hdr->caplen != hdr->len || hdr->caplen > size) {
		fprintf(stderr, "  %s: frame cut by snaplen or too big\n", path);
		len = -EINVAL;
	} else {
		memcpy(buf, data, hdr->caplen);
		len = hdr->caplen;
	}
	pcap_close(pcap);
	return len;
}

static void hexdiff(const __u8 *got, int got_len, const __u8 *want, int want_len)
{
	int n = got_len > want_len ? got_len : want_len;
	int row, i;

	fprintf(stderr, "  frame: got %d bytes, want %d (differing bytes in [])\n",
		got_len, want_len);
	for (row = 0; row < n; row += 16) {
		fprintf(stderr, "  %04x got ", row);
		for (i = row; i < row + 16 && i < n; i++) {
			bool same = i < got_len && i < want_len && got[i] == want[i];

			if (i < got_len)
				fprintf(stderr, same ? " %02x " : "[%02x]", got[i]);
			else
				fprintf(stderr, " -- ");
		}
		fprintf(stderr, "\n       want");
		for (i = row; i < row + 16 && i < n; i++) {
			if (i < want_len)
				fprintf(stderr, " %02x ", want[i]);
			else
				fprintf(stderr, " -- ");
		}
		fprintf(stderr, "\n");
	}
}

static bool stats_check(const struct harness *h, const struct xdp_case *c)
{
	__u64 sums[G511_STAT__MAX] = {}, verdicts = 0, others = 0;
	int first = c->tc ? G511_TC_VERDICT_FIRST : G511_XDP_VERDICT_FIRST;
	int last = c->tc ? G511_TC_VERDICT_LAST : G511_XDP_VERDICT_LAST;
	int ofirst = c->tc ? G511_XDP_VERDICT_FIRST : G511_TC_VERDICT_FIRST;
	int olast = c->tc ? G511_XDP_VERDICT_LAST : G511_TC_VERDICT_LAST;
	bool ok = true;
	int i;

	if (!ASSERT_EQ(stats_read(h, sums), 0, "read g511_stats"))
		return false;
	for (i = first; i <= last; i++)
		verdicts += sums[i];
	for (i = ofirst; i <= olast; i++)
		others += sums[i];
	ok &= ASSERT_TRUE(c->stat >= first && c->stat <= last, "row's counter in its range");
	ok &= ASSERT_EQ(sums[c->stat], 1, stat_name(c->stat));
	ok &= ASSERT_EQ(verdicts, 1, "sum of verdict counters");
	ok &= ASSERT_EQ(others, 0, "the other program's verdict counters");
	if (c->event)
		ok &= ASSERT_EQ(sums[c->event], 1, stat_name(c->event));
	if (!ok) {
		fprintf(stderr, "  counters now:");
		for (i = 0; i < G511_STAT__MAX; i++) {
			if (sums[i])
				fprintf(stderr, " %s=%llu", stat_names[i],
					(unsigned long long)sums[i]);
		}
		fprintf(stderr, "\n");
	}
	return ok;
}

/*
 * BPF_PROG_RUN refuses input shorter than ETH_HLEN. A shorter frame is
 * handed in behind 4 bytes of XDP metadata (ctx.data = 4), so the program
 * would see exactly the short frame between data and data_end. Kernels that
 * also want ETH_HLEN bytes after the metadata (6.18 does) answer EINVAL;
 * such a case is reported as skipped, with that reason.
 */
#define META_LEN	4

enum case_outcome { CASE_FAIL, CASE_OK, CASE_SKIP };

/*
 * The frame's L3 bytes, read here from its headers (not by the program's
 * code): past Ethernet and up to two tags, the IPv4 total length or the
 * IPv6 header plus payload length; for anything else what follows L2.
 */
static __u32 frame_l3_len(const __u8 *f, int len)
{
	int off = 12, type;

	if (len < 14)
		return 0;
	type = f[off] << 8 | f[off + 1];
	while ((type == 0x8100 || type == 0x88a8 || type == 0x9100) && off + 6 <= len) {
		off += 4;
		type = f[off] << 8 | f[off + 1];
	}
	off += 2;
	if (type == 0x0800 && off + 4 <= len)
		return f[off + 2] << 8 | f[off + 3];
	if (type == 0x86dd && off + 6 <= len)
		return 40 + (f[off + 4] << 8 | f[off + 5]);
	return len - off;
}

static enum case_outcome case_run(const struct harness *h,
				  const struct xdp_case *c, const char **skip_why)
{
	static __u8 in[FRAME_MAX + META_LEN], out[FRAME_MAX + META_LEN];
	static __u8 want[FRAME_MAX];
	struct xdp_md ctx = {};
	struct __sk_buff skb = {};
	int len, want_len = 0, err, meta = 0;
	__u8 *frame = in;
	bool ok = true;
	__u64 t0;

	len = frame_read(h, c->vector ? c->vector : c->name, in + META_LEN, FRAME_MAX);
	if (!ASSERT_TRUE(len >= 0, "read input vector"))
		return CASE_FAIL;
	if (len < 14) {
		meta = META_LEN;
		memset(in, 0, META_LEN);
	} else {
		memmove(in, in + META_LEN, len);
	}
	frame = in + meta;
	if (c->out_frame) {
		char name[128];

		snprintf(name, sizeof(name), "%s.out", c->name);
		want_len = frame_read(h, name, want, sizeof(want));
		if (!ASSERT_TRUE(want_len >= 0, "read expected output vector"))
			return CASE_FAIL;
	}

	tc_tstamp_in = 0;
	err = maps_reset(h);
	if (!ASSERT_EQ(err, 0, "reset maps"))
		return CASE_FAIL;
	if (c->setup) {
		err = c->setup(h);
		if (!ASSERT_EQ(err, 0, "case setup"))
			return CASE_FAIL;
	}

	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = in,
		.data_size_in = len + meta,
		.data_out = out,
		.data_size_out = sizeof(out),
		.repeat = 1,
	);
	if (c->tc) {
		opts.data_size_out = sizeof(out);
		skb.gso_segs = c->gso_segs;
		skb.gso_size = c->gso_segs ? 100 : 0;
		skb.tstamp = tc_tstamp_in;
		skb.ingress_ifindex = c->iif;
		opts.ctx_in = &skb;
		opts.ctx_size_in = sizeof(skb);
		opts.ctx_out = &skb;
		opts.ctx_size_out = sizeof(skb);
	} else if (meta) {
		ctx.data = meta;
		ctx.data_end = len + meta;
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
	}
	t0 = boottime_ns();
	tc_mono_t0 = mono_ns();
	err = bpf_prog_test_run_opts(c->tc ? h->tc_prog_fd : h->prog_fd, &opts) ? -errno : 0;
	tc_mono_t1 = mono_ns();
	tc_tstamp_out = skb.tstamp;
	if (err == -EINVAL && meta) {
		*skip_why = "this kernel's BPF_PROG_RUN refuses frames shorter than ETH_HLEN";
		return CASE_SKIP;
	}
	if (!ASSERT_EQ(err, 0, "bpf_prog_test_run_opts"))
		return CASE_FAIL;

	if (opts.retval != c->verdict) {
		fprintf(stderr, "  %s: verdict: got %s, want %s\n", c->name,
			verdict_name(c, opts.retval), verdict_name(c, c->verdict));
		ok = false;
	}
	ok &= stats_check(h, c);

	if ((c->tc ? opts.retval != TC_ACT_SHOT : opts.retval == XDP_PASS) &&
	    opts.retval == c->verdict) {
		int out_len = (int)opts.data_size_out - meta;

		if (out_len != len || memcmp(out + meta, frame, len)) {
			fprintf(stderr, "  %s: passed frame was modified\n",
				c->name);
			hexdiff(out + meta, out_len, frame, len);
			ok = false;
		}
	}
	if (c->out_frame && opts.retval == XDP_TX) {
		int out_len = (int)opts.data_size_out - meta;

		if (out_len != want_len || memcmp(out + meta, want, want_len)) {
			fprintf(stderr, "  %s: XDP_TX frame differs from %s.out.pcap\n",
				c->name, c->name);
			hexdiff(out + meta, out_len, want, want_len);
			ok = false;
		}
	}
	if (c->check)
		ok &= c->check(h, frame_l3_len(frame, len), t0);
	return ok ? CASE_OK : CASE_FAIL;
}

/* ---- loading ---- */

static int libbpf_print_quiet(enum libbpf_print_level level, const char *fmt,
			      va_list args)
{
	if (level != LIBBPF_WARN && !getenv("G511_VERBOSE"))
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* Finds rel (e.g. "bpf/gate511.bpf.o") from the cwd or from the binary. */
static void repo_path(char *dst, size_t size, const char *rel)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	snprintf(dst, size, "%s", rel);
	if (access(dst, F_OK) == 0)
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	slash = strrchr(exe, '/');	/* <repo>/build/tests/xdp_table */
	if (!slash)
		return;
	*slash = '\0';
	if (snprintf(dst, size, "%s/../../%s", exe, rel) >= (int)size ||
	    access(dst, F_OK))
		snprintf(dst, size, "%s", rel);
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);

	if (!map) {
		fprintf(stderr, "object has no map %s\n", name);
		return -ENOENT;
	}
	return bpf_map__fd(map);
}

/* libbpf's errors include its own codes (LIBBPF_ERRNO__*). */
static const char *errstr(int err)
{
	static char buf[128];

	libbpf_strerror(err, buf, sizeof(buf));
	return buf;
}

/* Returns 0, or -errno with why[] saying what went wrong. */
static int harness_load(struct harness *h, const char *path, char *why,
			size_t why_size)
{
	struct bpf_program *prog, *tc_prog;
	struct bpf_map *map;
	int err;

	h->obj = bpf_object__open_file(path, NULL);
	if (!h->obj) {
		err = -errno;
		snprintf(why, why_size, "cannot open %s: %s", path, errstr(err));
		return err;
	}
	/* Never pin: not into tc/globals, nor anywhere else. */
	bpf_object__for_each_map(map, h->obj) {
		err = bpf_map__set_pin_path(map, NULL);
		if (err) {
			snprintf(why, why_size, "cannot unpin %s: %s",
				 bpf_map__name(map), errstr(err));
			return err;
		}
	}
	prog = bpf_object__find_program_by_name(h->obj, G511_PROG_NAME);
	if (!prog) {
		snprintf(why, why_size, "%s has no program %s", path,
			 G511_PROG_NAME);
		return -ENOENT;
	}
	tc_prog = bpf_object__find_program_by_name(h->obj, G511_TC_PROG_NAME);
	if (!tc_prog) {
		snprintf(why, why_size, "%s has no program %s", path, G511_TC_PROG_NAME);
		return -ENOENT;
	}
	err = bpf_object__load(h->obj);
	if (err) {
		snprintf(why, why_size, "cannot load %s: %s", path, errstr(err));
		return err;
	}
	bpf_object__for_each_map(map, h->obj) {
		if (bpf_map__is_pinned(map)) {
			snprintf(why, why_size, "map %s got pinned",
				 bpf_map__name(map));
			return -EEXIST;
		}
	}
	h->prog_fd = bpf_program__fd(prog);
	h->tc_prog_fd = bpf_program__fd(tc_prog);
	h->clients_fd = map_fd(h->obj, G511_MAP_CLIENTS);
	h->macs_fd = map_fd(h->obj, G511_MAP_MACS);
	h->garden_fd = map_fd(h->obj, G511_MAP_GARDEN);
	h->config_fd = map_fd(h->obj, G511_MAP_CONFIG);
	h->stats_fd = map_fd(h->obj, G511_MAP_STATS);
	h->gnames_fd = map_fd(h->obj, G511_MAP_GARDEN_NAMES);
	h->gdns_fd = map_fd(h->obj, G511_MAP_GARDEN_DNS);
	if (h->gnames_fd < 0 || h->gdns_fd < 0 || h->clients_fd < 0 || h->macs_fd < 0 || h->garden_fd < 0 ||
	    h->config_fd < 0 || h->stats_fd < 0 || map_fd(h->obj, G511_MAP_XSKS) < 0) {
		snprintf(why, why_size, "%s lacks a map of include/gate511.h", path);
		return -ENOENT;
	}
	h->ncpus = libbpf_num_possible_cpus();
	if (h->ncpus <= 0) {
		snprintf(why, why_size, "cannot count CPUs");
		return h->ncpus ? h->ncpus : -EINVAL;
	}
	return 0;
}

#include "dns_fuzz.h"

int main(int argc, char **argv)
{
	struct harness h = {};
	char obj[PATH_MAX], why[PATH_MAX + 256];
	const char *env;
	size_t i;
	int err;

	libbpf_set_print(libbpf_print_quiet);
	if (argc > 1)
		snprintf(obj, sizeof(obj), "%s", argv[1]);
	else if ((env = getenv("G511_BPF_OBJ")) && *env)
		snprintf(obj, sizeof(obj), "%s", env);
	else
		repo_path(obj, sizeof(obj), "bpf/gate511.bpf.o");
	if ((env = getenv("G511_VECTORS")) && *env)
		snprintf(h.vectors, sizeof(h.vectors), "%s", env);
	else
		repo_path(h.vectors, sizeof(h.vectors), "tests/xdp/vectors");

	if (geteuid() != 0) {
		snprintf(why, sizeof(why), "needs root to load BPF (euid %u)",
			 (unsigned int)geteuid());
		err = -EPERM;
	} else {
		err = harness_load(&h, obj, why, sizeof(why));
	}
	if (err) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			test_skip(cases[i].name, why);
		test_skip("dns_fuzz", why);
		/*
		 * No privilege or no object: skipped. A root that cannot load
		 * the object (verifier, missing map) is a failure of its own.
		 */
		if (err != -EPERM && err != -EACCES && access(obj, F_OK) == 0) {
			fprintf(stderr, "%s\n", why);
			test_result("load_object", false);
		}
		bpf_object__close(h.obj);
		return test_summary();
	}

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *skip_why = NULL;
		enum case_outcome res;

		test_current = cases[i].name;
		res = case_run(&h, &cases[i], &skip_why);
		if (res == CASE_SKIP)
			test_skip(cases[i].name, skip_why);
		else
			test_result(cases[i].name, res == CASE_OK);
	}
	test_current = "dns_fuzz";
	test_result("dns_fuzz", dns_fuzz(&h));
	bpf_object__close(h.obj);
	return test_summary();
}
