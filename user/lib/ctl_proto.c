// SPDX-License-Identifier: GPL-2.0
/*
 * ctl_proto.c - encode and decode control messages (see ctl_proto.h).
 * Pure functions: no sockets, no clocks, no allocation; the fuzz target
 * tests/fuzz/fuzz_ctl.c drives ctl_decode() directly.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "ctl_proto.h"
#include "gardenname.h"

/* Every body has explicit padding: the sizes are the sums of the fields. */
_Static_assert(sizeof(struct g511_ctl_hdr) == 16, "hdr");
_Static_assert(sizeof(struct g511_client) == 20, "client");
_Static_assert(sizeof(struct g511_ctl_grant_req) == 664, "grant_req");
_Static_assert(sizeof(struct g511_ctl_client_req) == 20, "client_req");
_Static_assert(sizeof(struct g511_ctl_history_req) == 24, "history_req");
_Static_assert(sizeof(struct g511_ctl_garden) == 44, "garden");
_Static_assert(sizeof(struct g511_ctl_count) == 8, "count");
_Static_assert(sizeof(struct g511_ctl_error) == 248, "error");
_Static_assert(sizeof(struct g511_ctl_grant) == 712, "grant");
_Static_assert(sizeof(struct g511_ctl_session) == 408, "session");
_Static_assert(sizeof(struct g511_ctl_stats) == 520, "stats");
_Static_assert(sizeof(struct g511_ctl_status) == 1368 + 3 * 24 + 256, "status");
_Static_assert(sizeof(struct g511_ctl_listener) == 24, "listener");
_Static_assert(G511_STAT__MAX <= G511_CTL_STATS_MAX, "stats fit");
_Static_assert(sizeof(struct g511_ctl_login_req) == 416, "login_req");
_Static_assert(sizeof(struct g511_ctl_radius_server) == 56, "radius_server");
_Static_assert(sizeof(struct g511_ctl_radius_status) == 464, "radius_status");
_Static_assert(sizeof(struct g511_ctl_set_req) == 64, "set_req");
/* G511_CTL_MSG_MAX is the status body's size: the new bodies fit in it */
_Static_assert(sizeof(struct g511_ctl_login_req) <= sizeof(struct g511_ctl_status) &&
	       sizeof(struct g511_ctl_radius_status) <= sizeof(struct g511_ctl_status),
	       "bodies fit G511_CTL_MSG_MAX");
_Static_assert(offsetof(struct g511_ctl_msg, body) == G511_CTL_HDR_LEN, "body");
_Static_assert(sizeof(struct g511_ctl_gname) == 544, "gname");
_Static_assert(sizeof(struct g511_ctl_gname) <= sizeof(struct g511_ctl_status),
	       "gname fits G511_CTL_MSG_MAX");

struct ctl_type_info {
	const char *name;
	long body_len;
};

static const struct ctl_type_info ctl_requests[G511_CTL_REQ__MAX] = {
	[G511_CTL_ALLOW]	= { "allow", sizeof(struct g511_ctl_grant_req) },
	[G511_CTL_DENY]		= { "deny", sizeof(struct g511_ctl_client_req) },
	[G511_CTL_SHOW]		= { "show", sizeof(struct g511_ctl_client_req) },
	[G511_CTL_LIST]		= { "list", 0 },
	[G511_CTL_EXPORT]	= { "export", 0 },
	[G511_CTL_STATS]	= { "stats", 0 },
	[G511_CTL_STATUS]	= { "status", 0 },
	[G511_CTL_GARDEN_ADD]	= { "garden-add", sizeof(struct g511_ctl_garden) },
	[G511_CTL_GARDEN_DEL]	= { "garden-del", sizeof(struct g511_ctl_garden) },
	[G511_CTL_GARDEN_LIST]	= { "garden-list", 0 },
	[G511_CTL_HISTORY]	= { "history", sizeof(struct g511_ctl_history_req) },
	[G511_CTL_IMPORT_BEGIN]	= { "import-begin", 0 },
	[G511_CTL_IMPORT_ITEM]	= { "import-item", sizeof(struct g511_ctl_grant_req) },
	[G511_CTL_IMPORT_END]	= { "import-end", sizeof(struct g511_ctl_count) },
	[G511_CTL_LOGIN]	= { "login", sizeof(struct g511_ctl_login_req) },
	[G511_CTL_RADIUS_STATUS] = { "radius-status", 0 },
	[G511_CTL_SET]		= { "set", sizeof(struct g511_ctl_set_req) },
	[G511_CTL_GNAME_ADD]	= { "gname-add", sizeof(struct g511_ctl_gname) },
	[G511_CTL_GNAME_DEL]	= { "gname-del", sizeof(struct g511_ctl_gname) },
	[G511_CTL_GNAME_LIST]	= { "gname-list", 0 },
};

static const struct ctl_type_info ctl_replies[G511_CTL_REPLY__MAX - G511_CTL_OK] = {
	[G511_CTL_OK - G511_CTL_OK]	= { "ok", sizeof(struct g511_ctl_count) },
	[G511_CTL_ERROR - G511_CTL_OK]	= { "error", sizeof(struct g511_ctl_error) },
	[G511_CTL_END - G511_CTL_OK]	= { "end", sizeof(struct g511_ctl_count) },
	[G511_CTL_GRANT - G511_CTL_OK]	= { "grant", sizeof(struct g511_ctl_grant) },
	[G511_CTL_SESSION - G511_CTL_OK] = { "session", sizeof(struct g511_ctl_session) },
	[G511_CTL_GARDEN - G511_CTL_OK]	= { "garden", sizeof(struct g511_ctl_garden) },
	[G511_CTL_STATS_REPLY - G511_CTL_OK] = { "stats", sizeof(struct g511_ctl_stats) },
	[G511_CTL_STATUS_REPLY - G511_CTL_OK] = { "status", sizeof(struct g511_ctl_status) },
	[G511_CTL_RADIUS_STATUS_REPLY - G511_CTL_OK] = { "radius-status",
							 sizeof(struct g511_ctl_radius_status) },
	[G511_CTL_GNAME - G511_CTL_OK]	= { "gname", sizeof(struct g511_ctl_gname) },
};

static const struct ctl_type_info *ctl_type_info(unsigned int type)
{
	const struct ctl_type_info *ti = NULL;

	if (type < G511_CTL_REQ__MAX)
		ti = &ctl_requests[type];
	else if (type >= G511_CTL_OK && type < G511_CTL_REPLY__MAX)
		ti = &ctl_replies[type - G511_CTL_OK];
	return ti && ti->name ? ti : NULL;
}

long ctl_body_len(unsigned int type)
{
	const struct ctl_type_info *ti = ctl_type_info(type);

	return ti ? ti->body_len : -1;
}

bool ctl_type_is_request(unsigned int type)
{
	return type < G511_CTL_REQ__MAX && ctl_type_info(type);
}

const char *ctl_type_name(unsigned int type)
{
	const struct ctl_type_info *ti = ctl_type_info(type);

	return ti ? ti->name : "unknown";
}

static const char *const reason_names[G511_REASON__MAX] = {
	[G511_REASON_EXPIRED]	= "expired",
	[G511_REASON_IDLE]	= "idle",
	[G511_REASON_REVOKED]	= "revoked",
	[G511_REASON_REPLACED]	= "replaced",
	[G511_REASON_QUOTA]	= "quota",
	[G511_REASON_DISCONNECTED] = "disconnected",
};

const char *ctl_reason_name(unsigned int reason)
{
	if (reason < G511_REASON__MAX && reason_names[reason])
		return reason_names[reason];
	return "unknown";
}

int ctl_reason_parse(const char *name)
{
	int i;

	for (i = 1; i < G511_REASON__MAX; i++)
		if (strcmp(name, reason_names[i]) == 0)
			return i;
	return -EINVAL;
}

static const char *const origin_names[G511_ORIGIN__MAX] = {
	[G511_ORIGIN_NONE]	= "none",
	[G511_ORIGIN_CLI]	= "cli",
	[G511_ORIGIN_IMPORT]	= "import",
	[G511_ORIGIN_API]	= "api",
	[G511_ORIGIN_RADIUS]	= "radius",
	[G511_ORIGIN_COA]	= "coa",
	[G511_ORIGIN_ADOPTED]	= "adopted",
};

const char *ctl_origin_name(unsigned int origin)
{
	if (origin < G511_ORIGIN__MAX)
		return origin_names[origin];
	return "unknown";
}

static const char *const link_state_names[G511_LINK__MAX] = {
	[G511_LINK_ENFORCING] = "enforcing",
	[G511_LINK_GONE] = "gone",
	[G511_LINK_DETACHED] = "detached",
	[G511_LINK_REPLACED] = "replaced",
	[G511_LINK_UNATTACHED] = "unattached",
};

const char *ctl_link_state_name(unsigned int state)
{
	if (state < G511_LINK__MAX)
		return link_state_names[state];
	return "unknown";
}

static const char *const listener_names[G511_LISTENER__MAX] = {
	[G511_LISTENER_CAPPORT] = "capport",
	[G511_LISTENER_API] = "api",
	[G511_LISTENER_METRICS] = "metrics",
};

const char *ctl_listener_name(unsigned int id)
{
	if (id < G511_LISTENER__MAX)
		return listener_names[id];
	return "unknown";
}

int ctl_origin_parse(const char *name)
{
	int i;

	for (i = 0; i < G511_ORIGIN__MAX; i++)
		if (strcmp(name, origin_names[i]) == 0)
			return i;
	return -EINVAL;
}

static bool all_zero(const void *p, size_t n)
{
	const __u8 *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

static bool str_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static bool timeout_ok(__u64 s)
{
	return s <= G511_CTL_TIMEOUT_MAX;
}

/* user/acct id terminated and zero after the NUL; class zero past its length */
static bool grant_strings_ok(const char *user, const __u8 *class, unsigned int class_len,
			     const char *acct_id)
{
	size_t ul = strnlen(user, G511_USER_LEN), al = strnlen(acct_id, G511_ACCT_ID_LEN);

	if (ul == G511_USER_LEN || al == G511_ACCT_ID_LEN || class_len > G511_CLASS_MAX)
		return false;
	return all_zero(user + ul, G511_USER_LEN - ul) &&
	       all_zero(acct_id + al, G511_ACCT_ID_LEN - al) &&
	       all_zero(class + class_len, G511_CLASS_MAX + 3 - class_len);
}

/* A flag-guarded amount: given means in (0, max], absent means zero. */
static bool amount_ok(__u32 flags, __u32 flag, __u64 v, __u64 max)
{
	return (flags & flag) ? v > 0 && v <= max : v == 0;
}

static int check_grant_req(const struct g511_ctl_grant_req *r)
{
	if (!amount_ok(r->flags, G511_CTL_F_QUOTA, r->quota_bytes, G511_CTL_QUOTA_MAX) ||
	    !amount_ok(r->flags, G511_CTL_F_RATE_UP, r->rate_up_bps, G511_CTL_RATE_MAX) ||
	    !amount_ok(r->flags, G511_CTL_F_RATE_DOWN, r->rate_down_bps, G511_CTL_RATE_MAX))
		return -EINVAL;
	if (!all_zero(r->pad2, sizeof(r->pad2)) ||
	    !grant_strings_ok(r->user, r->class, r->class_len, r->acct_session_id))
		return -EINVAL;
	if (!client_valid(&r->client) || r->pad || (r->flags & ~G511_CTL_F_ALL))
		return -EINVAL;
	/* a session length and an absolute deadline exclude each other */
	if ((r->flags & G511_CTL_F_TTL) && (r->flags & G511_CTL_F_EXPIRES_AT))
		return -EINVAL;
	if (!(r->flags & G511_CTL_F_TTL) && r->ttl_s)
		return -EINVAL;
	if (!(r->flags & G511_CTL_F_EXPIRES_AT) && r->expires_wall)
		return -EINVAL;
	if (!(r->flags & G511_CTL_F_IDLE) && r->idle_s)
		return -EINVAL;
	if (!timeout_ok(r->ttl_s) || !timeout_ok(r->idle_s))
		return -EINVAL;
	if (r->flags & G511_CTL_F_MAC) {
		/* binding is for addresses; a MAC grant is its own binding */
		if (r->client.kind != G511_CLIENT_ADDR || !mac_is_unicast(r->mac))
			return -EINVAL;
	} else if (!all_zero(r->mac, sizeof(r->mac))) {
		return -EINVAL;
	}
	return 0;
}

/* A field not named is zero; a named one is in range (0 = no limit). */
static int check_set_req(const struct g511_ctl_set_req *r)
{
	if (!client_valid(&r->client) || !r->flags || (r->flags & ~G511_CTL_SET_F_ALL))
		return -EINVAL;
	if ((!(r->flags & G511_CTL_F_TTL) && r->ttl_s) ||
	    (!(r->flags & G511_CTL_F_IDLE) && r->idle_s) ||
	    (!(r->flags & G511_CTL_F_QUOTA) && r->quota_bytes) ||
	    (!(r->flags & G511_CTL_F_RATE_UP) && r->rate_up_bps) ||
	    (!(r->flags & G511_CTL_F_RATE_DOWN) && r->rate_down_bps))
		return -EINVAL;
	if (!timeout_ok(r->ttl_s) || !timeout_ok(r->idle_s) ||
	    r->quota_bytes > G511_CTL_QUOTA_MAX || r->rate_up_bps > G511_CTL_RATE_MAX ||
	    r->rate_down_bps > G511_CTL_RATE_MAX)
		return -EINVAL;
	return 0;
}

static int check_garden(const struct g511_ctl_garden *g, unsigned int type)
{
	if (!garden_key_valid(&g->key) || !garden_val_valid(&g->val) ||
	    !all_zero(g->pad, sizeof(g->pad)))
		return -EINVAL;
	if (type == G511_CTL_GARDEN)
		return g->source == G511_GARDEN_SRC_CONFIG ||
		       g->source == G511_GARDEN_SRC_DB ? 0 : -EINVAL;
	if (g->source != G511_GARDEN_SRC_NONE)
		return -EINVAL;
	if (type == G511_CTL_GARDEN_DEL && !all_zero(&g->val, sizeof(g->val)))
		return -EINVAL;
	return 0;
}

static bool str_zero_padded(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	return n < size && all_zero(s + n, size - n);
}

/* The name must be canonical: what gname_parse() makes of it is itself. */
static int check_gname(const struct g511_ctl_gname *g, unsigned int type)
{
	struct g511_gname canon;

	if (!str_zero_padded(g->name, sizeof(g->name)) || g->pad ||
	    gname_parse(g->name, &canon) || strcmp(canon.name, g->name) ||
	    !garden_val_valid(&g->ports))
		return -EINVAL;
	if (type == G511_CTL_GNAME) {
		if (g->source != G511_GARDEN_SRC_CONFIG && g->source != G511_GARDEN_SRC_DB)
			return -EINVAL;
		for (unsigned int i = 0; i < G511_CTL_GNAME_ADDRS; i++)
			if (g->addrs[i].pad)
				return -EINVAL;
		return 0;
	}
	if (g->source != G511_GARDEN_SRC_NONE || g->name_id || g->naddrs ||
	    !all_zero(g->addrs, sizeof(g->addrs)))
		return -EINVAL;
	if (type == G511_CTL_GNAME_DEL && !all_zero(&g->ports, sizeof(g->ports)))
		return -EINVAL;
	return 0;
}

static int check_login(const struct g511_ctl_login_req *r)
{
	if (!client_valid(&r->client) || r->pad || !r->user[0] ||
	    !str_zero_padded(r->user, sizeof(r->user)) ||
	    !str_zero_padded(r->password, sizeof(r->password)) ||
	    strlen(r->password) > 128)
		return -EINVAL;
	return 0;
}

static int check_radius_status(const struct g511_ctl_radius_status *r)
{
	if (r->n_servers > G511_CTL_RADIUS_SERVERS || r->dae_on > 1 || r->mac_auth_on > 1 ||
	    r->pad2 ||
	    !str_terminated(r->nas_identifier, sizeof(r->nas_identifier)))
		return -EINVAL;
	for (unsigned int i = 0; i < G511_CTL_RADIUS_SERVERS; i++)
		if (r->servers[i].state >= G511_RADIUS_SRV__MAX ||
		    !all_zero(r->servers[i].pad, sizeof(r->servers[i].pad)))
			return -EINVAL;
	return 0;
}

static int check_body(unsigned int type, const struct g511_ctl_msg *m)
{
	const struct g511_ctl_grant *g;
	const struct g511_ctl_session *s;
	const struct g511_ctl_status *st;
	unsigned int i;

	switch (type) {
	case G511_CTL_ALLOW:
	case G511_CTL_IMPORT_ITEM:
		return check_grant_req(&m->body.grant_req);
	case G511_CTL_DENY:
	case G511_CTL_SHOW:
		return client_valid(&m->body.client_req.client) ? 0 : -EINVAL;
	case G511_CTL_HISTORY:
		if (m->body.history_req.flags & ~G511_CTL_F_FILTER)
			return -EINVAL;
		if (m->body.history_req.flags & G511_CTL_F_FILTER)
			return client_valid(&m->body.history_req.client) ? 0 : -EINVAL;
		return all_zero(&m->body.history_req.client,
				sizeof(m->body.history_req.client)) ? 0 : -EINVAL;
	case G511_CTL_GARDEN_ADD:
	case G511_CTL_GARDEN_DEL:
	case G511_CTL_GARDEN:
		return check_garden(&m->body.garden, type);
	case G511_CTL_GNAME_ADD:
	case G511_CTL_GNAME_DEL:
	case G511_CTL_GNAME:
		return check_gname(&m->body.gname, type);
	case G511_CTL_IMPORT_END:
	case G511_CTL_OK:
	case G511_CTL_END:
		return m->body.count.pad ? -EINVAL : 0;
	case G511_CTL_ERROR:
		if (m->body.error.code <= 0 || m->body.error.pad ||
		    !str_terminated(m->body.error.msg, sizeof(m->body.error.msg)))
			return -EINVAL;
		return 0;
	case G511_CTL_GRANT:
		g = &m->body.grant;
		if (!client_valid(&g->client) || (g->flags & ~G511_CTL_GF_ALL) ||
		    g->origin >= G511_ORIGIN__MAX || !all_zero(g->pad, sizeof(g->pad)) ||
		    !grant_strings_ok(g->user, g->class, g->class_len, g->acct_session_id))
			return -EINVAL;
		return 0;
	case G511_CTL_SESSION:
		s = &m->body.session;
		if (!client_valid(&s->client) || !all_zero(s->pad, sizeof(s->pad)) ||
		    s->reason == 0 || s->reason >= G511_REASON__MAX ||
		    s->origin >= G511_ORIGIN__MAX ||
		    (s->flags & ~G511_CTL_GF_MAC_BOUND) ||
		    !str_terminated(s->user, sizeof(s->user)) ||
		    !str_terminated(s->acct_session_id, sizeof(s->acct_session_id)))
			return -EINVAL;
		return 0;
	case G511_CTL_STATS_REPLY:
		if (m->body.stats.n > G511_CTL_STATS_MAX || m->body.stats.pad)
			return -EINVAL;
		return 0;
	case G511_CTL_LOGIN:
		return check_login(&m->body.login_req);
	case G511_CTL_SET:
		return check_set_req(&m->body.set_req);
	case G511_CTL_RADIUS_STATUS_REPLY:
		return check_radius_status(&m->body.radius_status);
	case G511_CTL_STATUS_REPLY:
		st = &m->body.status;
		if (st->n_ifaces > G511_CTL_IFACES || st->pad ||
		    !str_terminated(st->version, sizeof(st->version)) ||
		    !str_terminated(st->portal_url, sizeof(st->portal_url)) ||
		    !str_terminated(st->state_path, sizeof(st->state_path)) ||
		    !str_terminated(st->conf_path, sizeof(st->conf_path)))
			return -EINVAL;
		for (i = 0; i < G511_CTL_IFACES; i++)
			if (!str_terminated(st->ifaces[i], sizeof(st->ifaces[i])) ||
			    st->iface_state[i] >= G511_LINK__MAX)
				return -EINVAL;
		for (i = 0; i < G511_LISTENER__MAX; i++) {
			const struct g511_ctl_listener *l = &st->listeners[i];

			if (l->on > 1 || l->tls > 1 || l->pad[0] || l->pad[1] || l->pad[2] ||
			    l->pad[3])
				return -EINVAL;
		}
		if (!str_terminated(st->capport_uri, sizeof(st->capport_uri)))
			return -EINVAL;
		return 0;
	default:
		return 0;	/* empty bodies */
	}
}

int ctl_decode_hdr(const void *buf, size_t len, struct g511_ctl_hdr *hdr)
{
	long body_len;

	if (len < G511_CTL_HDR_LEN)
		return -EBADMSG;
	memcpy(hdr, buf, G511_CTL_HDR_LEN);
	if (hdr->magic != G511_CTL_MAGIC)
		return -EBADMSG;
	/* ERROR's layout is frozen: readable whatever the version */
	if (hdr->version != G511_CTL_VERSION &&
	    !(hdr->type == G511_CTL_ERROR && hdr->version >= 1))
		return -EPROTONOSUPPORT;
	body_len = ctl_body_len(hdr->type);
	if (body_len < 0)
		return -ENOMSG;
	if (hdr->len != G511_CTL_HDR_LEN + (__u32)body_len)
		return -EMSGSIZE;
	return 0;
}

int ctl_decode(const void *buf, size_t len, struct g511_ctl_msg *msg)
{
	int err;

	memset(msg, 0, sizeof(*msg));
	err = ctl_decode_hdr(buf, len, &msg->hdr);
	if (err)
		return err;
	if (len != msg->hdr.len)
		return -EBADMSG;
	memcpy(&msg->body, (const __u8 *)buf + G511_CTL_HDR_LEN,
	       msg->hdr.len - G511_CTL_HDR_LEN);
	return check_body(msg->hdr.type, msg);
}

int ctl_encode(void *buf, size_t buf_len, unsigned int type, __u32 seq,
	       const void *body)
{
	struct g511_ctl_msg msg;
	long body_len = ctl_body_len(type);
	int err;

	if (body_len < 0)
		return -ENOMSG;
	if (buf_len < G511_CTL_HDR_LEN + (size_t)body_len)
		return -ENOBUFS;
	memset(&msg, 0, sizeof(msg));
	if (body_len) {
		if (!body)
			return -EINVAL;
		memcpy(&msg.body, body, body_len);
	}
	err = check_body(type, &msg);
	if (err)
		return err;
	msg.hdr.magic = G511_CTL_MAGIC;
	msg.hdr.version = G511_CTL_VERSION;
	msg.hdr.type = type;
	msg.hdr.len = G511_CTL_HDR_LEN + body_len;
	msg.hdr.seq = seq;
	memcpy(buf, &msg, msg.hdr.len);
	return msg.hdr.len;
}

void ctl_error_set(struct g511_ctl_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	memset(err, 0, sizeof(*err));
	err->code = code > 0 ? code : (code < 0 ? -code : EIO);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

unsigned int ctl_error_item(const char *msg, const char **rest)
{
	const char *p = msg + strlen(G511_CTL_ITEM_PREFIX);
	unsigned long n = 0;

	if (strncmp(msg, G511_CTL_ITEM_PREFIX, strlen(G511_CTL_ITEM_PREFIX)))
		return 0;
	if (*p < '1' || *p > '9')
		return 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (unsigned long)(*p - '0');
		if (n > G511_CTL_IMPORT_MAX)
			return 0;
	}
	if (p[0] != ':' || p[1] != ' ')
		return 0;
	*rest = p + 2;
	return (unsigned int)n;
}
