/* SPDX-License-Identifier: GPL-2.0 */
/*
 * capport.h - the RFC 8908 captive-portal API (capport_listen): an HTTPS
 * listener on the client side that tells the asking client whether it is
 * captive (capport_json.h), and the datapath pass that lets an
 * unauthenticated client reach it (g511_config.capport_*, runtime.h).
 */
#ifndef GATE511D_CAPPORT_H
#define GATE511D_CAPPORT_H

#include <stddef.h>

struct g511_daemon;
struct g511_ctl_status;

#define CAPPORT_PATH	"/capport"

/* Start the listener if capport_listen is set (0 if not), then open the
 * pass to it. -errno with the reason logged. */
int capport_start(struct g511_daemon *d);
/* Close the pass, then stop the listener. Safe when not started. */
void capport_stop(struct g511_daemon *d);
/*
 * The API URI clients are given (DHCP option 114 / 103, RA option 37):
 * https://HOST[:PORT]/capport, HOST the first DNS name of the
 * certificate's subjectAltName (the name it is valid for), else the
 * listen address. "" when the listener is off. With daemon->lock held.
 */
void capport_uri(struct g511_daemon *d, char *buf, size_t len);

#endif /* GATE511D_CAPPORT_H */
