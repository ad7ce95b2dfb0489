/* SPDX-License-Identifier: GPL-2.0 */
/*
 * control.h - gate511d's control socket (protocol: ctl_proto.h). One
 * thread accepts; each connection gets a worker thread (at most
 * CONTROL_MAX_WORKERS at once, the rest wait in the listen backlog), which
 * checks the peer (root, or a member of control_group), reads one request,
 * calls grants.c and answers.
 */
#ifndef GATE511D_CONTROL_H
#define GATE511D_CONTROL_H

#include "daemon.h"

#define CONTROL_MAX_WORKERS	64
#define CONTROL_BACKLOG		1024
#define CONTROL_IO_TIMEOUT_S	10	/* per read/write on a connection */

/*
 * Create d->conf.ctl_path (its directory too; a stale socket is replaced,
 * a live one is -EADDRINUSE), mode 0660, group d->conf.ctl_group; start the
 * accept thread. Sets d->control. Call after grants_reconcile().
 */
int control_start(struct g511_daemon *d);
/* Stop accepting, wait for running requests, remove the socket. */
void control_stop(struct g511_daemon *d);

#endif /* GATE511D_CONTROL_H */
