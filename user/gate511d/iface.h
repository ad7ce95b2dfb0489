/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iface.h - the client-facing links and the XDP program on each.
 *
 * gate511d holds a reference to the program it adopted or attached, so
 * the program and its maps outlive the link: when the link is deleted and
 * a link of the same name appears (ifupdown, networkd, a VLAN or bridge
 * rebuilt), the same program (same maps, same grants) goes onto the new
 * one at once, from the rtnetlink event, normally before the link is even
 * up. A program someone else removed or replaced on a link that stayed is
 * reported (status, log), never fought.
 */
#ifndef GATE511D_IFACE_H
#define GATE511D_IFACE_H

#include <stdbool.h>

struct g511_daemon;
struct g511_iface;

struct iface_opts {
	const char *obj_path;	/* object to attach when none is attached */
	const char *pin_dir;	/* where its maps are pinned */
	const char *mode;	/* "native", "skb" or NULL (native, else skb) */
};

/*
 * Find the interface, adopt the gate511 program on it or attach obj_path,
 * and open its maps. Keeps a reference to the program (iface_close()).
 */
int iface_setup(const struct iface_opts *o, struct g511_iface *ifc, const char *name);

/* Detach our program (when it is ours on the link) and unpin the maps. */
void iface_detach(const struct iface_opts *o, struct g511_iface *ifc);

void iface_close(struct g511_iface *ifc);

/* A NETLINK_ROUTE socket that hears link events (non-blocking), or -errno. */
int linkwatch_open(void);

/*
 * Read every pending link event and act on the managed links: a link that
 * went gone, one that came back (the program goes on at once). true when a
 * link came back with the program on it: the caller re-binds the
 * responder's sockets. Takes d->lock around state changes.
 */
bool links_poll(struct g511_daemon *d, int fd);

/*
 * Once a second: what the events may have missed (a lost event, a failed
 * attach to retry), and whether the program on each present link is still
 * ours (a change is logged once). true as for links_poll().
 */
bool links_check(struct g511_daemon *d);

#endif /* GATE511D_IFACE_H */
