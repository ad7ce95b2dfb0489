/* SPDX-License-Identifier: GPL-2.0 */
/*
 * radattr.h - RADIUS packets (RFC 2865, 2866, 5176) as bytes, and the
 * mapping between their attributes and gate511's grants. Pure: no
 * sockets, no clocks; randomness (a request authenticator) comes in from
 * the caller. MD5 and HMAC-MD5 are GnuTLS's.
 *
 * BLASTRADIUS (CVE-2024-3596): every packet gate511 sends carries a
 * Message-Authenticator (RFC 3579 / RFC 5080), and rad_verify_*() refuse
 * a reply or a CoA/Disconnect request without a valid one, whatever its
 * code: the MD5 response authenticator alone can be forged by a
 * man-in-the-middle.
 */
#ifndef GATE511_RADATTR_H
#define GATE511_RADATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RAD_HDR_LEN		20
#define RAD_AUTH_LEN		16
#define RAD_MAX_PACKET		4096
#define RAD_MAX_ATTR		253	/* value octets of one attribute */
#define RAD_PW_MAX		128	/* User-Password, RFC 2865 */

enum rad_code {
	RAD_ACCESS_REQUEST = 1,
	RAD_ACCESS_ACCEPT = 2,
	RAD_ACCESS_REJECT = 3,
	RAD_ACCT_REQUEST = 4,
	RAD_ACCT_RESPONSE = 5,
	RAD_ACCESS_CHALLENGE = 11,
	RAD_DISCONNECT_REQUEST = 40,
	RAD_DISCONNECT_ACK = 41,
	RAD_DISCONNECT_NAK = 42,
	RAD_COA_REQUEST = 43,
	RAD_COA_ACK = 44,
	RAD_COA_NAK = 45,
};

enum rad_attr {
	RAD_USER_NAME = 1,
	RAD_USER_PASSWORD = 2,
	RAD_NAS_IP_ADDRESS = 4,
	RAD_SERVICE_TYPE = 6,
	RAD_FRAMED_IP_ADDRESS = 8,
	RAD_REPLY_MESSAGE = 18,
	RAD_STATE = 24,
	RAD_CLASS = 25,
	RAD_VENDOR_SPECIFIC = 26,
	RAD_SESSION_TIMEOUT = 27,
	RAD_IDLE_TIMEOUT = 28,
	RAD_CALLED_STATION_ID = 30,
	RAD_CALLING_STATION_ID = 31,
	RAD_NAS_IDENTIFIER = 32,
	RAD_PROXY_STATE = 33,
	RAD_ACCT_STATUS_TYPE = 40,
	RAD_ACCT_DELAY_TIME = 41,
	RAD_ACCT_INPUT_OCTETS = 42,
	RAD_ACCT_OUTPUT_OCTETS = 43,
	RAD_ACCT_SESSION_ID = 44,
	RAD_ACCT_SESSION_TIME = 46,
	RAD_ACCT_INPUT_PACKETS = 47,
	RAD_ACCT_OUTPUT_PACKETS = 48,
	RAD_ACCT_TERMINATE_CAUSE = 49,
	RAD_ACCT_INPUT_GIGAWORDS = 52,
	RAD_ACCT_OUTPUT_GIGAWORDS = 53,
	RAD_EVENT_TIMESTAMP = 55,
	RAD_NAS_PORT_TYPE = 61,
	RAD_MESSAGE_AUTHENTICATOR = 80,
	RAD_ACCT_INTERIM_INTERVAL = 85,
	RAD_NAS_IPV6_ADDRESS = 95,
	RAD_ERROR_CAUSE = 101,
	RAD_FRAMED_IPV6_ADDRESS = 168,
};

#define RAD_SERVICE_LOGIN	1
#define RAD_SERVICE_CALL_CHECK	10	/* MAC authentication */
#define RAD_PORT_ETHERNET	15
#define RAD_PORT_WIRELESS	19	/* Wireless-802.11 */

enum rad_acct_status {
	RAD_ACCT_START = 1,
	RAD_ACCT_STOP = 2,
	RAD_ACCT_INTERIM = 3,
	RAD_ACCT_ON = 7,
	RAD_ACCT_OFF = 8,
};

enum rad_term_cause {
	RAD_TERM_USER_REQUEST = 1,
	RAD_TERM_LOST_SERVICE = 3,
	RAD_TERM_IDLE_TIMEOUT = 4,
	RAD_TERM_SESSION_TIMEOUT = 5,
	RAD_TERM_ADMIN_RESET = 6,
	RAD_TERM_ADMIN_REBOOT = 7,
	RAD_TERM_NAS_REQUEST = 10,
	RAD_TERM_NAS_REBOOT = 11,
};

/* RFC 5176 Error-Cause */
enum rad_error_cause {
	RAD_ERR_UNSUPPORTED_ATTRIBUTE = 401,
	RAD_ERR_MISSING_ATTRIBUTE = 402,
	RAD_ERR_NAS_ID_MISMATCH = 403,
	RAD_ERR_INVALID_REQUEST = 404,
	RAD_ERR_INVALID_ATTRIBUTE_VALUE = 407,
	RAD_ERR_RESOURCES_UNAVAILABLE = 506,
	RAD_ERR_SESSION_NOT_FOUND = 503,
};

#define RAD_VENDOR_WISPR	14122
#define RAD_WISPR_BW_MAX_UP	7	/* bit/s */
#define RAD_WISPR_BW_MAX_DOWN	8
#define RAD_VENDOR_CHILLI	14559
#define RAD_CHILLI_MAX_TOTAL_OCTETS	3
#define RAD_CHILLI_BW_MAX_UP	4	/* kbit/s */
#define RAD_CHILLI_BW_MAX_DOWN	5
#define RAD_CHILLI_MAX_TOTAL_GIGAWORDS	23

/* A packet being built. */
struct rad_packet {
	uint8_t buf[RAD_MAX_PACKET];
	size_t len;
	size_t ma_off;		/* offset of the Message-Authenticator value, 0 = none */
};

/* code, id and the authenticator field (random for an Access-Request,
 * ignored otherwise: rad_sign() sets it). */
void rad_init(struct rad_packet *p, uint8_t code, uint8_t id, const uint8_t auth[RAD_AUTH_LEN]);
/* 0, -EMSGSIZE if the packet is full, -EINVAL if len > RAD_MAX_ATTR. */
int rad_add(struct rad_packet *p, uint8_t type, const void *val, size_t len);
int rad_add_u32(struct rad_packet *p, uint8_t type, uint32_t v);
int rad_add_str(struct rad_packet *p, uint8_t type, const char *s);
int rad_add_vsa_u32(struct rad_packet *p, uint32_t vendor, uint8_t vtype, uint32_t v);
/* User-Password hidden with the secret and the packet's authenticator
 * (RFC 2865 5.2); -EINVAL if pw is longer than RAD_PW_MAX. */
int rad_add_password(struct rad_packet *p, const char *pw, const void *secret, size_t slen);
/* Append already encoded attributes (a stored accounting record). */
int rad_add_raw(struct rad_packet *p, const void *attrs, size_t len);
/*
 * Add the Message-Authenticator (last), set the length and sign: for an
 * Access-Request the authenticator is kept; for Accounting, CoA and
 * Disconnect requests it becomes MD5(packet with zeros + secret); for a
 * reply (req_auth = the request's authenticator) MD5(packet with req_auth
 * + secret). 0 or -EMSGSIZE / -EIO.
 */
int rad_sign(struct rad_packet *p, const uint8_t *req_auth, const void *secret, size_t slen);

/* A received packet: checked to be well formed before anything reads it. */
struct rad_view {
	const uint8_t *buf;
	size_t len;		/* the header's length (trailing octets ignored) */
	uint8_t code, id;
};

/* 0, or -EBADMSG: short, bad length, an attribute that runs over. */
int rad_parse(const void *buf, size_t len, struct rad_view *v);
/* Iterate: *off starts at 0; returns 1 with an attribute, 0 at the end. */
int rad_next(const struct rad_view *v, size_t *off, uint8_t *type, const uint8_t **val,
	     size_t *vlen);
/* The first attribute of type; NULL if none. */
const uint8_t *rad_find(const struct rad_view *v, uint8_t type, size_t *vlen);
/* How many of type. */
unsigned int rad_count(const struct rad_view *v, uint8_t type);
/* A 4-octet integer attribute; -ENOENT, or -EBADMSG if not 4 octets. */
int rad_get_u32(const struct rad_view *v, uint8_t type, uint32_t *out);
/* A vendor's integer sub-attribute (RFC 2865 VSA layout). */
int rad_get_vsa_u32(const struct rad_view *v, uint32_t vendor, uint8_t vtype, uint32_t *out);

/*
 * Is v a genuine reply to the request whose authenticator was req_auth?
 * The response authenticator and a Message-Authenticator (required) are
 * both checked. 0, -EBADMSG (no or more than one Message-Authenticator),
 * -EACCES (either does not match).
 */
int rad_verify_reply(const struct rad_view *v, const uint8_t req_auth[RAD_AUTH_LEN],
		     const void *secret, size_t slen);
/*
 * Is v a genuine Accounting, CoA or Disconnect request (authenticator =
 * MD5 over zeros) with a valid Message-Authenticator (required)? Same
 * returns as rad_verify_reply().
 */
int rad_verify_request(const struct rad_view *v, const void *secret, size_t slen);

/* ------------------------------------------------- grant mapping */

#define RAD_REPLY_MSG_LEN	256

/* What an Access-Accept says about the grant to make. */
struct rad_accept {
	uint64_t ttl_s;		/* Session-Timeout, 0 = none given */
	uint64_t idle_s;	/* Idle-Timeout */
	uint64_t interim_s;	/* Acct-Interim-Interval */
	uint64_t rate_up_bps, rate_down_bps;	/* WISPr (bit/s) or ChilliSpot (kbit/s) */
	uint64_t quota_bytes;	/* ChilliSpot-Max-Total-Octets (+ Gigawords) */
	uint8_t class[RAD_MAX_ATTR];
	unsigned int class_len;	/* the first Class */
	char reply_msg[RAD_REPLY_MSG_LEN];	/* Reply-Messages joined, printable only */
};

/* Read an Accept (or the Reply-Message of a Reject) into out. */
void rad_accept_read(const struct rad_view *v, struct rad_accept *out);

/* "AA-BB-CC-DD-EE-FF" (RFC 3580) into out[18]; parse any of -, :, . or no
 * separators, either case: 0 or -EINVAL. */
void rad_mac_format(const uint8_t mac[6], char out[18]);
int rad_mac_parse(const uint8_t *s, size_t len, uint8_t mac[6]);

/*
 * What a CoA or Disconnect request names and asks (RFC 5176). The
 * session identification attributes are copied; an attribute gate511
 * does not act on sets unsupported (the first such type; 26 for a
 * Vendor-Specific of a vendor or type it does not know).
 */
struct rad_dae_req {
	char acct_session_id[64];
	char user[256];
	bool has_session_id, has_user, has_ipv4, has_ipv6, has_mac;
	uint8_t ipv4[4];
	uint8_t ipv6[16];
	uint8_t mac[6];		/* Calling-Station-Id */
	bool has_nas_id, has_nas_ip, has_nas_ipv6;
	char nas_id[RAD_MAX_ATTR + 1];
	uint8_t nas_ip[4], nas_ipv6[16];
	bool has_event_ts;
	uint32_t event_ts;
	bool has_ttl, has_idle;
	uint32_t ttl_s, idle_s;
	/* WISPr-Bandwidth-Max-Up/Down (bit/s) win over ChilliSpot-Bandwidth-
	 * Max-Up/Down (kbit/s), as in an Accept; ChilliSpot-Max-Total-Octets
	 * (+ Gigawords) is the quota; 0 = no limit */
	bool has_rate_up, has_rate_down, has_quota;
	uint64_t rate_up_bps, rate_down_bps, quota_bytes;
	unsigned int unsupported;	/* an attribute type not acted on, 0 = none */
	bool malformed;			/* an identification attribute of a bad size */
};

void rad_dae_read(const struct rad_view *v, struct rad_dae_req *out);

#endif /* GATE511_RADATTR_H */
