// SPDX-License-Identifier: GPL-2.0
/*
 * test_http.c - the responder's HTTP helpers (user/lib/http.c) as tables:
 * payload classification and request parsing, probe detection, the
 * original URL, percent-encoding and HTML escaping, the segmented sink and
 * the page template engine.
 */
#include <errno.h>
#include <stdint.h>
#include "test.h"
#include "http.h"

struct parse_case {
	const char *payload;
	int kind;
	int method;
	const char *target;	/* NULL: none */
	const char *host;	/* NULL: none */
	const char *orig;	/* expected original URL, NULL: unknown */
	bool probe;
};

static const struct parse_case parse_cases[] = {
	{ "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n", G511_HTTP_REQUEST, G511_M_GET,
	  "/", "a.example", "http://a.example/", false },
	{ "HEAD /x?y=1 HTTP/1.1\r\nhOsT:\t b.example:8080 \r\n\r\n", G511_HTTP_REQUEST,
	  G511_M_HEAD, "/x?y=1", "b.example:8080", "http://b.example:8080/x?y=1", false },
	{ "POST /f HTTP/1.1\r\nX: 1\r\nHost: c\r\n\r\nbody", G511_HTTP_REQUEST, G511_M_POST,
	  "/f", "c", "http://c/f", false },
	{ "PUT /p HTTP/1.1\nHost: lf.example\n\n", G511_HTTP_REQUEST, G511_M_PUT,
	  "/p", "lf.example", "http://lf.example/p", false },
	{ "DELETE /d HTTP/1.1\r\n\r\nHost: after.blank\r\n", G511_HTTP_REQUEST, G511_M_DELETE,
	  "/d", NULL, NULL, false },
	{ "OPTIONS * HTTP/1.1\r\nHost: o\r\n\r\n", G511_HTTP_REQUEST, G511_M_OPTIONS,
	  "*", NULL, NULL, false },
	{ "PATCH /q HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n", G511_HTTP_REQUEST,
	  G511_M_PATCH, "/q", "[2001:db8::1]:80", "http://[2001:db8::1]:80/q", false },
	{ "CONNECT h.example:443 HTTP/1.1\r\nHost: h.example:443\r\n\r\n", G511_HTTP_REQUEST,
	  G511_M_CONNECT, "h.example:443", NULL, NULL, false },
	{ "TRACE / HTTP/1.1\r\n", G511_HTTP_REQUEST, G511_M_TRACE, "/", NULL, NULL, false },
	{ "GET http://abs.example/p?q HTTP/1.1\r\nHost: other\r\n\r\n", G511_HTTP_REQUEST,
	  G511_M_GET, "http://abs.example/p?q", NULL, "http://abs.example/p?q", false },
	{ "GET HTTPS://abs.example HTTP/1.1\r\n\r\n", G511_HTTP_REQUEST, G511_M_GET,
	  "HTTPS://abs.example", NULL, "HTTPS://abs.example", false },
	/* incomplete request line: target not trusted */
	{ "GET /cut", G511_HTTP_REQUEST, G511_M_GET, NULL, NULL, NULL, false },
	{ "GET ", G511_HTTP_REQUEST, G511_M_GET, NULL, NULL, NULL, false },
	{ "GET  / HTTP/1.1\r\n", G511_HTTP_REQUEST, G511_M_GET, NULL, NULL, NULL, false },
	{ "GET /a\x01z HTTP/1.1\r\nHost: h\r\n\r\n", G511_HTTP_REQUEST, G511_M_GET,
	  NULL, NULL, NULL, false },
	/* HTTP/0.9 style */
	{ "GET /old\r\n\r\n", G511_HTTP_REQUEST, G511_M_GET, "/old", NULL, NULL, false },
	/* Host line not finished, or bad, or too long */
	{ "GET / HTTP/1.1\r\nHost: cut.exa", G511_HTTP_REQUEST, G511_M_GET, "/", NULL, NULL, false },
	{ "GET / HTTP/1.1\r\nHost: bad<host>\r\n\r\n", G511_HTTP_REQUEST, G511_M_GET,
	  "/", NULL, NULL, false },
	{ "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", G511_HTTP_REQUEST, G511_M_GET, "/", NULL, NULL, false },
	{ "GET / HTTP/1.1\r\nHost: \r\n\r\n", G511_HTTP_REQUEST, G511_M_GET, "/", NULL, NULL, false },
	{ "GET / HTTP/1.1\r\nX-Host: no\r\n\r\n", G511_HTTP_REQUEST, G511_M_GET, "/", NULL, NULL, false },
	/* split requests: strict prefixes of "METHOD " */
	{ "G", G511_HTTP_PREFIX, G511_M_GET, NULL, NULL, NULL, false },
	{ "GE", G511_HTTP_PREFIX, G511_M_GET, NULL, NULL, NULL, false },
	{ "GET", G511_HTTP_PREFIX, G511_M_GET, NULL, NULL, NULL, false },
	{ "H", G511_HTTP_PREFIX, G511_M_HEAD, NULL, NULL, NULL, false },
	{ "P", G511_HTTP_PREFIX, G511_M_UNKNOWN, NULL, NULL, NULL, false },
	{ "PU", G511_HTTP_PREFIX, G511_M_PUT, NULL, NULL, NULL, false },
	{ "OPTIONS", G511_HTTP_PREFIX, G511_M_OPTIONS, NULL, NULL, NULL, false },
	/* not requests */
	{ "GETX / HTTP/1.1\r\n", G511_HTTP_TEXT, 0, NULL, NULL, NULL, false },
	{ "get / HTTP/1.1\r\n", G511_HTTP_TEXT, 0, NULL, NULL, NULL, false },
	{ "ET / HTTP/1.1\r\nHost: x\r\n\r\n", G511_HTTP_TEXT, 0, NULL, NULL, NULL, false },
	{ "Host: x\r\n\r\n", G511_HTTP_TEXT, 0, NULL, NULL, NULL, false },
	{ "caf\xc3\xa9\t\r\n", G511_HTTP_TEXT, 0, NULL, NULL, NULL, false },
	{ "SSH-2.0-OpenSSH_9.2\r\n", G511_HTTP_BINARY, 0, NULL, NULL, NULL, false },
	{ "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", G511_HTTP_BINARY, 0, NULL, NULL, NULL, false },
	{ "\x16\x03\x01\x02\x00\x01", G511_HTTP_BINARY, 0, NULL, NULL, NULL, false },
	{ "hello\x00world", G511_HTTP_BINARY, 0, NULL, NULL, NULL, false },
	{ "\x7f", G511_HTTP_BINARY, 0, NULL, NULL, NULL, false },
	/* probes */
	{ "GET /generate_204 HTTP/1.1\r\nHost: connectivitycheck.gstatic.com\r\n\r\n",
	  G511_HTTP_REQUEST, G511_M_GET, "/generate_204", "connectivitycheck.gstatic.com",
	  "http://connectivitycheck.gstatic.com/generate_204", true },
	{ "GET /gen_204 HTTP/1.1\r\n\r\n", G511_HTTP_REQUEST, G511_M_GET, "/gen_204", NULL,
	  NULL, true },
	{ "GET /hotspot-detect.html HTTP/1.0\r\n\r\n", G511_HTTP_REQUEST, G511_M_GET,
	  "/hotspot-detect.html", NULL, NULL, true },
	{ "GET /library/test/success.html HTTP/1.0\r\n\r\n", G511_HTTP_REQUEST, G511_M_GET,
	  "/library/test/success.html", NULL, NULL, true },
	{ "GET /anything HTTP/1.1\r\nHost: Captive.Apple.Com:80\r\n\r\n", G511_HTTP_REQUEST,
	  G511_M_GET, "/anything", "Captive.Apple.Com:80", "http://Captive.Apple.Com:80/anything",
	  true },
	{ "GET /connecttest.txt HTTP/1.1\r\n\r\n", G511_HTTP_REQUEST, G511_M_GET,
	  "/connecttest.txt", NULL, NULL, true },
	{ "GET /ncsi.txt HTTP/1.1\r\n\r\n", G511_HTTP_REQUEST, G511_M_GET, "/ncsi.txt", NULL,
	  NULL, true },
	{ "GET /success.txt?ipv6 HTTP/1.1\r\n\r\n", G511_HTTP_REQUEST, G511_M_GET,
	  "/success.txt?ipv6", NULL, NULL, true },
	{ "HEAD /canonical.html HTTP/1.1\r\n\r\n", G511_HTTP_REQUEST, G511_M_HEAD,
	  "/canonical.html", NULL, NULL, true },
	{ "GET http://detectportal.firefox.com/canonical.html HTTP/1.1\r\n\r\n",
	  G511_HTTP_REQUEST, G511_M_GET, "http://detectportal.firefox.com/canonical.html", NULL,
	  "http://detectportal.firefox.com/canonical.html", true },
	{ "GET http://captive.apple.com HTTP/1.1\r\n\r\n", G511_HTTP_REQUEST, G511_M_GET,
	  "http://captive.apple.com", NULL, "http://captive.apple.com", true },
	{ "GET /generate_2044 HTTP/1.1\r\n\r\n", G511_HTTP_REQUEST, G511_M_GET,
	  "/generate_2044", NULL, NULL, false },
	{ "GET /x/generate_204 HTTP/1.1\r\n\r\n", G511_HTTP_REQUEST, G511_M_GET,
	  "/x/generate_204", NULL, NULL, false },
	{ "GET / HTTP/1.1\r\nHost: captive.apple.com.evil\r\n\r\n", G511_HTTP_REQUEST,
	  G511_M_GET, "/", "captive.apple.com.evil", "http://captive.apple.com.evil/", false },
};

static bool str_is(const uint8_t *p, size_t len, const char *want)
{
	if (!want)
		return p == NULL;
	return p && len == strlen(want) && memcmp(p, want, len) == 0;
}

static bool parse_table(void)
{
	size_t i;
	bool ok = true;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		size_t len = strlen(c->payload);
		struct g511_http_req req;
		char pct[G511_ORIG_PCT_MAX], *copy;
		size_t n;

		if (!strcmp(c->payload, "hello"))	/* "hello\0world" */
			len = 11;
		/* an exact-size heap copy, so an overread shows under ASan */
		copy = malloc(len ? len : 1);
		memcpy(copy, c->payload, len);
		g511_http_parse((const uint8_t *)copy, len, &req);
		test_current = c->payload;
		ok = ASSERT_EQ(req.kind, c->kind, "kind") &&
		     (c->kind != G511_HTTP_REQUEST && c->kind != G511_HTTP_PREFIX ?
		      true : ASSERT_EQ(req.method, c->method, "method")) &&
		     ASSERT_TRUE(str_is(req.target, req.target_len, c->target), "target") &&
		     ASSERT_TRUE(str_is(req.host, req.host_len, c->host), "host") &&
		     ASSERT_EQ(g511_http_is_probe(&req), c->probe, "probe");
		n = g511_http_orig_pct(&req, pct);
		if (ok && c->orig) {
			char want[4096], *w = want;
			const char *s;

			for (s = c->orig; *s; s++) {
				unsigned char ch = (unsigned char)*s;

				if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				    (ch >= '0' && ch <= '9') || strchr("-._~", ch))
					*w++ = (char)ch;
				else
					w += sprintf(w, "%%%02X", ch);
			}
			ok = ASSERT_EQ(n, (size_t)(w - want), "orig length") &&
			     ASSERT_MEMEQ(pct, want, n, "orig percent-encoded");
		} else if (ok) {
			ok = ASSERT_EQ(n, 0, "no orig");
		}
		free(copy);
		if (!ok)
			return false;
	}
	return true;
}

static bool orig_bound(void)
{
	char *req = malloc(9000), *pct = malloc(G511_ORIG_PCT_MAX), *h = malloc(G511_ORIG_HTML_MAX);
	struct g511_http_req r;
	size_t path, len;
	bool ok = true;

	/* "http://" + "h" + path: exactly G511_ORIG_MAX, then one more */
	for (path = G511_ORIG_MAX - 8; path <= G511_ORIG_MAX - 7 && ok; path++) {
		len = (size_t)sprintf(req, "GET /");
		memset(req + len, '"', path - 1);	/* worst case for both encoders */
		len += path - 1;
		len += (size_t)sprintf(req + len, " HTTP/1.1\r\nHost: h\r\n\r\n");
		g511_http_parse((uint8_t *)req, len, &r);
		if (path == G511_ORIG_MAX - 8)
			/* "http%3A%2F%2Fh%2F" + %22..., "http://h/" + &quot;... */
			ok = ASSERT_EQ(g511_http_orig_pct(&r, pct), 17 + 3 * (path - 1),
				       "at the bound: encoded") &&
			     ASSERT_EQ(g511_http_orig_html(&r, h), 9 + 6 * (path - 1),
				       "at the bound: escaped");
		else
			ok = ASSERT_EQ(g511_http_orig_pct(&r, pct), 0, "over: none") &&
			     ASSERT_EQ(g511_http_orig_html(&r, h), 0, "over: none");
	}
	free(req);
	free(pct);
	free(h);
	return ok;
}

static bool encoders(void)
{
	char out[128];

	return ASSERT_EQ(g511_pct_encode(out, sizeof(out), "aZ09-._~ /?&=%\x80", 15), 8 + 7 * 3,
			 "pct length") &&
	       ASSERT_MEMEQ(out, "aZ09-._~%20%2F%3F%26%3D%25%80", 29, "pct") &&
	       ASSERT_EQ(g511_pct_encode(out, 8, "abc", 3), SIZE_MAX, "pct: no room") &&
	       ASSERT_EQ(g511_html_escape(out, sizeof(out), "<a href=\"x\">'&'</a>", 19), 53,
			 "html length") &&
	       ASSERT_MEMEQ(out, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;", 53,
			    "html") &&
	       ASSERT_EQ(g511_html_escape(out, 17, "abc", 3), SIZE_MAX, "html: no room");
}

static bool sink_segments(void)
{
	uint8_t b0[16], b1[16], b2[16];
	uint8_t *bufs[3] = { b0, b1, b2 };
	struct g511_sink s;

	memset(b0, '.', 16);
	memset(b1, '.', 16);
	memset(b2, '.', 16);
	/* 4 header bytes, 5 payload bytes per segment, keep 12 */
	g511_sink_init(&s, bufs, 4, 5, 12);
	g511_sink_put(&s, "abc", 3);
	g511_sink_put(&s, "", 0);
	g511_sink_put(&s, "defghij", 7);
	g511_sink_put(&s, "klmnop", 6);
	return ASSERT_EQ(s.pos, 12, "kept") &&
	       ASSERT_MEMEQ(b0, "....abcde.......", 16, "segment 0") &&
	       ASSERT_MEMEQ(b1, "....fghij.......", 16, "segment 1") &&
	       ASSERT_MEMEQ(b2, "....kl..........", 16, "segment 2, limit");
}

static bool template_render(void)
{
	static const char text[] = "A{{link}}B{{ portal }}C{{orig}}{{link}}";
	struct g511_str vals[G511_PH__MAX] = {
		[G511_PH_LINK] = { "L", 1 }, [G511_PH_PORTAL] = { "PP", 2 },
		[G511_PH_ORIG] = { "OOO", 3 },
	};
	uint8_t out[64], *bufs[1] = { out };
	struct g511_sink s;
	struct g511_tmpl t;
	char err[128];

	if (!ASSERT_EQ(g511_tmpl_compile(&t, text, strlen(text), err, sizeof(err)), 0, err))
		return false;
	g511_sink_init(&s, bufs, 0, sizeof(out), sizeof(out));
	g511_tmpl_render(&s, &t, text, vals);
	return ASSERT_EQ(t.lit_len, 3, "literal bytes") &&
	       ASSERT_EQ(t.n_ph[G511_PH_LINK], 2, "two links") &&
	       ASSERT_EQ(g511_tmpl_len(&t, vals), 3 + 2 + 2 + 3, "length") &&
	       ASSERT_EQ(s.pos, 10, "rendered") && ASSERT_MEMEQ(out, "ALBPPCOOOL", 10, "text");
}

static bool template_errors(void)
{
	static const struct {
		const char *text;
		const char *err;
	} bad[] = {
		{ "{{link", "line 1" },
		{ "a\nb\n{{ nope }}", "line 3: unknown placeholder {{nope}}" },
		{ "{{link\n}}", "line 1" },
		{ "{{}}", "unknown placeholder" },
	};
	struct g511_tmpl t;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (!ASSERT_EQ(g511_tmpl_compile(&t, bad[i].text, strlen(bad[i].text), err,
						 sizeof(err)), -EINVAL, bad[i].text) ||
		    !ASSERT_TRUE(strstr(err, bad[i].err) != NULL, err))
			return false;
	}
	/* single braces, and a lone "{{" at the very end, are text */
	return ASSERT_EQ(g511_tmpl_compile(&t, "a { b } {", 9, err, sizeof(err)), 0, "braces") &&
	       ASSERT_EQ(t.lit_len, 9, "all literal") &&
	       ASSERT_EQ(g511_tmpl_compile(&t, "", 0, err, sizeof(err)), 0, "empty") &&
	       ASSERT_EQ(t.n, 0, "no pieces");
}

int main(void)
{
	RUN_CASE(parse_table);
	RUN_CASE(orig_bound);
	RUN_CASE(encoders);
	RUN_CASE(sink_segments);
	RUN_CASE(template_render);
	RUN_CASE(template_errors);
	return test_summary();
}
