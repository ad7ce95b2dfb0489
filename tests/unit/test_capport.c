// SPDX-License-Identifier: GPL-2.0
/*
 * test_capport.c - the RFC 8908 API's pure parts: the Accept header
 * (user/lib/accept.c, RFC 9110 §12.5.1) as a table of headers and the
 * weight they give application/captive+json; the grant -> facts rule and
 * the JSON (user/lib/capport_json.c) as a table of grants and the exact
 * bytes answered.
 */
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "accept.h"
#include "capport_json.h"

static const struct accept_case {
	const char *name;
	const char *hdr;		/* NULL: no header */
	unsigned int q;			/* want */
} accept_cases[] = {
	{ "absent", NULL, 1000 },
	{ "empty", "", 1000 },
	{ "only commas", " , ,", 1000 },
	{ "exact", "application/captive+json", 1000 },
	{ "exact, case", "Application/Captive+JSON", 1000 },
	{ "any", "*/*", 1000 },
	{ "type any", "application/*", 1000 },
	{ "type any, case", "APPLICATION/*", 1000 },
	{ "other only", "application/json", 0 },
	{ "other type any", "text/*", 0 },
	{ "list, ours second", "text/html, application/captive+json", 1000 },
	{ "list with q", "application/json;q=0.9, application/captive+json;q=0.5", 500 },
	{ "browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", 800 },
	{ "q=0 refuses", "application/captive+json;q=0", 0 },
	{ "q=0.000 refuses", "application/captive+json; q=0.000", 0 },
	{ "q=1.000", "application/captive+json;q=1.000", 1000 },
	{ "Q upper case", "application/captive+json;Q=0.25", 250 },
	{ "specific q=0 beats any", "application/captive+json;q=0, */*", 0 },
	{ "type any q=0 beats any", "application/*;q=0, */*;q=1", 0 },
	{ "specific beats type any q=0", "application/*;q=0, application/captive+json;q=0.3", 300 },
	{ "any q=0 alone", "*/*;q=0", 0 },
	{ "highest of equals", "application/captive+json;q=0.2, application/captive+json;q=0.7", 700 },
	{ "parameters", "application/captive+json; charset=utf-8; q=0.9", 900 },
	{ "quoted parameter", "application/captive+json;x=\"a,b;q=0\";q=0.4", 400 },
	{ "quoted escape", "text/plain;x=\"a\\\"b,c\", application/captive+json;q=0.6", 600 },
	{ "whitespace", " \tapplication/captive+json \t; \tq=0.5 \t, text/html", 500 },
	{ "empty parameter", "application/captive+json;;q=0.5;", 500 },
	{ "bad q skipped", "application/captive+json;q=2, */*;q=0.1", 100 },
	{ "bad q four digits", "application/captive+json;q=0.1234", 1000 },
	{ "bad q 1.5", "application/captive+json;q=1.5, text/html", 0 },
	{ "bad q quoted", "application/captive+json;q=\"0\", text/html", 0 },
	{ "star/x invalid", "*/json", 1000 },
	{ "no subtype", "application", 1000 },
	{ "no subtype + valid", "application, text/html", 0 },
	{ "unclosed quote", "application/captive+json;x=\"abc", 1000 },
	{ "space inside type", "application /captive+json", 1000 },
	{ "prefix is not a match", "application/captive", 0 },
	{ "longer is not a match", "application/captive+jsonx", 0 },
	{ "q=0. ok", "application/captive+json;q=0.", 0 },
	{ "q=1. ok", "application/captive+json;q=1.", 1000 },
};

static bool accept_table(void)
{
	bool ok = true;

	for (size_t i = 0; i < sizeof(accept_cases) / sizeof(accept_cases[0]); i++) {
		const struct accept_case *c = &accept_cases[i];
		unsigned int q = accept_quality(c->hdr, c->hdr ? strlen(c->hdr) : 0,
						CAPPORT_MEDIA_TYPE);

		ok &= ASSERT_EQ(q, c->q, c->name);
		ok &= ASSERT_EQ(accept_allows(c->hdr, CAPPORT_MEDIA_TYPE), c->q > 0, c->name);
	}
	return ok;
}

/* The length counts, not a NUL: bytes past len are never read. */
static bool accept_bounded(void)
{
	static const char hdr[] = "text/html, application/captive+json";
	bool ok = true;

	ok &= ASSERT_EQ(accept_quality(hdr, 9, CAPPORT_MEDIA_TYPE), 0, "first element only");
	ok &= ASSERT_EQ(accept_quality(hdr, sizeof(hdr) - 1, CAPPORT_MEDIA_TYPE), 1000, "all");
	ok &= ASSERT_EQ(accept_quality(hdr, sizeof(hdr) - 2, CAPPORT_MEDIA_TYPE), 0, "cut short");
	return ok;
}

#define PORTAL	"https://portal.example/login"
#define VENUE	"https://venue.example/info"
#define NOW	1700000000ULL

enum { NO_GRANT = 0, GRANT };

static const struct json_case {
	const char *name;
	int grant;
	struct g511_ctl_grant g;
	bool can_extend;
	const char *venue;
	const char *want;
} json_cases[] = {
	{ "no grant", NO_GRANT, {}, false, NULL,
	  "{\"captive\":true,\"user-portal-url\":\"" PORTAL "\"}\n" },
	{ "no grant, venue", NO_GRANT, {}, true, VENUE,
	  "{\"captive\":true,\"user-portal-url\":\"" PORTAL "\",\"venue-info-url\":\""
	  VENUE "\"}\n" },
	{ "granted, deadline", GRANT,
	  { .flags = G511_CTL_GF_IN_MAP, .expires_wall = NOW + 3600 }, false, NULL,
	  "{\"captive\":false,\"seconds-remaining\":3600,\"can-extend-session\":false}\n" },
	{ "granted, no deadline", GRANT, { .flags = G511_CTL_GF_IN_MAP }, false, NULL,
	  "{\"captive\":false,\"can-extend-session\":false}\n" },
	{ "granted, can extend, venue", GRANT,
	  { .flags = G511_CTL_GF_IN_MAP, .expires_wall = NOW + 1 }, true, VENUE,
	  "{\"captive\":false,\"user-portal-url\":\"" PORTAL "\",\"venue-info-url\":\""
	  VENUE "\",\"seconds-remaining\":1,\"can-extend-session\":true}\n" },
	{ "granted, quota", GRANT,
	  { .flags = G511_CTL_GF_IN_MAP, .quota_bytes = 1000000, .bytes = 1000,
	    .bytes_down = 9000 }, false, NULL,
	  "{\"captive\":false,\"bytes-remaining\":990000,\"can-extend-session\":false}\n" },
	{ "deadline passed", GRANT,
	  { .flags = G511_CTL_GF_IN_MAP, .expires_wall = NOW }, false, NULL,
	  "{\"captive\":true,\"user-portal-url\":\"" PORTAL "\"}\n" },
	{ "quota used up", GRANT,
	  { .flags = G511_CTL_GF_IN_MAP, .quota_bytes = 100, .bytes = 60, .bytes_down = 40 },
	  false, NULL, "{\"captive\":true,\"user-portal-url\":\"" PORTAL "\"}\n" },
	{ "quota, counters wrap", GRANT,
	  { .flags = G511_CTL_GF_IN_MAP, .quota_bytes = 100, .bytes = UINT64_MAX,
	    .bytes_down = 2 }, false, NULL,
	  "{\"captive\":true,\"user-portal-url\":\"" PORTAL "\"}\n" },
	{ "in the DB, not in the maps", GRANT, { .expires_wall = NOW + 60 }, false, NULL,
	  "{\"captive\":true,\"user-portal-url\":\"" PORTAL "\"}\n" },
};

static bool json_table(void)
{
	bool ok = true;

	for (size_t i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]); i++) {
		const struct json_case *c = &json_cases[i];
		struct capport_facts f;
		char *out;
		size_t len;

		capport_facts_from_grant(c->grant ? &c->g : NULL, NOW, c->can_extend,
					 PORTAL, c->venue, &f);
		if (!ASSERT_EQ(capport_json(&f, &out, &len), 0, c->name))
			return false;
		ok &= ASSERT_STREQ(out, c->want, c->name);
		ok &= ASSERT_EQ(len, strlen(c->want), c->name);
		free(out);
	}
	return ok;
}

/* A URL is a JSON string: escaped, never raw. */
static bool json_escapes(void)
{
	struct capport_facts f = { .captive = true, .portal_url = "https://p/\"x\\y" };
	char *out;
	size_t len;
	bool ok = true;

	ok &= ASSERT_EQ(capport_json(&f, &out, &len), 0, "json");
	ok &= ASSERT_STREQ(out, "{\"captive\":true,\"user-portal-url\":\"https://p/\\\"x\\\\y\"}\n",
			   "escaped");
	free(out);
	f.portal_url = "";
	ok &= ASSERT_EQ(capport_json(&f, &out, &len), 0, "json");
	ok &= ASSERT_STREQ(out, "{\"captive\":true}\n", "no portal URL: key left out");
	free(out);
	return ok;
}

int main(void)
{
	RUN_CASE(accept_table);
	RUN_CASE(accept_bounded);
	RUN_CASE(json_table);
	RUN_CASE(json_escapes);
	return test_summary();
}
