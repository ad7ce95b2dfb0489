/* SPDX-License-Identifier: GPL-2.0 */
/*
 * http.h - the HTTP side of the responder, all pure: classify a client
 * payload (request line, split request, not HTTP), pull out the request
 * target and Host, recognise OS captive-portal probes, percent-encode and
 * HTML-escape, and render the admin's page template into a segmented sink
 * (the reply frames' payload areas, or one flat buffer in tests).
 *
 * Template placeholders: {{link}} (portal URL + "?orig=<original URL>", or
 * the signed redirect of portal_url.h when portal_sign_key is set;
 * HTML-escaped), {{portal}} (portal URL, HTML-escaped), {{orig}} (the
 * original URL, HTML-escaped; empty when unknown), {{title}} (network_name,
 * or "Network login required" when unset), {{network}} (network_name, may
 * be empty), {{venue}} (venue_info_url, HTML-escaped, may be empty) and
 * {{venue_link}} (<a class="venue" href="venue_info_url">About this
 * network</a>, or nothing when venue_info_url is unset). Spaces inside the
 * braces are allowed; any other "{{" is an error.
 */
#ifndef GATE511_HTTP_H
#define GATE511_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define G511_ORIG_MAX		2048	/* longest original URL we carry */
#define G511_ORIG_PCT_MAX	(3 * G511_ORIG_MAX)
#define G511_ORIG_HTML_MAX	(6 * G511_ORIG_MAX)
#define G511_HOST_MAX		255
#define G511_TMPL_MAX		16384	/* template file size bound */
#define G511_TMPL_MAX_PH	64	/* placeholders per template */

struct g511_str {
	const char *p;
	size_t len;
};

enum g511_http_kind {
	G511_HTTP_TEXT = 0,	/* printable, no method: maybe the rest of a split request */
	G511_HTTP_REQUEST,	/* starts with "METHOD " */
	G511_HTTP_PREFIX,	/* all of it is a strict prefix of "METHOD " ("G", "GE") */
	G511_HTTP_BINARY,	/* not HTTP/1.x: TLS, SSH, HTTP/2 preface, control bytes */
};

enum g511_http_method {
	G511_M_UNKNOWN = 0,	/* PREFIX that fits several methods ("P") */
	G511_M_GET,
	G511_M_HEAD,
	G511_M_POST,
	G511_M_PUT,
	G511_M_DELETE,
	G511_M_OPTIONS,
	G511_M_PATCH,
	G511_M_CONNECT,
	G511_M_TRACE,
};

/* Pointers into the payload given to g511_http_parse(). */
struct g511_http_req {
	int kind;			/* enum g511_http_kind */
	int method;			/* enum g511_http_method */
	const uint8_t *target;		/* request-target, only when the request
					 * line is complete and has no control
					 * bytes; else NULL */
	size_t target_len;
	const uint8_t *host;		/* Host value (origin-form only), when a
					 * complete, well-formed Host line is in
					 * the same payload; else NULL */
	size_t host_len;
	bool absolute;			/* target is http(s)://... */
};

void g511_http_parse(const uint8_t *p, size_t len, struct g511_http_req *req);

/* Android/Chrome, Apple, Windows, Firefox connectivity checks. */
bool g511_http_is_probe(const struct g511_http_req *req);

/*
 * The original URL ("http://" Host target, or an absolute target as is),
 * percent-encoded for a query value into dst (G511_ORIG_PCT_MAX bytes) or
 * HTML-escaped into dst (G511_ORIG_HTML_MAX bytes). Returns the length
 * written, 0 when the URL is unknown or longer than G511_ORIG_MAX.
 */
size_t g511_http_orig_pct(const struct g511_http_req *req, char *dst);
size_t g511_http_orig_html(const struct g511_http_req *req, char *dst);

/*
 * Percent-encode everything but RFC 3986 unreserved characters, or
 * HTML-escape & < > " '. Return the length written, or SIZE_MAX (nothing
 * guaranteed in dst) when cap is too small.
 */
size_t g511_pct_encode(char *dst, size_t cap, const void *src, size_t n);
size_t g511_html_escape(char *dst, size_t cap, const void *src, size_t n);

/*
 * A sink spreads a byte stream over segment buffers: segment i's bytes go
 * to bufs[i] + base, seg_cap bytes each; bytes past limit are dropped.
 * A flat buffer is one segment with seg_cap = limit = its size.
 */
struct g511_sink {
	uint8_t *const *bufs;
	size_t base;		/* offset of the payload in each buffer */
	size_t seg_cap;		/* payload bytes per segment, > 0 */
	size_t limit;		/* bytes kept in all; needs limit <= nbufs * seg_cap */
	size_t pos;		/* bytes kept so far */
	size_t seg, off;	/* where the next byte goes */
};

void g511_sink_init(struct g511_sink *s, uint8_t *const *bufs, size_t base,
		    size_t seg_cap, size_t limit);
void g511_sink_put(struct g511_sink *s, const void *src, size_t n);

enum g511_ph {
	G511_PH_LINK = 0,
	G511_PH_PORTAL,
	G511_PH_ORIG,
	G511_PH_TITLE,
	G511_PH_NETWORK,
	G511_PH_VENUE,
	G511_PH_VENUE_LINK,
	G511_PH__MAX,
};

struct g511_tmpl_piece {
	uint16_t off;		/* literal: offset in the text */
	uint16_t len;		/* literal: length */
	int16_t ph;		/* enum g511_ph, or -1 for a literal */
};

/* A template compiled into literal pieces and placeholders. */
struct g511_tmpl {
	struct g511_tmpl_piece piece[2 * G511_TMPL_MAX_PH + 1];
	unsigned int n;
	size_t lit_len;			/* bytes of literal text */
	unsigned int n_ph[G511_PH__MAX];	/* uses of each placeholder */
};

/* Returns 0, or -EINVAL with "line N: what" in err. */
int g511_tmpl_compile(struct g511_tmpl *t, const char *text, size_t len,
		      char *err, size_t errlen);
/* Length of the rendering with these placeholder values. */
size_t g511_tmpl_len(const struct g511_tmpl *t, const struct g511_str vals[G511_PH__MAX]);
void g511_tmpl_render(struct g511_sink *s, const struct g511_tmpl *t, const char *text,
		      const struct g511_str vals[G511_PH__MAX]);

#endif /* GATE511_HTTP_H */
