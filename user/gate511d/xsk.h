/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xsk.h - the responder's AF_XDP sockets: one per RX queue of every
 * interface, each served by its own thread that feeds frames to the pure
 * core (responder.h) and moves descriptors, nothing else.
 */
#ifndef GATE511D_XSK_H
#define GATE511D_XSK_H

#include <stdbool.h>
#include <stdint.h>
#include "responder.h"

struct g511_daemon;

struct g511_xsk_counters {
	uint64_t rx_frames;		/* frames taken off RX rings */
	uint64_t tx_frames;		/* reply frames put on TX rings */
	uint64_t actions[G511_RESP__MAX];	/* what the core answered */
	uint64_t drops[G511_RESP_DROP__MAX];	/* why it did not */
	uint64_t tx_no_frame;		/* replies lost: no free UMEM frame */
	uint64_t tx_ring_full;		/* replies lost: TX ring full */
	uint64_t rx_dropped;		/* kernel: RX ring full / invalid */
	unsigned int sockets;
	unsigned int zerocopy;		/* sockets in zero-copy mode */
};

/*
 * Open an AF_XDP socket on every RX queue of every interface in d, put each
 * into its interface's g511_xsks at its queue index and start the threads.
 * rc must stay valid until it is replaced by xsk_set_conf() or the set is
 * stopped. busy_poll spins instead of sleeping in poll().
 */
int xsk_set_start(struct g511_daemon *d, const struct g511_resp_conf *rc, bool busy_poll);

/*
 * Swap in a new responder config (after SIGHUP); returns its generation.
 * The old one may still be read by a thread: it may be freed once
 * xsk_set_seen_gen() (the oldest generation any thread may still hold) has
 * reached the generation returned here. Threads pass that point at least
 * every 500 ms.
 */
unsigned long xsk_set_conf(struct g511_daemon *d, const struct g511_resp_conf *rc);
unsigned long xsk_set_seen_gen(struct g511_daemon *d);

/* Stop the threads and close the sockets (their XSKMAP slots empty
 * themselves: the program then drops port-80 traffic, fail closed). */
void xsk_set_stop(struct g511_daemon *d);

/* Sum of all sockets' counters. */
void xsk_set_counters(struct g511_daemon *d, struct g511_xsk_counters *sum);

#endif /* GATE511D_XSK_H */
