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
#include "hmac.h"
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

struct page {
	bool probe, head;
	const char *loc;		/* signed: the whole Location, else NULL */
	size_t loc_len;
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
	pg->clen_len = put_decimal(pg->clen, pg->body_len);
	pg->hdr_len = SLEN(hdr_common) + pg->clen_len + 4;
	if (pg->probe && pg->loc)
		pg->hdr_len += SLEN(status_302) + pg->loc_len + 2;
	else if (pg->probe)
		pg->hdr_len += SLEN(status_302) + rc->portal_len +
			       (pg->pct_len ? 6 + pg->pct_len : 0) + 2;
	else
		pg->hdr_len += SLEN(status_511);
	return pg->hdr_len + (pg->head ? 0 : pg->body_len);
}

static void page_render(const struct g511_resp_conf *rc, const struct page *pg,
			struct g511_sink *s)
{
	if (pg->probe && pg->loc) {
		g511_sink_put(s, status_302, SLEN(status_302));
		g511_sink_put(s, pg->loc, pg->loc_len);
		g511_sink_put(s, "\r\n", 2);
	} else if (pg->probe) {
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
	pg->vals[G511_PH_TITLE] = (struct g511_str){ rc->title_html, rc->title_html_len };
	pg->vals[G511_PH_NETWORK] = (struct g511_str){ rc->network_html, rc->network_html_len };
	pg->vals[G511_PH_VENUE] = (struct g511_str){ rc->venue_html, rc->venue_html_len };
	pg->vals[G511_PH_VENUE_LINK] = (struct g511_str){ rc->venue_link_html,
							  rc->venue_link_html_len };
	pg->pct = NULL;
	pg->pct_len = 0;
	pg->loc = NULL;
	pg->loc_len = 0;
}

/*
 * The signed redirect of one reply (portal_url.h), built twice over: raw
 * for the Location header and HTML-escaped for the page. The query's
 * values are percent-encoded, so '&' is the one byte to escape in it.
 * The signature's 64 digits are left as placeholders until signed_finish()
 * fills both copies: the length is known (and the page sized) before the
 * one HMAC is computed.
 */
struct signed_link {
	char raw[G511_RESP_URL_MAX + 1 + G511_PORTAL_QUERY_MAX];
	char html[6 * G511_RESP_URL_MAX + 1 + 2 * G511_PORTAL_QUERY_MAX];
	char pct[G511_ORIG_PCT_MAX];	/* the original URL, percent-encoded */
	size_t raw_len, html_len, qstart;
};

static size_t amp_escape(char *dst, const char *src, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (src[i] == '&') {
			memcpy(dst + o, "&amp;", 5);
			o += 5;
		} else {
			dst[o++] = src[i];
		}
	}
	return o;
}

static void signed_build(const struct g511_resp_conf *rc, const struct pkt *p,
			 struct signed_link *sl, size_t url_len, uint64_t wall_s)
{
	struct g511_addr client;
	size_t pre = rc->portal_len + rc->sign_sep_len, q, h;

	memcpy(client.addr, p->tup.saddr, 16);
	memcpy(sl->raw, rc->portal_url, rc->portal_len);
	memcpy(sl->raw + rc->portal_len, rc->sign_sep, rc->sign_sep_len);
	/* p->l2 is the reply's header: its destination is the client's MAC */
	q = g511_portal_query(sl->raw + pre, sizeof(sl->raw) - pre - G511_PORTAL_SIG_LEN,
			      rc->gw_pct, rc->gw_pct_len, &client, p->l2, sl->pct, url_len,
			      wall_s);
	memcpy(sl->raw + pre + q, "&sig=", 5);
	memset(sl->raw + pre + q + 5, '0', 64);
	sl->raw_len = pre + q + G511_PORTAL_SIG_LEN;
	sl->qstart = rc->sign_qstart;

	memcpy(sl->html, rc->portal_html, rc->portal_html_len);
	h = rc->portal_html_len;
	h += amp_escape(sl->html + h, rc->sign_sep, rc->sign_sep_len);
	h += amp_escape(sl->html + h, sl->raw + pre, sl->raw_len - pre);
	sl->html_len = h;
}

static void signed_finish(const struct g511_resp_conf *rc, struct signed_link *sl)
{
	char sig[G511_PORTAL_SIG_LEN];

	/* GnuTLS does not fail on SHA-256; if it did, the zeros stay and
	 * the portal refuses the link: nothing is let through. */
	if (g511_portal_sig(sig, sl->raw + sl->qstart,
			    sl->raw_len - G511_PORTAL_SIG_LEN - sl->qstart, rc->sign_key))
		return;
	memcpy(sl->raw + sl->raw_len - 64, sig + 5, 64);
	memcpy(sl->html + sl->html_len - 64, sig + 5, 64);
}

static void page_signed(struct page *pg, const struct signed_link *sl)
{
	pg->vals[G511_PH_LINK] = (struct g511_str){ sl->html, sl->html_len };
	pg->loc = sl->raw;
	pg->loc_len = sl->raw_len;
}

/* The unsigned page: link = portal (HTML) + "?orig=" (HTML) + the URL. */
static size_t page_fit(const struct g511_resp_conf *rc, const struct g511_http_req *req,
		       struct page *pg, char *link, char *orig_html, size_t cap)
{
	size_t total;

	page_no_orig(rc, pg);
	if (req->target) {
		size_t pre = rc->portal_html_len + rc->orig_param_html_len;
		char *pct = link + pre;
		size_t pct_len = g511_http_orig_pct(req, pct);

		if (pct_len) {
			memcpy(link, rc->portal_html, rc->portal_html_len);
			memcpy(link + rc->portal_html_len, rc->orig_param_html,
			       rc->orig_param_html_len);
			pg->vals[G511_PH_LINK] = (struct g511_str){ link, pre + pct_len };
			pg->pct = pct;
			pg->pct_len = pct_len;
			if (pg->tmpl->n_ph[G511_PH_ORIG])
				pg->vals[G511_PH_ORIG] = (struct g511_str){
					orig_html, g511_http_orig_html(req, orig_html) };
		}
	}
	total = page_len(rc, pg);
	if (total > cap && pg->pct_len) {
		page_no_orig(rc, pg);
		total = page_len(rc, pg);
	}
	return total;
}

/* The signed page: sized first, then the one HMAC (url= dropped if too big). */
static size_t page_fit_signed(const struct g511_resp_conf *rc, const struct pkt *p,
			      const struct g511_http_req *req, struct page *pg,
			      struct signed_link *sl, char *orig_html, size_t cap,
			      uint64_t wall_s)
{
	size_t url_len = req->target ? g511_http_orig_pct(req, sl->pct) : 0, total;

	page_no_orig(rc, pg);
	signed_build(rc, p, sl, url_len, wall_s);
	page_signed(pg, sl);
	if (url_len && pg->tmpl->n_ph[G511_PH_ORIG])
		pg->vals[G511_PH_ORIG] = (struct g511_str){
			orig_html, g511_http_orig_html(req, orig_html) };
	total = page_len(rc, pg);
	if (total > cap && url_len) {
		page_no_orig(rc, pg);
		signed_build(rc, p, sl, 0, wall_s);
		page_signed(pg, sl);
		total = page_len(rc, pg);
	}
	signed_finish(rc, sl);
	return total;
}

/*
 * The reply to a request: our bytes start at seq = cookie + 1, in segments
 * of at most min(MSS, room in a buffer), at most the client's window and
 * out->max segments, FIN on the last one when all of it fits. A page that
 * does not fit with the original URL is sent without it.
 */
static int reply_http(const struct g511_resp_conf *rc, const struct pkt *p,
		      const struct g511_http_req *req, unsigned int mss_idx,
		      uint64_t wall_s, struct g511_resp_out *out)
{
	union {
		char link[6 * G511_RESP_URL_MAX + 40 + G511_ORIG_PCT_MAX];
		struct signed_link sl;
	} lb;
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
	/* From here on nothing reads the request: the frame may be overwritten. */
	if (rc->sign)
		total = page_fit_signed(rc, p, req, &pg, &lb.sl, orig_html, cap, wall_s);
	else
		total = page_fit(rc, req, &pg, lb.link, orig_html, cap);
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
		     uint64_t now_s, uint64_t wall_s, const uint8_t *frame, size_t len,
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
			return reply_http(rc, &p, &req, (unsigned int)idx, wall_s, out);
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
	/* etc/511.html, byte for byte (test_responder checks) */
	"<!DOCTYPE html>\n"
	"<html lang=\"en\">\n"
	"<head>\n"
	"<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<meta http-equiv=\"refresh\" content=\"10; url={{link}}\">\n"
	"<title>{{title}}</title>\n"
	"<!-- gate511 login page, at most 16 KiB, no external resources (the client\n"
	"     is captive). Placeholders, each in double braces: link (the portal link,\n"
	"     signed when portal_sign_key is set), portal (the bare portal URL), orig\n"
	"     (the page asked for), title (network_name, or \"Network login required\"),\n"
	"     network (network_name), venue (venue_info_url), venue_link (a link to it,\n"
	"     empty when unset). -->\n"
	"<style>\n"
	"*{box-sizing:border-box}\n"
	"html{color-scheme:light dark}\n"
	"body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;\n"
	"padding:20px;background:#eef2f7;color:#17202c;\n"
	"font:17px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,Helvetica,Arial,sans-serif}\n"
	"main{width:100%;max-width:26rem;padding:2rem 1.5rem;border-radius:1.25rem;\n"
	"background:#fff;box-shadow:0 10px 30px rgba(23,45,90,.12);text-align:center}\n"
	".icon{width:4.5rem;height:4.5rem;margin:0 auto 1.25rem;border-radius:50%;\n"
	"background:#e3ebff;color:#1a5fd6;display:flex;align-items:center;justify-content:center}\n"
	"h1{margin:0 0 .5rem;font-size:1.55rem;line-height:1.25;overflow-wrap:anywhere}\n"
	"p{margin:0 0 1.75rem;color:#4b5667}\n"
	".btn{display:block;padding:.95rem 1.25rem;border-radius:.85rem;background:#1a5fd6;\n"
	"color:#fff;font-weight:600;font-size:1.1rem;text-decoration:none}\n"
	".btn:hover,.btn:focus{background:#134bb3}\n"
	".venue{display:inline-block;margin-top:1.25rem;color:#1a5fd6;font-size:.95rem}\n"
	"small{display:block;margin-top:1.5rem;color:#7b8596;font-size:.8rem}\n"
	"@media (prefers-color-scheme:dark){body{background:#0f141b;color:#e9eef5}\n"
	"main{background:#1a212c;box-shadow:none}p{color:#aab5c5}small{color:#8993a3}\n"
	".icon{background:#22314d;color:#8fb3ff}.venue{color:#8fb3ff}}\n"
	"</style>\n"
	"</head>\n"
	"<body>\n"
	"<main>\n"
	"<div class=\"icon\"><svg width=\"38\" height=\"38\" viewBox=\"0 0 24 24\" fill=\"none\"\n"
	"stroke=\"currentColor\" stroke-width=\"2\" stroke-linecap=\"round\" aria-hidden=\"true\">\n"
	"<path d=\"M2 8.8a15 15 0 0 1 20 0\"/><path d=\"M5 12.5a10 10 0 0 1 14 0\"/>\n"
	"<path d=\"M8.5 16.1a5 5 0 0 1 7 0\"/><circle cx=\"12\" cy=\"19.5\" r=\"1\" fill=\"currentColor\"/>\n"
	"</svg></div>\n"
	"<h1>{{title}}</h1>\n"
	"<p>To use the Internet here, open the login page and accept the terms.</p>\n"
	"<a class=\"btn\" href=\"{{link}}\">Log in to the network</a>\n"
	"{{venue_link}}\n"
	"<small>This page takes you there by itself in a few seconds.</small>\n"
	"</main>\n"
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

static const char default_title[] = "Network login required";

/* The page, placeholders expanded without an original URL, fits the bound. */
static bool body_fits(const struct g511_resp_conf *rc, char *err, size_t errlen)
{
	struct page pg;
	size_t body;

	page_no_orig(rc, &pg);
	body = g511_tmpl_len(&rc->page, pg.vals);
	if (body > G511_RESP_BODY_MAX) {
		snprintf(err, errlen, "the page is %zu bytes once expanded, more than %d",
			 body, G511_RESP_BODY_MAX);
		return false;
	}
	return true;
}

int g511_resp_conf_brand(struct g511_resp_conf *rc, const char *network_name,
			 const char *venue_url, char *err, size_t errlen)
{
	static const char a0[] = "<a class=\"venue\" href=\"", a1[] = "\">About this network</a>";
	size_t n;

	if (!network_name)
		network_name = "";
	if (!venue_url)
		venue_url = "";
	if (strlen(network_name) >= G511_RESP_NAME_MAX) {
		snprintf(err, errlen, "network_name is longer than %d bytes",
			 G511_RESP_NAME_MAX - 1);
		return -EINVAL;
	}
	if (strlen(venue_url) >= G511_RESP_URL_MAX) {
		snprintf(err, errlen, "venue_info_url is longer than %d bytes",
			 G511_RESP_URL_MAX - 1);
		return -EINVAL;
	}
	rc->network_html_len = g511_html_escape(rc->network_html, sizeof(rc->network_html),
						network_name, strlen(network_name));
	if (rc->network_html_len) {
		memcpy(rc->title_html, rc->network_html, rc->network_html_len);
		rc->title_html_len = rc->network_html_len;
	} else {
		memcpy(rc->title_html, default_title, sizeof(default_title));
		rc->title_html_len = sizeof(default_title) - 1;
	}
	rc->venue_html_len = g511_html_escape(rc->venue_html, sizeof(rc->venue_html),
					      venue_url, strlen(venue_url));
	rc->venue_link_html_len = 0;
	if (rc->venue_html_len) {
		n = SLEN(a0);
		memcpy(rc->venue_link_html, a0, n);
		memcpy(rc->venue_link_html + n, rc->venue_html, rc->venue_html_len);
		n += rc->venue_html_len;
		memcpy(rc->venue_link_html + n, a1, SLEN(a1));
		rc->venue_link_html_len = n + SLEN(a1);
	}
	return body_fits(rc, err, errlen) ? 0 : -EINVAL;
}

int g511_resp_conf_sign(struct g511_resp_conf *rc, const char *gateway_id,
			const uint8_t key[G511_PORTAL_KEY_LEN], char *err, size_t errlen)
{
	size_t n = strlen(gateway_id);
	const char *q;

	if (!n || n > G511_PORTAL_GW_MAX) {
		snprintf(err, errlen, "gateway id must be 1-%d bytes", G511_PORTAL_GW_MAX);
		return -EINVAL;
	}
	rc->gw_pct_len = g511_pct_encode(rc->gw_pct, sizeof(rc->gw_pct), gateway_id, n);
	memcpy(rc->sign_key, key, G511_PORTAL_KEY_LEN);
	n = strlen(g511_portal_sep(rc->portal_url));
	memcpy(rc->sign_sep, g511_portal_sep(rc->portal_url), n + 1);
	rc->sign_sep_len = n;
	/* the signed part starts after the first '?' of portal_url + sep */
	q = strchr(rc->portal_url, '?');
	rc->sign_qstart = q ? (size_t)(q - rc->portal_url) + 1 : rc->portal_len + 1;
	rc->sign = true;
	return 0;
}

int g511_resp_conf_init(struct g511_resp_conf *rc, const char *portal_url,
			const char *tmpl, size_t tmpl_len, bool probes_302,
			char *err, size_t errlen)
{
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
	memcpy(rc->title_html, default_title, sizeof(default_title));
	rc->title_html_len = sizeof(default_title) - 1;
	if (!body_fits(rc, err, errlen))
		return -EINVAL;

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
	memset(rc->sign_key, 0, sizeof(rc->sign_key));
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
