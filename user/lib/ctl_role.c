// SPDX-License-Identifier: GPL-2.0
/*
 * ctl_role.c - the role table of the control socket (see ctl_role.h).
 * Pure functions; tests/unit/test_ctl_role.c walks every request type.
 *
 * The portal role gets exactly what a login portal does per client: let
 * one in (allow, or login: a RADIUS check of its user's password), throw
 * one out (deny), look one up (show) and see who is in (list), and change
 * a live grant's deadline, idle timeout, quota or rates in place (set: a
 * portal that sells more time or data; it can do as much with allow,
 * which would restart the session, so set gives it nothing more).
 * Everything else is admin's: garden add/del write the garden,
 * which lets every unauthenticated client through to what it names and
 * stays across restarts (garden add 0.0.0.0/0 opens the network); import
 * writes grants in bulk; export dumps the whole state DB; history holds
 * every past session; stats and status describe the whole site. None of
 * those are needed for a portal's four commands to work (each CLI command
 * is one request on its own connection, no hello or status first).
 */
#include <stdio.h>
#include "ctl_proto.h"
#include "ctl_role.h"

struct role_entry {
	const char *cmd;	/* as gate511ctl spells it */
	enum g511_role need;
};

static const struct role_entry role_table[G511_CTL_REQ__MAX] = {
	[G511_CTL_ALLOW]	= { "allow", G511_ROLE_PORTAL },
	[G511_CTL_DENY]		= { "deny", G511_ROLE_PORTAL },
	[G511_CTL_SHOW]		= { "show", G511_ROLE_PORTAL },
	[G511_CTL_LIST]		= { "list", G511_ROLE_PORTAL },
	[G511_CTL_EXPORT]	= { "export", G511_ROLE_ADMIN },
	[G511_CTL_STATS]	= { "stats", G511_ROLE_ADMIN },
	[G511_CTL_STATUS]	= { "status", G511_ROLE_ADMIN },
	[G511_CTL_GARDEN_ADD]	= { "garden add", G511_ROLE_ADMIN },
	[G511_CTL_GARDEN_DEL]	= { "garden del", G511_ROLE_ADMIN },
	[G511_CTL_GARDEN_LIST]	= { "garden list", G511_ROLE_ADMIN },
	[G511_CTL_GNAME_ADD]	= { "garden add NAME", G511_ROLE_ADMIN },
	[G511_CTL_GNAME_DEL]	= { "garden del NAME", G511_ROLE_ADMIN },
	[G511_CTL_GNAME_LIST]	= { "garden list (names)", G511_ROLE_ADMIN },
	[G511_CTL_HISTORY]	= { "history", G511_ROLE_ADMIN },
	[G511_CTL_IMPORT_BEGIN]	= { "import", G511_ROLE_ADMIN },
	[G511_CTL_IMPORT_ITEM]	= { "import", G511_ROLE_ADMIN },
	[G511_CTL_IMPORT_END]	= { "import", G511_ROLE_ADMIN },
	[G511_CTL_LOGIN]	= { "login", G511_ROLE_PORTAL },
	[G511_CTL_RADIUS_STATUS] = { "radius", G511_ROLE_ADMIN },
	[G511_CTL_SET]		= { "set", G511_ROLE_PORTAL },
};

static bool has_gid(bool set, gid_t want, gid_t gid, const gid_t *groups, size_t n)
{
	size_t i;

	if (!set)
		return false;
	if (gid == want)
		return true;
	for (i = 0; i < n; i++)
		if (groups[i] == want)
			return true;
	return false;
}

enum g511_role ctl_role_of(const struct ctl_role_groups *rg, uid_t uid, gid_t gid,
			   const gid_t *groups, size_t n)
{
	if (uid == 0)
		return G511_ROLE_ADMIN;
	if (has_gid(rg->has_admin, rg->admin_gid, gid, groups, n))
		return G511_ROLE_ADMIN;
	if (has_gid(rg->has_portal, rg->portal_gid, gid, groups, n))
		return G511_ROLE_PORTAL;
	return G511_ROLE_NONE;
}

enum g511_role ctl_role_needed(unsigned int type)
{
	if (type < G511_CTL_REQ__MAX && role_table[type].cmd)
		return role_table[type].need;
	return G511_ROLE_ADMIN;
}

bool ctl_role_allows(enum g511_role have, unsigned int type)
{
	return have >= ctl_role_needed(type);
}

const char *ctl_role_name(enum g511_role role)
{
	switch (role) {
	case G511_ROLE_PORTAL:
		return "portal";
	case G511_ROLE_ADMIN:
		return "admin";
	default:
		return "none";
	}
}

const char *ctl_role_cmd(unsigned int type)
{
	if (type < G511_CTL_REQ__MAX && role_table[type].cmd)
		return role_table[type].cmd;
	return "?";
}

/* Who holds the admin role, who the portal role, as a reader needs it. */
static void who_admin(char *buf, size_t len, const char *admin_group)
{
	if (admin_group[0])
		snprintf(buf, len, "root or admin_group %s", admin_group);
	else
		snprintf(buf, len, "root only: no admin_group is set");
}

static void who_portal(char *buf, size_t len, const char *portal_group)
{
	if (portal_group[0])
		snprintf(buf, len, "portal_group %s", portal_group);
	else
		snprintf(buf, len, "no portal_group is set");
}

void ctl_role_refusal(char *buf, size_t len, int type, enum g511_role have,
		      unsigned int uid, const char *portal_group,
		      const char *admin_group)
{
	char admin[96], portal[96];
	enum g511_role need;

	who_admin(admin, sizeof(admin), admin_group);
	who_portal(portal, sizeof(portal), portal_group);
	if (type < 0) {
		snprintf(buf, len, "permission denied: uid %u has no role on the "
			 "control socket (the portal role: %s; the admin role: %s)",
			 uid, portal, admin);
		return;
	}
	need = ctl_role_needed((unsigned int)type);
	if (need == G511_ROLE_ADMIN)
		snprintf(buf, len, "permission denied: '%s' needs the admin role "
			 "(%s); uid %u has the %s role", ctl_role_cmd((unsigned int)type),
			 admin, uid, ctl_role_name(have));
	else
		snprintf(buf, len, "permission denied: '%s' needs the portal role "
			 "(%s) or the admin role (%s); uid %u has the %s role",
			 ctl_role_cmd((unsigned int)type), portal, admin, uid,
			 ctl_role_name(have));
}
