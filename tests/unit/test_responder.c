// SPDX-License-Identifier: GPL-2.0
/*
 * test_responder.c - the responder core (user/lib/responder.c) against the
 * pcap vectors made by gen_resp_vectors.py, as a table: vector, config,
 * expected action/reason for each frame, expected HTTP reply. Every reply
 * frame is parsed back here with code independent of the responder's
 * (headers, swaps, echoed VLAN tags, both checksums, flags, seq/ack, MSS
 * option, segment sizes) and the HTTP text is reassembled and checked
 * against a page rendered here by plain string replacement. Each step is
 * also run twice (same bytes) and in place (reply built in the request's
 * own buffer: same bytes). Then the cases the table cannot express:
 * cookie lifetime, secrets, 4-tuple, buffer limits, config validation.
 *
 * Vectors: the ack of every frame after a leading SYN is rewritten from
 * the convention described in gen_resp_vectors.py.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include "test.h"
#include "cookie.h"
#include "hmac.h"
#include "responder.h"

#define NOW		(64ULL * 15625)		/* start of a cookie period */
#define WALL		1700000000ULL		/* wall clock: ts= of signed links */
#define PORTAL		"http://portal.example/login"
#define PORTAL_Q	"https://portal.example/login?site=a&b=<1>"
#define MAXSEG		64
#define BUFSZ		(4096 - 256)		/* a UMEM frame less headroom */
#define MAXFRAMES	32

static const struct g511_resp_key key1 = { { 0x5e, 0xc2, 0xe7, 0x01, 0x02, 0x03, 0x04, 0x05,
					     0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d } };
static const struct g511_resp_key key2 = { { 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5,
					     0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5 } };

/* What a config's network_name / venue_info_url put in the page. */
struct brand {
	const char *title, *network, *venue, *venue_link;
};

static const struct brand brand_none = { "Network login required", "", "", "" };

static struct g511_resp_conf rc_def, rc_noprobe, rc_orig, rc_q;
/* signed (portal_sign_key), signed with a query in portal_url, branded */
static struct g511_resp_conf rc_sign, rc_sign_q, rc_brand;
#define SIGN_GW		"gw-test.1"
static const uint8_t sign_key[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};
/* rc_brand: network_name and venue_info_url, escaped as the page shows them */
#define BRAND_NAME	"Caf\xc3\xa9 Wi-Fi & more"
#define BRAND_VENUE	"https://venue.example/info?a=1&b=2"
static const struct brand brand_cafe = {
	"Caf\xc3\xa9 Wi-Fi &amp; more", "Caf\xc3\xa9 Wi-Fi &amp; more",
	"https://venue.example/info?a=1&amp;b=2",
	"<a class=\"venue\" href=\"https://venue.example/info?a=1&amp;b=2\">About this network</a>",
};

static const struct brand *brand_of(const struct g511_resp_conf *rc)
{
	return rc == &rc_brand ? &brand_cafe : &brand_none;
}
static const char tmpl_orig[] =
	"<p>{{ orig }}</p><a href=\"{{link}}\">go</a> <i>{{portal}}</i>\n";
static const char *vec_dir = "tests/unit/vectors";
/* "http://example.com/" + 300 x 'm' (gen_resp_vectors.py), filled by main() */
static char orig_mss536[19 + 300 + 1];

/* ---------------- small independent helpers ---------------- */

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* RFC 1071 the slow way: big-endian 16-bit words. */
static uint32_t sum16(uint32_t s, const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		s += (uint32_t)b[len - 1] << 8;
	return s;
}

static uint16_t fold16(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint16_t tcp_sum(bool v6, const uint8_t *ip, const uint8_t *seg, size_t len)
{
	uint32_t s = 0;

	if (v6) {
		s = sum16(s, ip + 8, 32);
		s += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + 6;
	} else {
		s = sum16(s, ip + 12, 8);
		s += 6 + (uint32_t)len;
	}
	return fold16(sum16(s, seg, len));
}

/* Where things are in a frame; assumes a sane frame (test input). */
struct finfo {
	size_t l2_len, ip_off, tcp_off, tcp_len, doff, plen, len;
	bool v6;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win, sport, dport;
	const uint8_t *payload;
};

static bool finfo(const uint8_t *f, size_t len, struct finfo *fi)
{
	size_t off = 12, ip, end;
	uint16_t type;

	memset(fi, 0, sizeof(*fi));
	fi->len = len;
	if (len < 14)
		return false;
	type = rd16(f + 12);
	while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
		off += 4;
		if (off + 2 > len)
			return false;
		type = rd16(f + off);
	}
	fi->l2_len = off + 2;
	ip = fi->ip_off = fi->l2_len;
	if (type == 0x0800) {
		if (len < ip + 20)
			return false;
		end = ip + rd16(f + ip + 2);
		fi->tcp_off = ip + (size_t)(f[ip] & 15) * 4;
	} else if (type == 0x86dd) {
		uint8_t nh;

		if (len < ip + 40)
			return false;
		fi->v6 = true;
		end = ip + 40 + rd16(f + ip + 4);
		fi->tcp_off = ip + 40;
		nh = f[ip + 6];
		if (nh == 0) {		/* hop-by-hop, as in the vectors */
			nh = f[fi->tcp_off];
			fi->tcp_off += ((size_t)f[fi->tcp_off + 1] + 1) * 8;
		}
		if (nh != 6)
			return false;
	} else {
		return false;
	}
	if (end > len || fi->tcp_off + 20 > end)
		return false;
	fi->tcp_len = end - fi->tcp_off;
	fi->doff = (size_t)(f[fi->tcp_off + 12] >> 4) * 4;
	if (fi->doff < 20 || fi->doff > fi->tcp_len)
		return false;
	fi->sport = rd16(f + fi->tcp_off);
	fi->dport = rd16(f + fi->tcp_off + 2);
	fi->seq = rd32(f + fi->tcp_off + 4);
	fi->ack = rd32(f + fi->tcp_off + 8);
	fi->flags = f[fi->tcp_off + 13];
	fi->win = rd16(f + fi->tcp_off + 14);
	fi->payload = f + fi->tcp_off + fi->doff;
	fi->plen = fi->tcp_len - fi->doff;
	return true;
}

static void set_ack(uint8_t *f, const struct finfo *fi, uint32_t ack)
{
	uint8_t *tcp = f + fi->tcp_off;

	wr32(tcp + 8, ack);
	wr16(tcp + 16, 0);
	wr16(tcp + 16, tcp_sum(fi->v6, f + fi->ip_off, tcp, fi->tcp_len));
}

/* Naive percent-encoding and HTML escaping, to build expected pages. */
static void pct(char *dst, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c))
			*dst++ = (char)c;
		else
			dst += sprintf(dst, "%%%02X", c);
	}
	*dst = '\0';
}

static void html(char *dst, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': dst += sprintf(dst, "&amp;"); break;
		case '<': dst += sprintf(dst, "&lt;"); break;
		case '>': dst += sprintf(dst, "&gt;"); break;
		case '"': dst += sprintf(dst, "&quot;"); break;
		case '\'': dst += sprintf(dst, "&#39;"); break;
		default: *dst++ = *s;
		}
	}
	*dst = '\0';
}

/* Replace every "{{name}}" / "{{ name }}" in tmpl; result malloc'ed. */
static char *expand(const char *tmpl, const char *link, const char *portal, const char *orig,
		    const struct brand *br)
{
	size_t cap = strlen(tmpl) * 4 + 64 * (strlen(link) + strlen(portal) + strlen(orig) +
					      strlen(br->title) + strlen(br->venue_link)) + 1;
	char *out = malloc(cap), *o = out;
	const char *names[7][2] = { { "link", link }, { "portal", portal }, { "orig", orig },
				    { "title", br->title }, { "network", br->network },
				    { "venue", br->venue }, { "venue_link", br->venue_link } };

	while (*tmpl) {
		bool done = false;
		int i;

		for (i = 0; i < 7 && !done; i++) {
			char a[32], b[32];

			snprintf(a, sizeof(a), "{{%s}}", names[i][0]);
			snprintf(b, sizeof(b), "{{ %s }}", names[i][0]);
			if (!strncmp(tmpl, a, strlen(a)) || !strncmp(tmpl, b, strlen(b))) {
				o += sprintf(o, "%s", names[i][1]);
				tmpl += !strncmp(tmpl, a, strlen(a)) ? strlen(a) : strlen(b);
				done = true;
			}
		}
		if (!done)
			*o++ = *tmpl++;
	}
	*o = '\0';
	return out;
}

/* ---------------- pcap vectors ---------------- */

struct frames {
	unsigned int n;
	uint8_t *f[MAXFRAMES];
	size_t len[MAXFRAMES];
};

static void frames_free(struct frames *fr)
{
	unsigned int i;

	for (i = 0; i < fr->n; i++)
		free(fr->f[i]);
	fr->n = 0;
}

static bool load_pcap(const char *name, struct frames *fr)
{
	char path[512], errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc;
	int r;

	fr->n = 0;
	snprintf(path, sizeof(path), "%s/resp_%s.pcap", vec_dir, name);
	pc = pcap_open_offline(path, errbuf);
	if (!pc) {
		fprintf(stderr, "  cannot open %s: %s\n", path, errbuf);
		return false;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		fprintf(stderr, "  %s: not LINKTYPE_ETHERNET\n", path);
		pcap_close(pc);
		return false;
	}
	while ((r = pcap_next_ex(pc, &h, &data)) == 1 && fr->n < MAXFRAMES) {
		/* exact-size copies: an overread shows under ASan/valgrind */
		fr->f[fr->n] = malloc(h->caplen ? h->caplen : 1);
		memcpy(fr->f[fr->n], data, h->caplen);
		fr->len[fr->n++] = h->caplen;
	}
	pcap_close(pc);
	return fr->n > 0;
}

/* ---------------- running the responder ---------------- */

struct replies {
	uint8_t *bufs[MAXSEG];
	size_t lens[MAXSEG];
	struct g511_resp_out out;
};

static struct replies *replies_new(unsigned int max, size_t buf_size)
{
	struct replies *r = calloc(1, sizeof(*r));
	unsigned int i;

	for (i = 0; i < max; i++)
		r->bufs[i] = malloc(buf_size);
	r->out.max = max;
	r->out.buf_size = buf_size;
	r->out.bufs = r->bufs;
	r->out.lens = r->lens;
	return r;
}

static void replies_free(struct replies *r)
{
	unsigned int i;

	for (i = 0; i < MAXSEG; i++)
		free(r->bufs[i]);
	free(r);
}

static int handle(const struct g511_resp_conf *rc, const struct g511_resp_key *key,
		  uint64_t now, const uint8_t *f, size_t len, struct replies *r)
{
	/* poison the outputs: the responder must set them all */
	r->out.n = 777;
	r->out.action = -1;
	r->out.reason = -1;
	r->out.truncated = true;
	return g511_resp_handle(rc, key, now, WALL, f, len, &r->out);
}

static bool same_replies(const struct replies *a, const struct replies *b, const char *what)
{
	unsigned int i;

	if (!ASSERT_EQ(a->out.n, b->out.n, what) ||
	    !ASSERT_EQ(a->out.action, b->out.action, what) ||
	    !ASSERT_EQ(a->out.reason, b->out.reason, what))
		return false;
	for (i = 0; i < a->out.n; i++)
		if (!ASSERT_EQ(a->lens[i], b->lens[i], what) ||
		    !ASSERT_MEMEQ(a->bufs[i], b->bufs[i], a->lens[i], what))
			return false;
	return true;
}

/*
 * One reply frame against the request: L2 echo, IP and TCP headers,
 * checksums, exact length. Fills rp.
 */
static bool check_frame(const uint8_t *req, const struct finfo *rq,
			const uint8_t *b, size_t len, size_t buf_size, struct finfo *rp)
{
	const uint8_t *ip = b + rq->l2_len, *rip = req + rq->ip_off;

	if (!ASSERT_TRUE(len <= buf_size, "frame fits its buffer") ||
	    !ASSERT_TRUE(finfo(b, len, rp), "reply parses"))
		return false;
	if (!ASSERT_MEMEQ(b, req + 6, 6, "dst MAC = client's") ||
	    !ASSERT_MEMEQ(b + 6, req, 6, "src MAC = ours") ||
	    !ASSERT_EQ(rp->l2_len, rq->l2_len, "same L2 length (tags echoed)") ||
	    !ASSERT_MEMEQ(b + 12, req + 12, rq->l2_len - 12, "tags + type echoed"))
		return false;
	if (rp->v6) {
		if (!ASSERT_EQ(rd32(ip), 0x60000000, "v6 first word") ||
		    !ASSERT_EQ(rd16(ip + 4), len - rq->l2_len - 40, "v6 payload length") ||
		    !ASSERT_EQ(ip[6], 6, "no ext headers, TCP") ||
		    !ASSERT_EQ(ip[7], 64, "hop limit") ||
		    !ASSERT_MEMEQ(ip + 8, rip + 24, 16, "v6 src = client's dst") ||
		    !ASSERT_MEMEQ(ip + 24, rip + 8, 16, "v6 dst = client's src"))
			return false;
	} else {
		if (!ASSERT_EQ(ip[0], 0x45, "IPv4, IHL 5 (options not echoed)") ||
		    !ASSERT_EQ(rd16(ip + 2), len - rq->l2_len, "IPv4 total length") ||
		    !ASSERT_EQ(rd16(ip + 4), 0, "IPv4 id 0") ||
		    !ASSERT_EQ(rd16(ip + 6), 0x4000, "DF, no fragment") ||
		    !ASSERT_EQ(ip[8], 64, "TTL") ||
		    !ASSERT_EQ(ip[9], 6, "TCP") ||
		    !ASSERT_EQ(fold16(sum16(0, ip, 20)), 0, "IPv4 header checksum") ||
		    !ASSERT_MEMEQ(ip + 12, rip + 16, 4, "v4 src = client's dst") ||
		    !ASSERT_MEMEQ(ip + 16, rip + 12, 4, "v4 dst = client's src"))
			return false;
	}
	return ASSERT_EQ(rp->sport, rq->dport, "sport = client's dport") &&
	       ASSERT_EQ(rp->dport, rq->sport, "dport = client's sport") &&
	       ASSERT_EQ(rp->tcp_off + rp->tcp_len, len, "nothing after the segment") &&
	       ASSERT_EQ(tcp_sum(rp->v6, b + rp->ip_off, b + rp->tcp_off, rp->tcp_len), 0,
			 "TCP checksum");
}

/* What the table says about one HTTP reply. */
struct http_exp {
	int status;		/* 511 or 302 */
	const char *orig;	/* original URL expected in the link, NULL = none */
	bool head;
	bool truncated;
};

static const char page302[] = "<a href=\"";

/* Check the reassembled reply text. */
/*
 * The signed link as the spec says (portal_url.h), built here the slow way:
 * the query after the portal's '?', percent-encoded values, HMAC-SHA256 of
 * everything between '?' and "&sig=".
 */
static void signed_link(char *link, size_t cap, const struct g511_resp_conf *rc,
			const char *gw, const uint8_t key[32], const char *client,
			const char *mac, const char *orig)
{
	static char enc_orig[8192], enc_ip[256], enc_mac[64], enc_gw[256];
	const char *q, *sep = strchr(rc->portal_url, '?') ?
		(strchr("?&", rc->portal_url[strlen(rc->portal_url) - 1]) ? "" : "&") : "?";
	uint8_t mac_bytes[32];
	char hex[65];

	pct(enc_orig, orig ? orig : "");
	pct(enc_ip, client);
	pct(enc_mac, mac);
	pct(enc_gw, gw);
	snprintf(link, cap, "%s%sgw=%s&client=%s&mac=%s&url=%s&ts=%llu", rc->portal_url, sep,
		 enc_gw, enc_ip, enc_mac, enc_orig, (unsigned long long)WALL);
	q = strchr(link, '?') + 1;
	g511_hmac_sha256(key, 32, q, strlen(q), mac_bytes);
	g511_hex(mac_bytes, 32, hex);
	snprintf(link + strlen(link), cap - strlen(link), "&sig=%s", hex);
}

static bool check_http(const struct g511_resp_conf *rc, const struct http_exp *e,
		       const char *txt, size_t len, size_t *clen_out, const char *client,
		       const char *mac)
{
	static char link[8192 + 1024], link_html[6 * sizeof(link)], portal_html[4096];
	static char orig_html[16384], want[sizeof(link_html) + 1024];
	char *body_want = NULL;
	const char *sep = strstr(txt, "\r\n\r\n"), *body, *cl;
	size_t hdr_len, body_len, clen;
	bool ok;

	if (rc->sign) {
		signed_link(link, sizeof(link), rc, SIGN_GW, sign_key, client, mac, e->orig);
		html(orig_html, e->orig ? e->orig : "");
	} else if (e->orig) {
		static char enc[8192];

		pct(enc, e->orig);
		snprintf(link, sizeof(link), "%s%corig=%s", rc->portal_url,
			 strchr(rc->portal_url, '?') ? '&' : '?', enc);
		html(orig_html, e->orig);
	} else {
		orig_html[0] = '\0';
		snprintf(link, sizeof(link), "%s", rc->portal_url);
	}
	html(link_html, link);
	html(portal_html, rc->portal_url);

	if (e->status == 511)
		ok = ASSERT_TRUE(!strncmp(txt, "HTTP/1.1 511 Network Authentication Required\r\n",
					  46), "511 status line");
	else
		ok = ASSERT_TRUE(!strncmp(txt, "HTTP/1.1 302 Found\r\n", 20), "302 status line");
	if (!ok)
		return false;
	if (e->truncated)
		return true;	/* a prefix: the status line is all we can say */
	if (!ASSERT_TRUE(sep != NULL, "end of headers"))
		return false;
	hdr_len = (size_t)(sep - txt) + 4;
	body = sep + 4;
	body_len = len - hdr_len;
	cl = strstr(txt, "\r\nContent-Length: ");
	if (!ASSERT_TRUE(cl && cl < sep, "Content-Length header"))
		return false;
	clen = strtoul(cl + 18, NULL, 10);
	*clen_out = clen;
	if (!ASSERT_TRUE(strstr(txt, "\r\nContent-Type: text/html; charset=utf-8\r\n") != NULL,
			 "Content-Type") ||
	    !ASSERT_TRUE(strstr(txt, "\r\nCache-Control: no-store\r\n") != NULL, "Cache-Control") ||
	    !ASSERT_TRUE(strstr(txt, "\r\nConnection: close\r\n") != NULL, "Connection: close"))
		return false;
	if (e->status == 302) {
		snprintf(want, sizeof(want), "\r\nLocation: %s\r\n", link);
		if (!ASSERT_TRUE(strstr(txt, want) && strstr(txt, want) < sep, "Location"))
			return false;
		if (!ASSERT_TRUE(strstr(txt, "\r\nLocation: ") == strstr(txt, "\r\n"),
				 "Location right after the status line"))
			return false;
	} else if (!ASSERT_TRUE(strstr(txt, "Location:") == NULL, "no Location in a 511")) {
		return false;
	}
	if (e->head)
		return ASSERT_EQ(body_len, 0, "HEAD: no body") &&
		       ASSERT_TRUE(clen > 0, "HEAD: Content-Length of the body");
	if (!ASSERT_EQ(clen, body_len, "Content-Length = body length"))
		return false;
	snprintf(want, sizeof(want), "href=\"%s\"", link_html);
	if (!ASSERT_TRUE(strstr(body, want) != NULL, "body links to the portal")) {
		fprintf(stderr, "  want %s\n  body %s\n", want, body);
		return false;
	}
	if (e->status == 302)
		return ASSERT_TRUE(strstr(body, page302) != NULL, "302 body");
	if (rc->tmpl && !strcmp(rc->tmpl, g511_resp_default_template)) {
		snprintf(want, sizeof(want),
			 "<meta http-equiv=\"refresh\" content=\"10; url=%s\">", link_html);
		if (!ASSERT_TRUE(strstr(body, want) != NULL, "meta refresh"))
			return false;
	}
	body_want = expand(rc->tmpl, link_html, portal_html, orig_html, brand_of(rc));
	ok = ASSERT_EQ(strlen(body_want), body_len, "body length as rendered here") &&
	     ASSERT_MEMEQ(body, body_want, body_len, "body as rendered here");
	if (!ok)
		fprintf(stderr, "  want %s\n  got  %.*s\n", body_want, (int)body_len, body);
	free(body_want);
	return ok;
}

/* ---------------- the table ---------------- */

#define NSTEP 4

struct step {
	int action;
	int reason;
};

struct resp_case {
	const char *vec;		/* tests/unit/vectors/resp_<vec>.pcap */
	const struct g511_resp_conf *rc;	/* NULL: rc_def */
	struct step steps[NSTEP];	/* one per frame (see all_frames) */
	bool all_frames;		/* steps[0] holds for every frame */
	unsigned int mss;		/* MSS option expected in the SYN-ACK */
	struct http_exp http;		/* for the HTTP/302 step */
};

#define S(a, r) { G511_RESP_##a, G511_RESP_DROP_##r }
#define SYNACK S(SYNACK, NONE)
#define HTTP S(HTTP, NONE)
#define P302 S(PROBE_302, NONE)

static const struct resp_case cases[] = {
	/* SYNs */
	{ "syn_v4", NULL, { SYNACK }, false, 1460, { 0 } },
	{ "syn_v6", NULL, { SYNACK }, false, 1440, { 0 } },
	{ "syn_mss536", NULL, { SYNACK }, false, 536, { 0 } },
	{ "syn_mss48", NULL, { S(NONE, MSS) }, false, 0, { 0 } },
	{ "syn_nomss_v4", NULL, { SYNACK }, false, 536, { 0 } },
	{ "syn_nomss_v6", NULL, { SYNACK }, false, 1220, { 0 } },
	{ "syn_vlan", NULL, { SYNACK }, false, 1460, { 0 } },
	{ "syn_qinq", NULL, { SYNACK }, false, 1460, { 0 } },
	{ "syn_9100", NULL, { SYNACK }, false, 1440, { 0 } },
	{ "syn_3tags", NULL, { S(NONE, MALFORMED) }, false, 0, { 0 } },
	{ "syn_tfo", NULL, { SYNACK }, false, 1460, { 0 } },
	/* requests */
	{ "get", NULL, { SYNACK, HTTP }, false, 1460,
	  { 511, "http://example.com/path/page.html?x=1&y=%20z", false, false } },
	{ "get_v6", NULL, { SYNACK, HTTP }, false, 1440,
	  { 511, "http://[2001:db8:1::80]/v6?q=1", false, false } },
	{ "get_v6_ext", NULL, { SYNACK, HTTP }, false, 1440,
	  { 511, "http://ipv6.example/ext", false, false } },
	{ "get_qinq", NULL, { SYNACK, HTTP }, false, 1460,
	  { 511, "http://example.com/tagged", false, false } },
	{ "get_ipopts", NULL, { SYNACK, HTTP }, false, 1460,
	  { 511, "http://example.com/opts", false, false } },
	{ "head", NULL, { SYNACK, HTTP }, false, 1460,
	  { 511, "http://example.com/head", true, false } },
	{ "post", NULL, { SYNACK, HTTP }, false, 1460,
	  { 511, "http://example.com/form", false, false } },
	{ "get_fin", NULL, { SYNACK, HTTP }, false, 1460,
	  { 511, "http://example.com/fin", false, false } },
	{ "get_mss536", NULL, { SYNACK, HTTP }, false, 536,
	  { 511, orig_mss536, false, false } },
	{ "get_smallwin", NULL, { SYNACK, HTTP }, false, 1460, { 511, NULL, false, true } },
	{ "zero_window", NULL, { SYNACK, S(NONE, ZERO_WINDOW) }, false, 1460, { 0 } },
	{ "nohost", NULL, { SYNACK, HTTP }, false, 1460, { 511, NULL, false, false } },
	{ "absolute", NULL, { SYNACK, HTTP }, false, 1460,
	  { 511, "http://example.org/abs?q=1", false, false } },
	{ "escape", NULL, { SYNACK, HTTP }, false, 1460,
	  { 511, "http://esc.example/a\"b<c>'d&e", false, false } },
	{ "escape", &rc_orig, { SYNACK, HTTP }, false, 1460,
	  { 511, "http://esc.example/a\"b<c>'d&e", false, false } },
	{ "get", &rc_q, { SYNACK, HTTP }, false, 1460,
	  { 511, "http://example.com/path/page.html?x=1&y=%20z", false, false } },
	{ "pipelined", NULL, { SYNACK, HTTP }, false, 1460,
	  { 511, "http://example.com/first", false, false } },
	{ "longurl", NULL, { SYNACK, HTTP }, false, 1460, { 511, NULL, false, false } },
	{ "get_win_url", NULL, { SYNACK, HTTP }, false, 1460, { 511, NULL, false, false } },
	{ "longurl_split", NULL, { SYNACK, HTTP }, false, 1460, { 511, NULL, false, false } },
	{ "split1", NULL, { SYNACK, HTTP, S(NONE, CONTINUATION), S(ACK, NONE) }, false, 1460,
	  { 511, NULL, false, false } },
	/* OS probes */
	{ "probe_generate_204", NULL, { SYNACK, P302 }, false, 1460,
	  { 302, "http://connectivitycheck.gstatic.com/generate_204", false, false } },
	{ "probe_gen_204", NULL, { SYNACK, P302 }, false, 1460,
	  { 302, "http://clients3.google.com/gen_204", false, false } },
	{ "probe_hotspot", NULL, { SYNACK, P302 }, false, 1460,
	  { 302, "http://captive.apple.com/hotspot-detect.html", false, false } },
	{ "probe_apple_root", NULL, { SYNACK, P302 }, false, 1460,
	  { 302, "http://captive.apple.com/", false, false } },
	{ "probe_connecttest", NULL, { SYNACK, P302 }, false, 1460,
	  { 302, "http://www.msftconnecttest.com/connecttest.txt", false, false } },
	{ "probe_ncsi", NULL, { SYNACK, P302 }, false, 1460,
	  { 302, "http://www.msftncsi.com/ncsi.txt", false, false } },
	{ "probe_success_txt", NULL, { SYNACK, P302 }, false, 1460,
	  { 302, "http://detectportal.firefox.com/success.txt?ipv4", false, false } },
	{ "probe_canonical", NULL, { SYNACK, P302 }, false, 1460,
	  { 302, "http://detectportal.firefox.com/canonical.html", false, false } },
	{ "probe_generate_204", &rc_noprobe, { SYNACK, HTTP }, false, 1460,
	  { 511, "http://connectivitycheck.gstatic.com/generate_204", false, false } },
	{ "probe_hotspot", &rc_q, { SYNACK, P302 }, false, 1460,
	  { 302, "http://captive.apple.com/hotspot-detect.html", false, false } },
	/* signed portal links (portal_sign_key): v4, v6, VLAN, escapes, no Host,
	 * URL too long / not fitting the window (url= empty), 302, HEAD, a
	 * portal_url with its own query, a cut reply */
	{ "get", &rc_sign, { SYNACK, HTTP }, false, 1460,
	  { 511, "http://example.com/path/page.html?x=1&y=%20z", false, false } },
	{ "get_v6", &rc_sign, { SYNACK, HTTP }, false, 1440,
	  { 511, "http://[2001:db8:1::80]/v6?q=1", false, false } },
	{ "get_qinq", &rc_sign, { SYNACK, HTTP }, false, 1460,
	  { 511, "http://example.com/tagged", false, false } },
	{ "escape", &rc_sign, { SYNACK, HTTP }, false, 1460,
	  { 511, "http://esc.example/a\"b<c>'d&e", false, false } },
	{ "nohost", &rc_sign, { SYNACK, HTTP }, false, 1460, { 511, NULL, false, false } },
	{ "longurl", &rc_sign, { SYNACK, HTTP }, false, 1460, { 511, NULL, false, false } },
	{ "get_win_url", &rc_sign, { SYNACK, HTTP }, false, 1460, { 511, NULL, false, false } },
	{ "get_mss536", &rc_sign, { SYNACK, HTTP }, false, 536,
	  { 511, orig_mss536, false, false } },
	{ "head", &rc_sign, { SYNACK, HTTP }, false, 1460,
	  { 511, "http://example.com/head", true, false } },
	{ "probe_hotspot", &rc_sign, { SYNACK, P302 }, false, 1460,
	  { 302, "http://captive.apple.com/hotspot-detect.html", false, false } },
	{ "get", &rc_sign_q, { SYNACK, HTTP }, false, 1460,
	  { 511, "http://example.com/path/page.html?x=1&y=%20z", false, false } },
	{ "probe_generate_204", &rc_sign_q, { SYNACK, P302 }, false, 1460,
	  { 302, "http://connectivitycheck.gstatic.com/generate_204", false, false } },
	{ "get_smallwin", &rc_sign, { SYNACK, HTTP }, false, 1460, { 511, NULL, false, true } },
	/* network_name and venue_info_url in the page */
	{ "get", &rc_brand, { SYNACK, HTTP }, false, 1460,
	  { 511, "http://example.com/path/page.html?x=1&y=%20z", false, false } },
	/* not HTTP */
	{ "tls", NULL, { SYNACK, S(RST, NOT_HTTP) }, false, 1460, { 0 } },
	{ "ssh", NULL, { SYNACK, S(RST, NOT_HTTP) }, false, 1460, { 0 } },
	{ "garbage", NULL, { SYNACK, S(RST, NOT_HTTP) }, false, 1460, { 0 } },
	{ "h2", NULL, { SYNACK, S(RST, NOT_HTTP) }, false, 1460, { 0 } },
	{ "text", NULL, { SYNACK, S(NONE, CONTINUATION) }, false, 1460, { 0 } },
	{ "lowercase", NULL, { SYNACK, S(NONE, CONTINUATION) }, false, 1460, { 0 } },
	/* connection handling */
	{ "fin", NULL, { SYNACK, S(ACK_FIN, NONE) }, false, 1460, { 0 } },
	{ "fin_after", NULL, { SYNACK, HTTP, S(ACK, NONE) }, false, 1460,
	  { 511, "http://example.com/bye", false, false } },
	{ "late_request", NULL, { SYNACK, HTTP, S(RST, LATE_REQUEST) }, false, 1460,
	  { 511, "http://example.com/one", false, false } },
	{ "rst", NULL, { SYNACK, S(NONE, RST) }, false, 1460, { 0 } },
	{ "pure_ack", NULL, { SYNACK, S(NONE, PURE_ACK) }, false, 1460, { 0 } },
	{ "badcookie", NULL, { S(RST, BAD_COOKIE), S(RST, BAD_COOKIE) }, false, 0, { 0 } },
	{ "malformed", NULL, { S(NONE, MALFORMED) }, true, 0, { 0 } },
};

/* State of the test's client across the frames of one vector. */
struct conn {
	bool have_cookie;
	uint32_t cookie;
	uint32_t snd_nxt;	/* next seq of the responder (what we ack with 0) */
	unsigned int mss;	/* from the SYN-ACK */
};

static bool check_step(const struct resp_case *c, const struct g511_resp_conf *rc,
		       const uint8_t *req, const struct finfo *rq, const struct replies *r,
		       struct conn *cn)
{
	const struct g511_resp_out *o = &r->out;
	struct finfo rp;
	unsigned int i;

	for (i = 0; i < o->n; i++)
		if (!check_frame(req, rq, r->bufs[i], r->lens[i], o->buf_size, &rp))
			return false;
	if (o->n)
		finfo(r->bufs[0], r->lens[0], &rp);

	switch (o->action) {
	case G511_RESP_NONE:
		return ASSERT_EQ(o->n, 0, "nothing sent");
	case G511_RESP_SYNACK: {
		const uint8_t *opt = r->bufs[0] + rp.tcp_off + 20;

		if (!ASSERT_EQ(o->n, 1, "one SYN-ACK") ||
		    !ASSERT_EQ(rp.flags, 0x12, "SYN|ACK") ||
		    !ASSERT_EQ(rp.ack, rq->seq + 1, "ack = ISN + 1 (TFO data not acked)") ||
		    !ASSERT_EQ(rp.win, 65535, "window") ||
		    !ASSERT_EQ(rp.doff, 24, "only the MSS option") ||
		    !ASSERT_EQ(opt[0], 2, "MSS kind") || !ASSERT_EQ(opt[1], 4, "MSS len") ||
		    !ASSERT_EQ(rd16(opt + 2), c->mss, "MSS class") ||
		    !ASSERT_EQ(rp.plen, 0, "no payload"))
			return false;
		if (!ASSERT_EQ(g511_cookie_mss(rq->v6, rp.seq & 7), c->mss, "cookie MSS bits"))
			return false;
		cn->have_cookie = true;
		cn->cookie = rp.seq;
		cn->snd_nxt = rp.seq + 1;
		cn->mss = c->mss;
		return true;
	}
	case G511_RESP_HTTP:
	case G511_RESP_PROBE_302: {
		char *txt = malloc(MAXSEG * BUFSZ + 1);
		size_t tot = 0, clen = 0;
		uint32_t want_ack = rq->seq + (uint32_t)rq->plen + ((rq->flags & 1) ? 1 : 0);
		bool ok = true, fin = false;
		struct http_exp e = c->http;

		for (i = 0; i < o->n && ok; i++) {
			finfo(r->bufs[i], r->lens[i], &rp);
			fin = rp.flags & 1;
			ok = ASSERT_EQ(rp.flags & ~1, 0x18, "ACK|PSH") &&
			     ASSERT_EQ(fin, i + 1 == o->n && !o->truncated, "FIN on the last only") &&
			     ASSERT_EQ(rp.seq, rq->ack + tot, "contiguous seq from cookie + 1") &&
			     ASSERT_EQ(rp.ack, want_ack, "ack = request end") &&
			     ASSERT_TRUE(rp.plen > 0 && rp.plen <= cn->mss, "0 < segment <= MSS") &&
			     ASSERT_TRUE(i + 1 == o->n || rp.plen == cn->mss ||
					 rp.plen == o->buf_size - rp.tcp_off - 20,
					 "all but the last segment full");
			memcpy(txt + tot, rp.payload, rp.plen);
			tot += rp.plen;
		}
		txt[tot] = '\0';
		ok = ok && ASSERT_EQ(rq->ack, cn->cookie + 1, "request acked cookie + 1") &&
		     ASSERT_TRUE(tot <= rq->win, "no more than the client's window") &&
		     ASSERT_EQ(o->truncated, e.truncated, "truncated") &&
		     ASSERT_EQ(o->action == G511_RESP_PROBE_302 ? 302 : 511, e.status, "status");
		if (ok) {
			char client[64], mac[32];
			const uint8_t *ip = req + rq->ip_off;

			inet_ntop(rq->v6 ? AF_INET6 : AF_INET, rq->v6 ? ip + 8 : ip + 12, client,
				  sizeof(client));
			snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", req[6], req[7],
				 req[8], req[9], req[10], req[11]);
			ok = check_http(rc, &e, txt, tot, &clen, client, mac);
		}
		cn->snd_nxt = rq->ack + (uint32_t)tot + (fin ? 1 : 0);
		free(txt);
		return ok;
	}
	case G511_RESP_ACK:
		return ASSERT_EQ(o->n, 1, "one ACK") && ASSERT_EQ(rp.flags, 0x10, "ACK") &&
		       ASSERT_EQ(rp.seq, rq->ack, "seq = what the client acked") &&
		       ASSERT_EQ(rp.ack, rq->seq + rq->plen + 1, "acks data + FIN") &&
		       ASSERT_EQ(rp.plen, 0, "no payload");
	case G511_RESP_ACK_FIN:
		if (!(ASSERT_EQ(o->n, 1, "one ACK|FIN") && ASSERT_EQ(rp.flags, 0x11, "ACK|FIN") &&
		      ASSERT_EQ(rp.seq, cn->cookie + 1, "seq = cookie + 1") &&
		      ASSERT_EQ(rp.ack, rq->seq + 1, "acks the FIN") &&
		      ASSERT_EQ(rp.plen, 0, "no payload")))
			return false;
		cn->snd_nxt++;
		return true;
	case G511_RESP_RST:
		return ASSERT_EQ(o->n, 1, "one RST") && ASSERT_EQ(rp.flags, 0x04, "RST only") &&
		       ASSERT_EQ(rp.seq, rq->ack, "seq = SEG.ACK") &&
		       ASSERT_EQ(rp.ack, 0, "no ack") && ASSERT_EQ(rp.plen, 0, "no payload");
	default:
		return ASSERT_TRUE(false, "known action");
	}
}

static bool run_case(const struct resp_case *c)
{
	const struct g511_resp_conf *rc = c->rc ? c->rc : &rc_def;
	struct replies *r = replies_new(MAXSEG, BUFSZ), *r2 = replies_new(MAXSEG, BUFSZ);
	struct conn cn = { 0 };
	struct frames fr;
	struct finfo fi;
	bool ok = true, syn_first;
	unsigned int i;

	if (!ASSERT_TRUE(load_pcap(c->vec, &fr), "vector loads")) {
		replies_free(r);
		replies_free(r2);
		return false;
	}
	syn_first = finfo(fr.f[0], fr.len[0], &fi) && (fi.flags & 0x12) == 0x02;
	if (!c->all_frames && !ASSERT_TRUE(fr.n <= NSTEP && c->steps[fr.n - 1].action +
					   c->steps[fr.n - 1].reason > 0, "a step per frame"))
		ok = false;
	for (i = 0; i < fr.n && ok; i++) {
		const struct step *st = c->all_frames ? &c->steps[0] : &c->steps[i];
		uint8_t *inplace = malloc(BUFSZ);
		bool parsed = finfo(fr.f[i], fr.len[i], &fi);
		char what[64];

		snprintf(what, sizeof(what), "frame %u", i);
		if (syn_first && i > 0 && parsed) {
			uint32_t want = fi.ack == 0 ? cn.snd_nxt : cn.cookie + fi.ack;

			set_ack(fr.f[i], &fi, want);
			fi.ack = want;
		}
		handle(rc, &key1, NOW, fr.f[i], fr.len[i], r);
		ok = ASSERT_EQ(r->out.action, st->action, what) &&
		     ASSERT_EQ(r->out.reason, st->reason, what);
		if (ok && r->out.action != G511_RESP_NONE)
			ok = check_step(c, rc, fr.f[i], &fi, r, &cn);
		/* the same input again: byte-identical replies */
		if (ok) {
			handle(rc, &key1, NOW, fr.f[i], fr.len[i], r2);
			ok = same_replies(r, r2, "deterministic");
		}
		/* in place: the reply built over the request in its own buffer */
		if (ok && fr.len[i] <= BUFSZ) {
			uint8_t *keep = r2->bufs[0];

			memcpy(inplace, fr.f[i], fr.len[i]);
			r2->bufs[0] = inplace;
			handle(rc, &key1, NOW, inplace, fr.len[i], r2);
			r2->bufs[0] = keep;
			if (r2->out.n) {
				memcpy(keep, inplace, r2->lens[0]);
			}
			ok = same_replies(r, r2, "in place");
		}
		free(inplace);
	}
	frames_free(&fr);
	replies_free(r);
	replies_free(r2);
	return ok;
}

static void run_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[96];

		snprintf(name, sizeof(name), "vector_%s%s", cases[i].vec,
			 cases[i].rc == &rc_noprobe ? "_noprobe" :
			 cases[i].rc == &rc_orig ? "_tmpl_orig" :
			 cases[i].rc == &rc_q ? "_portal_query" : "");
		test_current = name;
		test_result(name, run_case(&cases[i]));
	}
}

/* ---------------- cases outside the table ---------------- */

/* SYN from a vector, then its data frame with ack = cookie + 1. */
struct pair {
	struct frames fr;
	struct finfo syn, data;
	uint32_t cookie;
};

static bool pair_load(const char *vec, struct pair *p, uint64_t syn_time,
		      const struct g511_resp_key *key)
{
	struct replies *r = replies_new(1, BUFSZ);
	struct finfo rp;
	bool ok;

	ok = ASSERT_TRUE(load_pcap(vec, &p->fr), "vector loads") &&
	     ASSERT_TRUE(p->fr.n >= 2, "SYN + data") &&
	     ASSERT_TRUE(finfo(p->fr.f[0], p->fr.len[0], &p->syn), "SYN parses") &&
	     ASSERT_TRUE(finfo(p->fr.f[1], p->fr.len[1], &p->data), "data parses") &&
	     ASSERT_EQ(handle(&rc_def, key, syn_time, p->fr.f[0], p->fr.len[0], r), 1, "SYN-ACK") &&
	     ASSERT_TRUE(finfo(r->bufs[0], r->lens[0], &rp), "SYN-ACK parses");
	if (ok) {
		p->cookie = rp.seq;
		set_ack(p->fr.f[1], &p->data, p->cookie + 1);
		p->data.ack = p->cookie + 1;
	}
	replies_free(r);
	return ok;
}

static int data_action(struct pair *p, const struct g511_resp_key *key, uint64_t now)
{
	struct replies *r = replies_new(MAXSEG, BUFSZ);
	int action;

	handle(&rc_def, key, now, p->fr.f[1], p->fr.len[1], r);
	action = r->out.action;
	replies_free(r);
	return action;
}

static bool cookie_lifetime(void)
{
	struct pair p;
	bool ok;

	if (!pair_load("get", &p, NOW, &key1))
		return false;
	ok = ASSERT_EQ(data_action(&p, &key1, NOW), G511_RESP_HTTP, "same second") &&
	     ASSERT_EQ(data_action(&p, &key1, NOW + 63), G511_RESP_HTTP, "same period") &&
	     ASSERT_EQ(data_action(&p, &key1, NOW + 64), G511_RESP_HTTP, "next period") &&
	     ASSERT_EQ(data_action(&p, &key1, NOW + 127), G511_RESP_HTTP, "end of next period") &&
	     ASSERT_EQ(data_action(&p, &key1, NOW + 128), G511_RESP_RST, "two periods later") &&
	     ASSERT_EQ(data_action(&p, &key1, NOW + 64 * 4), G511_RESP_RST, "cnt bits wrapped") &&
	     ASSERT_EQ(data_action(&p, &key1, NOW - 64), G511_RESP_RST, "from the future") &&
	     ASSERT_EQ(data_action(&p, &key2, NOW), G511_RESP_RST, "another secret");
	frames_free(&p.fr);
	return ok;
}

static bool cookie_tuple_bound(void)
{
	struct pair p;
	uint8_t *f;
	bool ok = true;
	int i;

	if (!pair_load("get", &p, NOW, &key1))
		return false;
	f = p.fr.f[1];
	/* client port, server port, client address, server address */
	for (i = 0; i < 4 && ok; i++) {
		size_t off = i == 0 ? p.data.tcp_off + 1 : i == 1 ? p.data.tcp_off + 3 :
			     i == 2 ? p.data.ip_off + 15 : p.data.ip_off + 19;

		f[off] ^= 1;
		set_ack(f, &p.data, p.cookie + 1);	/* TCP checksum again */
		if (i >= 2) {	/* and the IPv4 header checksum */
			wr16(f + p.data.ip_off + 10, 0);
			wr16(f + p.data.ip_off + 10, fold16(sum16(0, f + p.data.ip_off, 20)));
		}
		ok = ASSERT_EQ(data_action(&p, &key1, NOW), G511_RESP_RST, "4-tuple changed");
		f[off] ^= 1;
	}
	frames_free(&p.fr);
	return ok;
}

static bool syn_retransmit_same_cookie(void)
{
	struct replies *a = replies_new(1, BUFSZ), *b = replies_new(1, BUFSZ);
	struct frames fr;
	struct finfo fa, fb;
	bool ok;

	ok = ASSERT_TRUE(load_pcap("syn_v4", &fr), "vector") &&
	     ASSERT_EQ(handle(&rc_def, &key1, NOW + 5, fr.f[0], fr.len[0], a), 1, "first") &&
	     ASSERT_EQ(handle(&rc_def, &key1, NOW + 60, fr.f[0], fr.len[0], b), 1, "again") &&
	     same_replies(a, b, "same period: same SYN-ACK") &&
	     ASSERT_EQ(handle(&rc_def, &key1, NOW + 64, fr.f[0], fr.len[0], b), 1, "next") &&
	     finfo(a->bufs[0], a->lens[0], &fa) && finfo(b->bufs[0], b->lens[0], &fb) &&
	     ASSERT_NE(fa.seq, fb.seq, "next period: another cookie") &&
	     ASSERT_EQ(handle(&rc_def, &key2, NOW + 5, fr.f[0], fr.len[0], b), 1, "key2") &&
	     finfo(b->bufs[0], b->lens[0], &fb) &&
	     ASSERT_NE(fa.seq, fb.seq, "another secret: another cookie");
	frames_free(&fr);
	replies_free(a);
	replies_free(b);
	return ok;
}

/* The same request retransmitted later in the period: the same bytes. */
static bool retransmitted_request_same_bytes(void)
{
	struct replies *a = replies_new(MAXSEG, BUFSZ), *b = replies_new(MAXSEG, BUFSZ);
	struct pair p;
	bool ok;

	if (!pair_load("get_mss536", &p, NOW, &key1))
		return false;
	ok = ASSERT_TRUE(handle(&rc_def, &key1, NOW + 1, p.fr.f[1], p.fr.len[1], a) >= 2,
			 "several segments") &&
	     ASSERT_TRUE(handle(&rc_def, &key1, NOW + 100, p.fr.f[1], p.fr.len[1], b) >= 2,
			 "again") &&
	     same_replies(a, b, "retransmission");
	frames_free(&p.fr);
	replies_free(a);
	replies_free(b);
	return ok;
}

/*
 * Fewer buffers than segments: the page without the original URL when
 * that fits (k buffers, the fewest that hold it), else a prefix, no FIN,
 * flagged truncated.
 */
static bool out_max_bounds(void)
{
	struct replies *r = NULL, *full = replies_new(MAXSEG, BUFSZ);
	unsigned int nfull, k;
	struct finfo rp;
	struct pair p;
	bool ok;

	if (!pair_load("get_mss536", &p, NOW, &key1))
		return false;
	nfull = (unsigned int)handle(&rc_def, &key1, NOW, p.fr.f[1], p.fr.len[1], full);
	ok = ASSERT_TRUE(nfull > 2, "several segments with the original URL");
	for (k = 1; ok && k < nfull; k++) {
		r = replies_new(k, BUFSZ);
		handle(&rc_def, &key1, NOW, p.fr.f[1], p.fr.len[1], r);
		if (!r->out.truncated)
			break;
		replies_free(r);
		r = NULL;
	}
	/* the URL is 300 bytes, twice in the page: it takes a segment or more */
	ok = ok && ASSERT_TRUE(r != NULL && k < nfull, "the short page fits in fewer") &&
	     ASSERT_EQ(r->out.n, k, "k segments") &&
	     ASSERT_EQ(r->out.action, G511_RESP_HTTP, "still the page") &&
	     finfo(r->bufs[k - 1], r->lens[k - 1], &rp) && ASSERT_EQ(rp.flags & 1, 1, "FIN");
	for (unsigned int i = 0; ok && i < k; i++)
		ok = ASSERT_TRUE(memmem(r->bufs[i], r->lens[i], "mmm", 3) == NULL,
				 "without the URL");
	replies_free(r);
	r = replies_new(1, BUFSZ);
	ok = ok && ASSERT_EQ(handle(&rc_def, &key1, NOW, p.fr.f[1], p.fr.len[1], r), 1, "one") &&
	     finfo(r->bufs[0], r->lens[0], &rp) && ASSERT_EQ(rp.flags & 1, 0, "no FIN") &&
	     ASSERT_EQ(rp.plen, 536, "one full segment") &&
	     ASSERT_EQ(r->out.truncated, true, "truncated");
	replies_free(r);
	r = replies_new(0, BUFSZ);
	ok = ok && ASSERT_EQ(handle(&rc_def, &key1, NOW, p.fr.f[1], p.fr.len[1], r), 0, "none") &&
	     ASSERT_EQ(r->out.reason, G511_RESP_DROP_NO_ROOM, "no buffers");
	replies_free(r);
	replies_free(full);
	frames_free(&p.fr);
	return ok;
}

/* Small buffers: segments shrink to fit, every frame <= buf_size. */
static bool buf_size_bounds(void)
{
	const size_t hdr = 14 + 20 + 20;
	struct replies *r;
	struct finfo rp;
	struct pair p;
	unsigned int i;
	bool ok = true;
	size_t sizes[] = { hdr + 1, hdr + 7, hdr + 100, 600 }, k;

	if (!pair_load("get", &p, NOW, &key1))
		return false;
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]) && ok; k++) {
		size_t tot = 0;

		r = replies_new(MAXSEG, sizes[k]);
		handle(&rc_def, &key1, NOW, p.fr.f[1], p.fr.len[1], r);
		ok = ASSERT_EQ(r->out.action, G511_RESP_HTTP, "page");
		for (i = 0; i < r->out.n && ok; i++) {
			ok = ASSERT_TRUE(r->lens[i] <= sizes[k], "frame <= buf_size") &&
			     check_frame(p.fr.f[1], &p.data, r->bufs[i], r->lens[i], sizes[k], &rp);
			tot += rp.plen;
		}
		/* a prefix without FIN only when all buffers are full */
		ok = ok && ASSERT_EQ(r->out.truncated, r->out.n == MAXSEG && (rp.flags & 1) == 0,
				     "truncated = all buffers used, no FIN") &&
		     ASSERT_TRUE(tot > 0, "some payload");
		replies_free(r);
	}
	r = replies_new(MAXSEG, hdr);
	ok = ok && ASSERT_EQ(handle(&rc_def, &key1, NOW, p.fr.f[1], p.fr.len[1], r), 0, "no room") &&
	     ASSERT_EQ(r->out.reason, G511_RESP_DROP_NO_ROOM, "no room for data");
	replies_free(r);
	r = replies_new(MAXSEG, hdr + 3);	/* SYN-ACK needs hdr + 4 */
	ok = ok && ASSERT_EQ(handle(&rc_def, &key1, NOW, p.fr.f[0], p.fr.len[0], r), 0, "no room") &&
	     ASSERT_EQ(r->out.reason, G511_RESP_DROP_NO_ROOM, "no room for SYN-ACK");
	replies_free(r);
	frames_free(&p.fr);
	return ok;
}

/* An ack a little past the cookie (client got part of the reply) + FIN. */
static bool fin_partial_ack(void)
{
	struct replies *r = replies_new(MAXSEG, BUFSZ);
	struct frames fr;
	struct finfo syn, fin, rp;
	bool ok;

	ok = ASSERT_TRUE(load_pcap("fin_after", &fr), "vector") &&
	     finfo(fr.f[0], fr.len[0], &syn) && finfo(fr.f[2], fr.len[2], &fin) &&
	     ASSERT_EQ(handle(&rc_def, &key1, NOW, fr.f[0], fr.len[0], r), 1, "SYN-ACK") &&
	     finfo(r->bufs[0], r->lens[0], &rp);
	if (ok) {
		uint32_t cookie = rp.seq;
		uint32_t deltas[] = { 2, 100, 65536 + 1, 65536 + 2, 0x80000000u };
		int want[] = { G511_RESP_ACK, G511_RESP_ACK, G511_RESP_ACK, G511_RESP_RST,
			       G511_RESP_RST };
		size_t i;

		for (i = 0; i < 5 && ok; i++) {
			set_ack(fr.f[2], &fin, cookie + deltas[i]);
			handle(&rc_def, &key1, NOW + 64, fr.f[2], fr.len[2], r);
			ok = ASSERT_EQ(r->out.action, want[i], "FIN with ack cookie + delta");
		}
	}
	frames_free(&fr);
	replies_free(r);
	return ok;
}

static bool conf_validation(void)
{
	static const struct {
		const char *url;
		const char *tmpl;
		const char *err;	/* substring of the message */
	} bad[] = {
		{ "", NULL, "empty" },
		{ "ftp://portal/", NULL, "http:// or https://" },
		{ "portal.example", NULL, "http:// or https://" },
		{ "http://", NULL, "no host" },
		{ "http:///login", NULL, "no host" },
		{ "http://portal.example/a b", NULL, "space" },
		{ "http://portal.example/\r\nX-Evil: 1", NULL, "control" },
		{ "http://portal.example/#frag", NULL, "fragment" },
		{ PORTAL, "<a href=\"{{lnk}}\">", "unknown placeholder" },
		{ PORTAL, "line one\n<a href=\"{{link\">", "line 2" },
		{ PORTAL, "{{ link }} {{nope}}", "unknown placeholder {{nope}}" },
	};
	struct g511_resp_conf rc;
	char err[256], *big, longurl[600];
	size_t i;
	bool ok = true;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]) && ok; i++) {
		err[0] = '\0';
		ok = ASSERT_EQ(g511_resp_conf_init(&rc, bad[i].url, bad[i].tmpl,
						   bad[i].tmpl ? strlen(bad[i].tmpl) : 0, true,
						   err, sizeof(err)), -EINVAL, bad[i].url) &&
		     ASSERT_TRUE(strstr(err, bad[i].err) != NULL, err);
	}
	memset(longurl, 'a', sizeof(longurl));
	memcpy(longurl, "http://", 7);
	longurl[sizeof(longurl) - 1] = '\0';
	ok = ok && ASSERT_EQ(g511_resp_conf_init(&rc, longurl, NULL, 0, true, err, sizeof(err)),
			     -EINVAL, "URL too long");
	big = malloc(G511_TMPL_MAX + 1);
	memset(big, 'x', G511_TMPL_MAX + 1);
	ok = ok && ASSERT_EQ(g511_resp_conf_init(&rc, PORTAL, big, G511_TMPL_MAX + 1, true,
						 err, sizeof(err)), -EINVAL, "template too big");
	ok = ok && ASSERT_EQ(g511_resp_conf_init(&rc, PORTAL, big, G511_TMPL_MAX, true,
						 err, sizeof(err)), 0, "template at the bound");
	g511_resp_conf_free(&rc);
	big[10] = '\0';
	ok = ok && ASSERT_EQ(g511_resp_conf_init(&rc, PORTAL, big, 100, true, err, sizeof(err)),
			     -EINVAL, "NUL byte");
	/* 64 placeholders fine, 65 not; expansion bound */
	for (i = 0; i < 65; i++)
		memcpy(big + i * 10, "{{portal}}", 10);
	ok = ok && ASSERT_EQ(g511_resp_conf_init(&rc, PORTAL, big, 640, true, err, sizeof(err)),
			     0, "64 placeholders");
	g511_resp_conf_free(&rc);
	ok = ok && ASSERT_EQ(g511_resp_conf_init(&rc, PORTAL, big, 650, true, err, sizeof(err)),
			     -EINVAL, "65 placeholders");
	{
		char url[512];

		memset(url, '&', sizeof(url));
		memcpy(url, "http://p/", 9);
		url[511] = '\0';	/* escapes to 2.5 KB: 64 of them > body bound */
		ok = ok && ASSERT_EQ(g511_resp_conf_init(&rc, url, big, 640, true, err,
							 sizeof(err)), -EINVAL, "expands too far") &&
		     ASSERT_TRUE(strstr(err, "once expanded") != NULL, err);
	}
	free(big);
	ok = ok && ASSERT_EQ(g511_resp_conf_init(&rc, "HTTPS://Portal.example:8443/x?y=1", NULL, 0,
						 false, err, sizeof(err)), 0, "https, port, query") &&
	     ASSERT_STREQ(rc.orig_param, "&orig=", "query: & separator") &&
	     ASSERT_EQ(rc.probes_302, false, "probes_302 kept");
	g511_resp_conf_free(&rc);
	return ok;
}

static bool load_template(void)
{
	char path[] = "/tmp/g511-tmpl-XXXXXX", err[256], *t = NULL, *big;
	size_t len = 0;
	bool ok;
	int fd;

	fd = mkstemp(path);
	if (!ASSERT_TRUE(fd >= 0, "mkstemp"))
		return false;
	ok = ASSERT_EQ(write(fd, "<a href=\"{{link}}\">x</a>\n", 25), 25, "write") &&
	     ASSERT_EQ(g511_resp_load_template(path, &t, &len, err, sizeof(err)), 0, err) &&
	     ASSERT_EQ(len, 25, "length") && ASSERT_STREQ(t, "<a href=\"{{link}}\">x</a>\n", "text");
	free(t);
	big = calloc(1, G511_TMPL_MAX + 1);
	memset(big, 'y', G511_TMPL_MAX + 1);
	ok = ok && ASSERT_EQ(pwrite(fd, big, G511_TMPL_MAX + 1, 0), G511_TMPL_MAX + 1, "write big") &&
	     ASSERT_EQ(g511_resp_load_template(path, &t, &len, err, sizeof(err)), -EFBIG, "too big") &&
	     ASSERT_TRUE(t == NULL, "nothing returned");
	free(big);
	close(fd);
	unlink(path);
	ok = ok && ASSERT_EQ(g511_resp_load_template(path, &t, &len, err, sizeof(err)), -ENOENT,
			     "missing file") &&
	     ASSERT_TRUE(strstr(err, path) != NULL, "message names the file") &&
	     ASSERT_EQ(g511_resp_load_template("/tmp", &t, &len, err, sizeof(err)), -EINVAL,
		       "directory");
	return ok;
}

/* etc/511.html (installed, the admin's starting point) is the built-in page. */
static bool etc_page_is_builtin(void)
{
	char path[600], *text = NULL, err[256];
	size_t len = 0;
	bool ok;

	snprintf(path, sizeof(path), "%s/../../../etc/511.html", vec_dir);
	if (!ASSERT_EQ(g511_resp_load_template(path, &text, &len, err, sizeof(err)), 0, err))
		return false;
	ok = ASSERT_EQ(len, strlen(g511_resp_default_template), "same length") &&
	     ASSERT_MEMEQ(text, g511_resp_default_template, len, "same bytes") &&
	     ASSERT_TRUE(len < G511_TMPL_MAX, "under the template limit");
	free(text);
	return ok;
}

static bool names(void)
{
	int i;
	bool ok = true;

	for (i = 0; i < G511_RESP__MAX && ok; i++)
		ok = ASSERT_TRUE(strcmp(g511_resp_action_name(i), "?") != 0, "action name");
	for (i = 0; i < G511_RESP_DROP__MAX && ok; i++)
		ok = ASSERT_TRUE(strcmp(g511_resp_drop_name(i), "?") != 0, "drop name");
	return ok && ASSERT_STREQ(g511_resp_action_name(G511_RESP__MAX), "?", "out of range");
}

static void find_vectors(const char *argv0)
{
	static char buf[512];
	const char *slash = strrchr(argv0, '/');

	if (access("tests/unit/vectors/resp_syn_v4.pcap", R_OK) == 0)
		return;
	/* build/tests/test_responder -> ../../tests/unit/vectors */
	if (slash) {
		snprintf(buf, sizeof(buf), "%.*s/../../tests/unit/vectors",
			 (int)(slash - argv0), argv0);
		vec_dir = buf;
	}
}

int main(int argc, char **argv)
{
	char err[256];

	(void)argc;
	find_vectors(argv[0]);
	memcpy(orig_mss536, "http://example.com/", 19);
	memset(orig_mss536 + 19, 'm', 300);
	if (g511_resp_conf_init(&rc_def, PORTAL, NULL, 0, true, err, sizeof(err)) ||
	    g511_resp_conf_init(&rc_noprobe, PORTAL, NULL, 0, false, err, sizeof(err)) ||
	    g511_resp_conf_init(&rc_orig, PORTAL, tmpl_orig, strlen(tmpl_orig), true,
				err, sizeof(err)) ||
	    g511_resp_conf_init(&rc_q, PORTAL_Q, NULL, 0, true, err, sizeof(err)) ||
	    g511_resp_conf_init(&rc_sign, PORTAL, NULL, 0, true, err, sizeof(err)) ||
	    g511_resp_conf_sign(&rc_sign, SIGN_GW, sign_key, err, sizeof(err)) ||
	    g511_resp_conf_init(&rc_sign_q, PORTAL_Q, NULL, 0, true, err, sizeof(err)) ||
	    g511_resp_conf_sign(&rc_sign_q, SIGN_GW, sign_key, err, sizeof(err)) ||
	    g511_resp_conf_init(&rc_brand, PORTAL, NULL, 0, true, err, sizeof(err)) ||
	    g511_resp_conf_brand(&rc_brand, BRAND_NAME, BRAND_VENUE, err, sizeof(err))) {
		fprintf(stderr, "config: %s\n", err);
		test_result("config", false);
		return test_summary();
	}
	run_table();
	RUN_CASE(cookie_lifetime);
	RUN_CASE(cookie_tuple_bound);
	RUN_CASE(syn_retransmit_same_cookie);
	RUN_CASE(retransmitted_request_same_bytes);
	RUN_CASE(out_max_bounds);
	RUN_CASE(buf_size_bounds);
	RUN_CASE(fin_partial_ack);
	RUN_CASE(conf_validation);
	RUN_CASE(load_template);
	RUN_CASE(names);
	RUN_CASE(etc_page_is_builtin);
	g511_resp_conf_free(&rc_def);
	g511_resp_conf_free(&rc_noprobe);
	g511_resp_conf_free(&rc_orig);
	g511_resp_conf_free(&rc_q);
	g511_resp_conf_free(&rc_sign);
	g511_resp_conf_free(&rc_sign_q);
	g511_resp_conf_free(&rc_brand);
	return test_summary();
}
