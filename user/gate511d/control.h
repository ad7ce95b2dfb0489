/* SPDX-License-Identifier: GPL-2.0 */
/*
 * control.h - gate511d's control socket (protocol: ctl_proto.h). One
 * thread accepts; each connection gets a worker thread (at most
 * CONTROL_MAX_WORKERS at once, the rest wait in the listen backlog), which
 * takes the peer's role (ctl_auth.h), reads one request, checks it against
 * the role table (lib/ctl_role.h), calls grants.c and answers.
 */
#ifndef GATE511D_CONTROL_H
#define GATE511D_CONTROL_H

#include "daemon.h"

#define CONTROL_MAX_WORKERS	64
#define CONTROL_BACKLOG		1024
#define CONTROL_IO_TIMEOUT_S	10	/* per read/write on a connection */

/*
 * Make this the one daemon on d->conf.ctl_path before start-up touches
 * anything a previous instance may still hold: flock "<ctl_path>.lock"
 * (kept until control_stop(), PID inside), waiting a bounded time for a
 * daemon that is still exiting; remove a stale socket file (SIGKILL).
 * -EADDRINUSE, said in the log, when another gate511d runs there. Sets
 * d->control. Call once the config is known and after daemon(), before
 * the interfaces are set up; control_start() calls it when not done yet.
 */
int control_claim(struct g511_daemon *d);
/*
 * Create d->conf.ctl_path (its directory too; a stale socket is replaced,
 * a live one is -EADDRINUSE), its mode and group from portal_group and
 * admin_group (control.c says why; an unknown group is an error, logged);
 * start the accept thread. Claims first when control_claim() was not called. Sets
 * d->control; on failure releases the claim. Call after grants_reconcile().
 */
int control_start(struct g511_daemon *d);
/* Stop accepting, wait for running requests, remove the socket, release
 * the claim. Also after a claim alone, or nothing. */
void control_stop(struct g511_daemon *d);

#endif /* GATE511D_CONTROL_H */
