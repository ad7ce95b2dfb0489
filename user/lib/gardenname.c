// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gardenname.c - walled-garden names: parse, canonical text, map key
 * (gardenname.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "addr.h"
#include "gardenname.h"

static bool label_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* s[0..n) as a dotted name, lowercased into out; 0 or -EINVAL */
static int name_canon(const char *s, size_t n, char *out)
{
	size_t i, label = 0, labels = 1;
	bool alpha = false;

	if (n && s[n - 1] == '.')
		n--;			/* the root: example.com. */
	if (n == 0 || n > G511_GNAME_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c == '.') {
			if (label == 0)
				return -EINVAL;
			label = 0;
			labels++;
		} else if (label_byte(c)) {
			if (++label > 63)
				return -EINVAL;
			if (!(c >= '0' && c <= '9'))
				alpha = true;
		} else {
			return -EINVAL;
		}
		out[i] = c;
	}
	out[n] = '\0';
	if (label == 0 || labels < 2 || !alpha)
		return -EINVAL;
	return 0;
}

int gname_parse(const char *s, struct g511_gname *out)
{
	const char *colon, *name = s;
	size_t n, off = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -EINVAL;
	colon = strchr(s, ':');
	n = colon ? (size_t)(colon - s) : strlen(s);
	if (n >= 2 && s[0] == '*' && s[1] == '.') {
		memcpy(out->name, "*.", 2);
		off = 2;
		name += 2;
		n -= 2;
	}
	err = name_canon(name, n, out->name + off);
	if (err)
		goto bad;
	if (colon) {
		err = garden_ports_parse(colon + 1, &out->ports);
		if (err)
			goto bad;
	}
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return err;
}

bool gname_is_wildcard(const struct g511_gname *g)
{
	return g->name[0] == '*' && g->name[1] == '.';
}

void gname_key(const struct g511_gname *g, struct g511_gname_key *key)
{
	const char *name = g->name;
	size_t n, i;

	memset(key, 0, sizeof(*key));
	if (gname_is_wildcard(g))
		name += 2;
	n = strnlen(name, G511_GNAME_MAX + 1);
	if (n > G511_GNAME_MAX)
		return;		/* prefixlen 0: gname_parse never makes one */
	for (i = 0; i < n; i++)
		key->name[i] = (__u8)name[n - 1 - i];
	/* exact: the name and its end; wildcard: the name and one more dot */
	key->name[n] = gname_is_wildcard(g) ? '.' : '\0';
	key->prefixlen = (__u32)(n + 1) * 8;
}

void gname_format(const struct g511_gname *g, char *buf, size_t len)
{
	size_t off;
	unsigned int i;

	off = (size_t)snprintf(buf, len, "%s", g->name);
	for (i = 0; i < g->ports.nports && i < G511_GARDEN_PORTS && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%u", i ? "," : ":",
					g->ports.ports[i]);
}
