// SPDX-License-Identifier: GPL-2.0
/*
 * iface.c - the client-facing links (iface.h): adopting or attaching the
 * program, holding it across a link's deletion and re-creation, and
 * watching the links over rtnetlink.
 *
 * Why the program is held rather than loaded again: loading the object
 * means the verifier, tens of milliseconds in which a new link forwards
 * unchecked; attaching a loaded program is one netlink request, done from
 * the RTM_NEWLINK event, before ifupdown or networkd have brought the link
 * up. Its maps are the ones the grants are in, so nothing is restored.
 *
 * The XDP attach itself sends no link event, so whether the program on a
 * present link is still ours is checked once a second (links_check()):
 * none there is DETACHED, another one REPLACED. A gate511 program on the
 * same maps (an admin's `ip link set ... xdp obj` of a new build) is
 * adopted; anything else is reported, not fought.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "ctl_proto.h"
#include "daemon.h"
#include "iface.h"
#include "log.h"
#include "maptab.h"
#include "shaping.h"
#include "tc.h"

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The gate511 program in a libxdp multiprog (or legacy attach), or NULL. */
static struct xdp_program *find_ours(struct xdp_multiprog *mp)
{
	struct xdp_program *prog = NULL;

	if (xdp_multiprog__is_legacy(mp)) {
		prog = xdp_multiprog__main_prog(mp);
		return prog && !strcmp(xdp_program__name(prog), G511_PROG_NAME) ? prog : NULL;
	}
	while ((prog = xdp_multiprog__next_prog(prog, mp)))
		if (!strcmp(xdp_program__name(prog), G511_PROG_NAME))
			return prog;
	return NULL;
}

/* A new fd of the gate511 program attached to ifindex, or -ENOENT. */
static int find_attached(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *prog;
	int fd = -ENOENT;

	if (libxdp_get_error(mp))
		return -ENOENT;
	prog = find_ours(mp);
	if (prog) {
		fd = dup(xdp_program__fd(prog));
		if (fd < 0)
			fd = -errno;
	}
	xdp_multiprog__close(mp);
	return fd;
}

static int attach_obj(const struct iface_opts *o, struct g511_iface *ifc)
{
	DECLARE_LIBBPF_OPTS(bpf_object_open_opts, oopts, .pin_root_path = o->pin_dir);
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xopts, .open_filename = o->obj_path,
			    .prog_name = G511_PROG_NAME, .opts = &oopts);
	struct xdp_program *prog;
	int err, fd;

	prog = xdp_program__create(&xopts);
	err = libxdp_get_error(prog);
	if (err) {
		log_warnx("cannot open %s: %s", o->obj_path, strerror(-err));
		return err;
	}
	err = -EINVAL;
	if (!o->mode || !strcmp(o->mode, "native"))
		err = xdp_program__attach(prog, ifc->ifindex, XDP_MODE_NATIVE, 0);
	if (err && !(o->mode && !strcmp(o->mode, "native")))
		err = xdp_program__attach(prog, ifc->ifindex, XDP_MODE_SKB, 0);
	if (err) {
		log_warnx("cannot attach %s to %s: %s", o->obj_path, ifc->name, strerror(-err));
		xdp_program__close(prog);
		return err;
	}
	fd = dup(xdp_program__fd(prog));
	xdp_program__close(prog);
	ifc->attached_by_us = true;
	log_info("%s: attached %s (maps pinned in %s)", ifc->name, o->obj_path, o->pin_dir);
	return fd < 0 ? -errno : fd;
}

static __u32 prog_id_of(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* What is attached to ifindex: the id (0: nothing) and its mode flag. */
static __u32 attached_id(int ifindex, __u32 *flags)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	*flags = 0;
	if (bpf_xdp_query(ifindex, 0, &q))
		return 0;
	if (q.drv_prog_id) {
		*flags = XDP_FLAGS_DRV_MODE;
		return q.drv_prog_id;
	}
	if (q.skb_prog_id) {
		*flags = XDP_FLAGS_SKB_MODE;
		return q.skb_prog_id;
	}
	if (q.hw_prog_id) {
		*flags = XDP_FLAGS_HW_MODE;
		return q.hw_prog_id;
	}
	return q.prog_id;
}

int iface_setup(const struct iface_opts *o, struct g511_iface *ifc, const char *name)
{
	char why[256];
	int prog_fd, err;

	snprintf(ifc->name, sizeof(ifc->name), "%s", name);
	g511_maps_init(&ifc->maps);
	ifc->prog_fd = -1;
	ifc->tc_prog_fd = -1;
	ifc->ifindex = if_nametoindex(name);
	if (!ifc->ifindex) {
		err = -errno;
		log_warnx("interface %s: %s", name, strerror(errno));
		return err;
	}
	prog_fd = find_attached(ifc->ifindex);
	if (prog_fd >= 0)
		log_info("%s: adopting the attached %s", name, G511_PROG_NAME);
	else
		prog_fd = attach_obj(o, ifc);
	if (prog_fd < 0)
		return prog_fd;
	ifc->prog_fd = prog_fd;
	ifc->prog_id = prog_id_of(prog_fd);
	if (attached_id(ifc->ifindex, &ifc->xdp_flags) != ifc->prog_id)
		ifc->ok_prog_id = attached_id(ifc->ifindex, &ifc->xdp_flags);	/* dispatcher */
	ifc->link_state = G511_LINK_ENFORCING;
	/*
	 * The garden-by-name maps are optional: an older object has none,
	 * and g511_gnames is the TC program's alone (taken below).
	 */
	err = g511_maps_from_prog(prog_fd, &ifc->maps, G511_MAPS_ALL & ~G511_MAPS_GNAME);
	if (!err)
		g511_maps_from_prog(prog_fd, &ifc->maps, G511_MAPS_GNAME);
	if (err) {
		log_warnx("%s: the attached program lacks the gate511 maps: %s", name,
			  strerror(-err));
		return err;
	}
	err = g511_maps_check(&ifc->maps, why, sizeof(why));
	if (err) {
		log_warnx("%s: %s", name, why);
		return err;
	}
	/*
	 * The download direction. Without it uploads are still enforced
	 * (and quotas on what XDP counts), so a failure is loud, not fatal:
	 * an object older than the daemon has no gate511_tc.
	 */
	if (tc_setup(o, ifc))
		log_warnx("%s: no TC egress program: downloads are not counted, quotas count "
			  "uploads only", name);
	else
		g511_maps_from_prog(ifc->tc_prog_fd, &ifc->maps, G511_MAPS_GNAME);
	err = g511_maps_check(&ifc->maps, why, sizeof(why));
	if (err) {
		log_warnx("%s: %s", name, why);
		return err;
	}
	if (ifc->maps.fd[G511_MAP_ID_GARDEN_NAMES] < 0)
		log_warnx("%s: no %s map: the garden by name is off", name,
			  G511_MAP_GARDEN_NAMES);
	return 0;
}

void iface_detach(const struct iface_opts *o, struct g511_iface *ifc)
{
	struct xdp_multiprog *mp;
	struct xdp_program *prog;
	char path[512];

	tc_detach(ifc);
	shaping_detach(ifc);
	mp = ifc->ifindex ? xdp_multiprog__get_from_ifindex(ifc->ifindex) : NULL;
	if (mp && !libxdp_get_error(mp)) {
		prog = find_ours(mp);
		/* only ours: a program someone put there instead stays */
		if (prog && xdp_program__id(prog) == ifc->prog_id) {
			int err = xdp_program__detach(prog, ifc->ifindex,
						      xdp_multiprog__attach_mode(mp), 0);
			if (err)
				log_warnx("%s: cannot detach: %s", ifc->name, strerror(-err));
			else
				log_info("%s: detached", ifc->name);
		}
		xdp_multiprog__close(mp);
	}
	for (int i = 0; i < G511_MAP_ID__MAX; i++) {
		snprintf(path, sizeof(path), "%s/%s", o->pin_dir, g511_map_table[i].name);
		unlink(path);
	}
}

void iface_close(struct g511_iface *ifc)
{
	g511_maps_close(&ifc->maps);
	tc_close(ifc);
	if (ifc->prog_fd >= 0)
		close(ifc->prog_fd);
	ifc->prog_fd = -1;
}

/* ---- watching the links ---- */

int linkwatch_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int rcvbuf = 1 << 20;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	/* a burst of events (a bridge of 500 ports rebuilt) must not overrun
	 * us; if it does, links_check() finds what we missed */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static const char *mode_name(__u32 flags)
{
	return flags == XDP_FLAGS_SKB_MODE ? "skb" : flags == XDP_FLAGS_HW_MODE ? "hw" : "native";
}

static void set_state(struct g511_daemon *d, struct g511_iface *ifc, __u8 state, __u32 other)
{
	pthread_mutex_lock(&d->lock);
	ifc->link_state = state;
	ifc->other_prog_id = other;
	pthread_mutex_unlock(&d->lock);
}

static void link_gone(struct g511_daemon *d, struct g511_iface *ifc, const char *how)
{
	log_warnx("%s %s: enforcement resumes when a link of that name comes back", ifc->name,
		  how);
	pthread_mutex_lock(&d->lock);
	ifc->ifindex = 0;
	ifc->need_attach = false;
	ifc->gone_ms = mono_ms();
	pthread_mutex_unlock(&d->lock);
	set_state(d, ifc, G511_LINK_GONE, 0);
}

/*
 * Is the program on the link a gate511 program on our maps? Then it is
 * adopted (its fd replaces ours) and true. Used when a link comes back
 * with a program on it already, and when the one on a link changed.
 */
static bool adopt_if_ours(struct g511_iface *ifc, __u32 id, __u32 flags)
{
	struct g511_maps m;
	bool same;
	int fd;

	fd = find_attached(ifc->ifindex);
	if (fd < 0)
		return false;
	g511_maps_init(&m);
	same = !g511_maps_from_prog(fd, &m, 1u << G511_MAP_ID_CLIENTS) &&
	       m.id[G511_MAP_ID_CLIENTS] == ifc->maps.id[G511_MAP_ID_CLIENTS];
	g511_maps_close(&m);
	if (!same) {
		close(fd);
		return false;
	}
	close(ifc->prog_fd);
	ifc->prog_fd = fd;
	ifc->prog_id = prog_id_of(fd);
	ifc->ok_prog_id = id != ifc->prog_id ? id : 0;
	ifc->xdp_flags = flags;
	return true;
}

/* Put our program on the (new) link. true when it is on. */
static bool link_attach(struct g511_daemon *d, struct g511_iface *ifc)
{
	__u32 flags, id = attached_id(ifc->ifindex, &flags);
	uint64_t t0 = mono_ms();
	int err;

	if (id) {
		if (id == ifc->prog_id || id == ifc->ok_prog_id || adopt_if_ours(ifc, id, flags)) {
			ifc->need_attach = false;
			tc_link_attach(ifc);
			set_state(d, ifc, G511_LINK_ENFORCING, 0);
			log_info("%s: back, with a gate511 program on our maps already (id %u)",
				 ifc->name, ifc->prog_id);
			return true;
		}
		ifc->need_attach = false;
		log_warnx("%s: back, but with another XDP program (id %u) on it: not enforcing; "
			  "detach it to let gate511d attach", ifc->name, id);
		set_state(d, ifc, G511_LINK_REPLACED, id);
		return false;
	}
	err = bpf_xdp_attach(ifc->ifindex, ifc->prog_fd,
			     XDP_FLAGS_UPDATE_IF_NOEXIST | ifc->xdp_flags, NULL);
	if (err && ifc->xdp_flags == XDP_FLAGS_DRV_MODE) {
		/* a new link of another kind: the generic hook always works */
		err = bpf_xdp_attach(ifc->ifindex, ifc->prog_fd,
				     XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_SKB_MODE, NULL);
		if (!err) {
			log_warnx("%s: native XDP refused on the new link: attached in skb mode",
				  ifc->name);
			ifc->xdp_flags = XDP_FLAGS_SKB_MODE;
		}
	}
	if (err) {
		if (!ifc->need_attach)
			log_warnx("%s: cannot attach the program to the new link: %s (retrying)",
				  ifc->name, strerror(-err));
		ifc->need_attach = true;
		set_state(d, ifc, G511_LINK_UNATTACHED, 0);
		return false;
	}
	ifc->need_attach = false;
	ifc->ok_prog_id = 0;
	if (ifc->tc_prog_fd >= 0 && !tc_link_attach(ifc))
		log_info("%s: %s re-attached on egress", ifc->name, G511_TC_PROG_NAME);
	set_state(d, ifc, G511_LINK_ENFORCING, 0);
	log_info("%s: back (ifindex %d) after %llu ms: program %u re-attached in %s mode in "
		 "%llu ms, same maps", ifc->name, ifc->ifindex,
		 (unsigned long long)(t0 - ifc->gone_ms), ifc->prog_id, mode_name(ifc->xdp_flags),
		 (unsigned long long)(mono_ms() - t0));
	return true;
}

/* A link named ifc->name now has ifindex (maybe a new one). */
static bool link_seen(struct g511_daemon *d, struct g511_iface *ifc, int ifindex)
{
	if (ifc->ifindex == ifindex)
		return false;
	if (ifc->ifindex)	/* ours was renamed, and another took the name */
		link_gone(d, ifc, "was renamed");
	pthread_mutex_lock(&d->lock);
	ifc->ifindex = ifindex;
	pthread_mutex_unlock(&d->lock);
	return link_attach(d, ifc);
}

static struct g511_iface *iface_by_name(struct g511_daemon *d, const char *name)
{
	for (int i = 0; i < d->n_ifaces; i++)
		if (!strcmp(d->ifaces[i].name, name))
			return &d->ifaces[i];
	return NULL;
}

static struct g511_iface *iface_by_index(struct g511_daemon *d, int ifindex)
{
	for (int i = 0; i < d->n_ifaces; i++)
		if (d->ifaces[i].ifindex && d->ifaces[i].ifindex == ifindex)
			return &d->ifaces[i];
	return NULL;
}

static bool link_msg(struct g511_daemon *d, const struct nlmsghdr *nh)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	char name[IF_NAMESIZE] = "";
	struct g511_iface *ifc;

	if (len < 0)
		return false;
	for (const struct rtattr *rta = IFLA_RTA(ifi); RTA_OK(rta, len);
	     rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFLA_IFNAME) {
			size_t n = RTA_PAYLOAD(rta);

			if (n > sizeof(name))
				n = sizeof(name);
			memcpy(name, RTA_DATA(rta), n);
			name[sizeof(name) - 1] = '\0';
		}
	}
	ifc = iface_by_index(d, ifi->ifi_index);
	if (nh->nlmsg_type == RTM_DELLINK) {
		if (ifc)
			link_gone(d, ifc, "was deleted");
		return false;
	}
	if (ifc && name[0] && strcmp(name, ifc->name)) {
		link_gone(d, ifc, "was renamed");
		ifc = NULL;
	}
	if (!ifc && name[0] && (ifc = iface_by_name(d, name)))
		return link_seen(d, ifc, ifi->ifi_index);
	return false;
}

bool links_poll(struct g511_daemon *d, int fd)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	bool back = false;

	for (int rounds = 0; rounds < 256; rounds++) {
		ssize_t got = recv(fd, buf, sizeof(buf), 0);
		int n = (int)got;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				log_warnx("link events overran the socket: rescanning");
				return links_check(d) || back;
			}
			break;	/* EAGAIN: drained */
		}
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == RTM_NEWLINK || nh->nlmsg_type == RTM_DELLINK)
				back |= link_msg(d, nh);
		}
	}
	return back;
}

/* The program on a present link: still ours? Log each change once. */
static void check_prog(struct g511_daemon *d, struct g511_iface *ifc)
{
	__u32 flags, id = attached_id(ifc->ifindex, &flags);

	if (id && (id == ifc->prog_id || id == ifc->ok_prog_id)) {
		if (ifc->link_state != G511_LINK_ENFORCING) {
			log_info("%s: our program is back on the link", ifc->name);
			set_state(d, ifc, G511_LINK_ENFORCING, 0);
		}
		return;
	}
	if (id && adopt_if_ours(ifc, id, flags)) {
		log_info("%s: the program was replaced by a gate511 program on the same maps "
			 "(id %u): adopted", ifc->name, ifc->prog_id);
		set_state(d, ifc, G511_LINK_ENFORCING, 0);
		return;
	}
	if (ifc->link_state != G511_LINK_ENFORCING && ifc->other_prog_id == id)
		return;		/* said already */
	if (id)
		log_warnx("%s: another XDP program (id %u) replaced gate511's: clients on this "
			  "link are not enforced", ifc->name, id);
	else
		log_warnx("%s: the gate511 program was detached by someone: clients on this "
			  "link are not enforced (gate511d does not re-attach it)", ifc->name);
	set_state(d, ifc, id ? G511_LINK_REPLACED : G511_LINK_DETACHED, id);
}

bool links_check(struct g511_daemon *d)
{
	bool back = false;

	for (int i = 0; i < d->n_ifaces; i++) {
		struct g511_iface *ifc = &d->ifaces[i];
		int idx = if_nametoindex(ifc->name);

		if (!idx) {
			if (ifc->ifindex)
				link_gone(d, ifc, "is gone");
			continue;
		}
		if (idx != ifc->ifindex)
			back |= link_seen(d, ifc, idx);
		else if (ifc->need_attach)
			back |= link_attach(d, ifc);
		else {
			check_prog(d, ifc);
			tc_check(ifc);
			shaping_check(d, ifc);
		}
	}
	return back;
}
