// SPDX-License-Identifier: GPL-2.0
/*
 * grantfile.c - parse and format the import/export grant format
 * (grantfile.h has the format). The parser walks the line once with a
 * cursor: the client, then KEY=VALUE fields, each value decoded (quotes and
 * escapes) into a bounded buffer and handed to its field's parser from one
 * table. Every check the daemon's protocol makes on a grant request is made
 * here first, so a file is refused with a line number, not by the daemon.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "addr.h"
#include "clientset.h"
#include "duration.h"
#include "grantfile.h"

/* A decoded value: class= as hex is the longest (2 * 253 digits). */
#define VALUE_MAX	1024

/* ------------------------------------------------------------- amounts */

static int u64_parse(const char **sp, uint64_t *out)
{
	const char *s = *sp;
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*sp = s;
	*out = v;
	return 0;
}

int grantfile_amount_parse(const char *s, unsigned int flags, uint64_t max,
			   uint64_t *out)
{
	static const struct {
		const char *suffix;
		uint64_t unit;
		bool binary;
	} units[] = {
		{ "", 1, false },
		{ "K", 1000ULL, false }, { "k", 1000ULL, false },
		{ "M", 1000000ULL, false }, { "G", 1000000000ULL, false },
		{ "T", 1000000000000ULL, false },
		{ "Ki", 1ULL << 10, true }, { "Mi", 1ULL << 20, true },
		{ "Gi", 1ULL << 30, true }, { "Ti", 1ULL << 40, true },
	};
	uint64_t v;
	unsigned int i;

	if (u64_parse(&s, &v))
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(s, units[i].suffix))
			continue;
		if (units[i].binary && !(flags & GRANTFILE_AMOUNT_BINARY))
			return -EINVAL;
		if (v > max / units[i].unit)
			return -EINVAL;
		*out = v * units[i].unit;
		return 0;
	}
	return -EINVAL;
}

void grantfile_amount_format(uint64_t v, char *buf, size_t len)
{
	static const struct {
		uint64_t unit;
		char c;
	} units[] = {
		{ 1000000000000ULL, 'T' }, { 1000000000ULL, 'G' },
		{ 1000000ULL, 'M' }, { 1000ULL, 'K' },
	};
	unsigned int i;

	for (i = 0; v && i < sizeof(units) / sizeof(units[0]); i++) {
		if (v % units[i].unit == 0) {
			snprintf(buf, len, "%llu%c",
				 (unsigned long long)(v / units[i].unit), units[i].c);
			return;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)v);
}

/* -------------------------------------------------------------- fields */

/* Bits of what a line gave, so each field comes at most once. */
enum field_id {
	FLD_EXPIRES, FLD_TTL, FLD_IDLE, FLD_MAC, FLD_QUOTA, FLD_RATE_UP,
	FLD_RATE_DOWN, FLD_USER, FLD_CLASS, FLD_ACCT_ID, FLD__MAX,
};

/* A decoded value: len bytes, NUL-terminated, may hold NULs from \x00. */
struct value {
	char s[VALUE_MAX + 1];
	size_t len;
};

static bool value_is_text(const struct value *v)
{
	return strlen(v->s) == v->len;
}

static int parse_expires(struct g511_ctl_grant_req *r, const struct value *v)
{
	const char *s = v->s;
	uint64_t t;

	if (r->flags & G511_CTL_F_TTL)
		return -EINVAL;
	if (strcmp(s, "never") == 0) {
		t = 0;
	} else if (!value_is_text(v) || u64_parse(&s, &t) || *s || t == 0) {
		return -EINVAL;
	}
	r->expires_wall = t;
	r->flags |= G511_CTL_F_EXPIRES_AT;
	return 0;
}

static int parse_ttl(struct g511_ctl_grant_req *r, const struct value *v)
{
	uint64_t s;

	if ((r->flags & G511_CTL_F_EXPIRES_AT) || !value_is_text(v) ||
	    duration_parse(v->s, &s))
		return -EINVAL;
	r->ttl_s = s;
	r->flags |= G511_CTL_F_TTL;
	return 0;
}

static int parse_idle(struct g511_ctl_grant_req *r, const struct value *v)
{
	uint64_t s;

	if (!value_is_text(v) || duration_parse(v->s, &s))
		return -EINVAL;
	r->idle_s = s;
	r->flags |= G511_CTL_F_IDLE;
	return 0;
}

static int parse_mac(struct g511_ctl_grant_req *r, const struct value *v)
{
	if (r->client.kind != G511_CLIENT_ADDR || !value_is_text(v) ||
	    mac_parse(v->s, r->mac) || !mac_is_unicast(r->mac))
		return -EINVAL;
	r->flags |= G511_CTL_F_MAC;
	return 0;
}

/* An amount where 0 means "none": no flag, value zero. */
static int parse_amount(const struct value *v, unsigned int flags, uint64_t max,
			__u64 *out, __u32 *req_flags, __u32 flag)
{
	uint64_t n;

	if (!value_is_text(v) || grantfile_amount_parse(v->s, flags, max, &n))
		return -EINVAL;
	*out = n;
	if (n)
		*req_flags |= flag;
	return 0;
}

static int parse_quota(struct g511_ctl_grant_req *r, const struct value *v)
{
	return parse_amount(v, GRANTFILE_AMOUNT_BINARY, G511_CTL_QUOTA_MAX,
			    &r->quota_bytes, &r->flags, G511_CTL_F_QUOTA);
}

static int parse_rate_up(struct g511_ctl_grant_req *r, const struct value *v)
{
	return parse_amount(v, 0, G511_CTL_RATE_MAX, &r->rate_up_bps, &r->flags,
			    G511_CTL_F_RATE_UP);
}

static int parse_rate_down(struct g511_ctl_grant_req *r, const struct value *v)
{
	return parse_amount(v, 0, G511_CTL_RATE_MAX, &r->rate_down_bps, &r->flags,
			    G511_CTL_F_RATE_DOWN);
}

static int parse_user(struct g511_ctl_grant_req *r, const struct value *v)
{
	if (!value_is_text(v) || v->len >= sizeof(r->user))
		return -EINVAL;
	memcpy(r->user, v->s, v->len);
	return 0;
}

static int parse_acct_id(struct g511_ctl_grant_req *r, const struct value *v)
{
	if (!value_is_text(v) || v->len >= sizeof(r->acct_session_id))
		return -EINVAL;
	memcpy(r->acct_session_id, v->s, v->len);
	return 0;
}

static int parse_class(struct g511_ctl_grant_req *r, const struct value *v)
{
	size_t i, n = v->len / 2;

	if (v->len % 2 || n > G511_CLASS_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		int hi = hex_digit(v->s[2 * i]), lo = hex_digit(v->s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		r->class[i] = (__u8)(hi << 4 | lo);
	}
	r->class_len = (__u8)n;
	return 0;
}

static const struct field {
	const char *name;
	int (*parse)(struct g511_ctl_grant_req *r, const struct value *v);
	const char *syntax;	/* for "bad NAME= (syntax)" */
} fields[FLD__MAX] = {
	[FLD_EXPIRES]	= { "expires", parse_expires,
			    "seconds since the epoch, or never; not with ttl=" },
	[FLD_TTL]	= { "ttl", parse_ttl, "N[s|m|h|d]; not with expires=" },
	[FLD_IDLE]	= { "idle", parse_idle, "N[s|m|h|d]" },
	[FLD_MAC]	= { "mac", parse_mac, "a unicast MAC, for address grants" },
	[FLD_QUOTA]	= { "quota", parse_quota,
			    "bytes: N[K|M|G|T] or N[Ki|Mi|Gi|Ti], at most 1Ei" },
	[FLD_RATE_UP]	= { "rate-up", parse_rate_up, "bits/s: N[K|M|G|T], at most 1T" },
	[FLD_RATE_DOWN]	= { "rate-down", parse_rate_down,
			    "bits/s: N[K|M|G|T], at most 1T" },
	[FLD_USER]	= { "user", parse_user, "at most 255 bytes, no NUL" },
	[FLD_CLASS]	= { "class", parse_class, "hex, 2 digits an octet, at most 253 octets" },
	[FLD_ACCT_ID]	= { "acct-session-id", parse_acct_id, "at most 63 bytes, no NUL" },
};

/* -------------------------------------------------------------- parsing */

struct cursor {
	const char *p, *end;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static void skip_blanks(struct cursor *c)
{
	while (c->p < c->end && is_blank(*c->p))
		c->p++;
}

/* End of the fields: end of line or a comment. */
static bool at_end(const struct cursor *c)
{
	return c->p == c->end || *c->p == '#';
}

/* After a token: a blank, a comment or the end. */
static bool at_boundary(const struct cursor *c)
{
	return at_end(c) || is_blank(*c->p);
}

static int seterr(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int seterr(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (err_len) {
		va_start(ap, fmt);
		vsnprintf(err, err_len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* A bare value, taken literally. */
static int decode_bare(struct cursor *c, struct value *v)
{
	v->len = 0;
	while (!at_boundary(c)) {
		unsigned char ch = (unsigned char)*c->p;

		if (ch == '"' || is_control(ch))
			return -EINVAL;
		if (v->len == VALUE_MAX)
			return -E2BIG;
		v->s[v->len++] = (char)ch;
		c->p++;
	}
	v->s[v->len] = '\0';
	return 0;
}

/* A "quoted" value: \" \\ \xHH. On entry c->p is at the opening quote. */
static int decode_quoted(struct cursor *c, struct value *v)
{
	v->len = 0;
	for (c->p++;; c->p++) {
		unsigned char ch;
		int hi, lo;

		if (c->p == c->end)
			return -EINVAL;
		ch = (unsigned char)*c->p;
		if (ch == '"')
			break;
		if (is_control(ch))
			return -EINVAL;
		if (ch == '\\') {
			if (c->end - c->p < 2)
				return -EINVAL;
			ch = (unsigned char)*++c->p;
			if (ch == 'x') {
				if (c->end - c->p < 3)
					return -EINVAL;
				hi = hex_digit(c->p[1]);
				lo = hex_digit(c->p[2]);
				if (hi < 0 || lo < 0)
					return -EINVAL;
				ch = (unsigned char)(hi << 4 | lo);
				c->p += 2;
			} else if (ch != '"' && ch != '\\') {
				return -EINVAL;
			}
		}
		if (v->len == VALUE_MAX)
			return -E2BIG;
		v->s[v->len++] = (char)ch;
	}
	c->p++;		/* the closing quote */
	v->s[v->len] = '\0';
	return at_boundary(c) ? 0 : -EINVAL;
}

static const char bad_client[] = "bad address or MAC";

int grantfile_client_parse(const char *s, struct g511_client *c, const char **why)
{
	struct g511_addr addr;
	int err;

	memset(c, 0, sizeof(*c));
	if (mac_parse(s, c->key) == 0) {
		c->kind = G511_CLIENT_MAC;
	} else if (addr_parse(s, &addr) == 0) {
		c->kind = G511_CLIENT_ADDR;
		memcpy(c->key, addr.addr, sizeof(addr.addr));
	} else {
		*why = bad_client;
		return -EINVAL;
	}
	/* the checks that need no config; the daemon makes the rest */
	err = client_grantable(c, NULL, why);
	if (err)
		memset(c, 0, sizeof(*c));
	return err;
}

static int parse_client(struct cursor *c, struct g511_ctl_grant_req *r, char *err,
			size_t err_len)
{
	const char *why;
	char text[64];
	size_t n = 0;

	while (!at_boundary(c)) {
		if (n == sizeof(text) - 1)
			return seterr(err, err_len, "bad address or MAC");
		text[n++] = *c->p++;
	}
	text[n] = '\0';
	if (grantfile_client_parse(text, &r->client, &why)) {
		if (why == bad_client)
			return seterr(err, err_len, "%s", why);
		return seterr(err, err_len, "%s: %s", text, why);
	}
	return 0;
}

static int parse_field(struct cursor *c, struct g511_ctl_grant_req *r,
		       unsigned int *seen, struct value *v, char *err, size_t err_len)
{
	const char *key = c->p;
	const struct field *f = NULL;
	size_t key_len;
	unsigned int i;
	int ret;

	while (!at_boundary(c) && *c->p != '=')
		c->p++;
	key_len = (size_t)(c->p - key);
	if (at_boundary(c))
		return seterr(err, err_len, "expected KEY=VALUE, got '%.*s'",
			      (int)(key_len > 40 ? 40 : key_len), key);
	for (i = 0; i < FLD__MAX; i++) {
		if (strlen(fields[i].name) == key_len &&
		    memcmp(fields[i].name, key, key_len) == 0) {
			f = &fields[i];
			break;
		}
	}
	if (!f)
		return seterr(err, err_len, "unknown field '%.*s' (expires, ttl, idle, "
			      "mac, quota, rate-up, rate-down, user, class, "
			      "acct-session-id)", (int)(key_len > 40 ? 40 : key_len), key);
	if (*seen & (1U << i))
		return seterr(err, err_len, "%s= given twice", f->name);
	*seen |= 1U << i;
	c->p++;		/* '=' */
	ret = c->p < c->end && *c->p == '"' ? decode_quoted(c, v) : decode_bare(c, v);
	if (ret == -E2BIG)
		return seterr(err, err_len, "value of %s= too long", f->name);
	if (ret)
		return seterr(err, err_len, "bad quoting in %s= (a bare value has no "
			      "blank, '\"', '#' or control character; in quotes "
			      "only \\\" \\\\ \\xHH)", f->name);
	if (f->parse(r, v))
		return seterr(err, err_len, "bad %s= (%s)", f->name, f->syntax);
	return 0;
}

int grantfile_parse_line(const char *line, size_t len, struct g511_ctl_grant_req *r,
			 char *err, size_t err_len)
{
	struct cursor c = { line, line + len };
	unsigned int seen = 0;
	struct value v;
	int ret;

	memset(r, 0, sizeof(*r));
	skip_blanks(&c);
	if (at_end(&c))
		return 1;
	ret = parse_client(&c, r, err, err_len);
	for (skip_blanks(&c); !ret && !at_end(&c); skip_blanks(&c))
		ret = parse_field(&c, r, &seen, &v, err, err_len);
	if (ret)
		memset(r, 0, sizeof(*r));
	return ret;
}

/*
 * Line lineno names r's client a second time? 0, or -EINVAL ("line 9:
 * 10.0.0.5 already on line 3"), -ENOMEM ("out of memory").
 */
static int check_duplicate(struct clientset *seen, const struct g511_ctl_grant_req *r,
			   unsigned int lineno, char *err, size_t err_len)
{
	char who[G511_CLIENT_STRLEN];
	unsigned int first;
	int ret;

	ret = clientset_add(seen, &r->client, lineno, &first);
	if (ret == 0)
		return 0;
	if (ret < 0) {
		seterr(err, err_len, "line %u: out of memory", lineno);
		return -ENOMEM;
	}
	client_format(&r->client, who, sizeof(who));
	return seterr(err, err_len, "line %u: %s already on line %u (one grant a "
		      "client)", lineno, who, first);
}

int grantfile_parse(const char *buf, size_t len, grantfile_grant_fn fn, void *ctx,
		    char *err, size_t err_len)
{
	const char *p = buf, *end = buf + len;
	struct g511_ctl_grant_req r;
	struct clientset seen;
	unsigned int lineno = 0;
	char why[256];
	int ret = 0;

	clientset_init(&seen);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		lineno++;
		if (memchr(p, '\0', n)) {
			ret = seterr(err, err_len, "line %u: NUL byte", lineno);
			break;
		}
		ret = grantfile_parse_line(p, n, &r, why, sizeof(why));
		if (ret < 0) {
			ret = seterr(err, err_len, "line %u: %s", lineno, why);
			break;
		}
		if (ret == 0) {
			ret = check_duplicate(&seen, &r, lineno, err, err_len);
			if (!ret)
				ret = fn(&r, lineno, ctx);
			if (ret)
				break;
		}
		ret = 0;
		p += n + (nl ? 1 : 0);
	}
	clientset_free(&seen);
	return ret;
}

/* ----------------------------------------------------------- formatting */

void grantfile_req_from_grant(const struct g511_ctl_grant *g,
			      struct g511_ctl_grant_req *r)
{
	memset(r, 0, sizeof(*r));
	r->client = g->client;
	r->flags = G511_CTL_F_EXPIRES_AT | G511_CTL_F_IDLE;
	r->expires_wall = g->expires_wall;
	r->idle_s = g->idle_s;
	if (g->flags & G511_CTL_GF_MAC_BOUND) {
		r->flags |= G511_CTL_F_MAC;
		memcpy(r->mac, g->mac, sizeof(r->mac));
	}
	if (g->quota_bytes) {
		r->flags |= G511_CTL_F_QUOTA;
		r->quota_bytes = g->quota_bytes;
	}
	if (g->rate_up_bps) {
		r->flags |= G511_CTL_F_RATE_UP;
		r->rate_up_bps = g->rate_up_bps;
	}
	if (g->rate_down_bps) {
		r->flags |= G511_CTL_F_RATE_DOWN;
		r->rate_down_bps = g->rate_down_bps;
	}
	memcpy(r->user, g->user, strnlen(g->user, sizeof(g->user) - 1));
	r->class_len = g->class_len <= G511_CLASS_MAX ? g->class_len : G511_CLASS_MAX;
	memcpy(r->class, g->class, r->class_len);
	memcpy(r->acct_session_id, g->acct_session_id,
	       strnlen(g->acct_session_id, sizeof(g->acct_session_id) - 1));
}

struct out {
	char *buf;
	size_t len, off;
	bool full;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->off, o->len - o->off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->off)
		o->full = true;
	else
		o->off += (size_t)n;
}

/* A string value: bare when it can be, else quoted with escapes. */
static void put_string(struct out *o, const char *name, const char *s, size_t len)
{
	bool bare = len > 0;
	size_t i;

	for (i = 0; i < len && bare; i++) {
		unsigned char ch = (unsigned char)s[i];

		bare = !(is_blank((char)ch) || ch == '"' || ch == '#' || is_control(ch));
	}
	if (bare) {
		put(o, " %s=%.*s", name, (int)len, s);
		return;
	}
	put(o, " %s=\"", name);
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			put(o, "\\%c", ch);
		else if (is_control(ch))
			put(o, "\\x%02x", ch);
		else
			put(o, "%c", ch);
	}
	put(o, "\"");
}

int grantfile_format_req(const struct g511_ctl_grant_req *r, char *buf, size_t len)
{
	char text[G511_CLIENT_STRLEN];
	struct out o = { buf, len, 0, len == 0 };
	unsigned int i;

	client_format(&r->client, text, sizeof(text));
	put(&o, "%s", text);
	if (r->flags & G511_CTL_F_EXPIRES_AT) {
		if (r->expires_wall)
			put(&o, " expires=%llu", (unsigned long long)r->expires_wall);
		else
			put(&o, " expires=never");
	}
	if (r->flags & G511_CTL_F_TTL)
		put(&o, " ttl=%llu", (unsigned long long)r->ttl_s);
	if (r->flags & G511_CTL_F_IDLE)
		put(&o, " idle=%llu", (unsigned long long)r->idle_s);
	if (r->flags & G511_CTL_F_MAC) {
		mac_format(r->mac, text, sizeof(text));
		put(&o, " mac=%s", text);
	}
	if (r->flags & G511_CTL_F_QUOTA) {
		grantfile_amount_format(r->quota_bytes, text, sizeof(text));
		put(&o, " quota=%s", text);
	}
	if (r->flags & G511_CTL_F_RATE_UP) {
		grantfile_amount_format(r->rate_up_bps, text, sizeof(text));
		put(&o, " rate-up=%s", text);
	}
	if (r->flags & G511_CTL_F_RATE_DOWN) {
		grantfile_amount_format(r->rate_down_bps, text, sizeof(text));
		put(&o, " rate-down=%s", text);
	}
	if (r->user[0])
		put_string(&o, "user", r->user, strnlen(r->user, sizeof(r->user) - 1));
	if (r->class_len) {
		put(&o, " class=");
		for (i = 0; i < r->class_len && i < G511_CLASS_MAX; i++)
			put(&o, "%02x", r->class[i]);
	}
	if (r->acct_session_id[0])
		put_string(&o, "acct-session-id", r->acct_session_id,
			   strnlen(r->acct_session_id, sizeof(r->acct_session_id) - 1));
	return o.full ? -ENOSPC : (int)o.off;
}

int grantfile_format_grant(const struct g511_ctl_grant *g, char *buf, size_t len)
{
	struct g511_ctl_grant_req r;

	grantfile_req_from_grant(g, &r);
	return grantfile_format_req(&r, buf, len);
}
