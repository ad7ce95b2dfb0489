// SPDX-License-Identifier: GPL-2.0
/*
 * neigh.c - one neighbour table entry over rtnetlink (neigh.h): what
 * `ip neigh get ADDR dev IF` asks (kernel 4.20+). A socket per question:
 * the RFC 8908 API is asked once per network join, not per packet.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "neigh.h"

int neigh_mac(int ifindex, const struct g511_addr *addr, uint8_t mac[6])
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg ndm;
		char attrs[RTA_SPACE(16)];
	} req = {};
	union {
		struct nlmsghdr nh;
		char buf[1024];
	} resp;
	struct timeval tv = { .tv_sec = 1 };
	bool v4 = addr_is_v4(addr);
	size_t alen = v4 ? 4 : 16;
	struct rtattr *rta;
	struct ndmsg *ndm;
	int fd, err, len;

	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ndm)) + RTA_SPACE(alen);
	req.nh.nlmsg_type = RTM_GETNEIGH;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = 1;
	req.ndm.ndm_family = v4 ? AF_INET : AF_INET6;
	req.ndm.ndm_ifindex = ifindex;
	rta = (struct rtattr *)req.attrs;
	rta->rta_type = NDA_DST;
	rta->rta_len = RTA_LENGTH(alen);
	memcpy(RTA_DATA(rta), v4 ? &addr->addr[12] : addr->addr, alen);

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		err = -errno;
		goto out;
	}
	len = recv(fd, &resp, sizeof(resp), 0);
	if (len < 0) {
		err = -errno;
		goto out;
	}
	err = -ENOENT;
	if (!NLMSG_OK(&resp.nh, (unsigned int)len))
		goto out;
	if (resp.nh.nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(&resp.nh);

		if (resp.nh.nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error)
			err = e->error == -ENOENT ? -ENOENT : e->error;
		goto out;
	}
	if (resp.nh.nlmsg_type != RTM_NEWNEIGH ||
	    resp.nh.nlmsg_len < NLMSG_LENGTH(sizeof(*ndm)))
		goto out;
	ndm = NLMSG_DATA(&resp.nh);
	if (ndm->ndm_state & (NUD_INCOMPLETE | NUD_FAILED | NUD_NOARP) ||
	    ndm->ndm_state == NUD_NONE)
		goto out;
	len = resp.nh.nlmsg_len - NLMSG_LENGTH(sizeof(*ndm));
	for (rta = (struct rtattr *)((char *)ndm + NLMSG_ALIGN(sizeof(*ndm)));
	     RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == 6) {
			memcpy(mac, RTA_DATA(rta), 6);
			err = 0;
			break;
		}
	}
out:
	close(fd);
	return err;
}
