/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctl_auth.h - who is on the other end of a control connection, and what
 * the socket file admits (the reasoning: ctl_auth.c). The role table
 * itself is pure and lives in lib/ctl_role.c.
 */
#ifndef GATE511D_CTL_AUTH_H
#define GATE511D_CTL_AUTH_H

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "conf.h"
#include "ctl_io.h"
#include "ctl_role.h"

#define CTL_AUTH_LOG_WINDOW_S	60	/* refusals logged: at most ... */
#define CTL_AUTH_LOG_MAX	20	/* ... this many lines per window */

struct ctl_auth {
	struct ctl_role_groups rg;
	char portal_group[G511_GROUP_LEN];	/* as configured, "" = unset */
	char admin_group[G511_GROUP_LEN];
	pthread_mutex_t mu;		/* guards the fields below */
	uint64_t window_ns;		/* CLOCK_MONOTONIC start of the window */
	unsigned int logged, suppressed;
	bool no_peergroups_said;
};

/*
 * Resolve the config's portal_group and admin_group (an unknown name is
 * -ENOENT, said in the log). The names are kept: a reload cannot change
 * them (runtime.c), the gids are those of the start.
 */
int ctl_auth_init(struct ctl_auth *a, const struct g511_conf *conf);
void ctl_auth_fini(struct ctl_auth *a);

/* The socket file's mode, and its group when chgrp is set. */
void ctl_auth_sock_mode(const struct ctl_auth *a, mode_t *mode, bool *chgrp,
			gid_t *gid);

/*
 * The peer of a connected fd and its role, from what the kernel recorded
 * at connect(). -errno when SO_PEERCRED fails (treat as no role).
 */
int ctl_auth_peer(struct ctl_auth *a, int fd, struct ucred *peer,
		  enum g511_role *role);

/*
 * Refuse a request: log it (at most CTL_AUTH_LOG_MAX lines a window, the
 * rest counted) and send EACCES with the role it needs. type < 0: the
 * request was not read (no role). Returns what ctl_send_error() does.
 */
int ctl_auth_refuse(struct ctl_auth *a, struct ctl_conn *conn,
		    const struct ucred *peer, enum g511_role role, __u32 seq,
		    int type);

#endif /* GATE511D_CTL_AUTH_H */
