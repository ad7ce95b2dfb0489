// SPDX-License-Identifier: GPL-2.0
/*
 * json_writer.c - see json_writer.h. Strings are written as UTF-8 with the
 * characters JSON requires escaped; bytes that are not valid UTF-8 become
 * U+FFFD so the output always parses, whatever a daemon message carried.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "json_writer.h"

#define JW_MAX_DEPTH 32

struct json_writer {
	FILE *f;
	bool pretty;
	bool after_name;		/* a name was written, value pending */
	unsigned int depth;
	bool has_items[JW_MAX_DEPTH];	/* container at depth already has one */
};

struct json_writer *jw_new(FILE *f, bool pretty)
{
	struct json_writer *jw = calloc(1, sizeof(*jw));

	if (!jw)
		return NULL;
	jw->f = f;
	jw->pretty = pretty;
	return jw;
}

void jw_destroy(struct json_writer *jw)
{
	if (!jw)
		return;
	fflush(jw->f);
	free(jw);
}

static void jw_indent(struct json_writer *jw)
{
	unsigned int i;

	if (!jw->pretty)
		return;
	fputc('\n', jw->f);
	for (i = 0; i < jw->depth; i++)
		fputs("    ", jw->f);
}

/* Separator before a value or a name. */
static void jw_begin_item(struct json_writer *jw)
{
	if (jw->after_name) {
		jw->after_name = false;
		return;
	}
	if (jw->depth == 0)
		return;
	if (jw->has_items[jw->depth - 1])
		fputc(',', jw->f);
	jw->has_items[jw->depth - 1] = true;
	jw_indent(jw);
}

static void jw_end_value(struct json_writer *jw)
{
	if (jw->depth == 0)
		fputc('\n', jw->f);
}

static void jw_open(struct json_writer *jw, char c)
{
	jw_begin_item(jw);
	fputc(c, jw->f);
	if (jw->depth < JW_MAX_DEPTH) {
		jw->has_items[jw->depth] = false;
		jw->depth++;
	}
}

static void jw_close(struct json_writer *jw, char c)
{
	bool had_items;

	if (jw->depth == 0)
		return;
	had_items = jw->has_items[jw->depth - 1];
	jw->depth--;
	if (had_items)
		jw_indent(jw);
	fputc(c, jw->f);
	jw_end_value(jw);
}

void jw_start_object(struct json_writer *jw)
{
	jw_open(jw, '{');
}

void jw_end_object(struct json_writer *jw)
{
	jw_close(jw, '}');
}

void jw_start_array(struct json_writer *jw)
{
	jw_open(jw, '[');
}

void jw_end_array(struct json_writer *jw)
{
	jw_close(jw, ']');
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void jw_put_string(struct json_writer *jw, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t n = strlen((const char *)s);

	fputc('"', jw->f);
	while (n) {
		unsigned char c = *s;
		size_t len;

		switch (c) {
		case '"':  fputs("\\\"", jw->f); break;
		case '\\': fputs("\\\\", jw->f); break;
		case '\b': fputs("\\b", jw->f); break;
		case '\f': fputs("\\f", jw->f); break;
		case '\n': fputs("\\n", jw->f); break;
		case '\r': fputs("\\r", jw->f); break;
		case '\t': fputs("\\t", jw->f); break;
		default:
			if (c < 0x20 || c == 0x7f) {
				fprintf(jw->f, "\\u%04x", c);
				break;
			}
			len = utf8_len(s, n);
			if (!len) {
				fputs("\\ufffd", jw->f);
				break;
			}
			fwrite(s, 1, len, jw->f);
			s += len;
			n -= len;
			continue;
		}
		s++;
		n--;
	}
	fputc('"', jw->f);
}

void jw_name(struct json_writer *jw, const char *name)
{
	jw_begin_item(jw);
	jw_put_string(jw, name);
	fputs(jw->pretty ? ": " : ":", jw->f);
	jw->after_name = true;
}

void jw_string(struct json_writer *jw, const char *s)
{
	jw_begin_item(jw);
	jw_put_string(jw, s);
	jw_end_value(jw);
}

void jw_u64(struct json_writer *jw, uint64_t v)
{
	jw_begin_item(jw);
	fprintf(jw->f, "%" PRIu64, v);
	jw_end_value(jw);
}

void jw_s64(struct json_writer *jw, int64_t v)
{
	jw_begin_item(jw);
	fprintf(jw->f, "%" PRId64, v);
	jw_end_value(jw);
}

void jw_bool(struct json_writer *jw, bool v)
{
	jw_begin_item(jw);
	fputs(v ? "true" : "false", jw->f);
	jw_end_value(jw);
}

void jw_null(struct json_writer *jw)
{
	jw_begin_item(jw);
	fputs("null", jw->f);
	jw_end_value(jw);
}

void jw_string_field(struct json_writer *jw, const char *name, const char *s)
{
	jw_name(jw, name);
	jw_string(jw, s);
}

void jw_u64_field(struct json_writer *jw, const char *name, uint64_t v)
{
	jw_name(jw, name);
	jw_u64(jw, v);
}

void jw_s64_field(struct json_writer *jw, const char *name, int64_t v)
{
	jw_name(jw, name);
	jw_s64(jw, v);
}

void jw_bool_field(struct json_writer *jw, const char *name, bool v)
{
	jw_name(jw, name);
	jw_bool(jw, v);
}

void jw_null_field(struct json_writer *jw, const char *name)
{
	jw_name(jw, name);
	jw_null(jw);
}
