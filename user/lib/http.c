// SPDX-License-Identifier: GPL-2.0
/*
 * http.c - request classification and parsing, probe detection, encoders
 * and the page template engine for the responder. Nothing here allocates
 * or reads outside the buffers it is given.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "http.h"

struct method {
	const char *name;
	uint8_t len;
	uint8_t id;
};

static const struct method methods[] = {
	{ "GET", 3, G511_M_GET },
	{ "HEAD", 4, G511_M_HEAD },
	{ "POST", 4, G511_M_POST },
	{ "PUT", 3, G511_M_PUT },
	{ "DELETE", 6, G511_M_DELETE },
	{ "OPTIONS", 7, G511_M_OPTIONS },
	{ "PATCH", 5, G511_M_PATCH },
	{ "CONNECT", 7, G511_M_CONNECT },
	{ "TRACE", 5, G511_M_TRACE },
};

#define N_METHODS (sizeof(methods) / sizeof(methods[0]))

/* How far into a payload that is no request we look for control bytes. */
#define TEXT_SCAN_MAX 512

static bool is_ctl(uint8_t c)
{
	return c < 0x20 || c == 0x7f;
}

static bool is_host_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' ||
	       c == ':' || c == '[' || c == ']';
}

static bool has_prefix_ci(const uint8_t *p, size_t len, const char *pfx)
{
	size_t n = strlen(pfx);

	return len >= n && strncasecmp((const char *)p, pfx, n) == 0;
}

static int classify_other(const uint8_t *p, size_t len)
{
	size_t i, n = len < TEXT_SCAN_MAX ? len : TEXT_SCAN_MAX;

	if (len >= 4 && memcmp(p, "SSH-", 4) == 0)
		return G511_HTTP_BINARY;
	if (len >= 12 && memcmp(p, "PRI * HTTP/2", 12) == 0)
		return G511_HTTP_BINARY;
	/* TLS records (0x14-0x17) and anything else with control bytes */
	for (i = 0; i < n; i++)
		if (is_ctl(p[i]) && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return G511_HTTP_BINARY;
	return G511_HTTP_TEXT;
}

/* Find the Host line among the header lines in [p, end). */
static void parse_host(const uint8_t *p, const uint8_t *end, struct g511_http_req *req)
{
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *e, *v;

		if (!nl)
			return;		/* incomplete line: not trusted */
		e = nl;
		if (e > p && e[-1] == '\r')
			e--;
		if (e == p)
			return;		/* end of the header block */
		if (has_prefix_ci(p, (size_t)(e - p), "host:")) {
			size_t i;

			v = p + 5;
			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			if (e == v || e - v > G511_HOST_MAX)
				return;
			for (i = 0; i < (size_t)(e - v); i++)
				if (!is_host_char(v[i]))
					return;
			req->host = v;
			req->host_len = (size_t)(e - v);
			return;
		}
		p = nl + 1;
	}
}

void g511_http_parse(const uint8_t *p, size_t len, struct g511_http_req *req)
{
	const struct method *m = NULL;
	const uint8_t *t, *end = p + len;
	unsigned int i, nmatch = 0;
	size_t n;
	bool bad = false;

	memset(req, 0, sizeof(*req));
	if (!len) {
		req->kind = G511_HTTP_TEXT;
		return;
	}
	for (i = 0; i < N_METHODS; i++) {
		const struct method *c = &methods[i];

		if (c->name[0] != p[0])
			continue;
		if (len > c->len && p[c->len] == ' ' && memcmp(p, c->name, c->len) == 0) {
			m = c;
			break;
		}
		/* "G", "GE", "GET": a request cut into tiny segments */
		if (len <= c->len && memcmp(p, c->name, len) == 0) {
			nmatch++;
			req->method = c->id;
		}
	}
	if (!m) {
		if (nmatch) {
			req->kind = G511_HTTP_PREFIX;
			if (nmatch > 1)
				req->method = G511_M_UNKNOWN;
		} else {
			req->kind = classify_other(p, len);
		}
		return;
	}
	req->kind = G511_HTTP_REQUEST;
	req->method = m->id;

	/* request-target: up to SP (or CR/LF for HTTP/0.9), all in this payload */
	t = p + m->len + 1;
	for (n = 0; t + n < end; n++) {
		uint8_t c = t[n];

		if (c == ' ' || c == '\r' || c == '\n')
			break;
		if (is_ctl(c))
			bad = true;
	}
	if (t + n == end || n == 0 || bad)
		return;
	req->target = t;
	req->target_len = n;
	if (has_prefix_ci(t, n, "http://") || has_prefix_ci(t, n, "https://")) {
		req->absolute = true;
		return;
	}
	if (t[0] != '/')
		return;		/* authority-form (CONNECT) or "*" */
	t = memchr(t + n, '\n', (size_t)(end - (t + n)));
	if (t)
		parse_host(t + 1, end, req);
}

/* Authority and path of an absolute-form target. */
static void split_absolute(const struct g511_http_req *req, struct g511_str *auth,
			   struct g511_str *path)
{
	const char *t = (const char *)req->target;
	size_t n = req->target_len, i;

	i = (t[4] == ':') ? 7 : 8;	/* "http://" or "https://" */
	auth->p = t + i;
	while (i < n && t[i] != '/' && t[i] != '?')
		i++;
	auth->len = (size_t)(t + i - auth->p);
	path->p = t + i;
	path->len = n - i;
}

static const struct g511_str probe_paths[] = {
#define P(s) { s, sizeof(s) - 1 }
	P("/generate_204"),		/* Android, Chrome */
	P("/gen_204"),
	P("/hotspot-detect.html"),	/* Apple */
	P("/library/test/success.html"),
	P("/connecttest.txt"),		/* Windows 10+ */
	P("/ncsi.txt"),			/* Windows 7/8 */
	P("/success.txt"),		/* Firefox */
	P("/canonical.html"),
#undef P
};

bool g511_http_is_probe(const struct g511_http_req *req)
{
	struct g511_str host = { 0 }, path;
	size_t i;

	if (!req->target)
		return false;
	if (req->absolute) {
		split_absolute(req, &host, &path);
	} else if (req->target[0] == '/') {
		path.p = (const char *)req->target;
		path.len = req->target_len;
		host.p = (const char *)req->host;
		host.len = req->host_len;
	} else {
		return false;
	}
	for (i = 0; i < path.len; i++)
		if (path.p[i] == '?')
			break;
	path.len = i;
	for (i = 0; i < sizeof(probe_paths) / sizeof(probe_paths[0]); i++)
		if (path.len == probe_paths[i].len &&
		    memcmp(path.p, probe_paths[i].p, path.len) == 0)
			return true;
	/* Apple also probes captive.apple.com with other paths. */
	if (host.p) {
		for (i = 0; i < host.len && host.p[i] != ':'; i++)
			;
		if (i == 17 && strncasecmp(host.p, "captive.apple.com", 17) == 0)
			return true;
	}
	return false;
}

/* The original URL as up to three pieces; false when unknown/too long. */
static bool orig_pieces(const struct g511_http_req *req, struct g511_str pc[3])
{
	size_t total;

	if (!req->target)
		return false;
	if (req->absolute) {
		pc[0] = (struct g511_str){ (const char *)req->target, req->target_len };
		pc[1] = pc[2] = (struct g511_str){ "", 0 };
	} else if (req->target[0] == '/' && req->host) {
		pc[0] = (struct g511_str){ "http://", 7 };
		pc[1] = (struct g511_str){ (const char *)req->host, req->host_len };
		pc[2] = (struct g511_str){ (const char *)req->target, req->target_len };
	} else {
		return false;
	}
	total = pc[0].len + pc[1].len + pc[2].len;
	return total <= G511_ORIG_MAX;
}

size_t g511_http_orig_pct(const struct g511_http_req *req, char *dst)
{
	struct g511_str pc[3];
	size_t i, n = 0;

	if (!orig_pieces(req, pc))
		return 0;
	for (i = 0; i < 3; i++)
		n += g511_pct_encode(dst + n, G511_ORIG_PCT_MAX - n, pc[i].p, pc[i].len);
	return n;
}

size_t g511_http_orig_html(const struct g511_http_req *req, char *dst)
{
	struct g511_str pc[3];
	size_t i, n = 0;

	if (!orig_pieces(req, pc))
		return 0;
	for (i = 0; i < 3; i++)
		n += g511_html_escape(dst + n, G511_ORIG_HTML_MAX - n, pc[i].p, pc[i].len);
	return n;
}

static const char hexdig[] = "0123456789ABCDEF";

size_t g511_pct_encode(char *dst, size_t cap, const void *src, size_t n)
{
	const uint8_t *s = src;
	size_t i, o = 0;

	if (cap / 3 < n)
		return SIZE_MAX;	/* worst case does not fit */
	for (i = 0; i < n; i++) {
		uint8_t c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
			dst[o++] = (char)c;
		} else {
			dst[o++] = '%';
			dst[o++] = hexdig[c >> 4];
			dst[o++] = hexdig[c & 15];
		}
	}
	return o;
}

size_t g511_html_escape(char *dst, size_t cap, const void *src, size_t n)
{
	const uint8_t *s = src;
	size_t i, o = 0;

	if (cap / 6 < n)
		return SIZE_MAX;
	for (i = 0; i < n; i++) {
		const char *rep;
		size_t rl;

		switch (s[i]) {
		case '&': rep = "&amp;"; rl = 5; break;
		case '<': rep = "&lt;"; rl = 4; break;
		case '>': rep = "&gt;"; rl = 4; break;
		case '"': rep = "&quot;"; rl = 6; break;
		case '\'': rep = "&#39;"; rl = 5; break;
		default:
			dst[o++] = (char)s[i];
			continue;
		}
		memcpy(dst + o, rep, rl);
		o += rl;
	}
	return o;
}

void g511_sink_init(struct g511_sink *s, uint8_t *const *bufs, size_t base,
		    size_t seg_cap, size_t limit)
{
	s->bufs = bufs;
	s->base = base;
	s->seg_cap = seg_cap;
	s->limit = limit;
	s->pos = 0;
	s->seg = 0;
	s->off = 0;
}

void g511_sink_put(struct g511_sink *s, const void *src, size_t n)
{
	const uint8_t *p = src;

	if (n > s->limit - s->pos)
		n = s->limit - s->pos;
	while (n) {
		size_t room = s->seg_cap - s->off;

		if (room > n)
			room = n;
		memcpy(s->bufs[s->seg] + s->base + s->off, p, room);
		p += room;
		n -= room;
		s->pos += room;
		s->off += room;
		if (s->off == s->seg_cap) {
			s->seg++;
			s->off = 0;
		}
	}
}

static const struct {
	const char *name;
	int ph;
} ph_names[] = {
	{ "link", G511_PH_LINK },
	{ "portal", G511_PH_PORTAL },
	{ "orig", G511_PH_ORIG },
	{ "title", G511_PH_TITLE },
	{ "network", G511_PH_NETWORK },
	{ "venue", G511_PH_VENUE },
	{ "venue_link", G511_PH_VENUE_LINK },
};

static unsigned int line_of(const char *text, size_t off)
{
	unsigned int line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

static int add_literal(struct g511_tmpl *t, size_t off, size_t len)
{
	if (!len)
		return 0;
	t->piece[t->n++] = (struct g511_tmpl_piece){ (uint16_t)off, (uint16_t)len, -1 };
	t->lit_len += len;
	return 0;
}

int g511_tmpl_compile(struct g511_tmpl *t, const char *text, size_t len,
		      char *err, size_t errlen)
{
	size_t pos = 0, lit = 0;
	unsigned int nph = 0, i;

	memset(t, 0, sizeof(*t));
	if (len > G511_TMPL_MAX) {
		snprintf(err, errlen, "template is %zu bytes, more than %d", len, G511_TMPL_MAX);
		return -EINVAL;
	}
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "line %u: template holds a NUL byte",
			 line_of(text, (size_t)((const char *)memchr(text, '\0', len) - text)));
		return -EINVAL;
	}
	while (pos + 1 < len) {
		size_t a, b, close;
		int ph = -1;

		if (text[pos] != '{' || text[pos + 1] != '{') {
			pos++;
			continue;
		}
		/* "{{" name "}}", spaces allowed around the name */
		for (close = pos + 2; close + 1 < len; close++)
			if (text[close] == '}' && text[close + 1] == '}')
				break;
		if (close + 1 >= len || memchr(text + pos + 2, '\n', close - pos - 2)) {
			snprintf(err, errlen, "line %u: \"{{\" without \"}}\"", line_of(text, pos));
			return -EINVAL;
		}
		for (a = pos + 2; a < close && text[a] == ' '; a++)
			;
		for (b = close; b > a && text[b - 1] == ' '; b--)
			;
		for (i = 0; i < sizeof(ph_names) / sizeof(ph_names[0]); i++)
			if (b - a == strlen(ph_names[i].name) &&
			    memcmp(text + a, ph_names[i].name, b - a) == 0)
				ph = ph_names[i].ph;
		if (ph < 0) {
			snprintf(err, errlen, "line %u: unknown placeholder {{%.*s}} "
				 "(known: {{link}}, {{portal}}, {{orig}}, "
				 "{{title}}, {{network}}, {{venue}}, {{venue_link}})",
				 line_of(text, pos), (int)(b - a > 40 ? 40 : b - a), text + a);
			return -EINVAL;
		}
		if (++nph > G511_TMPL_MAX_PH) {
			snprintf(err, errlen, "line %u: more than %d placeholders",
				 line_of(text, pos), G511_TMPL_MAX_PH);
			return -EINVAL;
		}
		add_literal(t, lit, pos - lit);
		t->piece[t->n++] = (struct g511_tmpl_piece){ 0, 0, (int16_t)ph };
		t->n_ph[ph]++;
		pos = close + 2;
		lit = pos;
	}
	add_literal(t, lit, len - lit);
	return 0;
}

size_t g511_tmpl_len(const struct g511_tmpl *t, const struct g511_str vals[G511_PH__MAX])
{
	size_t n = t->lit_len;
	int i;

	for (i = 0; i < G511_PH__MAX; i++)
		n += t->n_ph[i] * vals[i].len;
	return n;
}

void g511_tmpl_render(struct g511_sink *s, const struct g511_tmpl *t, const char *text,
		      const struct g511_str vals[G511_PH__MAX])
{
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		const struct g511_tmpl_piece *pc = &t->piece[i];

		if (pc->ph < 0)
			g511_sink_put(s, text + pc->off, pc->len);
		else
			g511_sink_put(s, vals[pc->ph].p, vals[pc->ph].len);
	}
}
