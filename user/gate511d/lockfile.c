// SPDX-License-Identifier: GPL-2.0
/*
 * lockfile.c - flock()ed lock files naming their holder (lockfile.h).
 * The file reads "PID TAG" ("PID" alone without a tag). Only the holder
 * writes or truncates it: one refused never touches it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include "lockfile.h"
#include "log.h"

#define DELAY_MIN_MS	10
#define DELAY_MAX_MS	200
#define TAG_MAX		512

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "PID TAG\n" as the holder wrote it. */
static long holder_read(int fd, char *tag, size_t tag_len)
{
	char buf[TAG_MAX + 32], *end;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid;

	buf[n > 0 ? n : 0] = '\0';
	pid = strtol(buf, &end, 10);
	end += strspn(end, " ");
	end[strcspn(end, "\n")] = '\0';
	snprintf(tag, tag_len, "%s", end);
	return pid;
}

int lockfile_take(const char *path, const char *tag, unsigned int wait_ms,
		  lockfile_held_fn held, void *ctx, int *fd_out, long *holder_pid)
{
	unsigned int delay = DELAY_MIN_MS;
	char holder_tag[TAG_MAX], buf[TAG_MAX + 32];
	uint64_t end = 0;
	int fd, err, n;

	*fd_out = -1;
	*holder_pid = 0;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0) {
		err = -errno;
		log_warn("cannot open %s", path);
		return err;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		uint64_t now = mono_ms();

		if (errno != EWOULDBLOCK) {
			err = -errno;
			log_warn("cannot lock %s", path);
			close(fd);
			return err;
		}
		*holder_pid = holder_read(fd, holder_tag, sizeof(holder_tag));
		err = held(*holder_pid, holder_tag, ctx);
		if (!err && end && now >= end)
			err = -EWOULDBLOCK;
		if (err) {
			close(fd);
			return err;
		}
		if (!end) {
			end = now + wait_ms;
			log_info("%s: held by pid %ld, which may be exiting; waiting up to %u ms",
				 path, *holder_pid, wait_ms);
		}
		poll(NULL, 0, delay > end - now ? end - now : delay);
		delay = delay * 2 > DELAY_MAX_MS ? DELAY_MAX_MS : delay * 2;
	}
	if (tag && *tag)
		n = snprintf(buf, sizeof(buf), "%ld %s\n", (long)getpid(), tag);
	else
		n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, n, 0) != n)
		log_warn("%s: cannot record our pid", path);
	*fd_out = fd;
	return 0;
}

void lockfile_release(int fd)
{
	if (fd < 0)
		return;
	if (ftruncate(fd, 0) < 0)
		log_warn("cannot empty a lock file");
	close(fd);
}
