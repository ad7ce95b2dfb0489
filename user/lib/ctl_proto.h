/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctl_proto.h - the gate511d control protocol (gate511ctl <-> gate511d over
 * a UNIX stream socket), in the manner of OpenBSD's imsg: every message is
 * a fixed header and a fixed-size body whose size the type decides, so a
 * message is length-checked before a byte of it is copied. Host byte order
 * (both ends are on the same machine).
 *
 * One request per connection. Replies carry the request's seq:
 *   ALLOW        grant_req        -> GRANT | ERROR
 *   DENY         client           -> SESSION (the closed one) | ERROR
 *   SHOW         client           -> GRANT | ERROR
 *   LIST         -                -> GRANT... END | ERROR
 *   EXPORT       -                -> GRANT... END | ERROR  (as LIST, with
 *                                    the DB's deadlines: what import remakes)
 *   STATS        -                -> STATS | ERROR
 *   STATUS       -                -> STATUS | ERROR
 *   GARDEN_ADD   garden           -> OK | ERROR
 *   GARDEN_DEL   garden (key)     -> OK | ERROR
 *   GARDEN_LIST  -                -> GARDEN... END | ERROR
 *   HISTORY      history_req      -> SESSION... END | ERROR
 *   IMPORT_BEGIN -, then IMPORT_ITEM grant_req..., then IMPORT_END count
 *                                 -> OK (count) | ERROR (nothing applied)
 *   LOGIN        login_req        -> GRANT | ERROR (RADIUS Access-Request:
 *                                    EACCES rejected, with the Reply-Message;
 *                                    ETIMEDOUT no server answered; ENOTCONN
 *                                    RADIUS is not configured)
 *   RADIUS_STATUS -               -> RADIUS_STATUS_REPLY | ERROR
 *   SET          set_req          -> GRANT (as changed) | ERROR (nothing
 *                                    changed; ENOENT no live grant)
 *   GNAME_ADD    gname            -> OK | ERROR   (garden by name)
 *   GNAME_DEL    gname (name)     -> OK | ERROR
 *   GNAME_LIST   -                -> GNAME... END | ERROR
 * Long answers are streamed as many messages ended by END, so 100k grants
 * never need one big buffer. An ERROR may come instead of any reply (also
 * mid-stream); its code is a positive errno: EINVAL bad input, ENOENT
 * unknown client or entry, ENOSPC map full or state database full (the
 * message says which, with SQLite's reason), EACCES not allowed,
 * EPROTONOSUPPORT other protocol version, EBADMSG malformed message,
 * EINPROGRESS (DENY only) revoked in the datapath but not yet committed
 * to the state database: not a failure of the revoke.
 *
 * Compatibility: the header and the ERROR body are frozen for all versions,
 * so a peer speaking another version still gets a readable ERROR. Any other
 * change to a body bumps G511_CTL_VERSION.
 */
#ifndef GATE511_CTL_PROTO_H
#define GATE511_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "gate511.h"
#include "addr.h"

#define G511_CTL_MAGIC		0x67353131U	/* "g511" */
#define G511_CTL_VERSION	2	/* 2: phase-2 grant fields */
#ifndef G511_VERSION
#define G511_VERSION		"0.2.0"	/* gate511 release, shown by -V and status */
#endif
#define G511_CTL_ERRMSG_LEN	240
#define G511_CTL_STATS_MAX	64
#define G511_CTL_IFACES		8
#define G511_CTL_IMPORT_MAX	(1U << 20)	/* items in one import */

struct g511_ctl_hdr {
	__u32 magic;		/* G511_CTL_MAGIC */
	__u16 version;		/* G511_CTL_VERSION */
	__u16 type;		/* enum g511_ctl_type */
	__u32 len;		/* whole message, header included */
	__u32 seq;		/* chosen by the client, echoed in replies */
};

#define G511_CTL_HDR_LEN	((__u32)sizeof(struct g511_ctl_hdr))

enum g511_ctl_type {
	/* requests */
	G511_CTL_ALLOW = 1,
	G511_CTL_DENY,
	G511_CTL_SHOW,
	G511_CTL_LIST,
	G511_CTL_EXPORT,
	G511_CTL_STATS,
	G511_CTL_STATUS,
	G511_CTL_GARDEN_ADD,
	G511_CTL_GARDEN_DEL,
	G511_CTL_GARDEN_LIST,
	G511_CTL_HISTORY,
	G511_CTL_IMPORT_BEGIN,
	G511_CTL_IMPORT_ITEM,
	G511_CTL_IMPORT_END,
	G511_CTL_LOGIN,
	G511_CTL_RADIUS_STATUS,
	G511_CTL_SET,
	G511_CTL_GNAME_ADD,
	G511_CTL_GNAME_DEL,
	G511_CTL_GNAME_LIST,
	G511_CTL_REQ__MAX,
	/* replies */
	G511_CTL_OK = 64,
	G511_CTL_ERROR,
	G511_CTL_END,
	G511_CTL_GRANT,
	G511_CTL_SESSION,
	G511_CTL_GARDEN,
	G511_CTL_STATS_REPLY,
	G511_CTL_STATUS_REPLY,
	G511_CTL_RADIUS_STATUS_REPLY,
	G511_CTL_GNAME,
	G511_CTL_REPLY__MAX,
};

/* ALLOW, IMPORT_ITEM */
#define G511_CTL_F_TTL		(1U << 0)	/* ttl_s given; else config default */
#define G511_CTL_F_IDLE		(1U << 1)	/* idle_s given; else config default */
#define G511_CTL_F_MAC		(1U << 2)	/* bind the address to mac[] */
#define G511_CTL_F_EXPIRES_AT	(1U << 3)	/* expires_wall given (import) */
#define G511_CTL_F_QUOTA	(1U << 4)	/* quota_bytes given (> 0) */
#define G511_CTL_F_RATE_UP	(1U << 5)	/* rate_up_bps given (> 0) */
#define G511_CTL_F_RATE_DOWN	(1U << 6)	/* rate_down_bps given (> 0) */
#define G511_CTL_F_ALL		0x7fU

/* Longest timeout accepted (10 years): keeps every ns sum far from 2^64. */
#define G511_CTL_TIMEOUT_MAX	(10ULL * 366 * 86400)
/* Largest quota (1 EiB) and rate (1 Tbit/s): far from overflow in BPF. */
#define G511_CTL_QUOTA_MAX	(1ULL << 60)
#define G511_CTL_RATE_MAX	1000000000000ULL

/*
 * Who made a grant; stored on it and on its closed session. Set by the
 * daemon from the path a request came in on, never taken from a client.
 */
enum g511_origin {
	G511_ORIGIN_NONE = 0,	/* a grant from before origins (schema v1) */
	G511_ORIGIN_CLI,	/* gate511ctl allow */
	G511_ORIGIN_IMPORT,	/* gate511ctl import */
	G511_ORIGIN_API,	/* the signed portal API */
	G511_ORIGIN_RADIUS,	/* RADIUS Access-Accept (login, MAC auth) */
	G511_ORIGIN_COA,	/* RADIUS CoA-Request */
	G511_ORIGIN_ADOPTED,	/* taken over from the maps (--adopt-maps) */
	G511_ORIGIN__MAX,
};

/*
 * Strings carried with a grant. user: RADIUS User-Name or the portal's
 * login name (RFC 2865 allows 253 octets), NUL-terminated. class: the
 * RADIUS Class attribute, opaque octets (at most 253), echoed in every
 * accounting request. acct_session_id: Acct-Session-Id, NUL-terminated.
 */
#define G511_USER_LEN		256
#define G511_CLASS_MAX		253
#define G511_ACCT_ID_LEN	64

struct g511_ctl_grant_req {
	struct g511_client client;
	__u32 flags;		/* G511_CTL_F_* */
	__u64 ttl_s;		/* session length, 0 = none */
	__u64 expires_wall;	/* F_EXPIRES_AT: absolute, wall seconds, 0 = none */
	__u64 idle_s;		/* idle timeout, 0 = none */
	__u8 mac[6];		/* F_MAC; else zero */
	__u16 pad;
	__u64 quota_bytes;	/* F_QUOTA: both directions; else zero */
	__u64 rate_up_bps;	/* F_RATE_UP; else zero */
	__u64 rate_down_bps;	/* F_RATE_DOWN; else zero */
	__u8 class_len;		/* octets of class[] used */
	__u8 pad2[7];
	char user[G511_USER_LEN];	/* "" = none */
	__u8 class[G511_CLASS_MAX + 3];	/* bytes past class_len zero */
	char acct_session_id[G511_ACCT_ID_LEN];	/* "" = none */
};

/*
 * SET: change a live grant in place. A flag names a field to change; its
 * value 0 removes that limit (no deadline, no idle timeout, no quota, no
 * rate). Counters, the session (Acct-Session-Id, start) and the fields
 * not named stay as they are.
 */
#define G511_CTL_SET_F_ALL	(G511_CTL_F_TTL | G511_CTL_F_IDLE | G511_CTL_F_QUOTA | \
				 G511_CTL_F_RATE_UP | G511_CTL_F_RATE_DOWN)
struct g511_ctl_set_req {
	struct g511_client client;
	__u32 flags;		/* G511_CTL_SET_F_ALL; at least one */
	__u64 ttl_s;		/* F_TTL: new session length from now */
	__u64 idle_s;		/* F_IDLE */
	__u64 quota_bytes;	/* F_QUOTA */
	__u64 rate_up_bps;	/* F_RATE_UP */
	__u64 rate_down_bps;	/* F_RATE_DOWN */
};

/* DENY, SHOW */
struct g511_ctl_client_req {
	struct g511_client client;
};

/* HISTORY */
#define G511_CTL_F_FILTER	(1U << 0)	/* only sessions of client */
struct g511_ctl_history_req {
	struct g511_client client;	/* zero unless F_FILTER */
	__u32 flags;
};

/* GARDEN_ADD, GARDEN_DEL (val zero), GARDEN */
enum g511_garden_source {
	G511_GARDEN_SRC_NONE = 0,	/* in requests */
	G511_GARDEN_SRC_CONFIG = 1,	/* garden = ... in the config file */
	G511_GARDEN_SRC_DB = 2,		/* gate511ctl garden add */
};

struct g511_ctl_garden {
	struct g511_garden_key key;
	struct g511_garden_val val;
	__u8 source;		/* enum g511_garden_source */
	__u8 pad[3];
};

/* OK, END, IMPORT_END */
struct g511_ctl_count {
	__u32 count;
	__u32 pad;
};

struct g511_ctl_error {
	__s32 code;		/* positive errno */
	__u32 pad;
	char msg[G511_CTL_ERRMSG_LEN];	/* NUL-terminated */
};

/* GRANT: one grant as the daemon knows it */
#define G511_CTL_GF_MAC_BOUND	(1U << 0)	/* mac[] is enforced */
#define G511_CTL_GF_IN_MAP	(1U << 1)	/* present in the BPF maps */
#define G511_CTL_GF_ALL		0x3U

struct g511_ctl_grant {
	struct g511_client client;
	__u32 grant_id;
	__u64 created_wall;	/* wall seconds */
	__u64 expires_wall;	/* 0 = no deadline */
	__u64 ttl_s;		/* session length given at grant time */
	__u64 idle_s;		/* 0 = no idle timeout */
	__u64 last_seen_wall;	/* 0 = unknown */
	__u64 packets;		/* upload */
	__u64 bytes;		/* upload */
	__u8 mac[6];
	__u16 flags;		/* G511_CTL_GF_* */
	__u64 packets_down;
	__u64 bytes_down;
	__u64 quota_bytes;	/* 0 = none */
	__u64 rate_up_bps;	/* 0 = unlimited */
	__u64 rate_down_bps;	/* 0 = unlimited */
	__u8 origin;		/* enum g511_origin */
	__u8 class_len;
	__u8 pad[6];
	char user[G511_USER_LEN];
	__u8 class[G511_CLASS_MAX + 3];
	char acct_session_id[G511_ACCT_ID_LEN];
};

/* SESSION: a closed grant (history) */
enum g511_close_reason {
	G511_REASON_EXPIRED = 1,	/* session deadline passed */
	G511_REASON_IDLE,		/* idle timeout */
	G511_REASON_REVOKED,		/* deny */
	G511_REASON_REPLACED,		/* a new allow for the same client */
	G511_REASON_QUOTA,		/* byte quota used up */
	G511_REASON_DISCONNECTED,	/* RADIUS Disconnect-Request */
	G511_REASON__MAX,
};

struct g511_ctl_session {
	struct g511_client client;
	__u32 reason;		/* enum g511_close_reason */
	__u64 start_wall;
	__u64 end_wall;
	__u64 packets;
	__u64 bytes;
	__u8 mac[6];
	__u16 flags;		/* G511_CTL_GF_MAC_BOUND */
	__u32 grant_id;
	__u8 origin;		/* enum g511_origin */
	__u8 pad[3];
	__u64 packets_down;
	__u64 bytes_down;
	char user[G511_USER_LEN];
	char acct_session_id[G511_ACCT_ID_LEN];
};

struct g511_ctl_stats {
	__u32 n;		/* counters that follow, <= G511_CTL_STATS_MAX */
	__u32 pad;
	__u64 value[G511_CTL_STATS_MAX];	/* index = enum g511_stat */
};

enum g511_listener {
	G511_LISTENER_CAPPORT = 0,	/* capport_listen: RFC 8908 API */
	G511_LISTENER_API,		/* api_listen: the signed portal API */
	G511_LISTENER_METRICS,		/* metrics_listen */
	G511_LISTENER__MAX,
};

struct g511_ctl_listener {
	__u8 on;		/* 0 or 1 */
	__u8 tls;		/* 0 or 1 */
	__u16 port;		/* host order */
	__u8 pad[4];
	struct g511_addr addr;	/* IPv4 as ::ffff:a.b.c.d */
};

struct g511_ctl_status {
	__u32 pid;
	__u32 n_ifaces;
	__u64 started_wall;
	__u64 now_wall;
	__u32 n_clients;	/* address grants */
	__u32 n_macs;		/* MAC grants */
	__u32 clients_max;
	__u32 macs_max;
	__u32 n_garden;
	__u32 pad;
	__u64 default_ttl_s;
	__u64 default_idle_s;
	char version[32];
	char ifaces[G511_CTL_IFACES][16];
	char portal_url[512];
	char state_path[256];
	char conf_path[256];
	/* The responder (AF_XDP sockets), summed over all of them. */
	__u32 xsk_sockets;
	__u32 xsk_zerocopy;	/* of which in zero-copy mode */
	__u64 resp_rx;		/* frames received */
	__u64 resp_tx;		/* frames sent */
	__u64 resp_synack;
	__u64 resp_511;
	__u64 resp_302;
	__u64 resp_rst;
	__u64 resp_silent;	/* frames that got no answer */
	__u64 resp_lost;	/* replies lost: no UMEM frame or TX slot */
	__u64 resp_rx_dropped;	/* kernel: RX ring full or bad descriptors */
	/* Per interface (as ifaces[]): the id of the XDP program on the link
	 * now (0: none or gone) and its enum g511_link_state. */
	__u32 iface_prog[G511_CTL_IFACES];
	__u8 iface_state[G511_CTL_IFACES];
	/* The network-facing listeners (enum g511_listener), as running
	 * (one that cannot start stops the daemon), and the RFC 8908 API's
	 * URI, what DHCP option 114 should carry ("" when it is off). */
	struct g511_ctl_listener listeners[G511_LISTENER__MAX];
	char capport_uri[256];
};


/*
 * The state of a managed link (status). Set by gate511d from rtnetlink and
 * a check of the program on the link once a second (gate511d/iface.h).
 */
enum g511_link_state {
	G511_LINK_ENFORCING = 0,	/* our program is on the link */
	G511_LINK_GONE,			/* no link of that name (deleted) */
	G511_LINK_DETACHED,		/* the link has no XDP program: removed */
	G511_LINK_REPLACED,		/* another XDP program is on it */
	G511_LINK_UNATTACHED,		/* a new link we could not attach to yet */
	G511_LINK__MAX,
};

/* LOGIN: the password travels only here, never in argv or a log. */
#define G511_CTL_PASSWORD_LEN	136	/* RFC 2865: at most 128 octets, + NUL, padded */
struct g511_ctl_login_req {
	struct g511_client client;
	__u32 pad;
	char user[G511_USER_LEN];		/* non-empty, NUL-terminated */
	char password[G511_CTL_PASSWORD_LEN];	/* NUL-terminated, zero after */
};

/* RADIUS_STATUS_REPLY */
#define G511_CTL_RADIUS_SERVERS	4
enum g511_radius_server_state {
	G511_RADIUS_SRV_UNKNOWN = 0,	/* not asked yet */
	G511_RADIUS_SRV_UP,		/* its last answer was good */
	G511_RADIUS_SRV_DOWN,		/* timed out: tried after the others */
	G511_RADIUS_SRV__MAX,
};

struct g511_ctl_radius_server {
	struct g511_addr addr;
	__u16 auth_port;
	__u16 acct_port;
	__u8 state;		/* enum g511_radius_server_state */
	__u8 pad[3];
	__u64 last_ok_wall;	/* 0 = never */
	__u64 requests;		/* packets sent (retransmissions too) */
	__u64 timeouts;		/* exchanges that got no valid answer */
	__u64 bad_replies;	/* dropped: wrong authenticator, no MA, ... */
};

struct g511_ctl_radius_status {
	__u32 n_servers;	/* <= G511_CTL_RADIUS_SERVERS; 0 = RADIUS off */
	__u32 dae_on;		/* radius_dae_listen is set */
	struct g511_ctl_radius_server servers[G511_CTL_RADIUS_SERVERS];
	__u64 queue_depth;	/* accounting records not yet acknowledged */
	__u64 queue_oldest_wall;	/* event time of the oldest, 0 = none */
	__u64 access_requests, accepts, rejects, auth_timeouts;
	__u64 acct_sent, acct_acked, acct_timeouts;
	__u64 coa_ack, coa_nak, dm_ack, dm_nak, dae_dropped;
	char nas_identifier[64];
	__u32 mac_auth_on;	/* radius_mac_auth = yes */
	__u32 pad2;
	__u64 mac_requests, mac_accepts, mac_rejects, mac_timeouts;
	__u64 mac_suppressed;	/* sightings that sent nothing (rate limit, cache, busy) */
	__u64 mac_pending;	/* queued or in flight now */
};

/*
 * GNAME_ADD, GNAME_DEL (ports and the rest zero), GNAME (a list item: the
 * name and the addresses learned for it, the first G511_CTL_GNAME_ADDRS
 * of naddrs, each with the seconds left before it lapses).
 */
#define G511_CTL_GNAME_ADDRS	16

struct g511_ctl_gname_addr {
	struct g511_addr addr;
	__u32 ttl_s;		/* seconds left (rounded up) */
	__u32 pad;
};

struct g511_ctl_gname {
	char name[G511_GNAME_LEN + 2];	/* canonical, NUL-padded */
	__u8 source;		/* enum g511_garden_source */
	__u8 pad;
	struct g511_garden_val ports;
	__u32 name_id;
	__u32 naddrs;		/* learned addresses in all */
	struct g511_ctl_gname_addr addrs[G511_CTL_GNAME_ADDRS];
};

/* A decoded message: header plus the body its type names. */
struct g511_ctl_msg {
	struct g511_ctl_hdr hdr;
	union g511_ctl_body {
		struct g511_ctl_grant_req grant_req;
		struct g511_ctl_client_req client_req;
		struct g511_ctl_history_req history_req;
		struct g511_ctl_garden garden;
		struct g511_ctl_count count;
		struct g511_ctl_error error;
		struct g511_ctl_grant grant;
		struct g511_ctl_session session;
		struct g511_ctl_stats stats;
		struct g511_ctl_status status;
		struct g511_ctl_login_req login_req;
		struct g511_ctl_radius_status radius_status;
		struct g511_ctl_set_req set_req;
		struct g511_ctl_gname gname;
	} body;
};

#define G511_CTL_MSG_MAX	(G511_CTL_HDR_LEN + sizeof(struct g511_ctl_status))

/* Body size of a type; -1 for a type that does not exist. */
long ctl_body_len(unsigned int type);
bool ctl_type_is_request(unsigned int type);
const char *ctl_type_name(unsigned int type);
const char *ctl_reason_name(unsigned int reason);	/* "expired", ... */
int ctl_reason_parse(const char *name);			/* -EINVAL if unknown */
const char *ctl_origin_name(unsigned int origin);	/* "cli", ... */
const char *ctl_link_state_name(unsigned int state);	/* "enforcing", ... */
const char *ctl_listener_name(unsigned int id);		/* "capport", ... */
int ctl_origin_parse(const char *name);			/* -EINVAL if unknown */

/*
 * Write header + body into buf. Returns the message length, -ENOMSG for an
 * unknown type, -ENOBUFS if buf is short, -EINVAL if the body would not
 * pass ctl_decode(). body may be NULL for empty bodies.
 */
int ctl_encode(void *buf, size_t buf_len, unsigned int type, __u32 seq,
	       const void *body);

/*
 * Check a header (the first G511_CTL_HDR_LEN bytes of buf). Returns 0;
 * -EBADMSG if len is short or the magic is wrong; -EPROTONOSUPPORT if the
 * version differs (hdr is filled in, so the caller can answer with an
 * ERROR); -ENOMSG for an unknown type; -EMSGSIZE if hdr.len is not the
 * size of that type.
 */
int ctl_decode_hdr(const void *buf, size_t len, struct g511_ctl_hdr *hdr);

/*
 * Decode one whole message of exactly len bytes into msg: the checks of
 * ctl_decode_hdr(), then -EBADMSG unless len == hdr.len, then the body
 * (copied only now) is validated: -EINVAL for unknown flags, non-zero
 * padding, unterminated strings, bad client kind, non-canonical prefix...
 */
int ctl_decode(const void *buf, size_t len, struct g511_ctl_msg *msg);

/*
 * An ERROR about one item of an import starts "import item N: " (N counts
 * the IMPORT_ITEM messages of the import from 1), so the client can name
 * the line of its file the item came from. A convention of the message
 * text only: the ERROR body is frozen, and a client that does not know it
 * shows the message as it is.
 */
#define G511_CTL_ITEM_PREFIX	"import item "
/* N, and *rest = the text after "import item N: "; 0 if msg names no item. */
unsigned int ctl_error_item(const char *msg, const char **rest);

/* Fill an ERROR body; code is a positive errno. */
void ctl_error_set(struct g511_ctl_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* GATE511_CTL_PROTO_H */
