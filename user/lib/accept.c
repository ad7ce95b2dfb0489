// SPDX-License-Identifier: GPL-2.0
/*
 * accept.c - the Accept header against one media type (accept.h). A
 * cursor over the header's bytes, never past len; quoted strings are
 * skipped whole so that a ',' inside one does not split the list.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "accept.h"

struct cursor {
	const char *p, *end;
};

/* What one list element is. */
struct media_range {
	const char *type, *sub;
	size_t type_len, sub_len;
	unsigned int q;
};

static bool is_tchar(char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static void skip_ows(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

static size_t token(struct cursor *c, const char **start)
{
	*start = c->p;
	while (c->p < c->end && is_tchar(*c->p))
		c->p++;
	return c->p - *start;
}

/* A quoted-string starting at c->p ('"'); false if it is not closed. */
static bool quoted(struct cursor *c)
{
	c->p++;
	while (c->p < c->end) {
		char ch = *c->p++;

		if (ch == '"')
			return true;
		if (ch == '\\') {
			if (c->p == c->end)
				return false;
			c->p++;
		}
	}
	return false;
}

/* Past the next ',' outside a quoted string, or to the end. */
static void next_element(struct cursor *c)
{
	while (c->p < c->end) {
		if (*c->p == '"') {
			if (!quoted(c))
				c->p = c->end;
			continue;
		}
		if (*c->p++ == ',')
			return;
	}
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
static bool qvalue(const char *s, size_t len, unsigned int *q)
{
	unsigned int v, scale = 100;
	size_t i;

	if (len < 1 || (s[0] != '0' && s[0] != '1'))
		return false;
	v = (s[0] - '0') * ACCEPT_Q_MAX;
	if (len == 1)
		goto out;
	if (s[1] != '.' || len > 5)
		return false;
	for (i = 2; i < len; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v += (s[i] - '0') * scale;
	}
	if (v > ACCEPT_Q_MAX)
		return false;
out:
	*q = v;
	return true;
}

/*
 * One element at c->p into *r. 1: a media range; 0: an empty element;
 * -1: malformed. The cursor is left where the element ends (',' or end)
 * when well formed; the caller moves on with next_element() either way.
 */
static int media_range(struct cursor *c, struct media_range *r)
{
	const char *name, *val;
	size_t name_len, val_len;

	skip_ows(c);
	if (c->p == c->end || *c->p == ',')
		return 0;
	r->q = ACCEPT_Q_MAX;
	r->type_len = token(c, &r->type);
	if (!r->type_len || c->p == c->end || *c->p != '/')
		return -1;
	c->p++;
	r->sub_len = token(c, &r->sub);
	if (!r->sub_len)
		return -1;
	/* "STAR/x" is no media range */
	if (r->type_len == 1 && r->type[0] == '*' && !(r->sub_len == 1 && r->sub[0] == '*'))
		return -1;
	for (;;) {
		skip_ows(c);
		if (c->p == c->end || *c->p == ',')
			return 1;
		if (*c->p != ';')
			return -1;
		c->p++;
		skip_ows(c);
		if (c->p == c->end || *c->p == ',' || *c->p == ';')
			continue;	/* parameters = *( OWS ";" OWS [ parameter ] ) */
		name_len = token(c, &name);
		if (!name_len || c->p == c->end || *c->p != '=')
			return -1;
		c->p++;
		if (c->p < c->end && *c->p == '"') {
			val = c->p;
			if (!quoted(c))
				return -1;
			val_len = c->p - val;
			if (name_len == 1 && (name[0] == 'q' || name[0] == 'Q'))
				return -1;	/* a weight is never quoted */
			continue;
		}
		val_len = token(c, &val);
		if (!val_len)
			return -1;
		if (name_len == 1 && (name[0] == 'q' || name[0] == 'Q') &&
		    !qvalue(val, val_len, &r->q))
			return -1;
	}
}

static bool ieq(const char *a, size_t a_len, const char *b, size_t b_len)
{
	return a_len == b_len && !strncasecmp(a, b, a_len);
}

/* 3: type/subtype, 2: type/STAR, 1: STAR/STAR, 0: does not match. */
static int specificity(const struct media_range *r, const char *type)
{
	const char *slash = strchr(type, '/');
	size_t type_len = slash ? (size_t)(slash - type) : strlen(type);
	const char *sub = slash ? slash + 1 : "";
	bool sub_any = r->sub_len == 1 && r->sub[0] == '*';

	if (r->type_len == 1 && r->type[0] == '*')
		return 1;
	if (!ieq(r->type, r->type_len, type, type_len))
		return 0;
	if (sub_any)
		return 2;
	return ieq(r->sub, r->sub_len, sub, strlen(sub)) ? 3 : 0;
}

unsigned int accept_quality(const char *hdr, size_t len, const char *type)
{
	struct cursor c = { hdr, hdr + len };
	unsigned int best_q = 0;
	int best = 0, spec;
	bool any_valid = false;

	if (!hdr)
		return ACCEPT_Q_MAX;
	while (c.p < c.end) {
		struct media_range r;
		int got = media_range(&c, &r);

		next_element(&c);
		if (got <= 0)
			continue;
		any_valid = true;
		spec = specificity(&r, type);
		if (spec > best) {
			best = spec;
			best_q = r.q;
		} else if (spec && spec == best && r.q > best_q) {
			best_q = r.q;
		}
	}
	if (!any_valid)
		return ACCEPT_Q_MAX;
	return best_q;
}

bool accept_allows(const char *hdr, const char *type)
{
	return accept_quality(hdr, hdr ? strlen(hdr) : 0, type) > 0;
}
