// SPDX-License-Identifier: GPL-2.0
/*
 * tc.c - the TC egress program gate511_tc on a client-facing link (tc.h),
 * beside the XDP program iface.c manages.
 *
 * It is attached as a cls_bpf filter (direct action) on the egress hook of
 * a clsact qdisc: what `tc filter add dev IF egress bpf da obj
 * gate511.bpf.o sec tc` makes, and what stays after gate511d exits, as the
 * XDP attach does. One an admin attached on our maps is adopted: the
 * egress filters of the link are listed over rtnetlink (libbpf's
 * bpf_tc_query() needs the handle and priority beforehand), and a bpf
 * filter whose program is gate511_tc on our clients map is ours.
 *
 * The program is held (its fd), as the XDP one is, so that a re-created
 * link gets it back from the link event with no verifier run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "gate511.h"
#include "daemon.h"
#include "iface.h"
#include "log.h"
#include "maptab.h"
#include "rtnl.h"
#include "tc.h"

#define TC_EGRESS_PARENT	TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)

struct tc_found {
	__u32 prog_id;
	__u32 handle;
	__u32 priority;
};

/* Is prog_id gate511_tc on the maps of ifc? Then a new fd of it, else -1. */
static int prog_if_ours(const struct g511_iface *ifc, __u32 prog_id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct g511_maps m;
	bool same;
	int fd;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return -1;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    strncmp(info.name, G511_TC_PROG_NAME, sizeof(info.name))) {
		close(fd);
		return -1;
	}
	g511_maps_init(&m);
	same = !g511_maps_from_prog(fd, &m, 1u << G511_MAP_ID_CLIENTS) &&
	       m.id[G511_MAP_ID_CLIENTS] == ifc->maps.id[G511_MAP_ID_CLIENTS];
	g511_maps_close(&m);
	if (!same) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The bpf program id of one RTM_NEWTFILTER, 0 if it is not a bpf filter. */
static __u32 filter_prog_id(const struct nlmsghdr *nh)
{
	const struct tcmsg *t = NLMSG_DATA(nh);
	int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*t));
	bool is_bpf = false;
	__u32 id = 0;

	for (const struct rtattr *a = (const struct rtattr *)((const char *)t +
							       NLMSG_ALIGN(sizeof(*t)));
	     RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == TCA_KIND)
			is_bpf = RTA_PAYLOAD(a) >= 4 && !memcmp(RTA_DATA(a), "bpf", 4);
		if (a->rta_type == TCA_OPTIONS) {
			int olen = RTA_PAYLOAD(a);

			for (const struct rtattr *o = RTA_DATA(a); RTA_OK(o, olen);
			     o = RTA_NEXT(o, olen))
				if (o->rta_type == TCA_BPF_ID && RTA_PAYLOAD(o) >= 4)
					memcpy(&id, RTA_DATA(o), 4);
		}
	}
	return is_bpf ? id : 0;
}

struct filter_dump {
	bool (*found)(const struct tc_found *, void *);
	void *arg;
	bool stop;
};

/* An RTM_NEWTFILTER of the dump: a bpf filter with a program id. */
static void filter_msg(const struct nlmsghdr *nh, void *arg)
{
	const struct tcmsg *t = NLMSG_DATA(nh);
	struct filter_dump *d = arg;
	struct tc_found f;

	if (nh->nlmsg_type != RTM_NEWTFILTER || d->stop)
		return;
	f = (struct tc_found){
		.prog_id = filter_prog_id(nh),
		.handle = t->tcm_handle,
		.priority = TC_H_MAJ(t->tcm_info) >> 16,
	};
	/* the per-priority chain head has no handle */
	if (f.prog_id && f.handle)
		d->stop = d->found(&f, d->arg);
}

/*
 * The egress bpf filters of ifindex: calls found() for each until it says
 * stop. Returns 0 (also when the link has no clsact) or -errno.
 */
static int egress_filters(int ifindex, bool (*found)(const struct tc_found *, void *),
			  void *arg)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg t;
	} req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)),
			.nlmsg_type = RTM_GETTFILTER,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.t = { .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex,
		       .tcm_parent = TC_EGRESS_PARENT },
	};
	struct filter_dump dump = { .found = found, .arg = arg };
	int err;

	/* bounded: a dump of this many messages is not a link of ours */
	err = rtnl_talk(&req, req.nh.nlmsg_len, 1024, filter_msg, &dump);
	/* no clsact qdisc: no filters */
	return err == -EINVAL || err == -ENOENT ? 0 : err;
}

struct adopt_arg {
	const struct g511_iface *ifc;
	struct tc_found f;
	int fd;
};

static bool adopt_cb(const struct tc_found *f, void *arg)
{
	struct adopt_arg *a = arg;
	int fd = prog_if_ours(a->ifc, f->prog_id);

	if (fd < 0)
		return false;
	a->fd = fd;
	a->f = *f;
	return true;
}

/* A gate511_tc on our maps on the link's egress: fd and where, or -ENOENT. */
static int find_attached(const struct g511_iface *ifc, struct tc_found *f)
{
	struct adopt_arg a = { .ifc = ifc, .fd = -ENOENT };
	int err = egress_filters(ifc->ifindex, adopt_cb, &a);

	if (err)
		return err;
	if (a.fd >= 0)
		*f = a.f;
	return a.fd;
}

/* Load gate511_tc from the object, on the pinned maps; a new fd or -errno. */
static int load_prog(const struct iface_opts *o)
{
	DECLARE_LIBBPF_OPTS(bpf_object_open_opts, oopts, .pin_root_path = o->pin_dir);
	struct bpf_program *p, *ours = NULL;
	struct bpf_object *obj;
	int err, fd;

	obj = bpf_object__open_file(o->obj_path, &oopts);
	if (!obj)
		return -errno;
	bpf_object__for_each_program(p, obj) {
		bool it = !strcmp(bpf_program__name(p), G511_TC_PROG_NAME);

		bpf_program__set_autoload(p, it);
		if (it)
			ours = p;
	}
	if (!ours) {
		log_warnx("%s has no program %s (an object older than this daemon?)",
			  o->obj_path, G511_TC_PROG_NAME);
		bpf_object__close(obj);
		return -ENOENT;
	}
	err = bpf_object__load(obj);
	if (err) {
		bpf_object__close(obj);
		return err;
	}
	fd = dup(bpf_program__fd(ours));
	err = fd < 0 ? -errno : fd;
	bpf_object__close(obj);
	return err;
}

static __u32 prog_id_of(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* Put the held program on the link's egress (clsact made if missing). */
static int attach_held(struct g511_iface *ifc)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifc->ifindex,
			    .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = ifc->tc_prog_fd);
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		return err;
	ifc->tc_handle = opts.handle;
	ifc->tc_priority = opts.priority;
	return 0;
}

int tc_setup(const struct iface_opts *o, struct g511_iface *ifc)
{
	struct tc_found f = { 0 };
	int fd, err;

	ifc->tc_prog_fd = -1;
	fd = find_attached(ifc, &f);
	if (fd >= 0) {
		ifc->tc_prog_fd = fd;
		ifc->tc_prog_id = f.prog_id;
		ifc->tc_handle = f.handle;
		ifc->tc_priority = f.priority;
		log_info("%s: adopting the attached %s (egress, pref %u)", ifc->name,
			 G511_TC_PROG_NAME, f.priority);
		return 0;
	}
	fd = load_prog(o);
	if (fd < 0) {
		log_warnx("%s: cannot load %s from %s: %s", ifc->name, G511_TC_PROG_NAME,
			  o->obj_path, strerror(-fd));
		return fd;
	}
	ifc->tc_prog_fd = fd;
	ifc->tc_prog_id = prog_id_of(fd);
	err = attach_held(ifc);
	if (err) {
		log_warnx("%s: cannot attach %s to egress: %s", ifc->name, G511_TC_PROG_NAME,
			  strerror(-err));
		return err;
	}
	ifc->tc_attached_by_us = true;
	log_info("%s: attached %s on egress (clsact, pref %u)", ifc->name, G511_TC_PROG_NAME,
		 ifc->tc_priority);
	return 0;
}

int tc_link_attach(struct g511_iface *ifc)
{
	struct tc_found f = { 0 };
	int fd, err;

	if (ifc->tc_prog_fd < 0)
		return -ENOENT;
	fd = find_attached(ifc, &f);
	if (fd >= 0) {
		/* put there already (an admin's script): adopt it */
		close(ifc->tc_prog_fd);
		ifc->tc_prog_fd = fd;
		ifc->tc_prog_id = f.prog_id;
		ifc->tc_handle = f.handle;
		ifc->tc_priority = f.priority;
		ifc->tc_missing = false;
		return 0;
	}
	err = attach_held(ifc);
	if (err)
		log_warnx("%s: cannot re-attach %s to egress: %s", ifc->name, G511_TC_PROG_NAME,
			  strerror(-err));
	else
		ifc->tc_missing = false;
	return err;
}

void tc_check(struct g511_iface *ifc)
{
	struct tc_found f = { 0 };
	int fd;

	if (ifc->tc_prog_fd < 0 || !ifc->ifindex)
		return;
	fd = find_attached(ifc, &f);
	if (fd >= 0) {
		close(fd);
		if (ifc->tc_missing)
			log_info("%s: %s is back on egress", ifc->name, G511_TC_PROG_NAME);
		ifc->tc_missing = false;
		ifc->tc_handle = f.handle;
		ifc->tc_priority = f.priority;
		return;
	}
	if (fd == -ENOENT && !ifc->tc_missing) {
		log_warnx("%s: %s was removed from egress by someone: downloads are not "
			  "counted and quotas hold on upload only (gate511d does not re-attach "
			  "it)", ifc->name, G511_TC_PROG_NAME);
		ifc->tc_missing = true;
	}
}

void tc_detach(struct g511_iface *ifc)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifc->ifindex,
			    .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts);
	struct tc_found f = { 0 };
	int fd, err;

	if (ifc->tc_prog_fd < 0 || !ifc->ifindex)
		return;
	/* ours, where it is now; a program someone put instead stays */
	fd = find_attached(ifc, &f);
	if (fd < 0)
		return;
	close(fd);
	opts.handle = f.handle;
	opts.priority = f.priority;
	err = bpf_tc_detach(&hook, &opts);
	if (err)
		log_warnx("%s: cannot detach %s from egress: %s", ifc->name, G511_TC_PROG_NAME,
			  strerror(-err));
	else
		log_info("%s: %s detached from egress", ifc->name, G511_TC_PROG_NAME);
}

void tc_close(struct g511_iface *ifc)
{
	if (ifc->tc_prog_fd >= 0)
		close(ifc->tc_prog_fd);
	ifc->tc_prog_fd = -1;
}
