/* SPDX-License-Identifier: GPL-2.0 */
/*
 * control_int.h - what control.c (the socket, its workers) and
 * ctl_handlers.c (one function per request) share inside the control
 * socket. Not for the rest of the daemon: that uses control.h.
 */
#ifndef GATE511D_CONTROL_INT_H
#define GATE511D_CONTROL_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "control.h"
#include "ctl_auth.h"
#include "ctl_io.h"

struct g511_control {
	struct g511_daemon *d;
	int listen_fd;
	int lock_fd;		/* "<path>.lock", flock()ed while we live */
	int wake[2];		/* control_stop() wakes the accept thread */
	pthread_t thread;
	bool thread_started;
	bool auth_init;
	struct ctl_auth auth;	/* the roles' groups, the refusal log */
	pthread_mutex_t mu;	/* guards the fields below */
	pthread_cond_t cv;
	bool stopping;
	int active;
	int worker_fd[CONTROL_MAX_WORKERS];	/* -1 = free slot */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

struct worker {
	struct g511_control *ctl;
	int fd;
	int slot;
	struct ucred peer;
	enum g511_role role;
	struct ctl_conn conn;
};

/* Answer one decoded request on w's connection (ctl_handlers.c). */
int ctl_dispatch(struct worker *w, const struct g511_ctl_msg *m);

#endif /* GATE511D_CONTROL_INT_H */
