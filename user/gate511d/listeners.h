/* SPDX-License-Identifier: GPL-2.0 */
/*
 * listeners.h - the network-facing listeners the config asks for (the RFC
 * 8908 API, the portal API, the metrics; httpd.h), started after the
 * control socket, once the maps are true, and stopped before it. Each is
 * off unless its *_listen key is set; one that cannot start stops the
 * daemon's start-up with the reason (a portal that cannot reach its API
 * must be told at once, not find out at login time).
 */
#ifndef GATE511D_LISTENERS_H
#define GATE511D_LISTENERS_H

struct g511_daemon;
struct g511_ctl_status;

int listeners_start(struct g511_daemon *d);
void listeners_stop(struct g511_daemon *d);
/* The listeners and the RFC 8908 URI of a status reply (takes daemon->lock). */
void listeners_status(struct g511_daemon *d, struct g511_ctl_status *out);

#endif /* GATE511D_LISTENERS_H */
