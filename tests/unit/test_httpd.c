// SPDX-License-Identifier: GPL-2.0
/*
 * test_httpd.c - user/gate511d/httpd.c on loopback, plain HTTP: the target
 * reaches the handler exactly as sent (query and escapes kept, for
 * signatures), the body whole, the peer's address; a declared body over
 * the limit is 413 before the handler runs, and so is one that grows past
 * it; handler errors are JSON.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "test.h"
#include "addr.h"
#include "httpd.c"

static struct {
	char method[16], path[256], target[512], body[2048], peer[64];
	size_t body_len;
	int calls;
} seen;

static void handler(void *ctx, const struct httpd_req *req, struct httpd_resp *resp)
{
	const char *x = httpd_header(req, "X-Test");

	(void)ctx;
	seen.calls++;
	snprintf(seen.method, sizeof(seen.method), "%s", req->method);
	snprintf(seen.path, sizeof(seen.path), "%s", req->path);
	snprintf(seen.target, sizeof(seen.target), "%s", req->target);
	seen.body_len = req->body_len;
	snprintf(seen.body, sizeof(seen.body), "%s", req->body);
	addr_format(&req->peer, seen.peer, sizeof(seen.peer));
	if (!strcmp(req->path, "/fail")) {
		httpd_resp_error(resp, 404, "no \"%s\" here", req->path);
		return;
	}
	httpd_resp_add_header(resp, "Cache-Control", "no-store");
	httpd_resp_text(resp, 200, "text/plain", x ? x : "hello");
}

static struct httpd *h;
static uint16_t port;

/* One request over a fresh connection; the whole reply into buf. */
static int request(const char *raw, size_t raw_len, char *buf, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = 5 };
	size_t got = 0;
	int fd;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) || write(fd, raw, raw_len) < 0) {
		close(fd);
		return -1;
	}
	shutdown(fd, SHUT_WR);
	while (got + 1 < len) {
		ssize_t n = read(fd, buf + got, len - 1 - got);

		if (n <= 0)
			break;
		got += n;
	}
	buf[got] = '\0';
	close(fd);
	return (int)got;
}

static bool target_kept(void)
{
	static const char raw[] = "GET /capport/x%2Fy?b=2&a=%41+1 HTTP/1.1\r\nHost: t\r\n"
				  "X-Test: value\r\nConnection: close\r\n\r\n";
	char buf[4096];
	bool ok = true;

	seen.calls = 0;
	ok &= ASSERT_TRUE(request(raw, sizeof(raw) - 1, buf, sizeof(buf)) > 0, "reply");
	ok &= ASSERT_TRUE(!strncmp(buf, "HTTP/1.1 200", 12), "200");
	ok &= ASSERT_TRUE(strstr(buf, "\r\nCache-Control: no-store\r\n") != NULL, "extra header");
	ok &= ASSERT_TRUE(strstr(buf, "\r\nContent-Type: text/plain\r\n") != NULL, "type");
	ok &= ASSERT_TRUE(strstr(buf, "\r\n\r\nvalue") != NULL, "header reached the handler");
	ok &= ASSERT_EQ(seen.calls, 1, "handler ran once");
	ok &= ASSERT_STREQ(seen.method, "GET", "method");
	ok &= ASSERT_STREQ(seen.target, "/capport/x%2Fy?b=2&a=%41+1", "target as sent");
	ok &= ASSERT_STREQ(seen.peer, "127.0.0.1", "peer");
	return ok;
}

static bool body_whole(void)
{
	char raw[4096], body[1500], buf[4096];
	bool ok = true;
	int n;

	memset(body, 'b', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	n = snprintf(raw, sizeof(raw), "POST /v1/grants HTTP/1.1\r\nHost: t\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", strlen(body), body);
	seen.calls = 0;
	ok &= ASSERT_TRUE(request(raw, n, buf, sizeof(buf)) > 0, "reply");
	ok &= ASSERT_TRUE(!strncmp(buf, "HTTP/1.1 200", 12), "200");
	ok &= ASSERT_EQ(seen.body_len, strlen(body), "body length");
	ok &= ASSERT_STREQ(seen.body, body, "body");
	return ok;
}

static bool too_large(void)
{
	static const char declared[] = "POST /v1/grants HTTP/1.1\r\nHost: t\r\n"
				       "Content-Length: 70000\r\nConnection: close\r\n\r\n";
	char raw[8192], buf[4096];
	bool ok = true;
	int n;

	seen.calls = 0;
	ok &= ASSERT_TRUE(request(declared, sizeof(declared) - 1, buf, sizeof(buf)) > 0, "reply");
	ok &= ASSERT_TRUE(!strncmp(buf, "HTTP/1.1 413", 12), "declared over the limit: 413");
	ok &= ASSERT_TRUE(strstr(buf, "{\"error\":") != NULL, "JSON error");
	ok &= ASSERT_EQ(seen.calls, 0, "handler not run");
	/* chunked: no length up front, it grows past the limit (4 KiB here) */
	n = snprintf(raw, sizeof(raw), "POST /v1/grants HTTP/1.1\r\nHost: t\r\n"
		     "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
	for (int i = 0; i < 5; i++)
		n += snprintf(raw + n, sizeof(raw) - n, "3e8\r\n%01000d\r\n", 0);
	n += snprintf(raw + n, sizeof(raw) - n, "0\r\n\r\n");
	ok &= ASSERT_TRUE(request(raw, n, buf, sizeof(buf)) > 0, "chunked reply");
	ok &= ASSERT_TRUE(!strncmp(buf, "HTTP/1.1 413", 12), "grown over the limit: 413");
	ok &= ASSERT_EQ(seen.calls, 0, "handler not run");
	return ok;
}

static bool error_json(void)
{
	static const char raw[] = "GET /fail HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	char buf[4096];
	bool ok = true;

	ok &= ASSERT_TRUE(request(raw, sizeof(raw) - 1, buf, sizeof(buf)) > 0, "reply");
	ok &= ASSERT_TRUE(!strncmp(buf, "HTTP/1.1 404", 12), "404");
	ok &= ASSERT_TRUE(strstr(buf, "{\"error\":\"no \\\"/fail\\\" here\"}") != NULL,
			  "escaped JSON error");
	return ok;
}

static bool counters(void)
{
	struct httpd_counters c;
	bool ok = true;

	httpd_counters(h, &c);
	ok &= ASSERT_EQ(c.requests, 5, "requests");
	ok &= ASSERT_EQ(c.status_2xx, 2, "2xx");
	ok &= ASSERT_EQ(c.status_4xx, 3, "4xx");
	ok &= ASSERT_EQ(c.too_large, 2, "too large");
	return ok;
}

int main(void)
{
	struct httpd_opts o = {
		.name = "test", .max_body = 4096, .handler = handler,
	};
	char why[256];
	int err = -EADDRINUSE;

	addr_parse("127.0.0.1", &o.listen.addr);
	o.listen.set = true;
	/* a port of our own: try a few in the ephemeral range */
	for (int i = 0; i < 50 && err; i++) {
		o.listen.port = 40000 + (getpid() * 7 + i * 131) % 20000;
		err = httpd_start(&o, &h, why, sizeof(why));
	}
	if (err) {
		test_skip("httpd", why);
		return test_summary();
	}
	port = httpd_port(h);
	RUN_CASE(target_kept);
	RUN_CASE(body_whole);
	RUN_CASE(too_large);
	RUN_CASE(error_json);
	RUN_CASE(counters);
	httpd_stop(h);
	return test_summary();
}
