// SPDX-License-Identifier: GPL-2.0
/*
 * ctl_auth.c - the peer of a control connection and its role (ctl_auth.h;
 * why the socket file's mode is what it is: control.c's header comment).
 *
 * Only what the kernel recorded at connect() counts: SO_PEERCRED for the
 * uid and primary gid, SO_PEERGROUPS (Linux 4.13) for the supplementary
 * groups. Not getgrouplist(): that is the group database, not the
 * process, and an NSS lookup (LDAP) per connection can block; not
 * /proc/PID/status: the pid may be gone and reused by the time it is
 * read. A kernel without SO_PEERGROUPS leaves the primary gid only, which
 * can only refuse more (said once in the log).
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ctl_auth.h"
#include "log.h"

static int resolve_group(const char *key, const char *name, gid_t *gid)
{
	struct group grp, *res = NULL;
	char buf[4096];
	int err;

	err = getgrnam_r(name, &grp, buf, sizeof(buf), &res);
	if (!err && !res)
		err = ENOENT;
	if (err) {
		log_warnx("%s %s: %s", key, name,
			  err == ENOENT ? "no such group" : strerror(err));
		return -err;
	}
	*gid = grp.gr_gid;
	return 0;
}

int ctl_auth_init(struct ctl_auth *a, const struct g511_conf *conf)
{
	int err;

	memset(a, 0, sizeof(*a));
	pthread_mutex_init(&a->mu, NULL);
	snprintf(a->portal_group, sizeof(a->portal_group), "%s", conf->portal_group);
	snprintf(a->admin_group, sizeof(a->admin_group), "%s", conf->admin_group);
	if (a->admin_group[0]) {
		err = resolve_group("admin_group", a->admin_group, &a->rg.admin_gid);
		if (err)
			return err;
		a->rg.has_admin = true;
	}
	if (a->portal_group[0]) {
		err = resolve_group("portal_group", a->portal_group, &a->rg.portal_gid);
		if (err)
			return err;
		a->rg.has_portal = true;
	}
	return 0;
}

void ctl_auth_fini(struct ctl_auth *a)
{
	pthread_mutex_destroy(&a->mu);
}

void ctl_auth_sock_mode(const struct ctl_auth *a, mode_t *mode, bool *chgrp,
			gid_t *gid)
{
	const struct ctl_role_groups *rg = &a->rg;

	*mode = 0660;
	*chgrp = false;
	if (rg->has_admin && rg->has_portal && rg->admin_gid != rg->portal_gid) {
		*mode = 0666;	/* two groups: only the peer check tells them */
	} else if (rg->has_admin) {
		*chgrp = true;
		*gid = rg->admin_gid;
	} else if (rg->has_portal) {
		*chgrp = true;
		*gid = rg->portal_gid;
	}
}

/*
 * The peer's supplementary groups into *groups (small, or malloc()ed when
 * it does not fit: the caller frees what is not small). 0 and *n, or
 * -errno; -ENOPROTOOPT on a kernel without SO_PEERGROUPS.
 */
static int peer_groups(int fd, gid_t *small, size_t small_n, gid_t **groups,
		       size_t *n)
{
	socklen_t len = small_n * sizeof(gid_t);
	gid_t *g = small;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) < 0) {
		if (errno != ERANGE)
			return -errno;
		/* len now says how much is needed */
		g = malloc(len);
		if (!g)
			return -ENOMEM;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) < 0) {
			int err = -errno;

			free(g);
			return err;
		}
	}
	*groups = g;
	*n = len / sizeof(gid_t);
	return 0;
}

int ctl_auth_peer(struct ctl_auth *a, int fd, struct ucred *peer,
		  enum g511_role *role)
{
	socklen_t len = sizeof(*peer);
	gid_t small[64], *groups = small;
	size_t n = 0;
	int err;

	*role = G511_ROLE_NONE;
	memset(peer, 0, sizeof(*peer));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, peer, &len) < 0) {
		err = -errno;
		log_warn("control: SO_PEERCRED");
		memset(peer, 0xff, sizeof(*peer));	/* nobody, not root */
		return err;
	}
	if (peer->uid == 0) {
		*role = G511_ROLE_ADMIN;
		return 0;
	}
	err = peer_groups(fd, small, sizeof(small) / sizeof(small[0]), &groups, &n);
	if (err) {
		pthread_mutex_lock(&a->mu);
		if (!a->no_peergroups_said) {
			a->no_peergroups_said = true;
			log_warnx("control: SO_PEERGROUPS: %s; only the primary group "
				  "of a peer counts for its role", strerror(-err));
		}
		pthread_mutex_unlock(&a->mu);
		groups = small;
		n = 0;
	}
	*role = ctl_role_of(&a->rg, peer->uid, peer->gid, groups, n);
	if (groups != small)
		free(groups);
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* May this refusal be logged? Also says how many were not, once. */
static bool refusal_log_budget(struct ctl_auth *a, unsigned int *suppressed)
{
	uint64_t now = mono_ns();
	bool ok;

	pthread_mutex_lock(&a->mu);
	*suppressed = 0;
	if (!a->window_ns ||
	    now - a->window_ns >= CTL_AUTH_LOG_WINDOW_S * 1000000000ULL) {
		*suppressed = a->suppressed;
		a->window_ns = now;
		a->logged = 0;
		a->suppressed = 0;
	}
	ok = a->logged < CTL_AUTH_LOG_MAX;
	if (ok)
		a->logged++;
	else
		a->suppressed++;
	pthread_mutex_unlock(&a->mu);
	return ok;
}

int ctl_auth_refuse(struct ctl_auth *a, struct ctl_conn *conn,
		    const struct ucred *peer, enum g511_role role, __u32 seq,
		    int type)
{
	char msg[G511_CTL_ERRMSG_LEN];
	unsigned int suppressed;

	if (refusal_log_budget(a, &suppressed)) {
		if (suppressed)
			log_warnx("control: %u more refusals in the last %d s "
				  "were not logged", suppressed,
				  CTL_AUTH_LOG_WINDOW_S);
		if (type < 0)
			log_warnx("control: refused uid %u gid %u pid %d: no role, "
				  "connection closed unread", peer->uid, peer->gid,
				  peer->pid);
		else
			log_warnx("control: refused '%s' from uid %u gid %u pid %d: "
				  "needs the %s role, has the %s role",
				  ctl_role_cmd((unsigned int)type), peer->uid,
				  peer->gid, peer->pid,
				  ctl_role_name(ctl_role_needed((unsigned int)type)),
				  ctl_role_name(role));
	}
	ctl_role_refusal(msg, sizeof(msg), type, role, peer->uid, a->portal_group,
			 a->admin_group);
	return ctl_send_error(conn, seq, EACCES, "%s", msg);
}
