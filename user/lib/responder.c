// SPDX-License-Identifier: GPL-2.0
/*
 * responder.c - the responder's decision function (g511_resp_handle), the
 * frame parser feeding it and the reply builders. See responder.h for the
 * contract and cookie.h for the cookie layout.
 *
 * Per packet: no malloc, no locks; a request's reply is rendered straight
 * into the caller's frames (http.h sink), then each frame gets its headers
 * and checksums.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include "gate511.h"
#include "g511_wire.h"
#include "cookie.h"
#include "csum.h"
#include "responder.h"
#include "bytes.h"

/*
 * How far past a cookie a client's ack may point and still be "ours": we
 * never send more than 65535 bytes (an unscaled window) plus a FIN.
 */
#define SEQ_SPAN	65536

/* The request frame, copied out so a reply may be built in place. */
struct pkt {
	/* reply's L2 header */
	uint8_t l2[G511_ETH_HLEN + G511_VLAN_HLEN * G511_MAX_VLAN_TAGS];
	size_t l2_len;
	bool v6;
	struct g511_cookie_tuple tup;
	uint32_t seq, ack;
	uint16_t win;
	uint8_t flags;
	uint16_t mss;			/* SYN's MSS option, 0 if none */
	const uint8_t *payload;		/* into the frame: read before writing */
	size_t plen;
};

static void parse_syn_options(const uint8_t *o, const uint8_t *end, struct pkt *p)
{
	while (o < end) {
		uint8_t kind = o[0], olen;

		if (kind == 0)		/* end of options */
			return;
		if (kind == 1) {	/* NOP */
			o++;
			continue;
		}
		if (end - o < 2)
			return;
		olen = o[1];
		if (olen < 2 || olen > end - o)
			return;		/* broken list: keep what we have */
		if (kind == 2 && olen == 4)
			p->mss = get16(o + 2);
		o += olen;
	}
}

/* Walk IPv6 extension headers (bounded) up to TCP; false if none. */
static bool skip_ipv6_exthdrs(const uint8_t *ip, size_t end, size_t *off)
{
	uint8_t nh = ip[6];
	size_t o = 40, hl;
	unsigned int i;

	for (i = 0; nh != IPPROTO_TCP; i++) {
		if (i == G511_MAX_IPV6_EXTHDRS || end - o < 8)
			return false;
		switch (nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			hl = ((size_t)ip[o + 1] + 1) * 8;
			break;
		case IPPROTO_AH:
			hl = ((size_t)ip[o + 1] + 2) * 4;
			break;
		default:		/* fragment, ESP, no next header, UDP... */
			return false;
		}
		if (hl > end - o)
			return false;
		nh = ip[o];
		o += hl;
	}
	*off = o;
	return true;
}

static bool parse(const uint8_t *f, size_t len, struct pkt *p)
{
	size_t off = 12, l3_off, tcp_off, tcp_len, doff;
	unsigned int tags = 0;
	const uint8_t *ip, *tcp;
	uint16_t type;

	if (len < G511_ETH_HLEN)
		return false;
	type = get16(f + 12);
	while (type == G511_ETH_P_8021Q || type == G511_ETH_P_8021AD ||
	       type == G511_ETH_P_QINQ9100) {
		if (tags == G511_MAX_VLAN_TAGS || len < off + G511_VLAN_HLEN + 2)
			return false;
		off += G511_VLAN_HLEN;
		tags++;
		type = get16(f + off);
	}
	l3_off = off + 2;
	/* reply L2: MACs swapped, tags and type echoed as they came */
	memcpy(p->l2, f + 6, 6);
	memcpy(p->l2 + 6, f, 6);
	memcpy(p->l2 + 12, f + 12, l3_off - 12);
	p->l2_len = l3_off;

	ip = f + l3_off;
	len -= l3_off;
	memset(&p->tup, 0, sizeof(p->tup));
	if (type == G511_ETH_P_IP) {
		size_t ihl, tot;

		if (len < 20 || ip[0] >> 4 != 4)
			return false;
		ihl = (size_t)(ip[0] & 15) * 4;
		tot = get16(ip + 2);
		if (ihl < 20 || tot < ihl + 20 || tot > len)
			return false;
		if (get16(ip + 6) & G511_IP_FRAGMENT)	/* MF or a fragment offset */
			return false;
		if (ip[9] != IPPROTO_TCP)
			return false;
		p->v6 = false;
		p->tup.saddr[10] = p->tup.saddr[11] = 0xff;
		p->tup.daddr[10] = p->tup.daddr[11] = 0xff;
		memcpy(p->tup.saddr + 12, ip + 12, 4);
		memcpy(p->tup.daddr + 12, ip + 16, 4);
		tcp_off = ihl;
		tcp_len = tot - ihl;
	} else if (type == G511_ETH_P_IPV6) {
		size_t plen;

		if (len < 40 || ip[0] >> 4 != 6)
			return false;
		plen = get16(ip + 4);
		if (plen == 0 || 40 + plen > len)	/* jumbograms too */
			return false;
		if (!skip_ipv6_exthdrs(ip, 40 + plen, &tcp_off))
			return false;
		p->v6 = true;
		memcpy(p->tup.saddr, ip + 8, 16);
		memcpy(p->tup.daddr, ip + 24, 16);
		tcp_len = 40 + plen - tcp_off;
	} else {
		return false;
	}

	tcp = ip + tcp_off;
	if (tcp_len < 20)
		return false;
	doff = (size_t)(tcp[12] >> 4) * 4;
	if (doff < 20 || doff > tcp_len)
		return false;
	memcpy(&p->tup.sport_be, tcp, 2);
	memcpy(&p->tup.dport_be, tcp + 2, 2);
	p->seq = get32(tcp + 4);
	p->ack = get32(tcp + 8);
	p->flags = tcp[13];
	p->win = get16(tcp + 14);
	p->mss = 0;
	if (p->flags & G511_TCP_SYN)
		parse_syn_options(tcp + 20, tcp + doff, p);
	p->payload = tcp + doff;
	p->plen = tcp_len - doff;
	return true;
}

static size_t l34_len(const struct pkt *p)
{
	return p->l2_len + (p->v6 ? 40 : 20) + 20;
}

/*
 * Write L2, IP and the fixed TCP header of a reply around the opt_len
 * option bytes and data_len payload bytes already in place after it, and
 * fill both checksums. Returns the frame length.
 */
static size_t finish_frame(uint8_t *b, const struct pkt *p, uint32_t seq, uint32_t ack,
			   uint8_t flags, size_t opt_len, size_t data_len)
{
	size_t tcp_len = 20 + opt_len + data_len;
	uint8_t *ip = b + p->l2_len, *tcp;
	uint16_t csum;

	memcpy(b, p->l2, p->l2_len);
	if (p->v6) {
		put32(ip, 0x60000000);	/* version, no traffic class/flow label */
		put16(ip + 4, (uint16_t)tcp_len);
		ip[6] = IPPROTO_TCP;
		ip[7] = G511_RESP_TTL;
		memcpy(ip + 8, p->tup.daddr, 16);
		memcpy(ip + 24, p->tup.saddr, 16);
		tcp = ip + 40;
	} else {
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, (uint16_t)(20 + tcp_len));
		put16(ip + 4, 0);	/* id 0: replies are byte-for-byte stable */
		put16(ip + 6, G511_IP_DF);
		ip[8] = G511_RESP_TTL;
		ip[9] = IPPROTO_TCP;
		put16(ip + 10, 0);
		memcpy(ip + 12, p->tup.daddr + 12, 4);
		memcpy(ip + 16, p->tup.saddr + 12, 4);
		csum = g511_csum_ipv4_hdr(ip, 20);
		memcpy(ip + 10, &csum, 2);
		tcp = ip + 20;
	}
	memcpy(tcp, &p->tup.dport_be, 2);
	memcpy(tcp + 2, &p->tup.sport_be, 2);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = (uint8_t)(((20 + opt_len) / 4) << 4);
	tcp[13] = flags;
	put16(tcp + 14, (flags & G511_TCP_RST) ? 0 : G511_RESP_WINDOW);
	put16(tcp + 16, 0);
	put16(tcp + 18, 0);
	if (p->v6)
		csum = g511_csum_tcp6(ip + 8, ip + 24, tcp, tcp_len);
	else
		csum = g511_csum_tcp4(ip + 12, ip + 16, tcp, tcp_len);
	memcpy(tcp + 16, &csum, 2);
	return (size_t)(tcp + tcp_len - b);
}

static int drop(struct g511_resp_out *out, int reason)
{
	out->reason = reason;
	return 0;
}

/* One header-only segment: ACK, ACK|FIN or RST. */
static int reply_one(struct g511_resp_out *out, const struct pkt *p, uint32_t seq,
		     uint32_t ack, uint8_t flags, int action, int reason)
{
	if (!out->max || out->buf_size < l34_len(p))
		return drop(out, G511_RESP_DROP_NO_ROOM);
	out->lens[0] = finish_frame(out->bufs[0], p, seq, ack, flags, 0, 0);
	out->n = 1;
	out->action = action;
	out->reason = reason;
	return 1;
}

/* RST for a segment with ACK set: <SEQ=SEG.ACK><CTL=RST> (RFC 9293). */
static int reply_rst(struct g511_resp_out *out, const struct pkt *p, int reason)
{
	return reply_one(out, p, p->ack, 0, G511_TCP_RST, G511_RESP_RST, reason);
}

static int reply_synack(struct g511_resp_out *out, const struct pkt *p,
			const struct g511_resp_key *key, uint64_t now_s)
{
	unsigned int mss = p->mss ? p->mss : (p->v6 ? 1220 : 536);	/* RFC 9293 */
	uint32_t cookie;
	uint8_t *opt;
	int idx;

	idx = g511_cookie_mss_class(p->v6, mss);
	if (idx < 0)
		return drop(out, G511_RESP_DROP_MSS);
	if (!out->max || out->buf_size < l34_len(p) + 4)
		return drop(out, G511_RESP_DROP_NO_ROOM);
	cookie = g511_cookie_make(key->k, &p->tup, now_s, (unsigned int)idx);
	/* Only MSS: no SACK, window scale, timestamps or TFO cookie. */
	opt = out->bufs[0] + l34_len(p);
	opt[0] = 2;
	opt[1] = 4;
	put16(opt + 2, (uint16_t)g511_cookie_mss(p->v6, (unsigned int)idx));
	out->lens[0] = finish_frame(out->bufs[0], p, cookie, p->seq + 1,
				    G511_TCP_SYN | G511_TCP_ACK, 4, 0);
	out->n = 1;
	out->action = G511_RESP_SYNACK;
	return 1;
}

static const char status_511[] = "HTTP/1.1 511 Network Authentication Required\r\n";
static const char status_302[] = "HTTP/1.1 302 Found\r\nLocation: ";
static const char hdr_common[] =
	"Content-Type: text/html; charset=utf-8\r\n"
	"Cache-Control: no-store\r\n"
	"Connection: close\r\n"
	"Content-Length: ";

#define SLEN(s) (sizeof(s) - 1)

static size_t fmt_size(char *buf, size_t v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

struct page {
	bool probe, head;
	const struct g511_tmpl *tmpl;
	const char *text;
	struct g511_str vals[G511_PH__MAX];
	const char *pct;		/* percent-encoded original URL */
	size_t pct_len;
	char clen[24];			/* Content-Length digits */
	size_t clen_len;
	size_t hdr_len, body_len;
};

static size_t page_len(const struct g511_resp_conf *rc, struct page *pg)
{
	pg->body_len = g511_tmpl_len(pg->tmpl, pg->vals);
	pg->clen_len = fmt_size(pg->clen, pg->body_len);
	pg->hdr_len = SLEN(hdr_common) + pg->clen_len + 4;
	if (pg->probe)
		pg->hdr_len += SLEN(status_302) + rc->portal_len +
			       (pg->pct_len ? 6 + pg->pct_len : 0) + 2;
	else
		pg->hdr_len += SLEN(status_511);
	return pg->hdr_len + (pg->head ? 0 : pg->body_len);
}

static void page_render(const struct g511_resp_conf *rc, const struct page *pg,
			struct g511_sink *s)
{
	if (pg->probe) {
		g511_sink_put(s, status_302, SLEN(status_302));
		g511_sink_put(s, rc->portal_url, rc->portal_len);
		if (pg->pct_len) {
			g511_sink_put(s, rc->orig_param, 6);
			g511_sink_put(s, pg->pct, pg->pct_len);
		}
		g511_sink_put(s, "\r\n", 2);
	} else {
		g511_sink_put(s, status_511, SLEN(status_511));
	}
	g511_sink_put(s, hdr_common, SLEN(hdr_common));
	g511_sink_put(s, pg->clen, pg->clen_len);
	g511_sink_put(s, "\r\n\r\n", 4);
	if (!pg->head)
		g511_tmpl_render(s, pg->tmpl, pg->text, pg->vals);
}

static const char page302_text[] =
	"<!DOCTYPE html>\n<html><head><title>Login required</title></head>"
	"<body><a href=\"{{link}}\">Log in to the network</a></body></html>\n";

static void page_no_orig(const struct g511_resp_conf *rc, struct page *pg)
{
	pg->vals[G511_PH_LINK] = (struct g511_str){ rc->portal_html, rc->portal_html_len };
	pg->vals[G511_PH_PORTAL] = pg->vals[G511_PH_LINK];
	pg->vals[G511_PH_ORIG] = (struct g511_str){ "", 0 };
	pg->pct = NULL;
	pg->pct_len = 0;
}

/*
 * The reply to a request: our bytes start at seq = cookie + 1, in segments
 * of at most min(MSS, room in a buffer), at most the client's window and
 * out->max segments, FIN on the last one when all of it fits. A page that
 * does not fit with the original URL is sent without it.
 */
static int reply_http(const struct g511_resp_conf *rc, const struct pkt *p,
		      const struct g511_http_req *req, unsigned int mss_idx,
		      struct g511_resp_out *out)
{
	char link[6 * G511_RESP_URL_MAX + 40 + G511_ORIG_PCT_MAX];
	char orig_html[G511_ORIG_HTML_MAX];
	size_t hdr = l34_len(p), mss = g511_cookie_mss(p->v6, mss_idx);
	size_t seg_cap, cap, total, sent, i, n;
	uint32_t seq = p->ack, ack = p->seq + (uint32_t)p->plen;
	struct g511_sink sink;
	struct page pg;

	if (!out->max || out->buf_size <= hdr)
		return drop(out, G511_RESP_DROP_NO_ROOM);
	if (p->win == 0)
		return drop(out, G511_RESP_DROP_ZERO_WINDOW);
	if (p->flags & G511_TCP_FIN)
		ack++;
	seg_cap = out->buf_size - hdr < mss ? out->buf_size - hdr : mss;
	cap = (size_t)out->max * seg_cap;
	if (cap > p->win)
		cap = p->win;

	pg.probe = rc->probes_302 && g511_http_is_probe(req);
	pg.head = req->method == G511_M_HEAD;
	pg.tmpl = pg.probe ? &rc->page302 : &rc->page;
	pg.text = pg.probe ? page302_text : rc->tmpl;
	page_no_orig(rc, &pg);
	if (req->target) {
		/* link = portal (HTML) + "?orig=" (HTML) + percent-encoded URL */
		size_t pre = rc->portal_html_len + rc->orig_param_html_len;
		char *pct = link + pre;
		size_t pct_len = g511_http_orig_pct(req, pct);

		if (pct_len) {
			memcpy(link, rc->portal_html, rc->portal_html_len);
			memcpy(link + rc->portal_html_len, rc->orig_param_html,
			       rc->orig_param_html_len);
			pg.vals[G511_PH_LINK] = (struct g511_str){ link, pre + pct_len };
			pg.pct = pct;
			pg.pct_len = pct_len;
			if (pg.tmpl->n_ph[G511_PH_ORIG])
				pg.vals[G511_PH_ORIG] = (struct g511_str){
					orig_html, g511_http_orig_html(req, orig_html) };
		}
	}
	/* From here on nothing reads the request: the frame may be overwritten. */
	total = page_len(rc, &pg);
	if (total > cap && pg.pct_len) {
		page_no_orig(rc, &pg);
		total = page_len(rc, &pg);
	}
	g511_sink_init(&sink, out->bufs, hdr, seg_cap, total < cap ? total : cap);
	page_render(rc, &pg, &sink);
	sent = sink.pos;

	n = (sent + seg_cap - 1) / seg_cap;
	for (i = 0; i < n; i++) {
		size_t dlen = i + 1 < n ? seg_cap : sent - i * seg_cap;
		uint8_t flags = G511_TCP_ACK | G511_TCP_PSH;

		if (i + 1 == n && sent == total)
			flags |= G511_TCP_FIN;
		out->lens[i] = finish_frame(out->bufs[i], p, seq + (uint32_t)(i * seg_cap),
					    ack, flags, 0, dlen);
	}
	out->n = (unsigned int)n;
	out->truncated = sent < total;
	out->action = pg.probe ? G511_RESP_PROBE_302 : G511_RESP_HTTP;
	return (int)n;
}

/*
 * The decision, top to bottom ("cookie" = ISN of our SYN-ACK, c = cookie):
 *
 *   bad frame                              -> nothing (MALFORMED)
 *   RST                                    -> nothing (RST)
 *   SYN (data ignored)                     -> SYN-ACK, seq c, MSS option only;
 *                                             MSS below the classes: nothing
 *   SYN with ACK or FIN, or no ACK         -> nothing (BAD_FLAGS)
 *   pure ACK                               -> nothing (PURE_ACK)
 *   ack = c + 1 (nothing of ours received):
 *     FIN, no data                         -> ACK|FIN at c + 1
 *     request, or start of a method ("G")  -> the page (+FIN) at c + 1
 *     TLS, SSH, HTTP/2, control bytes      -> RST (NOT_HTTP)
 *     other text                           -> nothing (CONTINUATION)
 *   ack = c + 1 + d, 0 < d <= 65536 (after our reply):
 *     binary data                          -> RST (NOT_HTTP)
 *     text without FIN                     -> nothing (CONTINUATION)
 *     request without FIN                  -> RST (LATE_REQUEST)
 *     FIN (with or without data)           -> ACK at seq = their ack
 *   any other ack, with data or FIN        -> RST at seq = their ack (BAD_COOKIE)
 */
int g511_resp_handle(const struct g511_resp_conf *rc, const struct g511_resp_key *key,
		     uint64_t now_s, const uint8_t *frame, size_t len,
		     struct g511_resp_out *out)
{
	struct g511_http_req req;
	struct pkt p;
	uint32_t delta;
	bool fin;
	int idx;

	out->n = 0;
	out->action = G511_RESP_NONE;
	out->reason = G511_RESP_DROP_NONE;
	out->truncated = false;

	if (!parse(frame, len, &p))
		return drop(out, G511_RESP_DROP_MALFORMED);
	if (p.flags & G511_TCP_RST)
		return drop(out, G511_RESP_DROP_RST);
	if (p.flags & G511_TCP_SYN) {
		/* A SYN with data (TFO) gets a plain SYN-ACK: data not acked. */
		if (p.flags & (G511_TCP_ACK | G511_TCP_FIN))
			return drop(out, G511_RESP_DROP_BAD_FLAGS);
		return reply_synack(out, &p, key, now_s);
	}
	if (!(p.flags & G511_TCP_ACK))
		return drop(out, G511_RESP_DROP_BAD_FLAGS);
	fin = p.flags & G511_TCP_FIN;
	if (!p.plen && !fin)
		return drop(out, G511_RESP_DROP_PURE_ACK);

	/* ack = cookie + 1: the client has none of our bytes yet. */
	idx = g511_cookie_check(key->k, &p.tup, now_s, p.ack - 1);
	if (idx >= 0) {
		if (!p.plen)	/* closed before asking: ACK its FIN, send ours */
			return reply_one(out, &p, p.ack, p.seq + 1, G511_TCP_ACK | G511_TCP_FIN,
					 G511_RESP_ACK_FIN, G511_RESP_DROP_NONE);
		g511_http_parse(p.payload, p.plen, &req);
		switch (req.kind) {
		case G511_HTTP_REQUEST:
		case G511_HTTP_PREFIX:
			return reply_http(rc, &p, &req, (unsigned int)idx, out);
		case G511_HTTP_BINARY:
			return reply_rst(out, &p, G511_RESP_DROP_NOT_HTTP);
		default:
			return drop(out, G511_RESP_DROP_CONTINUATION);
		}
	}

	/* ack = cookie + 1 + delta: the client got (part of) our reply. */
	idx = g511_cookie_find(key->k, &p.tup, now_s, p.ack - 1, SEQ_SPAN, &delta);
	if (idx < 0)
		return reply_rst(out, &p, G511_RESP_DROP_BAD_COOKIE);
	if (p.plen) {
		g511_http_parse(p.payload, p.plen, &req);
		if (req.kind == G511_HTTP_BINARY)
			return reply_rst(out, &p, G511_RESP_DROP_NOT_HTTP);
		if (!fin && req.kind == G511_HTTP_TEXT)
			return drop(out, G511_RESP_DROP_CONTINUATION);
		if (!fin)	/* a new request on a connection we closed */
			return reply_rst(out, &p, G511_RESP_DROP_LATE_REQUEST);
	}
	/* FIN after our reply: ACK it (and any data before it). */
	return reply_one(out, &p, p.ack, p.seq + (uint32_t)p.plen + 1, G511_TCP_ACK,
			 G511_RESP_ACK, G511_RESP_DROP_NONE);
}

static const char *const action_names[G511_RESP__MAX] = {
	"none", "synack", "http_511", "probe_302", "ack", "ack_fin", "rst",
};

static const char *const drop_names[G511_RESP_DROP__MAX] = {
	"none", "malformed", "bad_flags", "rst", "pure_ack", "mss", "bad_cookie",
	"not_http", "late_request", "continuation", "zero_window", "no_room",
};

const char *g511_resp_action_name(int action)
{
	return action >= 0 && action < G511_RESP__MAX ? action_names[action] : "?";
}

const char *g511_resp_drop_name(int reason)
{
	return reason >= 0 && reason < G511_RESP_DROP__MAX ? drop_names[reason] : "?";
}

/* ---- configuration (not on the per-packet path) ---- */

const char g511_resp_default_template[] =
	"<!DOCTYPE html>\n"
	"<html lang=\"en\">\n"
	"<head>\n"
	"<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<meta http-equiv=\"refresh\" content=\"0; url={{link}}\">\n"
	"<title>Network login required</title>\n"
	"</head>\n"
	"<body>\n"
	"<h1>Network login required</h1>\n"
	"<p>This network needs you to log in before you can use it.</p>\n"
	"<p><a href=\"{{link}}\">Continue to the login page</a></p>\n"
	"</body>\n"
	"</html>\n";

static bool portal_url_ok(const char *url, char *err, size_t errlen)
{
	size_t len, i, host;

	if (!url || !*url) {
		snprintf(err, errlen, "portal_url is empty");
		return false;
	}
	len = strlen(url);
	if (len >= G511_RESP_URL_MAX) {
		snprintf(err, errlen, "portal_url is %zu bytes, at most %d allowed",
			 len, G511_RESP_URL_MAX - 1);
		return false;
	}
	if (strncasecmp(url, "http://", 7) == 0)
		host = 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		host = 8;
	else {
		snprintf(err, errlen, "portal_url must start with http:// or https://");
		return false;
	}
	if (!url[host] || url[host] == '/' || url[host] == '?') {
		snprintf(err, errlen, "portal_url has no host");
		return false;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)url[i];

		if (c <= 0x20 || c >= 0x7f) {
			snprintf(err, errlen, "portal_url holds a space, control or "
				 "non-ASCII byte at offset %zu (percent-encode it)", i);
			return false;
		}
		if (c == '#') {
			snprintf(err, errlen, "portal_url must not have a #fragment");
			return false;
		}
	}
	return true;
}

int g511_resp_conf_init(struct g511_resp_conf *rc, const char *portal_url,
			const char *tmpl, size_t tmpl_len, bool probes_302,
			char *err, size_t errlen)
{
	struct g511_str vals[G511_PH__MAX];
	size_t body;
	int ret;

	memset(rc, 0, sizeof(*rc));
	if (!portal_url_ok(portal_url, err, errlen))
		return -EINVAL;
	if (!tmpl) {
		tmpl = g511_resp_default_template;
		tmpl_len = sizeof(g511_resp_default_template) - 1;
	}
	ret = g511_tmpl_compile(&rc->page, tmpl, tmpl_len, err, errlen);
	if (ret)
		return ret;
	ret = g511_tmpl_compile(&rc->page302, page302_text, sizeof(page302_text) - 1,
				err, errlen);
	if (ret)
		return ret;

	rc->portal_len = strlen(portal_url);
	memcpy(rc->portal_url, portal_url, rc->portal_len + 1);
	rc->portal_html_len = g511_html_escape(rc->portal_html, sizeof(rc->portal_html),
					       portal_url, rc->portal_len);
	memcpy(rc->orig_param, strchr(portal_url, '?') ? "&orig=" : "?orig=", 7);
	rc->orig_param_html_len = g511_html_escape(rc->orig_param_html,
						   sizeof(rc->orig_param_html) - 1,
						   rc->orig_param, 6);
	rc->probes_302 = probes_302;

	vals[G511_PH_LINK] = (struct g511_str){ rc->portal_html, rc->portal_html_len };
	vals[G511_PH_PORTAL] = vals[G511_PH_LINK];
	vals[G511_PH_ORIG] = (struct g511_str){ "", 0 };
	body = g511_tmpl_len(&rc->page, vals);
	if (body > G511_RESP_BODY_MAX) {
		snprintf(err, errlen, "the page is %zu bytes once expanded, more than %d",
			 body, G511_RESP_BODY_MAX);
		return -EINVAL;
	}

	rc->tmpl = malloc(tmpl_len + 1);
	if (!rc->tmpl) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(rc->tmpl, tmpl, tmpl_len);
	rc->tmpl[tmpl_len] = '\0';
	rc->tmpl_len = tmpl_len;
	return 0;
}

void g511_resp_conf_free(struct g511_resp_conf *rc)
{
	free(rc->tmpl);
	rc->tmpl = NULL;
	rc->tmpl_len = 0;
}

int g511_resp_load_template(const char *path, char **out, size_t *len,
			    char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t r;
	int fd, ret;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot stat %s: %s", path, strerror(-ret));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		snprintf(err, errlen, "%s is not a regular file", path);
		goto out;
	}
	if (st.st_size > G511_TMPL_MAX) {
		ret = -EFBIG;
		snprintf(err, errlen, "%s is %lld bytes, more than %d", path,
			 (long long)st.st_size, G511_TMPL_MAX);
		goto out;
	}
	/* One byte more than allowed, to notice a file that grew meanwhile. */
	buf = malloc(G511_TMPL_MAX + 2);
	if (!buf) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	while (got <= G511_TMPL_MAX) {
		r = read(fd, buf + got, G511_TMPL_MAX + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(-ret));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got > G511_TMPL_MAX) {
		ret = -EFBIG;
		snprintf(err, errlen, "%s is more than %d bytes", path, G511_TMPL_MAX);
		goto out;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}
