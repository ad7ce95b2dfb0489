// SPDX-License-Identifier: GPL-2.0
/*
 * shaping.c - fq as the root qdisc of a client-facing link, for download
 * rates (shaping.h).
 *
 * Over rtnetlink, not by running tc(8): two messages (a dump of the link's
 * qdiscs, a RTM_NEWQDISC with TCA_KIND "fq" and no options) need no
 * iproute2 on the box, no PATH, no parsing of its output, and the errors
 * are errno values. fq's defaults are what EDT wants: a 10 s horizon that
 * drops beyond it (gate511_tc drops past 2 s itself), flow_limit 100.
 *
 * What counts as the admin's: any root qdisc with a handle, but fq. The
 * kernel's default qdiscs (noqueue on veth and other virtual links,
 * pfifo_fast or fq_codel, mq with one of those per queue) have handle 0;
 * one made by tc gets a handle (given, or 8001: and up). So a root with
 * handle 0 is replaced by fq (handle 511:), a default mq by mq 511: with
 * fq on each of its queues; a root fq is kept, whoever made it; anything
 * else is left alone, logged once, and download rates are then not
 * enforced on that link (uploads still are). The clsact qdisc that holds
 * gate511_tc is not a root qdisc and is never touched.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>

#include "gate511.h"
#include "daemon.h"
#include "log.h"
#include "rtnl.h"
#include "shaping.h"

#define SHAPING_HANDLE	0x05110000U	/* 511: */
#define SHAPING_MAX_Q	256		/* queues of an mq we look at */

enum shaping_said {
	SAID_NOTHING = 0,
	SAID_FQ,		/* fq is in place (ours or an admin's) */
	SAID_REFUSED,		/* an admin's qdisc: left alone */
	SAID_FAILED,		/* could not install */
};

struct qd {
	__u32 parent, handle;
	char kind[16];
};

struct qdiscs {
	struct qd root;
	bool have_root;
	struct qd kids[SHAPING_MAX_Q];	/* children of the root */
	int n_kids;
};

static void qd_from_msg(const struct nlmsghdr *nh, struct qd *q)
{
	const struct tcmsg *t = NLMSG_DATA(nh);
	int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*t));

	memset(q, 0, sizeof(*q));
	q->parent = t->tcm_parent;
	q->handle = t->tcm_handle;
	for (const struct rtattr *a = (const struct rtattr *)((const char *)t +
			NLMSG_ALIGN(sizeof(*t))); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == TCA_KIND) {
			size_t n = RTA_PAYLOAD(a);

			if (n >= sizeof(q->kind))
				n = sizeof(q->kind) - 1;
			memcpy(q->kind, RTA_DATA(a), n);
			q->kind[n] = '\0';
		}
	}
}

struct qd_dump {
	int ifindex;
	struct qdiscs *out;
};

/* An RTM_NEWQDISC of the dump: the root, or one of its queues. */
static void qd_msg(const struct nlmsghdr *nh, void *arg)
{
	const struct tcmsg *t = NLMSG_DATA(nh);
	struct qd_dump *q0 = arg;
	struct qdiscs *out = q0->out;
	struct qd q;

	if (nh->nlmsg_type != RTM_NEWQDISC || t->tcm_ifindex != q0->ifindex)
		return;
	qd_from_msg(nh, &q);
	if (q.parent == TC_H_ROOT) {
		out->root = q;
		out->have_root = true;
	} else if (q.parent != TC_H_INGRESS &&	/* = clsact's */
		   out->n_kids < SHAPING_MAX_Q) {
		out->kids[out->n_kids++] = q;
	}
}

/*
 * One request; for a dump, the link's qdiscs into *out. 0 or -errno.
 * Bounded: a link with this many qdiscs is none of ours.
 */
static int nl_talk(void *req, size_t len, int ifindex, struct qdiscs *out)
{
	struct qd_dump q = { .ifindex = ifindex, .out = out };

	return rtnl_talk(req, len, 256, out ? qd_msg : NULL, &q);
}

static int qdiscs_get(int ifindex, struct qdiscs *out)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg t;
	} req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)),
			.nlmsg_type = RTM_GETQDISC,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.t = { .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex },
	};
	int err;

	memset(out, 0, sizeof(*out));
	err = nl_talk(&req, req.nh.nlmsg_len, ifindex, out);
	if (!err && !out->have_root)
		err = -ENOENT;
	/* only the root's own children: mq's queues, not deeper classes */
	if (!err) {
		int n = 0;

		for (int i = 0; i < out->n_kids; i++)
			if (TC_H_MAJ(out->kids[i].parent) == TC_H_MAJ(out->root.handle))
				out->kids[n++] = out->kids[i];
		out->n_kids = n;
	}
	return err;
}

/* RTM_NEWQDISC (replace) or RTM_DELQDISC of kind at parent. 0 or -errno. */
static int qdisc_op(int ifindex, int type, __u32 parent, __u32 handle, const char *kind)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg t;
		char attrs[64];
	} req = {
		.nh = { .nlmsg_type = type, .nlmsg_seq = 2,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
				       (type == RTM_NEWQDISC ? NLM_F_CREATE | NLM_F_REPLACE : 0) },
		.t = { .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex,
		       .tcm_parent = parent, .tcm_handle = handle },
	};
	struct rtattr *a;
	size_t klen = strlen(kind) + 1;

	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg));
	a = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
	a->rta_type = TCA_KIND;
	a->rta_len = RTA_LENGTH(klen);
	memcpy(RTA_DATA(a), kind, klen);
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
	return nl_talk(&req, req.nh.nlmsg_len, ifindex, NULL);
}

static bool all_kids_fq(const struct qdiscs *q)
{
	for (int i = 0; i < q->n_kids; i++)
		if (strcmp(q->kids[i].kind, "fq"))
			return false;
	return q->n_kids > 0;
}

/* mq: ours at 511:, fq on every queue. */
static int install_mq(int ifindex, const struct qdiscs *now)
{
	struct qdiscs q;
	int err = 0;

	if (now->root.handle != SHAPING_HANDLE) {
		err = qdisc_op(ifindex, RTM_NEWQDISC, TC_H_ROOT, SHAPING_HANDLE, "mq");
		if (err)
			return err;
	}
	err = qdiscs_get(ifindex, &q);
	for (int i = 0; i < q.n_kids && !err; i++)
		if (strcmp(q.kids[i].kind, "fq"))
			err = qdisc_op(ifindex, RTM_NEWQDISC, q.kids[i].parent, 0, "fq");
	return err;
}

static void say(struct g511_iface *ifc, enum shaping_said what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct g511_iface *ifc, enum shaping_said what, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (ifc->shaping_said == what)
		return;
	ifc->shaping_said = what;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (what == SAID_FQ)
		log_info("%s: %s", ifc->name, msg);
	else
		log_warnx("%s: %s", ifc->name, msg);
}

/* Once, at the first check: does a grant in the maps have a download rate? */
static bool maps_have_rate_down(const struct g511_iface *ifc)
{
	static const int ids[] = { G511_MAP_ID_CLIENTS, G511_MAP_ID_MACS };
	__u8 key[sizeof(struct g511_addr)], next[sizeof(struct g511_addr)];
	struct g511_grant g;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		int fd = ifc->maps.fd[ids[i]];
		void *prev = NULL;

		if (fd < 0)
			continue;
		/* bounded by the map's size, and by a safety cap */
		for (__u32 n = 0; n < (1U << 22) && !bpf_map_get_next_key(fd, prev, next); n++) {
			memcpy(key, next, sizeof(key));
			prev = key;
			if (!bpf_map_lookup_elem(fd, key, &g) && g.rate_down_bps)
				return true;
		}
	}
	return false;
}

void shaping_check(struct g511_daemon *d, struct g511_iface *ifc)
{
	struct qdiscs q;
	int err;

	if (d->conf.shaping == G511_SHAPING_OFF || !ifc->ifindex)
		return;
	if (!__atomic_load_n(&d->shaping_wanted, __ATOMIC_RELAXED)) {
		if (d->shaping_scanned)
			return;
		d->shaping_scanned = true;
		if (!maps_have_rate_down(ifc))
			return;
		shaping_want(d);
	}
	err = qdiscs_get(ifc->ifindex, &q);
	if (err == -ENOENT)
		return;		/* no root qdisc yet (the link is down): later */
	if (err) {
		say(ifc, SAID_FAILED, "cannot read the qdiscs (%s): download rates are only "
		    "policed", strerror(-err));
		return;
	}
	if (!strcmp(q.root.kind, "fq") || (!strcmp(q.root.kind, "mq") && all_kids_fq(&q))) {
		say(ifc, SAID_FQ, "fq is the root qdisc: download rates are paced");
		return;
	}
	if (!strcmp(q.root.kind, "mq") &&
	    (q.root.handle == 0 || q.root.handle == SHAPING_HANDLE)) {
		err = install_mq(ifc->ifindex, &q);
	} else if (q.root.handle == 0) {
		err = qdisc_op(ifc->ifindex, RTM_NEWQDISC, TC_H_ROOT, SHAPING_HANDLE, "fq");
	} else {
		say(ifc, SAID_REFUSED, "the root qdisc is an admin's %s (handle %x:), not fq: "
		    "not replaced, download rates are only policed (shaping = auto)",
		    q.root.kind, TC_H_MAJ(q.root.handle) >> 16);
		return;
	}
	if (err == -ENOENT) {
		/* "Specified qdisc kind is unknown": no CONFIG_NET_SCH_FQ */
		say(ifc, SAID_FAILED, "this kernel has no fq qdisc: download rates are not "
		    "paced, only policed (gate511_tc drops what would leave more than 2 s "
		    "late)");
		return;
	}
	if (err) {
		say(ifc, SAID_FAILED, "cannot install fq over the default %s qdisc (%s): "
		    "download rates are only policed", q.root.kind, strerror(-err));
		return;
	}
	say(ifc, SAID_FQ, "installed fq as the root qdisc (was the default %s): download "
	    "rates are paced", q.root.kind);
}

void shaping_detach(struct g511_iface *ifc)
{
	struct qdiscs q;

	if (!ifc->ifindex || qdiscs_get(ifc->ifindex, &q))
		return;
	/* only ours: a delete brings the kernel's default back */
	if (q.root.handle == SHAPING_HANDLE &&
	    (!strcmp(q.root.kind, "fq") || !strcmp(q.root.kind, "mq"))) {
		int err = qdisc_op(ifc->ifindex, RTM_DELQDISC, TC_H_ROOT, SHAPING_HANDLE,
				   q.root.kind);

		if (err)
			log_warnx("%s: cannot remove our %s qdisc: %s", ifc->name,
				  q.root.kind, strerror(-err));
		else
			log_info("%s: removed our %s qdisc", ifc->name, q.root.kind);
	}
}
