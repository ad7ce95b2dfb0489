/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctl_role.h - who may do what on the control socket. Pure: the daemon
 * hands in the credentials the kernel gave it (SO_PEERCRED, SO_PEERGROUPS)
 * and the gids its config names; this file decides.
 *
 * Roles are ordered, each holds the ones below it:
 *   none    nothing (the socket answers a refusal, unread)
 *   portal  portal_group: allow, deny, show, list - what a login portal
 *           needs to let a client in and out and to see who is in
 *   admin   root and admin_group: everything, including what outlives a
 *           grant or opens the network to clients that never logged in
 *           (garden add/del, import, export, history, stats, status)
 */
#ifndef GATE511_CTL_ROLE_H
#define GATE511_CTL_ROLE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum g511_role {
	G511_ROLE_NONE = 0,
	G511_ROLE_PORTAL,
	G511_ROLE_ADMIN,
};

/* The groups of the config, resolved; has_* false = that group is unset. */
struct ctl_role_groups {
	bool has_portal, has_admin;
	gid_t portal_gid, admin_gid;
};

/*
 * The role of a peer: uid 0 is admin; else admin when admin_gid is its
 * primary gid or among groups[n], portal likewise for portal_gid, else none.
 */
enum g511_role ctl_role_of(const struct ctl_role_groups *rg, uid_t uid, gid_t gid,
			   const gid_t *groups, size_t n);

/* The least role a request (enum g511_ctl_type) needs; admin for any type
 * the table does not know, so a new request is closed until it is listed. */
enum g511_role ctl_role_needed(unsigned int type);
bool ctl_role_allows(enum g511_role have, unsigned int type);

/* "none", "portal", "admin" */
const char *ctl_role_name(enum g511_role role);
/* The request as the CLI spells it ("garden add", "import"), or "?". */
const char *ctl_role_cmd(unsigned int type);

/*
 * The message of a refusal into buf: the request, the role it needs and
 * which groups hold that role (names as configured, "" = unset), and the
 * role uid has. type < 0: the request was not read (a peer with no role).
 */
void ctl_role_refusal(char *buf, size_t len, int type, enum g511_role have,
		      unsigned int uid, const char *portal_group,
		      const char *admin_group);

#endif /* GATE511_CTL_ROLE_H */
