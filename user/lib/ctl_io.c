// SPDX-License-Identifier: GPL-2.0
/*
 * ctl_io.c - buffered message I/O on a control connection (ctl_io.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ctl_io.h"

void ctl_conn_init(struct ctl_conn *conn, int fd)
{
	conn->fd = fd;
	conn->rstart = conn->rend = 0;
	conn->wlen = 0;
}

int ctl_flush(struct ctl_conn *conn)
{
	size_t off = 0;

	while (off < conn->wlen) {
		/* MSG_NOSIGNAL: a CLI that went away must not kill the daemon */
		ssize_t n = send(conn->fd, conn->wbuf + off, conn->wlen - off,
				 MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EWOULDBLOCK)
				return -ETIMEDOUT;
			return -errno;
		}
		off += n;
	}
	conn->wlen = 0;
	return 0;
}

int ctl_send(struct ctl_conn *conn, unsigned int type, __u32 seq,
	     const void *body)
{
	int len, err;

	if (sizeof(conn->wbuf) - conn->wlen < G511_CTL_MSG_MAX) {
		err = ctl_flush(conn);
		if (err)
			return err;
	}
	len = ctl_encode(conn->wbuf + conn->wlen, sizeof(conn->wbuf) - conn->wlen,
			 type, seq, body);
	if (len < 0)
		return len;
	conn->wlen += len;
	return 0;
}

/* Have at least want unread bytes buffered. */
static int ctl_fill(struct ctl_conn *conn, size_t want)
{
	if (conn->rend - conn->rstart >= want)
		return 0;
	if (conn->rstart) {
		memmove(conn->rbuf, conn->rbuf + conn->rstart,
			conn->rend - conn->rstart);
		conn->rend -= conn->rstart;
		conn->rstart = 0;
	}
	while (conn->rend < want) {
		ssize_t n = read(conn->fd, conn->rbuf + conn->rend,
				 sizeof(conn->rbuf) - conn->rend);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EWOULDBLOCK)
				return -EAGAIN;
			return -errno;
		}
		if (n == 0)
			return conn->rend == 0 ? -ENODATA : -ECONNRESET;
		conn->rend += n;
	}
	return 0;
}

int ctl_recv(struct ctl_conn *conn, struct g511_ctl_msg *msg)
{
	int err;

	memset(&msg->hdr, 0, sizeof(msg->hdr));
	err = ctl_fill(conn, G511_CTL_HDR_LEN);
	if (err)
		return err;
	/* header first: its length is checked against the type here */
	err = ctl_decode_hdr(conn->rbuf + conn->rstart, G511_CTL_HDR_LEN,
			     &msg->hdr);
	if (err)
		return err;
	err = ctl_fill(conn, msg->hdr.len);
	if (err)
		return err == -ENODATA ? -ECONNRESET : err;
	err = ctl_decode(conn->rbuf + conn->rstart, msg->hdr.len, msg);
	conn->rstart += msg->hdr.len;
	return err;
}

int ctl_send_error(struct ctl_conn *conn, __u32 seq, int code,
		   const char *fmt, ...)
{
	struct g511_ctl_error body;
	va_list ap;
	int err;

	memset(&body, 0, sizeof(body));
	body.code = code > 0 ? code : (code < 0 ? -code : EIO);
	va_start(ap, fmt);
	vsnprintf(body.msg, sizeof(body.msg), fmt, ap);
	va_end(ap);
	err = ctl_send(conn, G511_CTL_ERROR, seq, &body);
	if (err)
		return err;
	return ctl_flush(conn);
}
