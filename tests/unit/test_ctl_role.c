// SPDX-License-Identifier: GPL-2.0
/*
 * test_ctl_role.c - the control socket's role table (lib/ctl_role.c):
 * every request type against the role it needs, written out here apart
 * from the table, so a new request or a loosened row fails; a peer's role
 * from its uid, primary gid and supplementary groups; the refusal message.
 */
#include <string.h>
#include "test.h"
#include "ctl_proto.h"
#include "ctl_role.h"

static const struct {
	unsigned int type;
	enum g511_role need;
	const char *cmd;
} want[] = {
	{ G511_CTL_ALLOW, G511_ROLE_PORTAL, "allow" },
	{ G511_CTL_DENY, G511_ROLE_PORTAL, "deny" },
	{ G511_CTL_SHOW, G511_ROLE_PORTAL, "show" },
	{ G511_CTL_LIST, G511_ROLE_PORTAL, "list" },
	{ G511_CTL_EXPORT, G511_ROLE_ADMIN, "export" },
	{ G511_CTL_STATS, G511_ROLE_ADMIN, "stats" },
	{ G511_CTL_STATUS, G511_ROLE_ADMIN, "status" },
	{ G511_CTL_GARDEN_ADD, G511_ROLE_ADMIN, "garden add" },
	{ G511_CTL_GARDEN_DEL, G511_ROLE_ADMIN, "garden del" },
	{ G511_CTL_GARDEN_LIST, G511_ROLE_ADMIN, "garden list" },
	{ G511_CTL_HISTORY, G511_ROLE_ADMIN, "history" },
	{ G511_CTL_IMPORT_BEGIN, G511_ROLE_ADMIN, "import" },
	{ G511_CTL_IMPORT_ITEM, G511_ROLE_ADMIN, "import" },
	{ G511_CTL_IMPORT_END, G511_ROLE_ADMIN, "import" },
	{ G511_CTL_LOGIN, G511_ROLE_PORTAL, "login" },
	{ G511_CTL_RADIUS_STATUS, G511_ROLE_ADMIN, "radius" },
	{ G511_CTL_SET, G511_ROLE_PORTAL, "set" },
	{ G511_CTL_GNAME_ADD, G511_ROLE_ADMIN, "garden add NAME" },
	{ G511_CTL_GNAME_DEL, G511_ROLE_ADMIN, "garden del NAME" },
	{ G511_CTL_GNAME_LIST, G511_ROLE_ADMIN, "garden list (names)" },
};

static bool every_request_listed(void)
{
	unsigned int t, i, found;

	/* each request type of the protocol is in want[] exactly once */
	for (t = 1; t < G511_CTL_REQ__MAX; t++) {
		found = 0;
		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			found += want[i].type == t;
		if (!ASSERT_EQ(found, 1u, ctl_type_name(t)))
			return false;
	}
	return true;
}

static bool table_rows(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		unsigned int t = want[i].type;
		bool portal_ok = want[i].need == G511_ROLE_PORTAL;

		if (!ASSERT_EQ(ctl_role_needed(t), want[i].need, want[i].cmd) ||
		    !ASSERT_STREQ(ctl_role_cmd(t), want[i].cmd, "cmd") ||
		    !ASSERT_TRUE(!ctl_role_allows(G511_ROLE_NONE, t), "none refused") ||
		    !ASSERT_EQ(ctl_role_allows(G511_ROLE_PORTAL, t), portal_ok, want[i].cmd) ||
		    !ASSERT_TRUE(ctl_role_allows(G511_ROLE_ADMIN, t), "admin allowed"))
			return false;
	}
	return true;
}

/* Types outside the table (replies, unknown numbers) need admin. */
static bool unknown_types_closed(void)
{
	static const unsigned int odd[] = {
		0, G511_CTL_REQ__MAX, 63, G511_CTL_OK, G511_CTL_ERROR,
		G511_CTL_GRANT, G511_CTL_REPLY__MAX, 1000, 0xffff, ~0u,
	};
	unsigned int i;

	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		if (!ASSERT_EQ(ctl_role_needed(odd[i]), G511_ROLE_ADMIN, "admin") ||
		    !ASSERT_TRUE(!ctl_role_allows(G511_ROLE_PORTAL, odd[i]), "portal") ||
		    !ASSERT_STREQ(ctl_role_cmd(odd[i]), "?", "cmd"))
			return false;
	return true;
}

static bool role_of_peer(void)
{
	const struct ctl_role_groups both = {
		.has_portal = true, .has_admin = true,
		.portal_gid = 900, .admin_gid = 901,
	};
	/* unset groups keep gid 0: a peer in group 0 must not match them */
	const struct ctl_role_groups none = { 0 };
	const struct ctl_role_groups portal_only = { .has_portal = true, .portal_gid = 900 };
	const gid_t sup_portal[] = { 5, 900, 7 };
	const gid_t sup_admin[] = { 5, 901 };
	const gid_t sup_both[] = { 900, 901 };
	const gid_t sup_zero[] = { 0 };

	return ASSERT_EQ(ctl_role_of(&both, 0, 0, NULL, 0), G511_ROLE_ADMIN, "root") &&
	       ASSERT_EQ(ctl_role_of(&none, 0, 1234, NULL, 0), G511_ROLE_ADMIN, "root, no groups") &&
	       ASSERT_EQ(ctl_role_of(&both, 1000, 901, NULL, 0), G511_ROLE_ADMIN, "primary admin") &&
	       ASSERT_EQ(ctl_role_of(&both, 1000, 100, sup_admin, 2), G511_ROLE_ADMIN, "sup admin") &&
	       ASSERT_EQ(ctl_role_of(&both, 1000, 900, NULL, 0), G511_ROLE_PORTAL, "primary portal") &&
	       ASSERT_EQ(ctl_role_of(&both, 1000, 100, sup_portal, 3), G511_ROLE_PORTAL, "sup portal") &&
	       ASSERT_EQ(ctl_role_of(&both, 1000, 100, sup_both, 2), G511_ROLE_ADMIN, "both: admin") &&
	       ASSERT_EQ(ctl_role_of(&both, 1000, 900, sup_admin, 2), G511_ROLE_ADMIN, "portal+admin") &&
	       ASSERT_EQ(ctl_role_of(&both, 1000, 100, sup_zero, 1), G511_ROLE_NONE, "other") &&
	       ASSERT_EQ(ctl_role_of(&both, 1000, 100, NULL, 0), G511_ROLE_NONE, "no groups") &&
	       ASSERT_EQ(ctl_role_of(&none, 1000, 0, sup_zero, 1), G511_ROLE_NONE, "gid 0, unset") &&
	       ASSERT_EQ(ctl_role_of(&portal_only, 1000, 901, NULL, 0), G511_ROLE_NONE, "admin unset") &&
	       ASSERT_EQ(ctl_role_of(&portal_only, 1000, 0, NULL, 0), G511_ROLE_NONE, "gid 0, admin unset") &&
	       ASSERT_EQ(ctl_role_of(&portal_only, 1000, 1, sup_portal, 3), G511_ROLE_PORTAL, "portal only");
}

static bool refusal_message(void)
{
	char buf[G511_CTL_ERRMSG_LEN], tiny[12];

	ctl_role_refusal(buf, sizeof(buf), G511_CTL_GARDEN_ADD, G511_ROLE_PORTAL, 1001,
			 "g511-portal", "gate511");
	if (!ASSERT_TRUE(strstr(buf, "permission denied: 'garden add' needs the admin role"),
			 buf) ||
	    !ASSERT_TRUE(strstr(buf, "admin_group gate511"), buf) ||
	    !ASSERT_TRUE(strstr(buf, "uid 1001 has the portal role"), buf))
		return false;
	ctl_role_refusal(buf, sizeof(buf), G511_CTL_LIST, G511_ROLE_NONE, 1002,
			 "g511-portal", "");
	if (!ASSERT_TRUE(strstr(buf, "'list' needs the portal role (portal_group g511-portal)"),
			 buf) ||
	    !ASSERT_TRUE(strstr(buf, "root only: no admin_group is set"), buf))
		return false;
	ctl_role_refusal(buf, sizeof(buf), -1, G511_ROLE_NONE, 1003, "", "gate511");
	if (!ASSERT_TRUE(strstr(buf, "uid 1003 has no role"), buf) ||
	    !ASSERT_TRUE(strstr(buf, "no portal_group is set"), buf))
		return false;
	memset(tiny, 'x', sizeof(tiny));
	ctl_role_refusal(tiny, sizeof(tiny), G511_CTL_IMPORT_BEGIN, G511_ROLE_NONE, 1,
			 "p", "a");
	return ASSERT_EQ(strlen(tiny), sizeof(tiny) - 1, "truncated, terminated");
}

int main(void)
{
	RUN_CASE(every_request_listed);
	RUN_CASE(table_rows);
	RUN_CASE(unknown_types_closed);
	RUN_CASE(role_of_peer);
	RUN_CASE(refusal_message);
	return test_summary();
}
