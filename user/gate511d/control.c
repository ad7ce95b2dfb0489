// SPDX-License-Identifier: GPL-2.0
/*
 * control.c - the control socket (control.h).
 *
 * Who may talk: the socket is 0660 root:control_group, and each connection
 * is checked again with SO_PEERCRED/SO_PEERGROUPS (root, or the group as
 * primary or supplementary group of the peer when it connected), so a
 * loosened file mode does not open the door.
 *
 * Concurrency: a worker per connection, capped; requests serialise on
 * daemon->lock inside grants.c. Long answers (list, history, export) are
 * read from the DB a page at a time under the lock and sent without it, so
 * a slow reader never holds up grants. An import is read whole into memory
 * first, then applied under the lock in one transaction.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
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
#include "control.h"
#include "ctl_io.h"
#include "garden.h"
#include "grants.h"
#include "maps.h"
#include "query.h"
#include "lockfile.h"
#include "log.h"

#define LIST_PAGE	1024

struct g511_control {
	struct g511_daemon *d;
	int listen_fd;
	int lock_fd;		/* "<path>.lock", flock()ed while we live */
	int wake[2];		/* control_stop() wakes the accept thread */
	pthread_t thread;
	bool thread_started;
	bool has_gid;
	gid_t gid;
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
	struct ctl_conn conn;
};

/* ------------------------------------------------------------ requests */

static void defaults_get(struct g511_daemon *d, uint64_t *ttl, uint64_t *idle)
{
	pthread_mutex_lock(&d->lock);
	*ttl = d->conf.default_ttl_s;
	*idle = d->conf.default_idle_s;
	pthread_mutex_unlock(&d->lock);
}

/*
 * A grant request into a spec. 1 = skip it (an import item whose absolute
 * deadline has passed), 0 = use it, -EINVAL = refuse.
 */
static int spec_from_req(const struct g511_ctl_grant_req *r, unsigned int origin,
			 uint64_t def_ttl, uint64_t def_idle, uint64_t now_wall,
			 struct grant_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->client = r->client;
	spec->origin = origin;
	spec->quota_bytes = r->quota_bytes;
	spec->rate_up_bps = r->rate_up_bps;
	spec->rate_down_bps = r->rate_down_bps;
	/* ctl_decode() checked the strings are terminated and class fits */
	memcpy(spec->user, r->user, sizeof(spec->user));
	memcpy(spec->acct_session_id, r->acct_session_id, sizeof(spec->acct_session_id));
	spec->class_len = r->class_len;
	memcpy(spec->class, r->class, r->class_len);
	spec->ttl_s = def_ttl;
	if (r->flags & G511_CTL_F_TTL)
		spec->ttl_s = r->ttl_s;
	if (r->flags & G511_CTL_F_EXPIRES_AT) {
		if (!r->expires_wall)
			spec->ttl_s = 0;
		else if (r->expires_wall <= now_wall)
			return 1;
		else if (r->expires_wall - now_wall > G511_CTL_TIMEOUT_MAX)
			return -EINVAL;
		else
			spec->ttl_s = r->expires_wall - now_wall;
	}
	spec->idle_s = (r->flags & G511_CTL_F_IDLE) ? r->idle_s : def_idle;
	if (r->flags & G511_CTL_F_MAC) {
		spec->mac_bound = true;
		memcpy(spec->mac, r->mac, 6);
	}
	return 0;
}

static const char *client_map_name(const struct g511_client *c)
{
	return c->kind == G511_CLIENT_MAC ? G511_MAP_MACS : G511_MAP_CLIENTS;
}

static __u32 client_map_max(struct g511_daemon *d, const struct g511_client *c)
{
	if (!d->n_ifaces)
		return 0;
	return d->ifaces[0].maps.max_entries[client_map_id(c->kind)];
}

/* res: what the verb said (NULL for a read); its db_error names the DB's reason. */
static int reply_grant_error(struct worker *w, __u32 seq, const char *verb,
			     const struct g511_client *c, int err,
			     const struct grant_result *res)
{
	struct g511_daemon *d = w->ctl->d;
	char who[G511_CLIENT_STRLEN];

	client_format(c, who, sizeof(who));
	if (err == -EINPROGRESS)	/* a deny: in force, not durable */
		return ctl_send_error(&w->conn, seq, EINPROGRESS,
				      "%s: revoked in the datapath, but not recorded in the "
				      "state database (%s); %s", who,
				      res && res->db_error[0] ? res->db_error : "?",
				      res && res->journalled ?
				      "gate511d retries, and it stays revoked across a restart" :
				      "gate511d retries, but the revocation journal cannot hold "
				      "it: a restart before then brings the grant back");
	if (res && res->db_error[0])
		return ctl_send_error(&w->conn, seq, -err, "cannot %s %s: the state database "
				      "cannot commit: %s; nothing changed", verb, who,
				      res->db_error);
	switch (err) {
	case -ENOSPC:
		return ctl_send_error(&w->conn, seq, ENOSPC,
				      "map %s is full (%u entries): %s refused, "
				      "no grant was evicted", client_map_name(c),
				      client_map_max(d, c), verb);
	case -ENOENT:
		return ctl_send_error(&w->conn, seq, ENOENT, "%s holds no grant", who);
	default:
		return ctl_send_error(&w->conn, seq, -err, "cannot %s %s: %s", verb,
				      who, strerror(-err));
	}
}

static int do_allow(struct worker *w, const struct g511_ctl_msg *m)
{
	struct g511_daemon *d = w->ctl->d;
	struct g511_ctl_grant out;
	struct grant_result res;
	struct grant_spec spec;
	char who[G511_CLIENT_STRLEN];
	uint64_t def_ttl, def_idle;
	const char *why;
	int err;

	defaults_get(d, &def_ttl, &def_idle);
	err = spec_from_req(&m->body.grant_req, G511_ORIGIN_CLI, def_ttl, def_idle, g511_wall_s(),
			    &spec);
	if (err)
		return ctl_send_error(&w->conn, m->hdr.seq, EINVAL,
				      "the deadline has passed or is too far");
	err = grants_check(d, &spec, &why);
	if (err) {
		client_format(&spec.client, who, sizeof(who));
		return ctl_send_error(&w->conn, m->hdr.seq, -err, "%s: %s", who, why);
	}
	err = grants_allow_r(d, &spec, &out, &res);
	if (err)
		return reply_grant_error(w, m->hdr.seq, "grant", &spec.client, err, &res);
	client_format(&spec.client, who, sizeof(who));
	log_info("allow %s ttl %llus idle %llus%s (uid %u)", who,
		 (unsigned long long)spec.ttl_s, (unsigned long long)spec.idle_s,
		 spec.mac_bound ? " mac-bound" : "", w->peer.uid);
	return ctl_send(&w->conn, G511_CTL_GRANT, m->hdr.seq, &out);
}

static int do_deny(struct worker *w, const struct g511_ctl_msg *m)
{
	const struct g511_client *c = &m->body.client_req.client;
	struct g511_ctl_session out;
	struct grant_result res;
	char who[G511_CLIENT_STRLEN];
	int err;

	err = grants_deny_r(w->ctl->d, c, G511_REASON_REVOKED, &out, &res);
	if (err)
		return reply_grant_error(w, m->hdr.seq, "revoke", c, err, &res);
	client_format(c, who, sizeof(who));
	log_info("deny %s (uid %u)", who, w->peer.uid);
	return ctl_send(&w->conn, G511_CTL_SESSION, m->hdr.seq, &out);
}

static int do_show(struct worker *w, const struct g511_ctl_msg *m)
{
	const struct g511_client *c = &m->body.client_req.client;
	struct g511_ctl_grant out;
	int err;

	err = grants_show(w->ctl->d, c, &out);
	if (err)
		return reply_grant_error(w, m->hdr.seq, "show", c, err, NULL);
	return ctl_send(&w->conn, G511_CTL_GRANT, m->hdr.seq, &out);
}

static int do_list(struct worker *w, const struct g511_ctl_msg *m)
{
	bool counters = m->hdr.type == G511_CTL_LIST;
	struct g511_ctl_count end = { 0 };
	struct g511_ctl_grant *page;
	unsigned int n, i;
	uint32_t after = 0;
	int err;

	page = calloc(LIST_PAGE, sizeof(*page));
	if (!page)
		return ctl_send_error(&w->conn, m->hdr.seq, ENOMEM, "out of memory");
	do {
		err = grants_list_page(w->ctl->d, after, counters, page, LIST_PAGE, &n);
		if (err) {
			err = ctl_send_error(&w->conn, m->hdr.seq, -err,
					     "cannot read the grants: %s",
					     strerror(-err));
			goto out;
		}
		for (i = 0; i < n; i++) {
			err = ctl_send(&w->conn, G511_CTL_GRANT, m->hdr.seq, &page[i]);
			if (err)
				goto out;
		}
		end.count += n;
		if (n)
			after = page[n - 1].grant_id;
	} while (n == LIST_PAGE);
	err = ctl_send(&w->conn, G511_CTL_END, m->hdr.seq, &end);
out:
	free(page);
	return err;
}

static int do_history(struct worker *w, const struct g511_ctl_msg *m)
{
	const struct g511_ctl_history_req *r = &m->body.history_req;
	const struct g511_client *filter =
		(r->flags & G511_CTL_F_FILTER) ? &r->client : NULL;
	struct g511_ctl_count end = { 0 };
	struct g511_ctl_session *page;
	unsigned int n, i;
	uint64_t after = 0;
	int err;

	page = calloc(LIST_PAGE, sizeof(*page));
	if (!page)
		return ctl_send_error(&w->conn, m->hdr.seq, ENOMEM, "out of memory");
	do {
		err = grants_history_page(w->ctl->d, filter, &after, page,
					  LIST_PAGE, &n);
		if (err) {
			err = ctl_send_error(&w->conn, m->hdr.seq, -err,
					     "cannot read the history: %s",
					     strerror(-err));
			goto out;
		}
		for (i = 0; i < n; i++) {
			err = ctl_send(&w->conn, G511_CTL_SESSION, m->hdr.seq, &page[i]);
			if (err)
				goto out;
		}
		end.count += n;
	} while (n == LIST_PAGE);
	err = ctl_send(&w->conn, G511_CTL_END, m->hdr.seq, &end);
out:
	free(page);
	return err;
}

static int do_stats(struct worker *w, const struct g511_ctl_msg *m)
{
	struct g511_ctl_stats out;
	int err;

	err = grants_stats(w->ctl->d, &out);
	if (err)
		return ctl_send_error(&w->conn, m->hdr.seq, -err,
				      "cannot read %s: %s", G511_MAP_STATS,
				      strerror(-err));
	return ctl_send(&w->conn, G511_CTL_STATS_REPLY, m->hdr.seq, &out);
}

static int do_status(struct worker *w, const struct g511_ctl_msg *m)
{
	struct g511_ctl_status *out;
	int err;

	out = malloc(sizeof(*out));
	if (!out)
		return ctl_send_error(&w->conn, m->hdr.seq, ENOMEM, "out of memory");
	err = grants_status(w->ctl->d, out);
	snprintf(out->version, sizeof(out->version), "%s", G511_VERSION);
	if (err)
		err = ctl_send_error(&w->conn, m->hdr.seq, -err,
				     "cannot read the state: %s", strerror(-err));
	else
		err = ctl_send(&w->conn, G511_CTL_STATUS_REPLY, m->hdr.seq, out);
	free(out);
	return err;
}

static int do_garden(struct worker *w, const struct g511_ctl_msg *m)
{
	const struct g511_ctl_garden *g = &m->body.garden;
	struct g511_ctl_count ok = { .count = 1 };
	struct g511_garden_entry e = { .key = g->key, .val = g->val };
	char text[G511_GARDEN_STRLEN];
	int err;

	garden_format(&g->key, &g->val, text, sizeof(text));
	if (m->hdr.type == G511_CTL_GARDEN_ADD)
		err = garden_add(w->ctl->d, &e);
	else
		err = garden_del(w->ctl->d, &g->key);
	switch (err) {
	case 0:
		log_info("garden %s %s (uid %u)",
			 m->hdr.type == G511_CTL_GARDEN_ADD ? "add" : "del", text,
			 w->peer.uid);
		return ctl_send(&w->conn, G511_CTL_OK, m->hdr.seq, &ok);
	case -ENOSPC:
		return ctl_send_error(&w->conn, m->hdr.seq, ENOSPC,
				      "map %s is full: %s not added",
				      G511_MAP_GARDEN, text);
	case -ENOENT:
		return ctl_send_error(&w->conn, m->hdr.seq, ENOENT,
				      "no garden entry %s", text);
	case -EPERM:
		return ctl_send_error(&w->conn, m->hdr.seq, EPERM,
				      "%s comes from the config file: remove it "
				      "there and reload", text);
	default:
		return ctl_send_error(&w->conn, m->hdr.seq, -err, "garden %s: %s",
				      text, strerror(-err));
	}
}

static int do_garden_list(struct worker *w, const struct g511_ctl_msg *m)
{
	struct g511_ctl_count end = { 0 };
	struct g511_ctl_garden *list;
	unsigned int n, i;
	int err;

	err = garden_list(w->ctl->d, &list, &n);
	if (err)
		return ctl_send_error(&w->conn, m->hdr.seq, -err,
				      "cannot read the garden: %s", strerror(-err));
	for (i = 0; i < n && !err; i++)
		err = ctl_send(&w->conn, G511_CTL_GARDEN, m->hdr.seq, &list[i]);
	free(list);
	if (err)
		return err;
	end.count = n;
	return ctl_send(&w->conn, G511_CTL_END, m->hdr.seq, &end);
}

static int do_import(struct worker *w, const struct g511_ctl_msg *begin)
{
	struct g511_daemon *d = w->ctl->d;
	__u32 seq = begin->hdr.seq;
	struct g511_ctl_count ok = { 0 };
	struct grant_spec *specs = NULL;
	size_t n = 0, cap = 0, received = 0, failed_at;
	uint64_t def_ttl, def_idle, now_wall = g511_wall_s();
	struct g511_ctl_msg *m;
	struct grant_result res;
	const char *why;
	int err;

	m = malloc(sizeof(*m));
	if (!m)
		return ctl_send_error(&w->conn, seq, ENOMEM, "out of memory");
	defaults_get(d, &def_ttl, &def_idle);
	for (;;) {
		err = ctl_recv(&w->conn, m);
		if (err) {
			err = ctl_send_error(&w->conn, seq, EBADMSG,
					     "import: bad or missing item after %zu: %s",
					     received, strerror(-err));
			goto out;
		}
		if (m->hdr.type == G511_CTL_IMPORT_END)
			break;
		if (m->hdr.type != G511_CTL_IMPORT_ITEM) {
			err = ctl_send_error(&w->conn, seq, EBADMSG,
					     "import: unexpected %s message",
					     ctl_type_name(m->hdr.type));
			goto out;
		}
		if (received == G511_CTL_IMPORT_MAX) {
			err = ctl_send_error(&w->conn, seq, EINVAL,
					     "import: more than %u grants",
					     G511_CTL_IMPORT_MAX);
			goto out;
		}
		received++;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			void *np = realloc(specs, ncap * sizeof(*specs));

			if (!np) {
				err = ctl_send_error(&w->conn, seq, ENOMEM,
						     "import: out of memory");
				goto out;
			}
			specs = np;
			cap = ncap;
		}
		err = spec_from_req(&m->body.grant_req, G511_ORIGIN_IMPORT, def_ttl, def_idle, now_wall,
				    &specs[n]);
		if (err < 0) {
			err = ctl_send_error(&w->conn, seq, EINVAL,
					     "import: item %zu: deadline too far",
					     received);
			goto out;
		}
		if (err == 0 && (err = grants_check(d, &specs[n], &why))) {
			err = ctl_send_error(&w->conn, seq, -err, "import: item %zu: %s",
					     received, why);
			goto out;
		}
		if (err == 0)	/* 1: its deadline passed, skip it */
			n++;
	}
	if (m->body.count.count != received) {
		err = ctl_send_error(&w->conn, seq, EBADMSG,
				     "import: %zu items received, %u announced",
				     received, m->body.count.count);
		goto out;
	}
	err = grants_import_r(d, specs, n, &failed_at, &res);
	if (err) {
		char who[G511_CLIENT_STRLEN];

		client_format(&specs[failed_at].client, who, sizeof(who));
		if (res.db_error[0])
			err = ctl_send_error(&w->conn, seq, -err,
					     "import: the state database cannot commit: "
					     "%s; nothing imported", res.db_error);
		else if (err == -ENOSPC)
			err = ctl_send_error(&w->conn, seq, ENOSPC,
					     "map %s is full (%u entries) at grant "
					     "%zu (%s): nothing imported, no grant "
					     "was evicted",
					     client_map_name(&specs[failed_at].client),
					     client_map_max(d, &specs[failed_at].client),
					     failed_at + 1, who);
		else
			err = ctl_send_error(&w->conn, seq, -err,
					     "import failed at grant %zu (%s): %s; "
					     "nothing imported", failed_at + 1, who,
					     strerror(-err));
		goto out;
	}
	log_info("import of %zu grants (%zu expired skipped) (uid %u)", n,
		 received - n, w->peer.uid);
	ok.count = n;
	err = ctl_send(&w->conn, G511_CTL_OK, seq, &ok);
out:
	free(specs);
	free(m);
	return err;
}

static int dispatch(struct worker *w, const struct g511_ctl_msg *m)
{
	switch (m->hdr.type) {
	case G511_CTL_ALLOW:
		return do_allow(w, m);
	case G511_CTL_DENY:
		return do_deny(w, m);
	case G511_CTL_SHOW:
		return do_show(w, m);
	case G511_CTL_LIST:
	case G511_CTL_EXPORT:
		return do_list(w, m);
	case G511_CTL_STATS:
		return do_stats(w, m);
	case G511_CTL_STATUS:
		return do_status(w, m);
	case G511_CTL_GARDEN_ADD:
	case G511_CTL_GARDEN_DEL:
		return do_garden(w, m);
	case G511_CTL_GARDEN_LIST:
		return do_garden_list(w, m);
	case G511_CTL_HISTORY:
		return do_history(w, m);
	case G511_CTL_IMPORT_BEGIN:
		return do_import(w, m);
	default:
		return ctl_send_error(&w->conn, m->hdr.seq, EBADMSG,
				      "%s is not a request that starts a "
				      "conversation", ctl_type_name(m->hdr.type));
	}
}

/* ------------------------------------------------------------- workers */

/* Is gid among the peer's groups (as they were when it connected)? */
static bool peer_in_group(int fd, gid_t gid)
{
	gid_t small[64], *groups = small;
	socklen_t len = sizeof(small);
	bool found = false;
	unsigned int i;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0) {
		if (errno != ERANGE)
			return false;
		/* len now says how much is needed */
		groups = malloc(len);
		if (!groups)
			return false;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
			goto out;
	}
	for (i = 0; i < len / sizeof(groups[0]); i++)
		if (groups[i] == gid)
			found = true;
out:
	if (groups != small)
		free(groups);
	return found;
}

static bool peer_allowed(struct g511_control *ctl, int fd, struct ucred *peer)
{
	socklen_t len = sizeof(*peer);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, peer, &len) < 0) {
		log_warn("control: SO_PEERCRED");
		return false;
	}
	if (peer->uid == 0)
		return true;
	if (!ctl->has_gid)
		return false;
	return peer->gid == ctl->gid || peer_in_group(fd, ctl->gid);
}

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

	if (!peer_allowed(w->ctl, w->fd, &w->peer)) {
		log_warnx("control: refused uid %u gid %u pid %d", w->peer.uid,
			  w->peer.gid, w->peer.pid);
		ctl_send_error(&w->conn, 0, EACCES,
			       "permission denied: root or group '%s' only",
			       w->ctl->d->conf.admin_group[0] ?
			       w->ctl->d->conf.admin_group : "root");
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
		else
			err = dispatch(w, m);
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

static int resolve_group(const char *name, gid_t *gid)
{
	struct group grp, *res = NULL;
	char buf[4096];
	int err;

	err = getgrnam_r(name, &grp, buf, sizeof(buf), &res);
	if (err)
		return -err;
	if (!res)
		return -ENOENT;
	*gid = grp.gr_gid;
	return 0;
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
	int err;

	err = control_claim(d);
	if (err)
		return err;
	ctl = d->control;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", ctl->path);

	if (d->conf.admin_group[0]) {
		err = resolve_group(d->conf.admin_group, &ctl->gid);
		if (err) {
			log_warnx("admin_group %s: %s", d->conf.admin_group,
				  err == -ENOENT ? "no such group" : strerror(-err));
			goto fail;
		}
		ctl->has_gid = true;
	}
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
	if (chmod(path, 0660) < 0 ||
	    (ctl->has_gid && chown(path, 0, ctl->gid) < 0)) {
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
