/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json_writer.h - a small streaming JSON writer for gate511ctl's -j/-p
 * output: objects, arrays, escaped strings, integers, booleans, null.
 * Commas and (when pretty) indentation are placed by the writer; a
 * top-level value ends with a newline.
 */
#ifndef GATE511_JSON_WRITER_H
#define GATE511_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json_writer;

/* NULL on allocation failure. */
struct json_writer *jw_new(FILE *f, bool pretty);
void jw_destroy(struct json_writer *jw);

void jw_start_object(struct json_writer *jw);
void jw_end_object(struct json_writer *jw);
void jw_start_array(struct json_writer *jw);
void jw_end_array(struct json_writer *jw);

/* Member name inside an object; the value comes next. */
void jw_name(struct json_writer *jw, const char *name);

void jw_string(struct json_writer *jw, const char *s);
void jw_u64(struct json_writer *jw, uint64_t v);
void jw_s64(struct json_writer *jw, int64_t v);
void jw_bool(struct json_writer *jw, bool v);
void jw_null(struct json_writer *jw);

/* name + value in one call */
void jw_string_field(struct json_writer *jw, const char *name, const char *s);
void jw_u64_field(struct json_writer *jw, const char *name, uint64_t v);
void jw_s64_field(struct json_writer *jw, const char *name, int64_t v);
void jw_bool_field(struct json_writer *jw, const char *name, bool v);
void jw_null_field(struct json_writer *jw, const char *name);

#endif /* GATE511_JSON_WRITER_H */
