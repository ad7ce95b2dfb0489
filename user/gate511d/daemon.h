/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daemon.h - what the parts of gate511d share: the maps it writes, its
 * configuration, and the entry points each module offers main.c.
 *
 * Threads: main.c runs the control loop (sweep every second, signals); one
 * responder thread per AF_XDP socket (xsk.c); one control-socket thread
 * (control.c). Map writes and state DB writes happen only under
 * daemon->lock, so the DB and the maps never disagree for a reader holding it.
 */
#ifndef GATE511D_DAEMON_H
#define GATE511D_DAEMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include "gate511.h"
#include "conf.h"
#include "maptab.h"

#define G511_MAX_IFACES 8
#define NSEC_PER_SEC	1000000000ULL

struct g511_iface {
	char name[IF_NAMESIZE];
	int ifindex;		/* 0 while no link has the name */
	bool attached_by_us;	/* we attached it (libxdp), vs adopted */
	struct g511_maps maps;	/* the maps of the program on this iface (maptab.h) */
	/* The program, held so that it outlives the link (iface.h). */
	int prog_fd;
	__u32 prog_id;
	__u32 xdp_flags;	/* XDP_FLAGS_DRV_MODE or _SKB_MODE, as found */
	__u32 ok_prog_id;	/* a libxdp dispatcher known to hold ours */
	__u32 other_prog_id;	/* DETACHED/REPLACED: what is on the link */
	__u8 link_state;	/* enum g511_link_state (ctl_proto.h) */
	bool need_attach;	/* a new link not attached to yet: retried */
	uint64_t gone_ms;	/* CLOCK_MONOTONIC ms it went (GONE) */
	/* The TC egress program gate511_tc, held the same way (tc.h). */
	int tc_prog_fd;		/* -1: none */
	__u32 tc_prog_id;
	__u32 tc_handle;	/* where the egress filter is: handle, pref */
	__u32 tc_priority;
	bool tc_attached_by_us;
	bool tc_missing;	/* someone removed it (logged once) */
	__u8 shaping_said;	/* shaping.c: what it last logged */
};

struct g511_state;		/* state.c: the SQLite state database */
struct g511_xsk_set;		/* xsk.c: the AF_XDP sockets of all ifaces */
struct g511_control;		/* control.c: the control socket and its threads */
struct g511_revoke;		/* revoke.c: revocations not yet committed */
struct g511_capport;		/* capport.c: the RFC 8908 API */
struct g511_radius;		/* radius.c: RADIUS client, accounting, CoA */

struct g511_ctl_status;

struct g511_daemon {
	pthread_mutex_t lock;	/* serialises map + DB writes */
	struct g511_conf conf;	/* current config (conf.h) */
	const char *conf_path;
	struct g511_iface ifaces[G511_MAX_IFACES];
	int n_ifaces;
	struct g511_state *state;
	struct g511_xsk_set *xsks;
	struct g511_control *control;	/* control_start() sets it */
	struct g511_revoke *revoke;	/* revoke_start() sets it; under lock */
	struct g511_capport *capport;	/* capport_start() sets it; NULL: off */
	struct g511_radius *radius;	/* radius_init() sets it; NULL = off */
	volatile int stopping;
	bool shaping_wanted;	/* shaping.h: a grant has a download rate */
	bool shaping_scanned;	/* the maps were looked at for one */
	uint64_t started_wall;	/* wall-clock seconds at start */
	/* Fills the responder counters of a status reply (main.c sets it;
	 * NULL in tests that run without sockets). */
	void (*responder_status)(struct g511_daemon *d, struct g511_ctl_status *out);
	/* The same for the listeners (listeners.h); takes the lock itself. */
	void (*listeners_status)(struct g511_daemon *d, struct g511_ctl_status *out);
};

/* Clock helpers: BOOTTIME ns for the maps, wall-clock seconds for people. */
uint64_t g511_boot_ns(void);
uint64_t g511_wall_s(void);

/* The two clocks read at one moment, to convert between them purely
 * (grant_rec.h's clock_boot_to_wall()). */
struct clock_pair {
	uint64_t wall_s;	/* wall-clock seconds */
	uint64_t boot_ns;	/* CLOCK_BOOTTIME ns */
};

void g511_clock_now(struct clock_pair *now);

#endif /* GATE511D_DAEMON_H */
