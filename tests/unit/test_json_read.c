// SPDX-License-Identifier: GPL-2.0
/*
 * test_json_read.c - user/lib/json_read.c and api_req.c as tables: what
 * the strict reader accepts (escapes, surrogate pairs, numbers at the u64
 * edge) and refuses (duplicates, nesting, bad UTF-8 and escapes, trailing
 * text), and POST /v1/grants bodies into grant requests, each refusal
 * naming its field.
 */
#include <errno.h>
#include <string.h>
#include "test.h"
#include "api_req.h"
#include "json_read.h"

static const struct {
	const char *name, *text;
	int len;		/* -1: strlen */
	bool ok;
	const char *err;	/* substring of the error, or NULL */
} read_cases[] = {
	{ "empty object", "{}", -1, true, NULL },
	{ "whitespace", " \t\r\n{ \"a\" : 1 }\n", -1, true, NULL },
	{ "all types", "{\"s\":\"x\",\"n\":0,\"t\":true,\"f\":false,\"z\":null}", -1, true, NULL },
	{ "escapes", "{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"}", -1, true, NULL },
	{ "surrogate pair", "{\"s\":\"\\ud83d\\ude00\"}", -1, true, NULL },
	{ "raw UTF-8", "{\"s\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}", -1, true, NULL },
	{ "u64 max", "{\"n\":18446744073709551615}", -1, true, NULL },
	{ "fraction is a number", "{\"n\":1.5e3}", -1, true, NULL },
	{ "empty body", "", -1, false, "empty body" },
	{ "array", "[1]", -1, false, "object expected" },
	{ "duplicate", "{\"ttl\":1,\"ttl\":2}", -1, false, "duplicate field \"ttl\"" },
	{ "nested object", "{\"a\":{}}", -1, false, "field \"a\": nested" },
	{ "nested array", "{\"a\":[1]}", -1, false, "nested" },
	{ "trailing text", "{} x", -1, false, "text after" },
	{ "two objects", "{}{}", -1, false, "text after" },
	{ "trailing comma", "{\"a\":1,}", -1, false, "field name expected" },
	{ "missing colon", "{\"a\" 1}", -1, false, "expected ':'" },
	{ "unterminated", "{\"a\":\"x", -1, false, "unterminated" },
	{ "unclosed", "{\"a\":1", -1, false, "expected ',' or '}'" },
	{ "single quotes", "{'a':1}", -1, false, "field name expected" },
	{ "bare word", "{\"a\":yes}", -1, false, "not a JSON value" },
	{ "tru", "{\"a\":tru}", -1, false, "not a JSON value" },
	{ "leading zero", "{\"a\":01}", -1, false, "leading zero" },
	{ "plus sign", "{\"a\":+1}", -1, false, "not a JSON value" },
	{ "dot only", "{\"a\":1.}", -1, false, "bad number" },
	{ "bad escape", "{\"a\":\"\\x\"}", -1, false, "bad escape" },
	{ "short \\u", "{\"a\":\"\\u12\"}", -1, false, "escape" },
	{ "\\u0000", "{\"a\":\"\\u0000\"}", -1, false, "\\u0000" },
	{ "lone high surrogate", "{\"a\":\"\\ud800x\"}", -1, false, "lone high" },
	{ "lone low surrogate", "{\"a\":\"\\udc00\"}", -1, false, "lone low" },
	{ "raw control char", "{\"a\":\"\x01\"}", -1, false, "control character" },
	{ "raw NUL", "{\"a\":\"\0\"}", 8, false, "control character" },
	{ "bad UTF-8 byte", "{\"a\":\"\xff\"}", -1, false, "invalid UTF-8" },
	{ "overlong UTF-8", "{\"a\":\"\xc0\xaf\"}", -1, false, "overlong" },
	{ "UTF-8 surrogate", "{\"a\":\"\xed\xa0\x80\"}", -1, false, "surrogate" },
	{ "truncated UTF-8", "{\"a\":\"\xe2\x82", -1, false, "invalid UTF-8" },
	{ "name too long", "{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":1}", -1, false, "longer than" },
	{ "17 fields", "{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,"
	  "\"i\":1,\"j\":1,\"k\":1,\"l\":1,\"m\":1,\"n\":1,\"o\":1,\"p\":1,\"q\":1}", -1, false,
	  "more than 16" },
};

static bool read_table(void)
{
	struct jr_object o;
	char err[200];
	bool ok = true;

	for (size_t i = 0; i < sizeof(read_cases) / sizeof(read_cases[0]); i++) {
		const char *t = read_cases[i].text;
		size_t len = read_cases[i].len < 0 ? strlen(t) : (size_t)read_cases[i].len;
		int e = jr_parse_object(t, len, &o, err, sizeof(err));

		test_current = read_cases[i].name;
		ok &= ASSERT_EQ(e, read_cases[i].ok ? 0 : -EINVAL, "result");
		if (read_cases[i].err && !strstr(err, read_cases[i].err)) {
			fprintf(stderr, "  %s: error \"%s\" lacks \"%s\"\n", test_current, err,
				read_cases[i].err);
			ok = false;
		}
	}
	test_current = "read_table";
	return ok;
}

static bool read_values(void)
{
	const char *t = "{\"s\":\"a\\u00e9\\ud83d\\ude00\",\"n\":18446744073709551615,"
			"\"big\":18446744073709551616,\"neg\":-1,\"t\":true,\"z\":null}";
	const struct jr_member *m;
	struct jr_object o;
	char err[200];
	bool ok = true;

	ok &= ASSERT_EQ(jr_parse_object(t, strlen(t), &o, err, sizeof(err)), 0, "parse");
	ok &= ASSERT_EQ(o.n, 6, "members");
	m = jr_get(&o, "s");
	ok &= ASSERT_TRUE(m && m->type == JR_STRING, "s");
	ok &= ASSERT_STREQ(m ? m->str : NULL, "a\xc3\xa9\xf0\x9f\x98\x80", "decoded");
	m = jr_get(&o, "n");
	ok &= ASSERT_TRUE(m && m->is_u64 && m->u64 == UINT64_MAX, "u64 max");
	m = jr_get(&o, "big");
	ok &= ASSERT_TRUE(m && m->type == JR_NUMBER && !m->is_u64, "2^64 not u64");
	m = jr_get(&o, "neg");
	ok &= ASSERT_TRUE(m && !m->is_u64, "negative not u64");
	m = jr_get(&o, "t");
	ok &= ASSERT_TRUE(m && m->type == JR_BOOL && m->b, "true");
	ok &= ASSERT_TRUE(jr_get(&o, "z") && jr_get(&o, "z")->type == JR_NULL, "null");
	ok &= ASSERT_TRUE(!jr_get(&o, "x"), "absent");
	return ok;
}

static const struct {
	const char *name, *body;
	bool ok;
	const char *err;
} req_cases[] = {
	{ "address only", "{\"client\": \"10.0.0.5\"}", true, NULL },
	{ "v6", "{\"client\": \"fd00::5\"}", true, NULL },
	{ "mac client", "{\"client\": \"02:00:00:00:00:05\"}", true, NULL },
	{ "everything", "{\"client\":\"10.0.0.5\",\"mac\":\"02:00:00:00:00:05\",\"ttl\":3600,"
	  "\"idle\":600,\"quota_bytes\":0,\"rate_up_bps\":0,\"rate_down_bps\":0,"
	  "\"username\":\"alice\"}", true, NULL },
	{ "nulls are absent", "{\"client\":\"10.0.0.5\",\"ttl\":null,\"mac\":null,"
	  "\"username\":null}", true, NULL },
	{ "no client", "{\"ttl\": 5}", false, "client: required" },
	{ "client null", "{\"client\": null}", false, "client:" },
	{ "client number", "{\"client\": 5}", false, "client:" },
	{ "bad address", "{\"client\": \"10.0.0.300\"}", false,
	  "client: \"10.0.0.300\" is not" },
	{ "bad mac", "{\"client\": \"10.0.0.5\", \"mac\": \"02:00\"}", false, "mac:" },
	{ "unknown field", "{\"client\": \"10.0.0.5\", \"tll\": 5}", false,
	  "unknown field \"tll\"" },
	{ "ttl string", "{\"client\": \"10.0.0.5\", \"ttl\": \"5\"}", false, "ttl:" },
	{ "ttl negative", "{\"client\": \"10.0.0.5\", \"ttl\": -5}", false, "ttl:" },
	{ "ttl fraction", "{\"client\": \"10.0.0.5\", \"ttl\": 1.5}", false, "ttl:" },
	{ "ttl 2^64", "{\"client\": \"10.0.0.5\", \"ttl\": 18446744073709551616}", false,
	  "ttl:" },
	{ "quota bool", "{\"client\": \"10.0.0.5\", \"quota_bytes\": true}", false,
	  "quota_bytes:" },
	{ "username control", "{\"client\": \"10.0.0.5\", \"username\": \"a\\nb\"}", false,
	  "username:" },
	{ "duplicate client", "{\"client\": \"10.0.0.5\", \"client\": \"10.0.0.6\"}", false,
	  "duplicate" },
	{ "bad json", "{\"client\": \"10.0.0.5\"", false, "byte" },
};

static bool req_table(void)
{
	struct api_grant_req r;
	char err[200];
	bool ok = true;

	for (size_t i = 0; i < sizeof(req_cases) / sizeof(req_cases[0]); i++) {
		const char *b = req_cases[i].body;
		int e;

		err[0] = '\0';
		e = api_grant_req_parse(b, strlen(b), &r, err, sizeof(err));
		test_current = req_cases[i].name;
		ok &= ASSERT_EQ(e, req_cases[i].ok ? 0 : -EINVAL, "result");
		if (req_cases[i].err && !strstr(err, req_cases[i].err)) {
			fprintf(stderr, "  %s: error \"%s\" lacks \"%s\"\n", test_current, err,
				req_cases[i].err);
			ok = false;
		}
	}
	test_current = "req_table";
	return ok;
}

static bool req_values(void)
{
	const char *b = "{\"client\":\"10.0.0.5\",\"mac\":\"02:00:00:00:00:05\",\"ttl\":3600,"
			"\"idle\":0,\"rate_down_bps\":7,\"username\":\"al ice\"}";
	struct api_grant_req r;
	char err[200], who[G511_CLIENT_STRLEN];
	bool ok = true;

	ok &= ASSERT_EQ(api_grant_req_parse(b, strlen(b), &r, err, sizeof(err)), 0, "parse");
	client_format(&r.client, who, sizeof(who));
	ok &= ASSERT_STREQ(who, "10.0.0.5", "client");
	ok &= ASSERT_TRUE(r.mac_bound && r.mac[0] == 2 && r.mac[5] == 5, "mac");
	ok &= ASSERT_TRUE(r.has_ttl && r.ttl_s == 3600, "ttl");
	ok &= ASSERT_TRUE(r.has_idle && r.idle_s == 0, "idle 0 given");
	ok &= ASSERT_EQ(r.rate_down_bps, 7, "rate down");
	ok &= ASSERT_EQ(r.quota_bytes, 0, "quota absent");
	ok &= ASSERT_STREQ(r.user, "al ice", "user");
	b = "{\"client\":\"10.0.0.5\"}";
	ok &= ASSERT_EQ(api_grant_req_parse(b, strlen(b), &r, err, sizeof(err)), 0, "parse");
	ok &= ASSERT_TRUE(!r.has_ttl && !r.has_idle && !r.mac_bound && !r.user[0], "defaults");
	return ok;
}

int main(void)
{
	RUN_CASE(read_table);
	RUN_CASE(read_values);
	RUN_CASE(req_table);
	RUN_CASE(req_values);
	return test_summary();
}
