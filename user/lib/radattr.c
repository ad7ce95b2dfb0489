// SPDX-License-Identifier: GPL-2.0
/*
 * radattr.c - RADIUS packets as bytes, and attributes <-> grants
 * (radattr.h). Pure; fuzzed by tests/fuzz/fuzz_radattr.c.
 *
 * Why not radcli's codec: radcli 1.2.11 signs and checks only the MD5
 * authenticators (it adds a Message-Authenticator for EAP alone and never
 * checks one on a reply), cannot encode a CoA/Disconnect reply, and keeps
 * the packet it sent to itself, so a stored accounting record could not be
 * retransmitted byte for byte. The few attributes a NAS uses fit here.
 *
 * The two MD5 constructions (RFC 2865 3, RFC 2866 3, RFC 5176 2.3):
 *
 *   request authenticator (Accounting, CoA, Disconnect)
 *     = MD5(code | id | length | 16 zero octets | attributes | secret)
 *   response authenticator
 *     = MD5(code | id | length | request authenticator | attributes | secret)
 *
 * and the Message-Authenticator (RFC 3579 3.2, RFC 5176 3.3): HMAC-MD5
 * keyed by the secret over the whole packet with the Message-Authenticator
 * value zeroed and, in the authenticator field, the request authenticator
 * (Access-Request: its own random one; Accounting, CoA, Disconnect
 * requests: 16 zero octets; replies: the request's). The
 * Message-Authenticator is computed first, so the MD5 authenticator covers
 * it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <gnutls/crypto.h>
#include "hmac.h"
#include "addr.h"
#include "radattr.h"

static const uint8_t zero16[RAD_AUTH_LEN];

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* MD5(a | b) */
static int md5_2(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[16])
{
	gnutls_hash_hd_t h;

	if (gnutls_hash_init(&h, GNUTLS_DIG_MD5) < 0)
		return -EIO;
	if (gnutls_hash(h, a, alen) < 0 || gnutls_hash(h, b, blen) < 0) {
		gnutls_hash_deinit(h, NULL);
		return -EIO;
	}
	gnutls_hash_deinit(h, out);
	return 0;
}

static int hmac_md5(const void *key, size_t klen, const void *data, size_t len, uint8_t out[16])
{
	return gnutls_hmac_fast(GNUTLS_MAC_MD5, key, klen, data, len, out) < 0 ? -EIO : 0;
}

void rad_init(struct rad_packet *p, uint8_t code, uint8_t id, const uint8_t auth[RAD_AUTH_LEN])
{
	p->buf[0] = code;
	p->buf[1] = id;
	memcpy(p->buf + 4, auth ? auth : zero16, RAD_AUTH_LEN);
	p->len = RAD_HDR_LEN;
	p->ma_off = 0;
	put16(p->buf + 2, p->len);
}

int rad_add(struct rad_packet *p, uint8_t type, const void *val, size_t len)
{
	if (len > RAD_MAX_ATTR)
		return -EINVAL;
	if (p->len + 2 + len > RAD_MAX_PACKET)
		return -EMSGSIZE;
	p->buf[p->len] = type;
	p->buf[p->len + 1] = 2 + len;
	if (len)
		memcpy(p->buf + p->len + 2, val, len);
	p->len += 2 + len;
	put16(p->buf + 2, p->len);
	return 0;
}

int rad_add_u32(struct rad_packet *p, uint8_t type, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	return rad_add(p, type, b, 4);
}

int rad_add_str(struct rad_packet *p, uint8_t type, const char *s)
{
	size_t n = strlen(s);

	return n ? rad_add(p, type, s, n) : -EINVAL;	/* no empty strings (RFC 2865 5) */
}

int rad_add_vsa_u32(struct rad_packet *p, uint32_t vendor, uint8_t vtype, uint32_t v)
{
	uint8_t b[10];

	put32(b, vendor);
	b[4] = vtype;
	b[5] = 6;
	put32(b + 6, v);
	return rad_add(p, RAD_VENDOR_SPECIFIC, b, sizeof(b));
}

int rad_add_raw(struct rad_packet *p, const void *attrs, size_t len)
{
	if (p->len + len > RAD_MAX_PACKET)
		return -EMSGSIZE;
	memcpy(p->buf + p->len, attrs, len);
	p->len += len;
	put16(p->buf + 2, p->len);
	return 0;
}

/* RFC 2865 5.2: c(i) = p(i) xor MD5(secret | c(i-1)), c(0) = authenticator */
int rad_add_password(struct rad_packet *p, const char *pw, const void *secret, size_t slen)
{
	size_t n = strlen(pw), padded = n ? (n + 15) / 16 * 16 : 16;
	uint8_t out[RAD_PW_MAX], b[16];
	const uint8_t *prev = p->buf + 4;
	int err;

	if (n > RAD_PW_MAX)
		return -EINVAL;
	memset(out, 0, sizeof(out));
	memcpy(out, pw, n);
	for (size_t i = 0; i < padded; i += 16) {
		err = md5_2(secret, slen, prev, 16, b);
		if (err)
			return err;
		for (int j = 0; j < 16; j++)
			out[i + j] ^= b[j];
		prev = out + i;
	}
	err = rad_add(p, RAD_USER_PASSWORD, out, padded);
	explicit_bzero(out, sizeof(out));
	return err;
}

static bool is_request(uint8_t code)
{
	return code == RAD_ACCT_REQUEST || code == RAD_COA_REQUEST ||
	       code == RAD_DISCONNECT_REQUEST;
}

int rad_sign(struct rad_packet *p, const uint8_t *req_auth, const void *secret, size_t slen)
{
	uint8_t mac[16];
	int err;

	err = rad_add(p, RAD_MESSAGE_AUTHENTICATOR, zero16, 16);
	if (err)
		return err;
	p->ma_off = p->len - 16;
	if (is_request(p->buf[0]))
		memset(p->buf + 4, 0, RAD_AUTH_LEN);
	else if (p->buf[0] != RAD_ACCESS_REQUEST)
		memcpy(p->buf + 4, req_auth ? req_auth : zero16, RAD_AUTH_LEN);
	err = hmac_md5(secret, slen, p->buf, p->len, mac);
	if (err)
		return err;
	memcpy(p->buf + p->ma_off, mac, 16);
	if (p->buf[0] != RAD_ACCESS_REQUEST) {
		err = md5_2(p->buf, p->len, secret, slen, mac);
		if (err)
			return err;
		memcpy(p->buf + 4, mac, RAD_AUTH_LEN);
	}
	return 0;
}

int rad_parse(const void *buf, size_t len, struct rad_view *v)
{
	const uint8_t *b = buf;
	size_t plen, off;

	if (len < RAD_HDR_LEN)
		return -EBADMSG;
	plen = (size_t)b[2] << 8 | b[3];
	/* RFC 2865 3: octets past Length are padding, ignored; fewer is an error */
	if (plen < RAD_HDR_LEN || plen > len || plen > RAD_MAX_PACKET)
		return -EBADMSG;
	for (off = RAD_HDR_LEN; off < plen; off += b[off + 1])
		if (plen - off < 2 || b[off + 1] < 2 || b[off + 1] > plen - off)
			return -EBADMSG;
	v->buf = b;
	v->len = plen;
	v->code = b[0];
	v->id = b[1];
	return 0;
}

int rad_next(const struct rad_view *v, size_t *off, uint8_t *type, const uint8_t **val,
	     size_t *vlen)
{
	if (*off == 0)
		*off = RAD_HDR_LEN;
	if (*off >= v->len)
		return 0;
	*type = v->buf[*off];
	*vlen = v->buf[*off + 1] - 2;
	*val = v->buf + *off + 2;
	*off += v->buf[*off + 1];
	return 1;
}

const uint8_t *rad_find(const struct rad_view *v, uint8_t type, size_t *vlen)
{
	const uint8_t *val;
	size_t off = 0;
	uint8_t t;

	while (rad_next(v, &off, &t, &val, vlen))
		if (t == type)
			return val;
	return NULL;
}

unsigned int rad_count(const struct rad_view *v, uint8_t type)
{
	const uint8_t *val;
	unsigned int n = 0;
	size_t off = 0, vlen;
	uint8_t t;

	while (rad_next(v, &off, &t, &val, &vlen))
		n += t == type;
	return n;
}

int rad_get_u32(const struct rad_view *v, uint8_t type, uint32_t *out)
{
	const uint8_t *val;
	size_t vlen;

	val = rad_find(v, type, &vlen);
	if (!val)
		return -ENOENT;
	if (vlen != 4)
		return -EBADMSG;
	*out = get32(val);
	return 0;
}

int rad_get_vsa_u32(const struct rad_view *v, uint32_t vendor, uint8_t vtype, uint32_t *out)
{
	const uint8_t *val;
	size_t off = 0, vlen, s;
	uint8_t t;

	while (rad_next(v, &off, &t, &val, &vlen)) {
		if (t != RAD_VENDOR_SPECIFIC || vlen < 4 || get32(val) != vendor)
			continue;
		for (s = 4; s + 2 <= vlen && val[s + 1] >= 2 && s + val[s + 1] <= vlen;
		     s += val[s + 1])
			if (val[s] == vtype && val[s + 1] == 6) {
				*out = get32(val + s + 2);
				return 0;
			}
	}
	return -ENOENT;
}

/*
 * The common check: copy the packet, put `auth_in` in the authenticator
 * field, compare MD5(copy | secret) with the received authenticator; then
 * zero the one Message-Authenticator and compare its HMAC.
 */
static int verify(const struct rad_view *v, const uint8_t auth_in[RAD_AUTH_LEN],
		  const uint8_t *ma_alt, const void *secret, size_t slen)
{
	uint8_t copy[RAD_MAX_PACKET], sum[16];
	const uint8_t *ma;
	size_t ma_len;
	bool ok;
	int err;

	if (rad_count(v, RAD_MESSAGE_AUTHENTICATOR) != 1)
		return -EBADMSG;
	ma = rad_find(v, RAD_MESSAGE_AUTHENTICATOR, &ma_len);
	if (ma_len != 16)
		return -EBADMSG;
	memcpy(copy, v->buf, v->len);
	memcpy(copy + 4, auth_in, RAD_AUTH_LEN);
	err = md5_2(copy, v->len, secret, slen, sum);
	if (err)
		return err;
	ok = g511_ct_equal(sum, v->buf + 4, RAD_AUTH_LEN);
	memset(copy + (ma - v->buf), 0, 16);
	err = hmac_md5(secret, slen, copy, v->len, sum);
	if (err)
		return err;
	if (!g511_ct_equal(sum, ma, 16)) {
		if (!ma_alt)
			return -EACCES;
		memcpy(copy + 4, ma_alt, RAD_AUTH_LEN);
		err = hmac_md5(secret, slen, copy, v->len, sum);
		if (err)
			return err;
		ok &= g511_ct_equal(sum, ma, 16);
	}
	return ok ? 0 : -EACCES;
}

int rad_verify_reply(const struct rad_view *v, const uint8_t req_auth[RAD_AUTH_LEN],
		     const void *secret, size_t slen)
{
	/*
	 * FreeRADIUS (3.x, rad_sign()) computes the Message-Authenticator of
	 * an Accounting-Response over a zero authenticator field, as for an
	 * Accounting-Request; RFC 3579 names no rule for accounting. Both
	 * forms are keyed with the secret, so taking either forges nothing.
	 */
	return verify(v, req_auth, v->code == RAD_ACCT_RESPONSE ? zero16 : NULL, secret, slen);
}

int rad_verify_request(const struct rad_view *v, const void *secret, size_t slen)
{
	if (!is_request(v->code))
		return -EBADMSG;
	return verify(v, zero16, NULL, secret, slen);
}

/* ------------------------------------------------- grant mapping */

static void text_append(char *dst, size_t size, const uint8_t *s, size_t n)
{
	size_t off = strlen(dst);

	if (off && off + 1 < size)
		dst[off++] = ' ';
	for (size_t i = 0; i < n && off + 1 < size; i++)
		if (s[i] >= 0x20 && s[i] < 0x7f)
			dst[off++] = s[i];
	dst[off] = '\0';
}

void rad_accept_read(const struct rad_view *v, struct rad_accept *out)
{
	const uint8_t *val;
	uint32_t u, g;
	size_t off = 0, vlen;
	uint8_t t;

	memset(out, 0, sizeof(*out));
	if (!rad_get_u32(v, RAD_SESSION_TIMEOUT, &u))
		out->ttl_s = u;
	if (!rad_get_u32(v, RAD_IDLE_TIMEOUT, &u))
		out->idle_s = u;
	if (!rad_get_u32(v, RAD_ACCT_INTERIM_INTERVAL, &u))
		out->interim_s = u;
	if (!rad_get_vsa_u32(v, RAD_VENDOR_WISPR, RAD_WISPR_BW_MAX_UP, &u))
		out->rate_up_bps = u;
	else if (!rad_get_vsa_u32(v, RAD_VENDOR_CHILLI, RAD_CHILLI_BW_MAX_UP, &u))
		out->rate_up_bps = (uint64_t)u * 1000;
	if (!rad_get_vsa_u32(v, RAD_VENDOR_WISPR, RAD_WISPR_BW_MAX_DOWN, &u))
		out->rate_down_bps = u;
	else if (!rad_get_vsa_u32(v, RAD_VENDOR_CHILLI, RAD_CHILLI_BW_MAX_DOWN, &u))
		out->rate_down_bps = (uint64_t)u * 1000;
	if (!rad_get_vsa_u32(v, RAD_VENDOR_CHILLI, RAD_CHILLI_MAX_TOTAL_OCTETS, &u)) {
		g = 0;
		rad_get_vsa_u32(v, RAD_VENDOR_CHILLI, RAD_CHILLI_MAX_TOTAL_GIGAWORDS, &g);
		out->quota_bytes = (uint64_t)g << 32 | u;
	}
	val = rad_find(v, RAD_CLASS, &vlen);
	if (val && vlen) {
		memcpy(out->class, val, vlen);
		out->class_len = vlen;
	}
	while (rad_next(v, &off, &t, &val, &vlen))
		if (t == RAD_REPLY_MESSAGE)
			text_append(out->reply_msg, sizeof(out->reply_msg), val, vlen);
}

void rad_mac_format(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02X-%02X-%02X-%02X-%02X-%02X", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

int rad_mac_parse(const uint8_t *s, size_t len, uint8_t mac[6])
{
	unsigned int nd = 0;
	uint8_t digits[12];

	for (size_t i = 0; i < len; i++) {
		int h = hex_digit((char)s[i]);

		if (h >= 0) {
			if (nd == 12)
				return -EINVAL;
			digits[nd++] = h;
		} else if (s[i] != '-' && s[i] != ':' && s[i] != '.') {
			return -EINVAL;
		}
	}
	if (nd != 12)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = digits[2 * i] << 4 | digits[2 * i + 1];
	return 0;
}

static void copy_text(char *dst, size_t size, const uint8_t *val, size_t vlen, bool *bad)
{
	if (!vlen || vlen >= size || memchr(val, '\0', vlen)) {
		*bad = true;
		return;
	}
	memcpy(dst, val, vlen);
	dst[vlen] = '\0';
}

/* RFC 5176 3.5: what gate511 acts on; anything else is "unsupported". */
/* What a CoA's Vendor-Specific attributes ask, before precedence. */
struct dae_vsa {
	bool wispr_up, wispr_down, chilli_up, chilli_down, octets, giga;
	uint32_t v_wispr_up, v_wispr_down, v_chilli_up, v_chilli_down, v_octets, v_giga;
};

static void dae_vsa_one(const uint8_t *val, size_t vlen, struct dae_vsa *x,
			struct rad_dae_req *out)
{
	uint32_t vendor;
	size_t s;

	if (vlen < 4 + 2) {
		out->malformed = true;
		return;
	}
	vendor = get32(val);
	for (s = 4; s < vlen; s += val[s + 1]) {
		const uint8_t *sv = val + s + 2;
		bool *has = NULL;
		uint32_t *dst = NULL;

		if (s + 2 > vlen || val[s + 1] < 2 || s + val[s + 1] > vlen) {
			out->malformed = true;
			return;
		}
		if (vendor == RAD_VENDOR_WISPR && val[s] == RAD_WISPR_BW_MAX_UP)
			has = &x->wispr_up, dst = &x->v_wispr_up;
		else if (vendor == RAD_VENDOR_WISPR && val[s] == RAD_WISPR_BW_MAX_DOWN)
			has = &x->wispr_down, dst = &x->v_wispr_down;
		else if (vendor == RAD_VENDOR_CHILLI && val[s] == RAD_CHILLI_BW_MAX_UP)
			has = &x->chilli_up, dst = &x->v_chilli_up;
		else if (vendor == RAD_VENDOR_CHILLI && val[s] == RAD_CHILLI_BW_MAX_DOWN)
			has = &x->chilli_down, dst = &x->v_chilli_down;
		else if (vendor == RAD_VENDOR_CHILLI && val[s] == RAD_CHILLI_MAX_TOTAL_OCTETS)
			has = &x->octets, dst = &x->v_octets;
		else if (vendor == RAD_VENDOR_CHILLI && val[s] == RAD_CHILLI_MAX_TOTAL_GIGAWORDS)
			has = &x->giga, dst = &x->v_giga;
		if (!has) {
			if (!out->unsupported)
				out->unsupported = RAD_VENDOR_SPECIFIC;
			continue;
		}
		if (val[s + 1] != 6) {
			out->malformed = true;
			return;
		}
		*has = true;
		*dst = get32(sv);
	}
}

static void dae_vsa_apply(const struct dae_vsa *x, struct rad_dae_req *out)
{
	if (x->wispr_up || x->chilli_up) {
		out->has_rate_up = true;
		out->rate_up_bps = x->wispr_up ? x->v_wispr_up : (uint64_t)x->v_chilli_up * 1000;
	}
	if (x->wispr_down || x->chilli_down) {
		out->has_rate_down = true;
		out->rate_down_bps = x->wispr_down ? x->v_wispr_down :
						     (uint64_t)x->v_chilli_down * 1000;
	}
	if (x->octets || x->giga) {
		out->has_quota = true;
		out->quota_bytes = (uint64_t)x->v_giga << 32 | x->v_octets;
	}
}

void rad_dae_read(const struct rad_view *v, struct rad_dae_req *out)
{
	struct dae_vsa x;
	const uint8_t *val;
	size_t off = 0, vlen;
	uint8_t t;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	while (rad_next(v, &off, &t, &val, &vlen)) {
		switch (t) {
		case RAD_VENDOR_SPECIFIC:
			dae_vsa_one(val, vlen, &x, out);
			break;
		case RAD_ACCT_SESSION_ID:
			copy_text(out->acct_session_id, sizeof(out->acct_session_id), val, vlen,
				  &out->malformed);
			out->has_session_id = true;
			break;
		case RAD_USER_NAME:
			copy_text(out->user, sizeof(out->user), val, vlen, &out->malformed);
			out->has_user = true;
			break;
		case RAD_FRAMED_IP_ADDRESS:
			if (vlen != 4)
				out->malformed = true;
			else
				memcpy(out->ipv4, val, 4);
			out->has_ipv4 = true;
			break;
		case RAD_FRAMED_IPV6_ADDRESS:
			if (vlen != 16)
				out->malformed = true;
			else
				memcpy(out->ipv6, val, 16);
			out->has_ipv6 = true;
			break;
		case RAD_CALLING_STATION_ID:
			if (rad_mac_parse(val, vlen, out->mac))
				out->malformed = true;
			out->has_mac = true;
			break;
		case RAD_NAS_IDENTIFIER:
			copy_text(out->nas_id, sizeof(out->nas_id), val, vlen, &out->malformed);
			out->has_nas_id = true;
			break;
		case RAD_NAS_IP_ADDRESS:
			if (vlen != 4)
				out->malformed = true;
			else
				memcpy(out->nas_ip, val, 4);
			out->has_nas_ip = true;
			break;
		case RAD_NAS_IPV6_ADDRESS:
			if (vlen != 16)
				out->malformed = true;
			else
				memcpy(out->nas_ipv6, val, 16);
			out->has_nas_ipv6 = true;
			break;
		case RAD_EVENT_TIMESTAMP:
			if (vlen != 4)
				out->malformed = true;
			else
				out->event_ts = get32(val);
			out->has_event_ts = true;
			break;
		case RAD_SESSION_TIMEOUT:
			if (vlen != 4)
				out->malformed = true;
			else
				out->ttl_s = get32(val);
			out->has_ttl = true;
			break;
		case RAD_IDLE_TIMEOUT:
			if (vlen != 4)
				out->malformed = true;
			else
				out->idle_s = get32(val);
			out->has_idle = true;
			break;
		case RAD_MESSAGE_AUTHENTICATOR:
		case RAD_PROXY_STATE:	/* echoed by the caller, not acted on */
		case RAD_CLASS:
		case RAD_REPLY_MESSAGE:
			break;
		default:
			if (!out->unsupported)
				out->unsupported = t;
			break;
		}
	}
	dae_vsa_apply(&x, out);
}
