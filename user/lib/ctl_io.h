/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctl_io.h - control messages over a stream socket, buffered both ways so
 * a stream of 100k GRANT messages costs a few hundred syscalls, not 200k.
 * The decoder runs on the buffered bytes: a header is checked before its
 * body is waited for, and nothing is copied before the length is known good.
 */
#ifndef GATE511_CTL_IO_H
#define GATE511_CTL_IO_H

#include "ctl_proto.h"

#define CTL_IO_BUF	16384

struct ctl_conn {
	int fd;
	size_t rstart, rend;	/* unread bytes are rbuf[rstart, rend) */
	size_t wlen;
	__u8 rbuf[CTL_IO_BUF];
	__u8 wbuf[CTL_IO_BUF];
};

void ctl_conn_init(struct ctl_conn *conn, int fd);

/* Queue one message; flushes when the buffer is full. 0 or -errno. */
int ctl_send(struct ctl_conn *conn, unsigned int type, __u32 seq,
	     const void *body);
int ctl_flush(struct ctl_conn *conn);

/*
 * Read one message. 0 and *msg filled; -ENODATA at a clean end of stream
 * (no byte of a next message); -ECONNRESET if the stream ends inside a
 * message; -EAGAIN on a receive timeout; or an error of ctl_decode(). After
 * -EPROTONOSUPPORT msg->hdr is valid, so the caller can reply with its seq.
 * A decode error leaves the stream unusable: answer and close.
 */
int ctl_recv(struct ctl_conn *conn, struct g511_ctl_msg *msg);

/* The ERROR reply for a ctl_recv() error; 0 or -errno of the send. */
int ctl_send_error(struct ctl_conn *conn, __u32 seq, int code,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif /* GATE511_CTL_IO_H */
