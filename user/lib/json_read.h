/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json_read.h - a small strict JSON reader for request bodies: one flat
 * object whose members are strings, numbers, booleans or null (RFC 8259
 * syntax). It refuses what a lenient parser would guess at: a name given
 * twice, nested objects or arrays, invalid UTF-8, bad or NUL escapes, lone
 * surrogates, anything after the object. Pure: text in, members out.
 */
#ifndef GATE511_JSON_READ_H
#define GATE511_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JR_MEMBERS_MAX	16
#define JR_NAME_MAX	32	/* bytes of a name, decoded */
#define JR_STRING_MAX	256	/* bytes of a string value, decoded */

enum jr_type { JR_NULL, JR_BOOL, JR_NUMBER, JR_STRING };

struct jr_member {
	char name[JR_NAME_MAX + 1];
	enum jr_type type;
	bool b;				/* JR_BOOL */
	/* JR_NUMBER: is_u64 when it is an integer in [0, 2^64) without
	 * fraction or exponent; otherwise only its syntax was checked. */
	bool is_u64;
	uint64_t u64;
	char str[JR_STRING_MAX + 1];	/* JR_STRING, UTF-8, no NUL inside */
	size_t str_len;
};

struct jr_object {
	struct jr_member m[JR_MEMBERS_MAX];
	unsigned int n;
};

/*
 * Parse text (len bytes, no NUL needed) as one object. 0, or -EINVAL with
 * a sentence in err ("byte 12: expected ':'", "duplicate field \"ttl\"").
 */
int jr_parse_object(const char *text, size_t len, struct jr_object *out,
		    char *err, size_t err_len);

/* The member named name, or NULL. */
const struct jr_member *jr_get(const struct jr_object *o, const char *name);

const char *jr_type_name(enum jr_type t);

#endif /* GATE511_JSON_READ_H */
