// SPDX-License-Identifier: GPL-2.0
/*
 * rpc.c - the one exchange gate511ctl has with gate511d, used by every
 * command: connect to the control socket (one request per connection),
 * send the batch and the request, read one reply or a stream up to END,
 * and check what came back (sequence, type, count). The daemon's ERROR
 * becomes the exit code of its errno; every failure is reported once, here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "ctl_io.h"
#include "gate511ctl.h"

#define RPC_TIMEOUT_S	60

struct rpc_conn {
	const struct gctl *g;
	const struct rpc_call *call;
	__u32 seq;
	int send_err;		/* -errno of a failed send, not reported yet */
	struct ctl_conn io;
};

static bool daemon_down(int err)
{
	return err == -ENOENT || err == -ECONNREFUSED || err == -ENOTDIR;
}

int rpc_exit_for(int code)
{
	switch (code) {
	case EINVAL:
	case EOPNOTSUPP:	/* a limit this datapath does not enforce yet */
		return EXIT_USAGE;
	case ENOENT:
		return EXIT_NOTFOUND;
	case ENOSPC:
		return EXIT_FULL;
	case EINPROGRESS:	/* done in the datapath, not durable yet */
		return EXIT_NOT_DURABLE;
	default:
		return EXIT_ERROR;
	}
}

/* A connected fd, or -errno of the socket or connect (nothing reported). */
static int rpc_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = RPC_TIMEOUT_S };
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int connect_error(const struct gctl *g, int err)
{
	if (daemon_down(err))
		return cli_error(g, EXIT_DOWN, "gate511d is not running (cannot "
				 "connect to %s: %s)", g->sock_path, strerror(-err));
	if (err == -EACCES || err == -EPERM)
		return cli_error(g, EXIT_ERROR, "permission denied on %s: root, "
				 "admin_group or portal_group only", g->sock_path);
	return cli_error(g, EXIT_ERROR, "cannot connect to %s: %s", g->sock_path,
			 strerror(-err));
}

/*
 * A failed send is reported by rpc_call(), not here: a daemon that refused
 * an import item answered and closed, and the answer says why.
 */
int rpc_send(struct rpc_conn *conn, unsigned int type, const void *body)
{
	int err = ctl_send(&conn->io, type, conn->seq, body);

	if (err) {
		conn->send_err = err;
		return EXIT_ERROR;
	}
	return 0;
}

static int daemon_error(struct rpc_conn *conn, const struct g511_ctl_error *e)
{
	const struct rpc_call *call = conn->call;
	int code = rpc_exit_for(e->code);

	if (call->daemon_error)
		return call->daemon_error(conn->g, e, code, call->batch_ctx);
	return cli_error(conn->g, code, "%s", e->msg);
}

/* The next reply into *m: 0, or an exit code (reported). */
static int rpc_reply(struct rpc_conn *conn, struct g511_ctl_msg *m, unsigned int want,
		     bool stream)
{
	const struct gctl *g = conn->g;
	int err = ctl_recv(&conn->io, m);

	switch (err) {
	case 0:
		break;
	case -ENODATA:
	case -ECONNRESET:
		return cli_error(g, EXIT_ERROR, "gate511d closed the connection");
	case -EAGAIN:
		return cli_error(g, EXIT_ERROR, "no answer from gate511d in %d s",
				 RPC_TIMEOUT_S);
	case -EPROTONOSUPPORT:
		return cli_error(g, EXIT_ERROR, "gate511d speaks protocol version %u, "
				 "this gate511ctl %u", m->hdr.version, G511_CTL_VERSION);
	default:
		return cli_error(g, EXIT_ERROR, "bad reply from gate511d: %s",
				 strerror(-err));
	}
	if (m->hdr.type == G511_CTL_ERROR)
		return daemon_error(conn, &m->body.error);
	if (m->hdr.seq != conn->seq)
		return cli_error(g, EXIT_ERROR, "reply out of sequence");
	if (m->hdr.type != want && !(stream && m->hdr.type == G511_CTL_END))
		return cli_error(g, EXIT_ERROR, "unexpected %s reply from gate511d",
				 ctl_type_name(m->hdr.type));
	return 0;
}

/* Replies of type want up to END into a growing array of bodies. */
static int rpc_collect(struct rpc_conn *conn, struct rpc_call *call)
{
	size_t size = (size_t)ctl_body_len(call->reply), cap = 0;
	struct g511_ctl_msg *m = &call->msg;
	char *v = NULL;
	int ret;

	call->n = 0;
	for (;;) {
		ret = rpc_reply(conn, m, call->reply, true);
		if (ret)
			goto fail;
		if (m->hdr.type == G511_CTL_END)
			break;
		if (call->n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			char *nv = realloc(v, ncap * size);

			if (!nv) {
				ret = cli_error(conn->g, EXIT_ERROR, "out of memory");
				goto fail;
			}
			v = nv;
			cap = ncap;
		}
		memcpy(v + call->n * size, &m->body, size);
		call->n++;
	}
	if (m->body.count.count != call->n) {
		ret = cli_error(conn->g, EXIT_ERROR, "gate511d announced %u entries, "
				"sent %zu", m->body.count.count, call->n);
		goto fail;
	}
	call->items = v;
	return 0;
fail:
	free(v);
	call->n = 0;
	return ret;
}

/*
 * A send failed. If the daemon closed the connection (EPIPE, ECONNRESET)
 * it did so after answering, with an ERROR that is still ours to read:
 * report that; else the send error.
 */
static int send_failed(struct rpc_conn *conn)
{
	int err = conn->send_err;
	struct g511_ctl_msg *m;

	if (err == -EPIPE || err == -ECONNRESET) {
		m = malloc(sizeof(*m));
		if (m && ctl_recv(&conn->io, m) == 0 && m->hdr.type == G511_CTL_ERROR) {
			err = daemon_error(conn, &m->body.error);
			free(m);
			return err;
		}
		free(m);
	}
	return cli_error(conn->g, EXIT_ERROR, "cannot send to gate511d: %s",
			 strerror(-err));
}

int rpc_call(const struct gctl *g, struct rpc_call *call)
{
	struct rpc_conn *conn;
	int fd, ret, err;

	call->items = NULL;
	call->n = 0;
	call->connect_err = 0;
	fd = rpc_connect(g->sock_path);
	if (fd < 0) {
		call->connect_err = fd;
		if (call->fall_back && daemon_down(fd))
			return RPC_DOWN;
		return connect_error(g, fd);
	}
	/* two 16 KiB buffers: not on the stack */
	conn = malloc(sizeof(*conn));
	if (!conn) {
		close(fd);
		return cli_error(g, EXIT_ERROR, "out of memory");
	}
	conn->g = g;
	conn->call = call;
	conn->seq = (__u32)getpid();
	conn->send_err = 0;
	ctl_conn_init(&conn->io, fd);

	ret = call->batch ? call->batch(conn, call->batch_ctx) : 0;
	if (!ret)
		ret = rpc_send(conn, call->type, call->body);
	if (!ret) {
		err = ctl_flush(&conn->io);
		if (err) {
			conn->send_err = err;
			ret = EXIT_ERROR;
		}
	}
	if (conn->send_err)
		ret = send_failed(conn);
	else if (!ret)
		ret = call->stream ? rpc_collect(conn, call) :
				     rpc_reply(conn, &call->msg, call->reply, false);
	close(fd);
	free(conn);
	return ret;
}
