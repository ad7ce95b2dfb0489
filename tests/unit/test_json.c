// SPDX-License-Identifier: GPL-2.0
/*
 * test_json.c - user/lib/json_writer.c: nesting and commas, escaping
 * (quotes, backslash, control characters, invalid UTF-8), integers,
 * booleans, null, and pretty printing. Output captured with open_memstream.
 */
#include <stdio.h>
#include <stdlib.h>
#include "test.h"
#include "json_writer.h"

static char *out;
static size_t out_len;

static struct json_writer *open_jw(FILE **f, bool pretty)
{
	*f = open_memstream(&out, &out_len);
	return jw_new(*f, pretty);
}

static const char *close_jw(struct json_writer *jw, FILE *f)
{
	jw_destroy(jw);
	fclose(f);
	return out;
}

static bool compact(void)
{
	struct json_writer *jw;
	FILE *f;
	bool ok;

	jw = open_jw(&f, false);
	jw_start_object(jw);
	jw_string_field(jw, "source", "daemon");
	jw_name(jw, "grants");
	jw_start_array(jw);
	jw_start_object(jw);
	jw_u64_field(jw, "bytes", 18446744073709551615ULL);
	jw_s64_field(jw, "delta", -5);
	jw_bool_field(jw, "in_map", true);
	jw_null_field(jw, "mac");
	jw_end_object(jw);
	jw_u64(jw, 1);
	jw_end_array(jw);
	jw_name(jw, "empty");
	jw_start_array(jw);
	jw_end_array(jw);
	jw_end_object(jw);
	ok = ASSERT_STREQ(close_jw(jw, f),
			  "{\"source\":\"daemon\",\"grants\":[{\"bytes\":18446744073709551615,"
			  "\"delta\":-5,\"in_map\":true,\"mac\":null},1],\"empty\":[]}\n",
			  "compact");
	free(out);
	return ok;
}

static bool escaping(void)
{
	struct json_writer *jw;
	FILE *f;
	bool ok;

	jw = open_jw(&f, false);
	jw_start_array(jw);
	jw_string(jw, "q\"b\\s/\n\t\r\b\f\x01\x7f");
	jw_string(jw, "caf\xc3\xa9 \xe2\x82\xac");		/* valid UTF-8 kept */
	jw_string(jw, "bad \xff \xc3 \xe0\x80\x80 \xed\xa0\x80");	/* invalid */
	jw_string(jw, NULL);
	jw_end_array(jw);
	ok = ASSERT_STREQ(close_jw(jw, f),
			  "[\"q\\\"b\\\\s/\\n\\t\\r\\b\\f\\u0001\\u007f\","
			  "\"caf\xc3\xa9 \xe2\x82\xac\","
			  "\"bad \\ufffd \\ufffd \\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\\ufffd\","
			  "\"\"]\n", "escapes");
	free(out);
	return ok;
}

static bool pretty(void)
{
	struct json_writer *jw;
	FILE *f;
	bool ok;

	jw = open_jw(&f, true);
	jw_start_object(jw);
	jw_string_field(jw, "error", "x");
	jw_name(jw, "list");
	jw_start_array(jw);
	jw_u64(jw, 1);
	jw_u64(jw, 2);
	jw_end_array(jw);
	jw_end_object(jw);
	ok = ASSERT_STREQ(close_jw(jw, f),
			  "{\n    \"error\": \"x\",\n    \"list\": [\n        1,\n        2\n"
			  "    ]\n}\n", "pretty");
	free(out);
	return ok;
}

int main(void)
{
	RUN_CASE(compact);
	RUN_CASE(escaping);
	RUN_CASE(pretty);
	return test_summary();
}
