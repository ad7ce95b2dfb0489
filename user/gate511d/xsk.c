// SPDX-License-Identifier: GPL-2.0
/*
 * xsk.c - AF_XDP sockets and the responder threads.
 *
 * One UMEM per socket, one thread per socket. The thread only moves
 * descriptors: RX frame -> g511_resp_handle() -> TX descriptors. The pure
 * core decides everything about the reply.
 *
 * UMEM frame ownership (every frame is in exactly one place at a time):
 *
 *   free stack --refill--> fill ring --kernel--> RX ring --thread-->
 *       (a) no reply: back to the free stack at once
 *       (b) reply built in place: onto the TX ring as reply segment 0
 *   free stack --thread--> spare frames --> reply segments 1..n --> TX ring
 *   TX ring --kernel--> completion ring --thread--> free stack
 *
 * The fill ring is topped up only while more than TX_RESERVE frames stay
 * free, so a flood that fills the RX ring can never starve the replies, and
 * a reply that finds no frame or no TX slot is dropped and counted: no path
 * keeps a frame, so a flood only raises counters and service recovers.
 *
 * Restarts: the kernel unbinds an AF_XDP socket's buffer pool from its
 * queue in deferred work after the last reference is dropped, so for a
 * moment after the previous gate511d is gone (SIGTERM or SIGKILL alike),
 * bind() on its queues still fails with EBUSY. Without CAP_IPC_LOCK the
 * old UMEM's pages also stay charged to RLIMIT_MEMLOCK for that moment
 * (ENOBUFS at registration). Both are retried with a backoff, against one
 * deadline for the whole start-up, before they count as errors.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/if_xdp.h>
#include <linux/sockios.h>
#include <bpf/bpf.h>
#include <xdp/xsk.h>

#include "ctl_proto.h"
#include "daemon.h"
#include "log.h"
#include "macauth_tab.h"
#include "radius.h"
#include "xsk.h"

#define FRAME_SIZE	XSK_UMEM__DEFAULT_FRAME_SIZE	/* 4096 */
#define NUM_FRAMES	4096
#define RING_SIZE	2048
#define TX_RESERVE	512
#define RX_BATCH	64
#define MAX_SEGS	16		/* reply segments to one frame */
#define MAX_SOCKETS	(G511_MAX_IFACES * G511_MAX_QUEUES)
#define BUSY_WAIT_MS	5000		/* a previous instance's queues: budget */
#define BUSY_DELAY_MIN_MS 10		/* first backoff, doubled each time */
#define BUSY_DELAY_MAX_MS 200

struct xsk_worker {
	struct g511_xsk_set *set;
	char ifname[IF_NAMESIZE];
	__u32 queue;
	void *area;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	__u64 free_frames[NUM_FRAMES];
	__u32 n_free;
	/* Frames held ready for segments 1.. of a multi-segment reply; most
	 * replies are one segment, so these stay put across frames. */
	__u64 spare[MAX_SEGS - 1];
	unsigned int n_spare;
	__u32 tx_in_flight;
	bool zerocopy;
	pthread_t thread;
	bool thread_started;
	/* the set's conf_gen this thread last saw at the top of its loop:
	 * it holds no pointer to an older responder config */
	_Atomic unsigned long seen_gen;
	pthread_mutex_t cnt_lock;	/* guards cnt for readers */
	struct g511_xsk_counters cnt;
};

struct g511_xsk_set {
	struct xsk_worker *workers[MAX_SOCKETS];
	unsigned int n;
	const struct g511_resp_conf *_Atomic rc;
	struct g511_resp_key key;
	bool busy_poll;
	volatile bool stopping;
	int stop_fd;			/* eventfd, readable once stopping: wakes poll() */
	_Atomic unsigned long conf_gen;	/* bumped after every rc swap */
	uint64_t busy_since_ms;		/* first busy queue at start-up, 0: none */
	struct g511_radius *radius;	/* MAC auth is on: redirected MACs go there */
};

static uint64_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* ts= of the signed portal link: wall-clock, read once per batch. */
static uint64_t wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec > 0 ? (uint64_t)ts.tv_sec : 0;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What keeps a queue busy across a restart (see the top of the file). */
static bool busy_err(int err)
{
	return err == -EBUSY || err == -ENOBUFS;
}

/*
 * Wait before the next try at a busy queue: *delay_ms, doubled for the
 * next time, never past the start-up's deadline. false when the budget is
 * spent. The first wait of a start-up says why, once for all queues.
 */
static bool busy_wait(struct g511_xsk_set *set, const struct xsk_worker *w, int err,
		      unsigned int *delay_ms)
{
	uint64_t now = mono_ms(), end;
	unsigned int delay;

	if (!set->busy_since_ms) {
		set->busy_since_ms = now;
		if (err == -EBUSY)
			log_info("%s: queue %u still bound by the previous instance; "
				 "retrying for up to %d s", w->ifname, w->queue,
				 BUSY_WAIT_MS / 1000);
		else
			log_info("%s: queue %u: the previous instance's UMEM is still "
				 "charged to RLIMIT_MEMLOCK; retrying for up to %d s",
				 w->ifname, w->queue, BUSY_WAIT_MS / 1000);
	}
	end = set->busy_since_ms + BUSY_WAIT_MS;
	if (now >= end)
		return false;
	delay = *delay_ms;
	if (delay > end - now)
		delay = end - now;
	poll(NULL, 0, delay);
	*delay_ms = *delay_ms * 2 > BUSY_DELAY_MAX_MS ? BUSY_DELAY_MAX_MS : *delay_ms * 2;
	return true;
}

/* RX queues of ifname, as the driver reports its channels; 1 if unknown. */
static unsigned int rx_queue_count(const char *ifname)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr = {};
	unsigned int n = 1;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1;
	strncpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name) - 1);
	ifr.ifr_data = (void *)&ch;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0) {
		n = ch.rx_count > ch.combined_count ? ch.rx_count : ch.combined_count;
		if (n == 0)
			n = 1;
	}
	close(fd);
	return n > G511_MAX_QUEUES ? G511_MAX_QUEUES : n;
}

static void complete_tx(struct xsk_worker *w)
{
	__u32 idx, n;

	if (!w->tx_in_flight)
		return;
	n = xsk_ring_cons__peek(&w->comp, RING_SIZE, &idx);
	for (__u32 i = 0; i < n; i++) {
		__u64 addr = *xsk_ring_cons__comp_addr(&w->comp, idx + i);

		w->free_frames[w->n_free++] = addr - addr % FRAME_SIZE;
	}
	xsk_ring_cons__release(&w->comp, n);
	w->tx_in_flight -= n;
}

static void refill(struct xsk_worker *w)
{
	__u32 want, idx, n;

	if (w->n_free <= TX_RESERVE)
		return;
	want = w->n_free - TX_RESERVE;
	n = xsk_prod_nb_free(&w->fill, want);
	if (n > want)
		n = want;
	if (!n || xsk_ring_prod__reserve(&w->fill, n, &idx) != n)
		return;
	for (__u32 i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&w->fill, idx + i) = w->free_frames[--w->n_free];
	xsk_ring_prod__submit(&w->fill, n);
}

static void kick_tx(struct xsk_worker *w)
{
	if (!xsk_ring_prod__needs_wakeup(&w->tx))
		return;
	/* EAGAIN/EBUSY: the kernel is still sending; the next kick will do. */
	sendto(xsk_socket__fd(w->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0);
}

struct tx_desc {
	__u64 addr;
	__u32 len;
};

/*
 * Handle one RX frame: its replies are appended to txq (segment 0 built in
 * place in the RX frame, the rest in frames from the free stack). Frames
 * not used go straight back to the free stack.
 */
static void handle_frame(struct xsk_worker *w, const struct g511_resp_conf *rc,
			 uint64_t now, uint64_t wall, const struct xdp_desc *d, struct tx_desc *txq,
			 unsigned int *ntx, struct g511_xsk_counters *c)
{
	__u64 base = xsk_umem__extract_addr(d->addr);
	__u64 off = base % FRAME_SIZE;
	uint8_t *frame = xsk_umem__get_data(w->area, base);
	uint8_t *bufs[MAX_SEGS];
	size_t lens[MAX_SEGS];
	__u64 addrs[MAX_SEGS];
	unsigned int nbuf = 1, used;
	uint8_t src_mac[6];
	struct g511_addr src_ip;
	bool src_ok = false, src_has_ip = false;
	struct g511_resp_out out = {
		.buf_size = FRAME_SIZE - off,
		.bufs = bufs,
		.lens = lens,
	};

	base -= off;
	bufs[0] = frame;		/* in place: the core reads before writing */
	addrs[0] = base + off;
	/* Spare frames for a multi-segment page, topped up only when a
	 * previous reply used some: no per-frame churn of the free stack. */
	while (w->n_spare < MAX_SEGS - 1 && w->n_free > 0)
		w->spare[w->n_spare++] = w->free_frames[--w->n_free];
	for (unsigned int i = 0; i < w->n_spare; i++) {
		addrs[nbuf] = w->spare[w->n_spare - 1 - i];
		bufs[nbuf] = xsk_umem__get_data(w->area, addrs[nbuf]);
		nbuf++;
	}
	out.max = nbuf;
	/* the sender, for MAC auth: before the reply overwrites the frame */
	if (w->set->radius)
		src_ok = macauth_frame_src(frame, d->len, src_mac, &src_ip, &src_has_ip);

	g511_resp_handle(rc, &w->set->key, now, wall, frame, d->len, &out);
	if (src_ok && (out.action == G511_RESP_HTTP || out.action == G511_RESP_PROBE_302))
		radius_mac_seen(w->set->radius, src_mac, src_has_ip ? &src_ip : NULL);
	c->actions[out.action < G511_RESP__MAX ? out.action : 0]++;
	if (out.reason > 0 && out.reason < G511_RESP_DROP__MAX)
		c->drops[out.reason]++;
	if (out.reason == G511_RESP_DROP_NO_ROOM)
		c->tx_no_frame++;

	for (unsigned int i = 0; i < out.n; i++) {
		txq[*ntx].addr = addrs[i];
		txq[*ntx].len = lens[i];
		(*ntx)++;
	}
	/* Segments 1.. came off the top of the spare stack; an unused RX
	 * frame goes back to the free stack. */
	used = out.n > 1 ? out.n - 1 : 0;
	w->n_spare -= used;
	if (out.n == 0)
		w->free_frames[w->n_free++] = base;
}

static void flush_tx(struct xsk_worker *w, struct tx_desc *txq, unsigned int ntx,
		     struct g511_xsk_counters *c)
{
	__u32 idx;

	if (!ntx)
		return;
	if (xsk_ring_prod__reserve(&w->tx, ntx, &idx) != ntx) {
		/* Ring full: these replies are lost; the client retransmits. */
		for (unsigned int i = 0; i < ntx; i++)
			w->free_frames[w->n_free++] = txq[i].addr - txq[i].addr % FRAME_SIZE;
		c->tx_ring_full += ntx;
		kick_tx(w);
		return;
	}
	for (unsigned int i = 0; i < ntx; i++) {
		struct xdp_desc *d = xsk_ring_prod__tx_desc(&w->tx, idx + i);

		d->addr = txq[i].addr;
		d->len = txq[i].len;
		d->options = 0;
	}
	xsk_ring_prod__submit(&w->tx, ntx);
	w->tx_in_flight += ntx;
	c->tx_frames += ntx;
	kick_tx(w);
}

static void fold_counters(struct xsk_worker *w, struct g511_xsk_counters *c)
{
	pthread_mutex_lock(&w->cnt_lock);
	w->cnt.rx_frames += c->rx_frames;
	w->cnt.tx_frames += c->tx_frames;
	w->cnt.tx_no_frame += c->tx_no_frame;
	w->cnt.tx_ring_full += c->tx_ring_full;
	for (int i = 0; i < G511_RESP__MAX; i++)
		w->cnt.actions[i] += c->actions[i];
	for (int i = 0; i < G511_RESP_DROP__MAX; i++)
		w->cnt.drops[i] += c->drops[i];
	pthread_mutex_unlock(&w->cnt_lock);
	memset(c, 0, sizeof(*c));
}

static void *worker_main(void *arg)
{
	struct xsk_worker *w = arg;
	struct g511_xsk_set *set = w->set;
	struct pollfd pfd[2] = {
		{ .fd = xsk_socket__fd(w->xsk), .events = POLLIN },
		{ .fd = set->stop_fd, .events = POLLIN },
	};
	static __thread struct tx_desc txq[RX_BATCH * MAX_SEGS];
	struct g511_xsk_counters c = {};

	while (!set->stopping) {
		w->seen_gen = set->conf_gen;
		const struct g511_resp_conf *rc;
		unsigned int ntx = 0;
		__u32 idx, n;
		uint64_t now, wall;

		complete_tx(w);
		refill(w);
		n = xsk_ring_cons__peek(&w->rx, RX_BATCH, &idx);
		if (!n) {
			fold_counters(w, &c);
			if (set->busy_poll) {
				if (xsk_ring_prod__needs_wakeup(&w->fill))
					recvfrom(pfd[0].fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
				continue;
			}
			/* Sleep until frames arrive or the set stops; wake now
			 * and then to see completions. */
			poll(pfd, 2, w->tx_in_flight ? 10 : 500);
			continue;
		}
		rc = set->rc;
		now = mono_s();
		wall = rc->sign ? wall_s() : 0;
		for (__u32 i = 0; i < n; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&w->rx, idx + i);

			handle_frame(w, rc, now, wall, d, txq, &ntx, &c);
		}
		xsk_ring_cons__release(&w->rx, n);
		c.rx_frames += n;
		flush_tx(w, txq, ntx, &c);
		if (c.rx_frames >= 4096)
			fold_counters(w, &c);
	}
	fold_counters(w, &c);
	return NULL;
}

static void worker_free(struct xsk_worker *w)
{
	if (!w)
		return;
	if (w->xsk)
		xsk_socket__delete(w->xsk);
	if (w->umem)
		xsk_umem__delete(w->umem);
	if (w->area)
		munmap(w->area, (size_t)NUM_FRAMES * FRAME_SIZE);
	pthread_mutex_destroy(&w->cnt_lock);
	free(w);
}

/*
 * Create w's socket and bind it to its queue: zero-copy where the driver
 * has it, copy mode otherwise (veth). The kernel refuses a bound queue with
 * EBUSY before it looks at zero-copy support, so a zero-copy EBUSY is not
 * taken for "no zero-copy": copy mode is tried at once (a driver may say
 * EBUSY about zero-copy for reasons of its own), and when copy mode is busy
 * too the queue is still bound: both are tried again after a backoff.
 * Any other zero-copy error means copy mode from then on.
 */
static int socket_bind(struct xsk_worker *w, const struct g511_iface *ifc)
{
	struct xsk_socket_config scfg = {
		.rx_size = RING_SIZE,
		.tx_size = RING_SIZE,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
	};
	unsigned int delay = BUSY_DELAY_MIN_MS;
	bool try_zc = true;
	int err;

	for (;;) {
		/* A failed create leaves the UMEM as it was: reuse it. */
		if (try_zc) {
			scfg.bind_flags = XDP_USE_NEED_WAKEUP | XDP_ZEROCOPY;
			err = xsk_socket__create(&w->xsk, ifc->name, w->queue, w->umem,
						 &w->rx, &w->tx, &scfg);
			if (!err) {
				w->zerocopy = true;
				return 0;
			}
			w->xsk = NULL;
			if (err != -EBUSY)
				try_zc = false;
		}
		scfg.bind_flags = XDP_USE_NEED_WAKEUP | XDP_COPY;
		err = xsk_socket__create(&w->xsk, ifc->name, w->queue, w->umem, &w->rx, &w->tx,
					 &scfg);
		if (!err)
			return 0;
		w->xsk = NULL;
		if (err != -EBUSY || !busy_wait(w->set, w, err, &delay))
			return err;
	}
}

static int worker_open(struct g511_xsk_set *set, const struct g511_iface *ifc, __u32 queue,
		       struct xsk_worker **out)
{
	struct xsk_umem_config ucfg = {
		.fill_size = RING_SIZE,
		.comp_size = RING_SIZE,
		.frame_size = FRAME_SIZE,
		.frame_headroom = 0,
	};
	unsigned int delay = BUSY_DELAY_MIN_MS;
	struct xsk_worker *w;
	int err;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	pthread_mutex_init(&w->cnt_lock, NULL);
	w->set = set;
	w->queue = queue;
	snprintf(w->ifname, sizeof(w->ifname), "%s", ifc->name);
	w->area = mmap(NULL, (size_t)NUM_FRAMES * FRAME_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (w->area == MAP_FAILED) {
		w->area = NULL;
		err = -errno;
		goto fail;
	}
	do {
		err = xsk_umem__create(&w->umem, w->area, (__u64)NUM_FRAMES * FRAME_SIZE,
				       &w->fill, &w->comp, &ucfg);
		if (err)
			w->umem = NULL;
	} while (err == -ENOBUFS && busy_wait(set, w, err, &delay));
	if (err)
		goto fail;
	err = socket_bind(w, ifc);
	if (err)
		goto fail;
	for (__u32 i = 0; i < NUM_FRAMES; i++)
		w->free_frames[w->n_free++] = (__u64)i * FRAME_SIZE;
	refill(w);
	err = xsk_socket__update_xskmap(w->xsk, ifc->maps.fd[G511_MAP_ID_XSKS]);
	if (err)
		goto fail;
	*out = w;
	return 0;
fail:
	if (busy_err(err) && set->busy_since_ms)
		log_warnx("cannot open AF_XDP socket on %s queue %u: %s, still after %d s "
			  "(another gate511d or AF_XDP program holds it?)", ifc->name, queue,
			  strerror(-err), BUSY_WAIT_MS / 1000);
	else
		log_warnx("cannot open AF_XDP socket on %s queue %u: %s", ifc->name, queue,
			  strerror(-err));
	worker_free(w);
	return err;
}

int xsk_set_start(struct g511_daemon *d, const struct g511_resp_conf *rc, bool busy_poll)
{
	struct g511_xsk_set *set;
	int err = 0;

	set = calloc(1, sizeof(*set));
	if (!set)
		return -ENOMEM;
	set->rc = rc;
	set->busy_poll = busy_poll;
	set->radius = d->radius && d->radius->macauth ? d->radius : NULL;
	set->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (set->stop_fd < 0) {
		err = -errno;
		free(set);
		return err;
	}
	/* The per-start cookie secret: a restart invalidates old cookies,
	 * which only costs a client in mid-handshake one retransmission. */
	if (getentropy(set->key.k, sizeof(set->key.k)) != 0) {
		err = -errno;
		close(set->stop_fd);
		free(set);
		return err;
	}
	d->xsks = set;

	for (int i = 0; i < d->n_ifaces; i++) {
		const struct g511_iface *ifc = &d->ifaces[i];
		unsigned int nq;

		if (!ifc->ifindex || ifc->link_state != G511_LINK_ENFORCING)
			continue;	/* gone, or not ours: nothing to answer for */
		nq = rx_queue_count(ifc->name);

		for (__u32 q = 0; q < nq; q++) {
			struct xsk_worker *w = NULL;

			if (set->n == MAX_SOCKETS) {
				err = -E2BIG;
				goto fail;
			}
			err = worker_open(set, ifc, q, &w);
			if (err)
				goto fail;
			set->workers[set->n++] = w;
		}
		log_info("%s: responder on %u RX queue%s", ifc->name, nq, nq == 1 ? "" : "s");
	}
	if (set->busy_since_ms)
		log_info("the previous instance's queues were free after %llu ms",
			 (unsigned long long)(mono_ms() - set->busy_since_ms));
	for (unsigned int i = 0; i < set->n; i++) {
		struct xsk_worker *w = set->workers[i];

		err = -pthread_create(&w->thread, NULL, worker_main, w);
		if (err) {
			log_warnx("cannot start responder thread: %s", strerror(-err));
			goto fail;
		}
		w->thread_started = true;
	}
	return 0;
fail:
	xsk_set_stop(d);
	return err;
}

unsigned long xsk_set_conf(struct g511_daemon *d, const struct g511_resp_conf *rc)
{
	struct g511_xsk_set *set = d->xsks;

	if (!set)
		return 0;
	set->rc = rc;
	return ++set->conf_gen;
}

unsigned long xsk_set_seen_gen(struct g511_daemon *d)
{
	struct g511_xsk_set *set = d->xsks;
	unsigned long min;

	if (!set)
		return ~0UL;
	min = set->conf_gen;
	for (unsigned int i = 0; i < set->n; i++)
		if (set->workers[i]->thread_started && set->workers[i]->seen_gen < min)
			min = set->workers[i]->seen_gen;
	return min;
}

void xsk_set_stop(struct g511_daemon *d)
{
	struct g511_xsk_set *set = d->xsks;

	if (!set)
		return;
	set->stopping = true;
	if (eventfd_write(set->stop_fd, 1))
		log_warn("responder: cannot wake the threads (they see the stop within 500 ms)");
	for (unsigned int i = 0; i < set->n; i++)
		if (set->workers[i]->thread_started)
			pthread_join(set->workers[i]->thread, NULL);
	for (unsigned int i = 0; i < set->n; i++)
		worker_free(set->workers[i]);
	close(set->stop_fd);
	free(set);
	d->xsks = NULL;
}

void xsk_set_counters(struct g511_daemon *d, struct g511_xsk_counters *sum)
{
	struct g511_xsk_set *set = d->xsks;

	memset(sum, 0, sizeof(*sum));
	if (!set)
		return;
	for (unsigned int i = 0; i < set->n; i++) {
		struct xsk_worker *w = set->workers[i];
		struct xdp_statistics st = {};
		socklen_t len = sizeof(st);

		pthread_mutex_lock(&w->cnt_lock);
		sum->rx_frames += w->cnt.rx_frames;
		sum->tx_frames += w->cnt.tx_frames;
		sum->tx_no_frame += w->cnt.tx_no_frame;
		sum->tx_ring_full += w->cnt.tx_ring_full;
		for (int j = 0; j < G511_RESP__MAX; j++)
			sum->actions[j] += w->cnt.actions[j];
		for (int j = 0; j < G511_RESP_DROP__MAX; j++)
			sum->drops[j] += w->cnt.drops[j];
		pthread_mutex_unlock(&w->cnt_lock);
		if (getsockopt(xsk_socket__fd(w->xsk), SOL_XDP, XDP_STATISTICS, &st, &len) == 0)
			sum->rx_dropped += st.rx_dropped + st.rx_ring_full + st.rx_invalid_descs;
		sum->sockets++;
		sum->zerocopy += w->zerocopy;
	}
}
