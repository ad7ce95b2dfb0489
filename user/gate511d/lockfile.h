/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lockfile.h - "one gate511d here": an flock()ed file holding the holder's
 * PID and a tag, taken with a bounded wait for a holder that is exiting.
 * Used for the control socket (control.c) and the set of maps (main.c).
 */
#ifndef GATE511D_LOCKFILE_H
#define GATE511D_LOCKFILE_H

#include <stddef.h>

/*
 * While the lock is held by another: 0 = it may be exiting, wait; a
 * negative errno = give up at once with it. holder_pid/tag as the holder
 * wrote them (0 / "" if unreadable).
 */
typedef int (*lockfile_held_fn)(long holder_pid, const char *holder_tag, void *ctx);

/*
 * flock path (created 0640), waiting at most wait_ms (10 ms doubling to
 * 200 ms between tries) while held() says to; then write "PID TAG\n" into
 * it. 0 and *fd (keep it open while the lock is to hold); -EWOULDBLOCK when
 * the wait ran out, or held()'s error; *holder_pid names the holder then.
 */
int lockfile_take(const char *path, const char *tag, unsigned int wait_ms,
		  lockfile_held_fn held, void *ctx, int *fd, long *holder_pid);
/* Empty the file (the holder is going) and close it; fd < 0 is a no-op. */
void lockfile_release(int fd);

#endif /* GATE511D_LOCKFILE_H */
