// SPDX-License-Identifier: GPL-2.0
/*
 * rtnl.c - one rtnetlink request and its answer (rtnl.h), for the qdisc
 * (shaping.c) and egress filter (tc.c) dumps and changes.
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/rtnetlink.h>

#include "rtnl.h"

int rtnl_talk(const void *req, size_t len, unsigned int max_rounds, rtnl_msg_fn fn, void *arg)
{
	char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	bool dump = ((const struct nlmsghdr *)req)->nlmsg_flags & NLM_F_DUMP;
	struct timeval tv = { .tv_sec = 1 };
	bool done = false;
	int fd, err = 0;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    send(fd, req, len, 0) < 0) {
		err = -errno;
		goto out;
	}
	for (unsigned int rounds = 0; rounds < max_rounds && !done; rounds++) {
		ssize_t got = recv(fd, buf, sizeof(buf), 0);
		int n = (int)got;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				err = e->error;
				done = true;
				break;
			}
			if (fn)
				fn(nh, arg);
		}
		if (!dump)
			done = true;
	}
out:
	close(fd);
	return err;
}
