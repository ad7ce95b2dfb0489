/* SPDX-License-Identifier: GPL-2.0 */
#ifndef G511_RTNL_H
#define G511_RTNL_H

#include <stddef.h>
#include <linux/netlink.h>

/* Called for every message of the answer but NLMSG_DONE and NLMSG_ERROR. */
typedef void (*rtnl_msg_fn)(const struct nlmsghdr *nh, void *arg);

/*
 * One rtnetlink request on a socket of its own: send req (len bytes),
 * hand every message of the answer to fn (NULL: none wanted) until
 * NLMSG_DONE or NLMSG_ERROR ends it; a request without NLM_F_DUMP ends
 * with the first datagram. Bounded: at most max_rounds datagrams, each
 * waited for 1 s at most. Returns 0, the NLMSG_ERROR's error (< 0), or
 * -errno.
 */
int rtnl_talk(const void *req, size_t len, unsigned int max_rounds, rtnl_msg_fn fn, void *arg);

#endif /* G511_RTNL_H */
