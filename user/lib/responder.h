/* SPDX-License-Identifier: GPL-2.0 */
/*
 * responder.h - the pure core of the captive-portal responder: one client
 * frame in (Ethernet, up to two VLAN tags, IPv4/IPv6, TCP to port 80), the
 * reply frames out, checksums included. Stateless TCP with SYN cookies
 * (cookie.h): SYN -> SYN-ACK; request -> 511 page (or 302 for OS probes)
 * with FIN, all segments at once; client FIN -> ACK; bad cookie or not
 * HTTP -> RST. No rings, sockets, clocks, threads or globals: the times
 * and the secret are arguments, so the same input gives the same bytes.
 *
 * With a portal signing key (g511_resp_conf_sign()) the page's link and the
 * probes' Location are the signed redirect of portal_url.h: the client's
 * address from the IP header, its MAC from the Ethernet source, the
 * original URL, ts = the wall-clock seconds given, one HMAC per reply.
 * When the reply with the original URL would not fit the client's window
 * (or the buffers), url= is sent empty and signed that way.
 *
 * Segments that carry no request and are not plainly foreign (printable
 * text not starting with a method) may be the rest of a request split over
 * several segments; they get no answer (reason CONTINUATION), so the client
 * neither sees a RST for a request we already answered nor gets its data
 * acknowledged when the start of it never reached us.
 */
#ifndef GATE511_RESPONDER_H
#define GATE511_RESPONDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "http.h"
#include "portal_url.h"
#include "g511_wire.h"

#define G511_RESP_URL_MAX	512
#define G511_RESP_WINDOW	65535	/* our window; no window scaling */
#define G511_RESP_TTL		64
#define G511_RESP_BODY_MAX	32768	/* page without the original URL */
#define G511_RESP_NAME_MAX	64	/* network_name, NUL included */
/* Largest L2+L3+TCP header of a reply: Ethernet, 2 tags, IPv6, TCP + MSS. */
#define G511_RESP_HDR_MAX	\
	(G511_ETH_HLEN + G511_VLAN_HLEN * G511_MAX_VLAN_TAGS + 40 + 24)

struct g511_resp_conf {			/* built once at start / on reload */
	char portal_url[G511_RESP_URL_MAX];
	bool probes_302;		/* OS captive-portal probes get 302 */
	char *tmpl;			/* page template, owned (NUL-terminated) */
	size_t tmpl_len;
	/* Derived by g511_resp_conf_init(); read-only afterwards. */
	size_t portal_len;
	char portal_html[6 * G511_RESP_URL_MAX];	/* HTML-escaped portal_url */
	size_t portal_html_len;
	char orig_param[8];		/* "?orig=" or "&orig=" */
	char orig_param_html[40];	/* the same, HTML-escaped */
	size_t orig_param_html_len;
	struct g511_tmpl page;		/* tmpl compiled */
	struct g511_tmpl page302;	/* the 302's tiny body */
	/* Page text from network_name / venue_info_url (g511_resp_conf_brand()). */
	char title_html[6 * G511_RESP_NAME_MAX + 32];
	size_t title_html_len;
	char network_html[6 * G511_RESP_NAME_MAX];
	size_t network_html_len;
	char venue_html[6 * G511_RESP_URL_MAX];
	size_t venue_html_len;
	char venue_link_html[6 * G511_RESP_URL_MAX + 64];
	size_t venue_link_html_len;
	/* Signed redirect (g511_resp_conf_sign()); off when !sign. */
	bool sign;
	uint8_t sign_key[G511_PORTAL_KEY_LEN];
	char gw_pct[3 * G511_PORTAL_GW_MAX];
	size_t gw_pct_len;
	char sign_sep[2];		/* "?", "&" or "" after portal_url */
	size_t sign_sep_len;
	size_t sign_qstart;		/* where the signed query starts in
					 * portal_url + sign_sep */
};

/*
 * Validate and prepare a config. portal_url: http:// or https://, a host,
 * printable ASCII, no spaces or '#'. tmpl: NULL for the built-in page, else
 * at most G511_TMPL_MAX bytes with known placeholders (http.h); it is
 * copied. Returns 0, -EINVAL with the reason in err, or -ENOMEM. rc needs
 * no prior setup; release it with g511_resp_conf_free().
 */
int g511_resp_conf_init(struct g511_resp_conf *rc, const char *portal_url,
			const char *tmpl, size_t tmpl_len, bool probes_302,
			char *err, size_t errlen);
void g511_resp_conf_free(struct g511_resp_conf *rc);

/*
 * The network's name and venue page for {{title}}, {{network}}, {{venue}}
 * and {{venue_link}}; either may be NULL or "". After conf_init. Returns 0
 * or -EINVAL with the reason (too long, the page over G511_RESP_BODY_MAX).
 */
int g511_resp_conf_brand(struct g511_resp_conf *rc, const char *network_name,
			 const char *venue_url, char *err, size_t errlen);

/*
 * Sign the portal link (portal_url.h) with key, gw= gateway_id (at most
 * G511_PORTAL_GW_MAX bytes). After conf_init. Returns 0 or -EINVAL.
 */
int g511_resp_conf_sign(struct g511_resp_conf *rc, const char *gateway_id,
			const uint8_t key[G511_PORTAL_KEY_LEN], char *err, size_t errlen);

/*
 * Read a template file (a regular file of at most G511_TMPL_MAX bytes) into
 * a malloc'ed, NUL-terminated buffer. Returns 0 or -errno (-EFBIG when too
 * large) with a message in err.
 */
int g511_resp_load_template(const char *path, char **out, size_t *len,
			    char *err, size_t errlen);

/* The built-in page (placeholders unexpanded). */
extern const char g511_resp_default_template[];

struct g511_resp_key {
	uint8_t k[16];			/* per-start secret (SipHash key) */
};

enum g511_resp_action {			/* what was sent, for counters */
	G511_RESP_NONE = 0,
	G511_RESP_SYNACK,
	G511_RESP_HTTP,			/* the 511 page */
	G511_RESP_PROBE_302,		/* 302 to the portal for an OS probe */
	G511_RESP_ACK,			/* ACK of a FIN sent after our reply */
	G511_RESP_ACK_FIN,		/* ACK|FIN: client closed before asking */
	G511_RESP_RST,
	G511_RESP__MAX,
};

enum g511_resp_drop {			/* why nothing (or a RST) was sent */
	G511_RESP_DROP_NONE = 0,
	G511_RESP_DROP_MALFORMED,	/* truncated, inconsistent, not TCP,
					 * IP fragment, >2 VLAN tags */
	G511_RESP_DROP_BAD_FLAGS,	/* SYN with ACK/FIN, no ACK, ... */
	G511_RESP_DROP_RST,		/* client RST */
	G511_RESP_DROP_PURE_ACK,
	G511_RESP_DROP_MSS,		/* SYN whose MSS is below every class */
	G511_RESP_DROP_BAD_COOKIE,	/* (RST sent) ack is no cookie of ours */
	G511_RESP_DROP_NOT_HTTP,	/* (RST sent) TLS, SSH, binary */
	G511_RESP_DROP_LATE_REQUEST,	/* (RST sent) request after our reply */
	G511_RESP_DROP_CONTINUATION,	/* text that may continue a request */
	G511_RESP_DROP_ZERO_WINDOW,
	G511_RESP_DROP_NO_ROOM,		/* no buffer, or buffers too small */
	G511_RESP_DROP__MAX,
};

const char *g511_resp_action_name(int action);
const char *g511_resp_drop_name(int reason);

struct g511_resp_out {
	unsigned int max;	/* number of buffers the caller gives */
	size_t buf_size;	/* bytes each buffer can hold */
	uint8_t **bufs;		/* caller's buffers (UMEM frames) */
	size_t *lens;		/* out: length of each reply frame */
	unsigned int n;		/* out: number of reply frames written */
	int action;		/* out: enum g511_resp_action */
	int reason;		/* out: enum g511_resp_drop when nothing was
				 * sent, or why a RST was sent */
	bool truncated;		/* out: the reply did not fit the client's
				 * window or max * MSS: a prefix without FIN
				 * was sent */
};

/*
 * Handle one client frame; write the replies into out->bufs[0..n) and
 * return out->n. Never reads outside frame[0..len), never writes more than
 * out->buf_size bytes into a buffer or more than out->max buffers. A
 * response segment carries at most min(MSS, buf_size - headers) bytes, so
 * give buffers of at least G511_RESP_HDR_MAX + 1460 bytes for full-size
 * segments. out->bufs[0] may be the frame itself (reply in place): all that
 * is needed from the request is read before the first byte is written.
 * now_s is the cookies' clock (monotonic seconds), wall_s wall-clock Unix
 * seconds (ts= of the signed redirect; unused when rc does not sign).
 * Thread-safe (rc and key are only read); uses about 48 KiB of stack.
 */
int g511_resp_handle(const struct g511_resp_conf *rc, const struct g511_resp_key *key,
		     uint64_t now_s, uint64_t wall_s, const uint8_t *frame, size_t len,
		     struct g511_resp_out *out);

#endif /* GATE511_RESPONDER_H */
