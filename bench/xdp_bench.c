// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_bench.c - ns per packet of gate511's XDP decisions through
 * BPF_PROG_RUN, each printed as a ratio to bench/xdp_min.bpf.o (Ethernet +
 * IP parse, one hash lookup, XDP_PASS) measured in the same run with the
 * same number of entries in its map.
 *
 * Then a cost breakdown per path: the same source cut short after each
 * stage (bpf/gate511.bpf.c, bench_stage(); bench/run.sh builds the cuts as
 * STAGE_DIR/gate511_stageN.bpf.o), timed on the same frame with the same
 * maps (the cuts reuse the full program's maps); what a stage adds is the
 * difference between the cut after it and the cut before it.
 *
 * Every figure is the median of RUNS runs of REPEAT packets; the programs
 * compared are run interleaved, so a noisy neighbour hits all of them.
 * Ratios are medians of the per-run ratios.
 *
 * For the unauthenticated drop it also times bench/xdp_floor.bpf.o: the
 * minimal program plus the two other lookups (g511_macs, g511_garden) the
 * rules need before any drop, i.e. the least a drop can cost; what the
 * real drop costs above it is the rules' own.
 *
 * Usage: xdp_bench [GATE511_OBJ [MIN_OBJ [STAGE_DIR [FLOOR_OBJ]]]]   (root)
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "gate511.h"
#include "maptab.h"

/*
 * Many short runs rather than a few long ones: on a shared box a burst of
 * someone else's work then lands in one run of one program, and the median
 * drops it; with long runs it is spread over all of them.
 */
#define RUNS	31
#define REPEAT	200000
#define NSTAGES	7	/* cuts 0..6 of bench_stage(), then the real program */

static const char *const stage_names[NSTAGES + 1] = {
	"run", "l2", "config", "l3", "lookup", "grant", "rules", "stat",
};

struct loaded {
	struct bpf_object *obj;
	int prog_fd;
	int clients_fd;
};

static int silent(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	if (lvl == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

/* Load path; with share, every map of the same name is share's map. */
static int load(const char *path, const char *prog, const char *map, __u32 entries,
		const struct loaded *share, struct loaded *l)
{
	struct bpf_program *p;
	struct bpf_map *m;
	int err;

	l->obj = bpf_object__open_file(path, NULL);
	if (!l->obj)
		return -errno;
	bpf_object__for_each_map(m, l->obj) {
		struct bpf_map *other;

		bpf_map__set_pin_path(m, NULL);	/* never touch the system's pins */
		if (!share)
			continue;
		other = bpf_object__find_map_by_name(share->obj, bpf_map__name(m));
		if (other) {
			err = bpf_map__reuse_fd(m, bpf_map__fd(other));
			if (err)
				return err;
		}
	}
	m = bpf_object__find_map_by_name(l->obj, map);
	if (!m)
		return -ENOENT;
	if (!share) {
		err = bpf_map__set_max_entries(m, entries);
		if (err)
			return err;
	}
	err = bpf_object__load(l->obj);
	if (err)
		return err;
	p = bpf_object__find_program_by_name(l->obj, prog);
	if (!p)
		return -ENOENT;
	l->prog_fd = bpf_program__fd(p);
	l->clients_fd = bpf_map__fd(m);
	return 0;
}

static void key_for(struct g511_addr *k, __u32 i)
{
	memset(k, 0, sizeof(*k));
	k->addr[10] = 0xff;
	k->addr[11] = 0xff;
	k->addr[12] = 10;
	k->addr[13] = i >> 16;
	k->addr[14] = i >> 8;
	k->addr[15] = i;
}

static int fill(int fd, __u32 n)
{
	const __u32 chunk = 65536;
	struct g511_addr *keys = calloc(chunk, sizeof(*keys));
	struct g511_grant *vals = calloc(chunk, sizeof(*vals));
	struct timespec ts;
	int err = 0;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	clock_gettime(CLOCK_BOOTTIME, &ts);
	for (__u32 done = 0; done < n;) {
		__u32 cnt = n - done < chunk ? n - done : chunk;

		for (__u32 j = 0; j < cnt; j++) {
			key_for(&keys[j], done + j);
			vals[j].expires_ns = (ts.tv_sec + 3600) * 1000000000ULL;
		}
		err = bpf_map_update_batch(fd, keys, vals, &cnt, NULL);
		if (err)
			goto out;
		done += cnt;
	}
out:
	free(keys);
	free(vals);
	return err;
}

/* Ethernet + IPv4 + TCP (or UDP) frame from 10.x.y.z to 10.52.0.2. */
static size_t frame_v4(unsigned char *buf, __u32 src_idx, int proto, __u16 dport)
{
	struct ethhdr *eth = (void *)buf;
	struct iphdr *iph = (void *)(eth + 1);
	struct g511_addr k;
	size_t l4 = proto == IPPROTO_TCP ? sizeof(struct tcphdr) : sizeof(struct udphdr);

	memset(buf, 0, 64);
	memcpy(eth->h_dest, "\x02\x51\x00\x00\x00\x01", 6);
	memcpy(eth->h_source, "\x02\x51\x00\x00\x00\x02", 6);
	eth->h_proto = htons(ETH_P_IP);
	iph->version = 4;
	iph->ihl = 5;
	iph->tot_len = htons(sizeof(*iph) + l4);
	iph->ttl = 64;
	iph->protocol = proto;
	key_for(&k, src_idx);
	memcpy(&iph->saddr, &k.addr[12], 4);
	iph->daddr = htonl(0x0a340002);
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = (void *)(iph + 1);

		th->source = htons(40000);
		th->dest = htons(dport);
		th->doff = 5;
		th->syn = 1;
	} else {
		struct udphdr *uh = (void *)(iph + 1);

		uh->source = htons(40000);
		uh->dest = htons(dport);
		uh->len = htons(8);
	}
	return sizeof(*eth) + sizeof(*iph) + l4;
}

/*
 * BPF_PROG_RUN runs on the calling CPU: staying on one keeps the per-CPU
 * maps (stats, clock cache) and the caches warm for every program alike.
 */
static void pin_last_cpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	if (n < 1)
		return;
	CPU_ZERO(&set);
	CPU_SET(n - 1, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("xdp_bench: sched_setaffinity (not pinned)");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double run_once(int prog_fd, unsigned char *frame, size_t len, __u32 *verdict)
{
	unsigned char out[256];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = REPEAT);

	if (bpf_prog_test_run_opts(prog_fd, &opts)) {
		perror("bpf_prog_test_run_opts");
		exit(1);
	}
	if (verdict)
		*verdict = opts.retval;
	return opts.duration;
}

/*
 * Runs n programs on the same frame, interleaved, RUNS rounds; ns[i] is
 * program i's median, ratio the median over the rounds of ns0/ns1.
 */
static void measure(const int *fds, int n, unsigned char *frame, size_t len,
		    double *ns, double *ratio, __u32 *verdict)
{
	double t[NSTAGES + 2][RUNS], r[RUNS];

	for (int k = 0; k < RUNS; k++) {
		for (int i = 0; i < n; i++)
			t[i][k] = run_once(fds[i], frame, len, i == 0 ? verdict : NULL);
		r[k] = n > 1 ? t[0][k] / t[1][k] : 1;
	}
	for (int i = 0; i < n; i++)
		ns[i] = median(t[i], RUNS);
	if (ratio)
		*ratio = median(r, RUNS);
}

static const char *verdict_name(__u32 v)
{
	static const char *names[] = { "ABORTED", "DROP", "PASS", "TX", "REDIRECT" };

	return v < 5 ? names[v] : "?";
}

struct bench_case {
	const char *name;
	__u32 src_idx;		/* source 10.x.y.z: key_for(src_idx) */
	int proto;
	__u16 dport;
	const char *note;
	bool site;		/* with site_config(), else the all-zero config */
	bool maps_used;		/* site: MAC grants and a garden exist */
	bool unfiltered;	/* site, but prefilters not valid: every lookup */
};

static void addr_v4(struct g511_addr *a, __u32 ip)
{
	memset(a, 0, sizeof(*a));
	a->addr[10] = a->addr[11] = 0xff;
	a->addr[12] = ip >> 24;
	a->addr[13] = ip >> 16;
	a->addr[14] = ip >> 8;
	a->addr[15] = ip;
}

/*
 * What the daemon writes on a real site: the client prefix (10.0.0.0/8,
 * which holds every bench source), two resolvers and two gateway addresses,
 * and which of g511_macs / g511_garden are empty (their lookups skipped).
 * The all-zero config (an `ip link` load, no daemon) skips those rules'
 * loops but makes every lookup; this one walks them.
 */
static int site_config(const struct loaded *g, bool on, bool maps_used, bool unfiltered)
{
	struct bpf_map *m = bpf_object__find_map_by_name(g->obj, G511_MAP_CONFIG);
	struct g511_config cfg = {};
	__u32 key = 0;

	if (!m)
		return -ENOENT;
	if (on) {
		cfg.version = G511_CONFIG_VERSION;
		cfg.n_resolvers = 2;
		addr_v4(&cfg.resolvers[0], 0x0a340035);
		addr_v4(&cfg.resolvers[1], 0x0a340036);
		cfg.n_local_addrs = 2;
		addr_v4(&cfg.local_addrs[0], 0x0a340001);
		addr_v4(&cfg.local_addrs[1], 0x0a000001);
		cfg.n_client_nets = 1;
		cfg.client_nets[0].prefixlen = 96 + 8;
		memcpy(cfg.client_nets[0].addr, &cfg.local_addrs[1].addr, 16);
		cfg.client_nets[0].addr[15] = 0;
		/* The daemon's prefilters: on an empty MAC map and garden all
		 * bits clear; on a site that uses them (maps_used), a garden
		 * of 192.0.2.0/24 and 2001:db8::/32 and MAC grants whose last
		 * octets are 0x10..0x1f, which the bench packet (source MAC
		 * ..:02, destination 10.52.0.2) misses, as most do. */
		cfg.filtered = G511_FILTER_MACS | G511_FILTER_GARDEN;
		if (maps_used) {
			struct g511_garden_key k4 = { .prefixlen = 96 + 24 };
			struct g511_garden_key k6 = { .prefixlen = 32 };
			__u8 mac[6] = { 0x02 };

			addr_v4((struct g511_addr *)k4.addr, 0xc0000200);
			k6.addr[0] = 0x20, k6.addr[1] = 0x01, k6.addr[2] = 0x0d, k6.addr[3] = 0xb8;
			g511_filter_add_garden(&cfg, &k4);
			g511_filter_add_garden(&cfg, &k6);
			for (int b = 0x10; b < 0x20; b++) {
				mac[5] = b;
				g511_filter_add_mac(&cfg, mac);
			}
		}
	}
	if (unfiltered)
		cfg.filtered = 0;
	g511_config_set_hostmasks(&cfg);	/* as the daemon writes it */
	return bpf_map_update_elem(bpf_map__fd(m), &key, &cfg, BPF_ANY) ? -errno : 0;
}

/* The cut programs after each stage; n = 0 when the cuts are not built. */
struct stages {
	struct loaded cut[NSTAGES];
	int n;
};

static void stages_load(const char *dir, const struct loaded *full, struct stages *st)
{
	char path[512];

	st->n = 0;
	if (!dir)
		return;
	for (int i = 0; i < NSTAGES; i++) {
		snprintf(path, sizeof(path), "%s/gate511_stage%d.bpf.o", dir, i);
		if (access(path, R_OK) ||
		    load(path, G511_PROG_NAME, G511_MAP_CLIENTS, 0, full, &st->cut[i])) {
			fprintf(stderr, "xdp_bench: no breakdown: cannot load %s\n", path);
			for (int j = 0; j <= i; j++)
				bpf_object__close(st->cut[j].obj);
			return;
		}
	}
	st->n = NSTAGES;
}

static void stages_close(struct stages *st)
{
	for (int i = 0; i < st->n; i++)
		bpf_object__close(st->cut[i].obj);
	st->n = 0;
}

/* One line: what each stage adds on this path, ns; the stages sum to the total. */
static void breakdown(const struct stages *st, const struct loaded *full,
		      unsigned char *frame, size_t len, char *line, size_t size)
{
	int fds[NSTAGES + 1];
	double ns[NSTAGES + 1];
	size_t o = 0;

	for (int i = 0; i < NSTAGES; i++)
		fds[i] = st->cut[i].prog_fd;
	fds[NSTAGES] = full->prog_fd;
	measure(fds, NSTAGES + 1, frame, len, ns, NULL, NULL);
	for (int i = 0; i <= NSTAGES; i++) {
		double add = i ? ns[i] - ns[i - 1] : ns[0];
		int w = snprintf(line + o, size - o, i ? " | %s %+.0f" : "%s %.0f",
				 stage_names[i], add);

		if (w < 0 || (size_t)w >= size - o)
			return;
		o += w;
	}
	snprintf(line + o, size - o, " = %.0f", ns[NSTAGES]);
}

int main(int argc, char **argv)
{
	const char *gobj = argc > 1 ? argv[1] : "bpf/gate511.bpf.o";
	const char *mobj = argc > 2 ? argv[2] : "bench/xdp_min.bpf.o";
	const char *stage_dir = argc > 3 && *argv[3] ? argv[3] : NULL;
	const char *fobj = argc > 4 ? argv[4] : "bench/xdp_floor.bpf.o";
	double floor_ns = 0, floor_min_ns = 0, floor_ratio = 0;
	static const __u32 sizes[] = { 1, 100000, 1000000 };
	static const struct bench_case unauth[] = {
		/* unauthenticated source 10.255.255.254: the drop and redirect paths */
		{ "unauthenticated UDP -> drop", 0xfffffe, IPPROTO_UDP, 5000, "", false, false, false },
		{ "unauthenticated TCP 80 -> redirect", 0xfffffe, IPPROTO_TCP, 80,
		  " (no socket bound: fail closed)", false, false, false },
		{ "unauth UDP -> drop, site config", 0xfffffe, IPPROTO_UDP, 5000, "", true, false,
		  false },
		{ "  ... site with MAC grants, garden", 0xfffffe, IPPROTO_UDP, 5000, "", true,
		  true, false },
		{ "  ... no daemon prefilter (worst)", 0xfffffe, IPPROTO_UDP, 5000, "", true,
		  true, true },
	};
	char lines[8][360];
	int nlines = 0;
	unsigned char frame[64];
	double worst = 0, drop_ratio = 0, drop_ratio_nodaemon = 0, drop_ratio_used = 0;
	double drop_ratio_unfiltered = 0;

	libbpf_set_print(silent);
	pin_last_cpu();
	printf("XDP datapath: ns/packet through BPF_PROG_RUN, median of %d x %d runs, interleaved\n",
	       RUNS, REPEAT);
	printf("baseline: %s (Ethernet+IP parse, one hash lookup, XDP_PASS), same map size\n\n",
	       mobj);
	printf("%-34s %9s %9s %8s  %s\n", "case", "gate511", "minimal", "ratio", "verdict");

	for (unsigned int s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		__u32 n = sizes[s], cap = n < G511_MAX_CLIENTS ? G511_MAX_CLIENTS : n;
		struct bench_case c[6];
		struct loaded g = {}, m = {}, f = {};
		struct stages st;
		char name[64];
		int err, nc = 0;

		err = load(gobj, G511_PROG_NAME, G511_MAP_CLIENTS, cap, NULL, &g);
		if (!err)
			err = load(mobj, "xdp_min", "min_clients", cap, NULL, &m);
		if (!err)
			err = fill(g.clients_fd, n);
		if (!err)
			err = fill(m.clients_fd, n);
		if (err) {
			fprintf(stderr, "xdp_bench: cannot set up %u grants: %s\n", n, strerror(-err));
			return 1;
		}
		if (n == 1 && (load(fobj, "xdp_floor", "floor_clients", cap, NULL, &f) ||
			       fill(f.clients_fd, n))) {
			fprintf(stderr, "xdp_bench: no floor: cannot load %s\n", fobj);
			bpf_object__close(f.obj);
			f.obj = NULL;
		}
		/* cuts only where the goals are: 1 grant (all paths) and 1M */
		if (n == 1 || n == 1000000)
			stages_load(stage_dir, &g, &st);
		else
			st.n = 0;

		/* The source is the last grant added. */
		snprintf(name, sizeof(name), "authorized v4, %u grants", n);
		c[nc++] = (struct bench_case){ name, n - 1, IPPROTO_TCP, 22, "", false, false, false };
		if (n == 1) {
			c[nc++] = unauth[0];
			c[nc++] = unauth[1];
			c[nc++] = unauth[2];
			c[nc++] = unauth[3];
			c[nc++] = unauth[4];
		}
		for (int i = 0; i < nc; i++) {
			int fds[2] = { g.prog_fd, m.prog_fd };
			double ns[2], ratio;
			size_t len = frame_v4(frame, c[i].src_idx, c[i].proto, c[i].dport);
			__u32 vg;

			if (site_config(&g, c[i].site, c[i].maps_used, c[i].unfiltered)) {
				fprintf(stderr, "xdp_bench: cannot write %s\n", G511_MAP_CONFIG);
				return 1;
			}

			/*
			 * A case measured right after the config changed ran
			 * ~15 ns slow, whichever it was (seen by swapping two
			 * cases): measure once to settle, then for real.
			 */
			if (i == 0 || c[i].site != c[i - 1].site)
				measure(fds, 2, frame, len, ns, &ratio, &vg);
			measure(fds, 2, frame, len, ns, &ratio, &vg);
			if (c[i].proto == IPPROTO_UDP && !c[i].site && f.obj) {
				int ffds[2] = { f.prog_fd, m.prog_fd };
				double fns[2];

				measure(ffds, 2, frame, len, fns, &floor_ratio, NULL);
				floor_ns = fns[0];
				floor_min_ns = fns[1];
			}
			printf("%-34s %9.1f %9.1f %7.2fx  %s%s\n", c[i].name, ns[0], ns[1], ratio,
			       verdict_name(vg), c[i].note);
			if (n == 1000000 && ratio > worst)
				worst = ratio;
			if (c[i].proto == IPPROTO_UDP && !c[i].site)
				drop_ratio_nodaemon = ratio;
			if (c[i].proto == IPPROTO_UDP && c[i].site && !c[i].maps_used)
				drop_ratio = ratio;
			if (c[i].proto == IPPROTO_UDP && c[i].maps_used && !c[i].unfiltered)
				drop_ratio_used = ratio;
			if (c[i].proto == IPPROTO_UDP && c[i].unfiltered)
				drop_ratio_unfiltered = ratio;
			if (st.n && nlines < 8) {
				int o = snprintf(lines[nlines], sizeof(lines[0]), "%-34s ",
						 c[i].name);

				breakdown(&st, &g, frame, len, lines[nlines] + o,
					  sizeof(lines[0]) - o);
				nlines++;
			}
		}
		stages_close(&st);
		bpf_object__close(f.obj);
		bpf_object__close(g.obj);
		bpf_object__close(m.obj);
	}
	printf("\nauthorized path at 1M grants: %.2fx the minimal program (goal <= 1.30x)\n", worst);
	printf("unauthenticated drop, the daemon's config: %.2fx the minimal program "
	       "(goal <= 1.50x)\n", drop_ratio);
	printf("  with MAC grants and a garden the packet misses: %.2fx; every lookup "
	       "(prefilter hit): %.2fx; no daemon (all-zero config): %.2fx\n",
	       drop_ratio_used, drop_ratio_unfiltered, drop_ratio_nodaemon);
	if (floor_ns)
		printf("  floor for a drop (minimal + g511_macs + g511_garden lookups): "
		       "%.1f ns vs %.1f, %.2fx\n", floor_ns, floor_min_ns, floor_ratio);
	if (nlines) {
		printf("\ncost breakdown, ns added by each stage (median; 'run' is BPF_PROG_RUN's\n"
		       "own cost, the empty program; a stage a path skips shows ~0):\n");
		for (int i = 0; i < nlines; i++)
			printf("  %s\n", lines[i]);
	} else {
		printf("\ncost breakdown: not measured (cut programs not built: bench/run.sh)\n");
	}
	return 0;
}
