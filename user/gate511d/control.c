// SPDX-License-Identifier: GPL-2.0
/*
 * control.c - the control socket (control.h).
 *
 * Who may do what: roles (lib/ctl_role.h). A connection's role is taken
 * once, at accept, from what the kernel recorded at connect()
 * (SO_PEERCRED, SO_PEERGROUPS: ctl_auth.c): root and admin_group are
 * admin, portal_group is portal, anyone else has none. A peer with no role
 * gets its refusal at once, before a byte of it is read, so it can neither
 * hold a worker nor feed the decoder. Otherwise the one request is read
 * and checked against the role table before ctl_dispatch() (ctl_handlers.c); a refusal is an
 * EACCES ERROR naming the role needed, logged (bounded), and the
 * connection is closed as after any answer.
 *
 * The socket file: the peer check is the door, the file mode only a first
 * fence. The mode must admit both groups, and a file has one group: with
 * one group set (or both the same) the socket is 0660 root:that group, as
 * tight as before; with no group 0660 root:root; with two different
 * groups 0666, since no single group admits both, and every non-member's
 * connection is refused unread by the peer check. (A POSIX ACL naming
 * both groups would keep the fence, but not every file system that can
 * hold the socket takes ACLs, and it would guard nothing the peer check
 * does not.) The directory is made 0755 when missing.
 *
 * Concurrency: a worker per connection, capped; requests serialise on
 * daemon->lock inside grants.c. Long answers (list, history, export) are
 * read from the DB a page at a time under the lock and sent without it, so
 * a slow reader never holds up grants. An import is read whole into memory
 * first, then applied under the lock in one transaction.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "clientset.h"
#include "control.h"
#include "control_int.h"
#include "ctl_auth.h"
#include "ctl_io.h"
#include "garden.h"
#include "grants.h"
#include "maps.h"
#include "query.h"
#include "lockfile.h"
#include "log.h"

/* ------------------------------------------------------------- workers */

static void worker_release(struct worker *w)
{
	struct g511_control *ctl = w->ctl;

	pthread_mutex_lock(&ctl->mu);
	close(w->fd);
	ctl->worker_fd[w->slot] = -1;
	ctl->active--;
	pthread_cond_broadcast(&ctl->cv);
	pthread_mutex_unlock(&ctl->mu);
	free(w);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct timeval tv = { .tv_sec = CONTROL_IO_TIMEOUT_S };
	struct g511_ctl_msg *m;
	int err;

	setsockopt(w->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(w->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ctl_conn_init(&w->conn, w->fd);

	ctl_auth_peer(&w->ctl->auth, w->fd, &w->peer, &w->role);
	if (w->role == G511_ROLE_NONE) {
		ctl_auth_refuse(&w->ctl->auth, &w->conn, &w->peer, w->role, 0, -1);
		goto out;
	}

	m = malloc(sizeof(*m));
	if (!m)
		goto out;
	err = ctl_recv(&w->conn, m);
	switch (err) {
	case 0:
		if (!ctl_type_is_request(m->hdr.type))
			err = ctl_send_error(&w->conn, m->hdr.seq, EBADMSG,
					     "%s is not a request",
					     ctl_type_name(m->hdr.type));
		else if (!ctl_role_allows(w->role, m->hdr.type))
			err = ctl_auth_refuse(&w->ctl->auth, &w->conn, &w->peer,
					      w->role, m->hdr.seq, m->hdr.type);
		else
			err = ctl_dispatch(w, m);
		if (!err)
			err = ctl_flush(&w->conn);
		break;
	case -ENODATA:
	case -EAGAIN:
	case -ECONNRESET:
		break;
	case -EPROTONOSUPPORT:
		ctl_send_error(&w->conn, m->hdr.seq, EPROTONOSUPPORT,
			       "protocol version %u not supported: gate511d %s "
			       "speaks version %u", m->hdr.version, G511_VERSION,
			       G511_CTL_VERSION);
		break;
	default:
		log_debug("control: malformed request from pid %d: %s",
			  w->peer.pid, strerror(-err));
		ctl_send_error(&w->conn, m->hdr.seq, EBADMSG,
			       "malformed request: %s", strerror(-err));
		break;
	}
	free(m);
out:
	worker_release(w);
	return NULL;
}

static void *accept_main(void *arg)
{
	struct g511_control *ctl = arg;
	struct pollfd pfd[2] = {
		{ .fd = ctl->listen_fd, .events = POLLIN },
		{ .fd = ctl->wake[0], .events = POLLIN },
	};
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);

	for (;;) {
		struct worker *w;
		pthread_t t;
		int fd, slot, err;
		bool stop;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_warn("control: poll");
			break;
		}
		if (pfd[1].revents)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;

		/* at the cap, leave connections in the backlog */
		pthread_mutex_lock(&ctl->mu);
		while (ctl->active >= CONTROL_MAX_WORKERS && !ctl->stopping)
			pthread_cond_wait(&ctl->cv, &ctl->mu);
		stop = ctl->stopping;
		pthread_mutex_unlock(&ctl->mu);
		if (stop)
			break;

		fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				log_warn("control: accept");
				poll(NULL, 0, 100);
			}
			continue;
		}
		w = calloc(1, sizeof(*w));
		if (!w) {
			close(fd);
			continue;
		}
		w->ctl = ctl;
		w->fd = fd;
		pthread_mutex_lock(&ctl->mu);
		for (slot = 0; slot < CONTROL_MAX_WORKERS; slot++)
			if (ctl->worker_fd[slot] < 0)
				break;
		w->slot = slot;
		ctl->worker_fd[slot] = fd;
		ctl->active++;
		pthread_mutex_unlock(&ctl->mu);
		err = pthread_create(&t, &attr, worker_main, w);
		if (err) {
			errno = err;
			log_warn("control: cannot start a worker");
			worker_release(w);
		}
	}
	pthread_attr_destroy(&attr);
	return NULL;
}

/* ---------------------------------------------------------- start, stop */

static int mkdir_parents(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)], *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; ; p++) {
		if (*p && *p != '/')
			continue;
		{
			char c = *p;

			*p = '\0';
			if (mkdir(dir, 0755) < 0 && errno != EEXIST)
				return -errno;
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

/*
 * One daemon per control socket, and nothing in its start-up may race the
 * previous one. "<socket>.lock" is flock()ed from the claim to
 * control_stop() and holds the daemon's PID meanwhile. A killed daemon's
 * flock goes when its files are closed at exit, before its PID can be
 * reaped (unlike an AF_XDP binding: xsk.c), so once the previous daemon is
 * gone the lock is free at once. (What a stopping daemon does after
 * control_stop(), closing its sockets and the DB, is covered by xsk.c's
 * retry and SQLite's busy timeout.) The lock file is never removed: a
 * daemon unlinking it could let the next two lock different files.
 *
 * The socket file proves nothing by itself: SIGKILL leaves it behind. A
 * connect() tells: ECONNREFUSED is a stale file, to be unlinked; ENOENT is
 * no file; an answer is a live daemon (one older than the lock file, or
 * one whose lock we are waiting for), and so is EAGAIN (a live daemon with
 * a full backlog): never unlink those. Any other error is reported as is.
 */
#define CLAIM_WAIT_MS		5000
/* 0: nobody listens on path (no file, or a stale one); -EADDRINUSE: a
 * daemon answers there; -EEXIST: not a socket; else -errno. */
static int socket_probe(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, err;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	err = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 ? 0 : -errno;
	close(fd);
	switch (err) {
	case 0:
	case -EAGAIN:
		return -EADDRINUSE;
	case -ECONNREFUSED:
	case -ENOENT:
		return 0;
	default:
		return err;
	}
}

/* Unlink a stale socket file at path; a live one stays (-EADDRINUSE). */
static int remove_stale(const char *path)
{
	int err = socket_probe(path);

	if (!err && unlink(path) < 0 && errno != ENOENT)
		err = -errno;
	return err;
}

static void claim_fail_msg(const char *path, int err, long pid)
{
	if (err == -EADDRINUSE && pid)
		log_warnx("%s: another gate511d (pid %ld) is running; stop it first", path, pid);
	else if (err == -EADDRINUSE)
		log_warnx("%s: another gate511d is listening there; stop it first", path);
	else if (err == -EWOULDBLOCK)
		log_warnx("%s.lock: held by gate511d pid %ld for more than %d s; stop it first",
			  path, pid, CLAIM_WAIT_MS / 1000);
	else if (err == -EEXIST)
		log_warnx("%s: exists and is not a socket", path);
	else
		log_warnx("%s: %s", path, strerror(-err));
}

/* The lock is held: a daemon that answers on the socket is refused at
 * once; one whose socket is already closed is exiting, wait for it. */
static int claim_held(long pid, const char *tag, void *ctx)
{
	(void)pid;
	(void)tag;
	return socket_probe(ctx) == -EADDRINUSE ? -EADDRINUSE : 0;
}

static int claim_lock(struct g511_control *ctl)
{
	char lock_path[sizeof(ctl->path) + 8];
	long pid;
	int err;

	snprintf(lock_path, sizeof(lock_path), "%s.lock", ctl->path);
	err = lockfile_take(lock_path, NULL, CLAIM_WAIT_MS, claim_held, ctl->path,
			    &ctl->lock_fd, &pid);
	if (err == -EADDRINUSE || err == -EWOULDBLOCK) {
		claim_fail_msg(ctl->path, err, pid);
		err = -EADDRINUSE;
	}
	return err;
}

static void control_free(struct g511_control *ctl)
{
	if (ctl->listen_fd >= 0)
		close(ctl->listen_fd);
	if (ctl->wake[0] >= 0) {
		close(ctl->wake[0]);
		close(ctl->wake[1]);
	}
	lockfile_release(ctl->lock_fd);	/* still ours: no daemon runs */
	if (ctl->auth_init)
		ctl_auth_fini(&ctl->auth);
	pthread_mutex_destroy(&ctl->mu);
	pthread_cond_destroy(&ctl->cv);
	free(ctl);
}

int control_claim(struct g511_daemon *d)
{
	struct sockaddr_un sun;
	struct g511_control *ctl;
	const char *path = d->conf.ctl_path;
	int i, err;

	if (d->control)
		return 0;
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return -ENOMEM;
	ctl->d = d;
	ctl->listen_fd = ctl->lock_fd = ctl->wake[0] = ctl->wake[1] = -1;
	pthread_mutex_init(&ctl->mu, NULL);
	pthread_cond_init(&ctl->cv, NULL);
	for (i = 0; i < CONTROL_MAX_WORKERS; i++)
		ctl->worker_fd[i] = -1;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("control socket path %s is too long", path);
		err = -ENAMETOOLONG;
		goto fail;
	}
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	err = mkdir_parents(path);
	if (err) {
		log_warnx("cannot create the directory of %s: %s", path,
			  strerror(-err));
		goto fail;
	}
	err = claim_lock(ctl);
	if (err)
		goto fail;
	/* Ours now; a socket file there is stale unless a daemon that
	 * knows no lock answers on it. */
	err = remove_stale(path);
	if (err) {
		claim_fail_msg(path, err, 0);
		goto fail;
	}
	d->control = ctl;
	return 0;
fail:
	control_free(ctl);
	return err;
}

int control_start(struct g511_daemon *d)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct g511_control *ctl;
	const char *path = d->conf.ctl_path;
	mode_t mode;
	bool chgrp;
	gid_t gid;
	int err;

	err = control_claim(d);
	if (err)
		return err;
	ctl = d->control;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", ctl->path);

	err = ctl_auth_init(&ctl->auth, &d->conf);	/* says what failed */
	ctl->auth_init = true;
	if (err)
		goto fail;
	ctl_auth_sock_mode(&ctl->auth, &mode, &chgrp, &gid);
	/* again: the claim may be long past (a slow start-up) */
	err = remove_stale(path);
	if (err) {
		claim_fail_msg(path, err, 0);
		goto fail;
	}

	ctl->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ctl->listen_fd < 0) {
		err = -errno;
		log_warn("control socket");
		goto fail;
	}
	if (bind(ctl->listen_fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = -errno;
		log_warn("cannot bind %s", path);
		goto fail;
	}
	if (chmod(path, mode) < 0 || (chgrp && chown(path, 0, gid) < 0)) {
		err = -errno;
		log_warn("cannot set the owner and mode of %s", path);
		goto fail_unlink;
	}
	if (listen(ctl->listen_fd, CONTROL_BACKLOG) < 0) {
		err = -errno;
		log_warn("cannot listen on %s", path);
		goto fail_unlink;
	}
	if (pipe2(ctl->wake, O_CLOEXEC) < 0) {
		err = -errno;
		log_warn("control pipe");
		goto fail_unlink;
	}
	err = pthread_create(&ctl->thread, NULL, accept_main, ctl);
	if (err) {
		errno = err;
		err = -err;
		log_warn("cannot start the control thread");
		goto fail_unlink;
	}
	ctl->thread_started = true;
	log_info("control socket %s ready", path);
	return 0;

fail_unlink:
	unlink(path);
fail:
	d->control = NULL;
	control_free(ctl);
	return err;
}

void control_stop(struct g511_daemon *d)
{
	struct g511_control *ctl = d->control;
	int i;

	if (!ctl)
		return;
	if (!ctl->thread_started) {
		/* claimed only: start-up failed before the socket */
		d->control = NULL;
		control_free(ctl);
		return;
	}
	pthread_mutex_lock(&ctl->mu);
	ctl->stopping = true;
	pthread_cond_broadcast(&ctl->cv);
	pthread_mutex_unlock(&ctl->mu);
	if (write(ctl->wake[1], "x", 1) < 0)
		log_warn("control: wake");
	pthread_join(ctl->thread, NULL);
	close(ctl->listen_fd);
	ctl->listen_fd = -1;
	unlink(ctl->path);

	/* cut idle clients short; running requests finish their work */
	pthread_mutex_lock(&ctl->mu);
	for (i = 0; i < CONTROL_MAX_WORKERS; i++)
		if (ctl->worker_fd[i] >= 0)
			shutdown(ctl->worker_fd[i], SHUT_RD);
	while (ctl->active > 0)
		pthread_cond_wait(&ctl->cv, &ctl->mu);
	pthread_mutex_unlock(&ctl->mu);

	d->control = NULL;
	control_free(ctl);
}
