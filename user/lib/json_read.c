// SPDX-License-Identifier: GPL-2.0
/*
 * json_read.c - the strict flat-object JSON reader (json_read.h). A
 * recursive-descent parser over a cursor with an explicit end; it never
 * reads past len and never allocates. The grammar it takes:
 *
 *   object = ws "{" ws [ member *( ws "," ws member ) ] ws "}" ws
 *   member = string ws ":" ws ( string | number | "true" | "false" | "null" )
 *
 * '[' or '{' where a value goes is refused by name ("nested"), so a
 * caller can say which field was wrong.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "json_read.h"

struct cur {
	const unsigned char *p, *start, *end;
	char *err;
	size_t err_len;
};

static int fail(struct cur *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct cur *c, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->err_len, "byte %zu: %s", (size_t)(c->p - c->start), msg);
	return -EINVAL;
}

static void ws(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' ||
				 *c->p == '\r'))
		c->p++;
}

static bool lit(struct cur *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n))
		return false;
	c->p += n;
	return true;
}

static int hex4(struct cur *c, unsigned int *v)
{
	*v = 0;
	if (c->end - c->p < 4)
		return fail(c, "short \\u escape");
	for (int i = 0; i < 4; i++) {
		unsigned char h = *c->p++;
		unsigned int d;

		if (h >= '0' && h <= '9')
			d = h - '0';
		else if (h >= 'a' && h <= 'f')
			d = h - 'a' + 10;
		else if (h >= 'A' && h <= 'F')
			d = h - 'A' + 10;
		else
			return fail(c, "bad \\u escape");
		*v = *v << 4 | d;
	}
	return 0;
}

/* Append code point cp as UTF-8 to out (cap bytes, *n used). */
static int put_utf8(struct cur *c, unsigned int cp, char *out, size_t cap, size_t *n)
{
	unsigned char b[4];
	size_t k;

	if (cp < 0x80) {
		b[0] = cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = 0xc0 | cp >> 6;
		b[1] = 0x80 | (cp & 0x3f);
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = 0xe0 | cp >> 12;
		b[1] = 0x80 | (cp >> 6 & 0x3f);
		b[2] = 0x80 | (cp & 0x3f);
		k = 3;
	} else {
		b[0] = 0xf0 | cp >> 18;
		b[1] = 0x80 | (cp >> 12 & 0x3f);
		b[2] = 0x80 | (cp >> 6 & 0x3f);
		b[3] = 0x80 | (cp & 0x3f);
		k = 4;
	}
	if (*n + k > cap)
		return fail(c, "string longer than %zu bytes", cap);
	memcpy(out + *n, b, k);
	*n += k;
	return 0;
}

/* One raw UTF-8 sequence at c->p (RFC 3629: shortest form, no surrogates). */
static int utf8_seq(struct cur *c, unsigned int *cp)
{
	const unsigned char *p = c->p;
	unsigned int need, min;

	if (*p < 0x80) {
		*cp = *p;
		need = 0;
		min = 0;
	} else if ((*p & 0xe0) == 0xc0) {
		*cp = *p & 0x1f;
		need = 1;
		min = 0x80;
	} else if ((*p & 0xf0) == 0xe0) {
		*cp = *p & 0x0f;
		need = 2;
		min = 0x800;
	} else if ((*p & 0xf8) == 0xf0) {
		*cp = *p & 0x07;
		need = 3;
		min = 0x10000;
	} else {
		return fail(c, "invalid UTF-8");
	}
	if ((size_t)(c->end - p) <= need)
		return fail(c, "invalid UTF-8 (truncated)");
	for (unsigned int i = 1; i <= need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return fail(c, "invalid UTF-8");
		*cp = *cp << 6 | (p[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return fail(c, "invalid UTF-8 (overlong, surrogate or out of range)");
	c->p += need + 1;
	return 0;
}

/* A string at c->p (the opening quote) into out, decoded, NUL-terminated. */
static int string(struct cur *c, char *out, size_t cap, size_t *len)
{
	size_t n = 0;
	int err;

	c->p++;	/* '"' */
	for (;;) {
		unsigned int cp;

		if (c->p >= c->end)
			return fail(c, "unterminated string");
		if (*c->p == '"') {
			c->p++;
			break;
		}
		if (*c->p < 0x20)
			return fail(c, "control character in a string");
		if (*c->p != '\\') {
			const unsigned char *s = c->p;

			err = utf8_seq(c, &cp);
			if (err)
				return err;
			if (n + (size_t)(c->p - s) > cap)
				return fail(c, "string longer than %zu bytes", cap);
			memcpy(out + n, s, (size_t)(c->p - s));
			n += (size_t)(c->p - s);
			continue;
		}
		c->p++;
		if (c->p >= c->end)
			return fail(c, "unterminated string");
		switch (*c->p++) {
		case '"': cp = '"'; break;
		case '\\': cp = '\\'; break;
		case '/': cp = '/'; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			err = hex4(c, &cp);
			if (err)
				return err;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return fail(c, "lone low surrogate");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				unsigned int lo;

				if (!lit(c, "\\u"))
					return fail(c, "lone high surrogate");
				err = hex4(c, &lo);
				if (err)
					return err;
				if (lo < 0xdc00 || lo > 0xdfff)
					return fail(c, "lone high surrogate");
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			if (!cp)
				return fail(c, "\\u0000 is not accepted");
			break;
		default:
			c->p--;
			return fail(c, "bad escape");
		}
		err = put_utf8(c, cp, out, cap, &n);
		if (err)
			return err;
	}
	out[n] = '\0';
	*len = n;
	return 0;
}

/* RFC 8259 number syntax; an integer in u64 range is is_u64. */
static int number(struct cur *c, struct jr_member *m)
{
	bool neg = false, frac = false, overflow = false;
	uint64_t v = 0;

	if (*c->p == '-') {
		neg = true;
		c->p++;
	}
	if (c->p >= c->end || *c->p < '0' || *c->p > '9')
		return fail(c, "bad number");
	if (*c->p == '0' && c->end - c->p > 1 && c->p[1] >= '0' && c->p[1] <= '9')
		return fail(c, "number with a leading zero");
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		unsigned int d = *c->p++ - '0';

		if (v > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			v = v * 10 + d;
	}
	if (c->p < c->end && *c->p == '.') {
		frac = true;
		c->p++;
		if (c->p >= c->end || *c->p < '0' || *c->p > '9')
			return fail(c, "bad number");
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			c->p++;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		frac = true;
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (c->p >= c->end || *c->p < '0' || *c->p > '9')
			return fail(c, "bad number");
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			c->p++;
	}
	m->type = JR_NUMBER;
	m->is_u64 = !neg && !frac && !overflow;
	m->u64 = m->is_u64 ? v : 0;
	return 0;
}

static int value(struct cur *c, struct jr_member *m)
{
	if (c->p >= c->end)
		return fail(c, "value expected");
	switch (*c->p) {
	case '"':
		m->type = JR_STRING;
		return string(c, m->str, JR_STRING_MAX, &m->str_len);
	case '{':
	case '[':
		return fail(c, "field \"%s\": nested objects and arrays are not accepted",
			    m->name);
	case 't':
		if (!lit(c, "true"))
			break;
		m->type = JR_BOOL;
		m->b = true;
		return 0;
	case 'f':
		if (!lit(c, "false"))
			break;
		m->type = JR_BOOL;
		return 0;
	case 'n':
		if (!lit(c, "null"))
			break;
		m->type = JR_NULL;
		return 0;
	default:
		if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))
			return number(c, m);
		break;
	}
	return fail(c, "field \"%s\": not a JSON value", m->name);
}

int jr_parse_object(const char *text, size_t len, struct jr_object *out,
		    char *err, size_t err_len)
{
	struct cur c = { .p = (const unsigned char *)text, .start = (const unsigned char *)text,
			 .end = (const unsigned char *)text + len, .err = err,
			 .err_len = err_len };
	size_t nlen;
	int e;

	memset(out, 0, sizeof(*out));
	if (err_len)
		err[0] = '\0';
	ws(&c);
	if (c.p >= c.end)
		return fail(&c, "empty body: a JSON object expected");
	if (*c.p != '{')
		return fail(&c, "a JSON object expected");
	c.p++;
	ws(&c);
	if (c.p < c.end && *c.p == '}') {
		c.p++;
		goto tail;
	}
	for (;;) {
		struct jr_member *m;

		if (out->n == JR_MEMBERS_MAX)
			return fail(&c, "more than %d fields", JR_MEMBERS_MAX);
		m = &out->m[out->n];
		if (c.p >= c.end || *c.p != '"')
			return fail(&c, "a field name expected");
		e = string(&c, m->name, JR_NAME_MAX, &nlen);
		if (e)
			return e;
		for (unsigned int i = 0; i < out->n; i++)
			if (!strcmp(out->m[i].name, m->name))
				return fail(&c, "duplicate field \"%s\"", m->name);
		ws(&c);
		if (c.p >= c.end || *c.p != ':')
			return fail(&c, "expected ':'");
		c.p++;
		ws(&c);
		e = value(&c, m);
		if (e)
			return e;
		out->n++;
		ws(&c);
		if (c.p < c.end && *c.p == ',') {
			c.p++;
			ws(&c);
			continue;
		}
		if (c.p < c.end && *c.p == '}') {
			c.p++;
			break;
		}
		return fail(&c, "expected ',' or '}'");
	}
tail:
	ws(&c);
	if (c.p != c.end)
		return fail(&c, "text after the object");
	return 0;
}

const struct jr_member *jr_get(const struct jr_object *o, const char *name)
{
	for (unsigned int i = 0; i < o->n; i++)
		if (!strcmp(o->m[i].name, name))
			return &o->m[i];
	return NULL;
}

const char *jr_type_name(enum jr_type t)
{
	switch (t) {
	case JR_NULL: return "null";
	case JR_BOOL: return "a boolean";
	case JR_NUMBER: return "a number";
	case JR_STRING: return "a string";
	}
	return "?";
}
