/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tc.h - the TC egress program (download counting, quotas) on each
 * client-facing link, next to its XDP program (iface.h): adopted when one
 * on our maps is attached, else loaded from the object and attached as a
 * clsact egress filter; held across a link's re-creation like the XDP one.
 */
#ifndef GATE511D_TC_H
#define GATE511D_TC_H

struct g511_iface;
struct iface_opts;

/* After the XDP program and its maps are set up on ifc. 0 or -errno. */
int tc_setup(const struct iface_opts *o, struct g511_iface *ifc);

/* A (re-created) link: adopt the one on it, else attach the held one. */
int tc_link_attach(struct g511_iface *ifc);

/* Once a second: is it still there? (logged once when it goes) */
void tc_check(struct g511_iface *ifc);

/* --detach-on-exit: remove gate511_tc (ours, on our maps) from egress. */
void tc_detach(struct g511_iface *ifc);

void tc_close(struct g511_iface *ifc);

#endif /* GATE511D_TC_H */
