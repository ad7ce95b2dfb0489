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

int listeners_start(struct g511_daemon *d);
void listeners_stop(struct g511_daemon *d);

#endif /* GATE511D_LISTENERS_H */
