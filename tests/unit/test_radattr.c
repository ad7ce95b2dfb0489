// SPDX-License-Identifier: GPL-2.0
/*
 * test_radattr.c - user/lib/radattr.c: the User-Password of RFC 2865's
 * example 7.1; a CoA-Request and its CoA-ACK computed by an independent
 * implementation (Python hashlib/hmac) verified byte for byte, and signed
 * to the same bytes; what a verifier refuses (a flipped bit anywhere, the
 * wrong secret, no Message-Authenticator, two of them, a reply to another
 * request); malformed packets; the Accept and CoA/Disconnect mappings.
 */
#include <errno.h>
#include <string.h>
#include "test.h"
#include <gnutls/crypto.h>
#include "radattr.h"

static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = 0;

	for (; h[0] && h[1]; h += 2) {
		unsigned int b;

		sscanf(h, "%2x", &b);
		out[n++] = b;
	}
	return n;
}

#define SECRET "testing123"
#define SLEN (sizeof(SECRET) - 1)

static const char coa_hex[] =
	"2b070037af52b42b504b119c788207e38c3505762c05732d311b060000025837066553f100"
	"5012afe21178b70005f58cec0b02846016f9";
static const char ack_hex[] =
	"2c07002657a7ced505af4177f71150dfaefe31935012f85955cf1bed574e56c2bd510770cf3f";

static bool pap_rfc2865(void)
{
	static const uint8_t want[16] = { 0x0d, 0xbe, 0x70, 0x8d, 0x93, 0xd4, 0x13, 0xce,
					  0x31, 0x96, 0xe4, 0x3f, 0x78, 0x2a, 0x0a, 0xee };
	uint8_t auth[16];
	struct rad_packet p;
	struct rad_view v;
	const uint8_t *pw;
	size_t n;
	bool ok = true;

	unhex("0f403f9473978057bd83d5cb98f4227a", auth);
	rad_init(&p, RAD_ACCESS_REQUEST, 0, auth);
	ok &= ASSERT_EQ(rad_add_str(&p, RAD_USER_NAME, "nemo"), 0, "user");
	ok &= ASSERT_EQ(rad_add_password(&p, "arctangent", "xyzzy5461", 9), 0, "password");
	ok &= ASSERT_EQ(rad_sign(&p, NULL, "xyzzy5461", 9), 0, "sign");
	ok &= ASSERT_EQ(rad_parse(p.buf, p.len, &v), 0, "parse");
	pw = rad_find(&v, RAD_USER_PASSWORD, &n);
	ok &= ASSERT_TRUE(pw && n == 16, "16 octets");
	ok &= ASSERT_MEMEQ(pw, want, 16, "RFC 2865 7.1 User-Password");
	ok &= ASSERT_MEMEQ(p.buf + 4, auth, 16, "Access-Request keeps its authenticator");
	ok &= ASSERT_EQ(rad_count(&v, RAD_MESSAGE_AUTHENTICATOR), 1, "signed with an MA");
	ok &= ASSERT_EQ(rad_add_password(&p, "x0123456789abcdef0123456789abcdef0123456789abcdef"
					 "0123456789abcdef0123456789abcdef0123456789abcdef"
					 "0123456789abcdef0123456789abcdef", "s", 1), -EINVAL,
			"longer than 128");
	return ok;
}

static bool coa_vector(void)
{
	uint8_t coa[256], ack[256];
	size_t coa_len = unhex(coa_hex, coa), ack_len = unhex(ack_hex, ack);
	struct rad_dae_req r;
	struct rad_packet p;
	struct rad_view v, a;
	bool ok = true;

	ok &= ASSERT_EQ(rad_parse(coa, coa_len, &v), 0, "parse");
	ok &= ASSERT_EQ(rad_verify_request(&v, SECRET, SLEN), 0, "genuine CoA");
	ok &= ASSERT_EQ(rad_verify_request(&v, "testing124", SLEN), -EACCES, "wrong secret");
	rad_dae_read(&v, &r);
	ok &= ASSERT_TRUE(r.has_session_id && !strcmp(r.acct_session_id, "s-1"), "session id");
	ok &= ASSERT_TRUE(r.has_ttl && r.ttl_s == 600, "Session-Timeout");
	ok &= ASSERT_TRUE(r.has_event_ts && r.event_ts == 1700000000, "Event-Timestamp");
	ok &= ASSERT_EQ(r.unsupported, 0, "nothing unsupported");
	ok &= ASSERT_TRUE(!r.malformed, "well formed");

	/* sign the same CoA: the same bytes */
	rad_init(&p, RAD_COA_REQUEST, 7, NULL);
	rad_add_str(&p, RAD_ACCT_SESSION_ID, "s-1");
	rad_add_u32(&p, RAD_SESSION_TIMEOUT, 600);
	rad_add_u32(&p, RAD_EVENT_TIMESTAMP, 1700000000);
	ok &= ASSERT_EQ(rad_sign(&p, NULL, SECRET, SLEN), 0, "sign request");
	ok &= ASSERT_EQ(p.len, coa_len, "length");
	ok &= ASSERT_MEMEQ(p.buf, coa, coa_len, "CoA bytes as Python's");

	/* the ACK */
	rad_init(&p, RAD_COA_ACK, 7, NULL);
	ok &= ASSERT_EQ(rad_sign(&p, coa + 4, SECRET, SLEN), 0, "sign reply");
	ok &= ASSERT_MEMEQ(p.buf, ack, ack_len, "ACK bytes as Python's");
	ok &= ASSERT_EQ(rad_parse(ack, ack_len, &a), 0, "parse ack");
	ok &= ASSERT_EQ(rad_verify_reply(&a, coa + 4, SECRET, SLEN), 0, "genuine reply");
	ok &= ASSERT_EQ(rad_verify_reply(&a, ack + 4, SECRET, SLEN), -EACCES,
			"reply to another request");
	return ok;
}

/* Every single bit flipped is refused (or not a packet at all). */
static bool bit_flips(void)
{
	uint8_t coa[256], ack[256], m[256];
	size_t coa_len = unhex(coa_hex, coa), ack_len = unhex(ack_hex, ack);
	struct rad_view v;
	bool ok = true;

	for (size_t i = 0; i < coa_len * 8; i++) {
		memcpy(m, coa, coa_len);
		m[i / 8] ^= 1 << (i % 8);
		if (rad_parse(m, coa_len, &v) == 0 && rad_verify_request(&v, SECRET, SLEN) == 0) {
			fprintf(stderr, "  CoA bit %zu flipped still verifies\n", i);
			ok = false;
		}
	}
	for (size_t i = 0; i < ack_len * 8; i++) {
		memcpy(m, ack, ack_len);
		m[i / 8] ^= 1 << (i % 8);
		if (rad_parse(m, ack_len, &v) == 0 &&
		    rad_verify_reply(&v, coa + 4, SECRET, SLEN) == 0) {
			fprintf(stderr, "  ACK bit %zu flipped still verifies\n", i);
			ok = false;
		}
	}
	return ok;
}

/* A reply without a Message-Authenticator is refused even when its MD5
 * response authenticator is right (BLASTRADIUS). */
static bool ma_required(void)
{
	uint8_t req_auth[16] = { 1, 2, 3 }, sum[16];
	struct rad_packet p;
	struct rad_view v;
	bool ok = true;

	rad_init(&p, RAD_ACCESS_ACCEPT, 9, req_auth);
	rad_add_u32(&p, RAD_SESSION_TIMEOUT, 60);
	ok &= ASSERT_EQ(rad_parse(p.buf, p.len, &v), 0, "parse");
	ok &= ASSERT_EQ(rad_verify_reply(&v, req_auth, SECRET, SLEN), -EBADMSG, "no MA");
	/* two MAs */
	rad_init(&p, RAD_ACCESS_ACCEPT, 9, req_auth);
	memset(sum, 0, sizeof(sum));
	rad_add(&p, RAD_MESSAGE_AUTHENTICATOR, sum, 16);
	rad_sign(&p, req_auth, SECRET, SLEN);
	ok &= ASSERT_EQ(rad_parse(p.buf, p.len, &v), 0, "parse");
	ok &= ASSERT_EQ(rad_verify_reply(&v, req_auth, SECRET, SLEN), -EBADMSG, "two MAs");
	/* a 4-octet MA */
	rad_init(&p, RAD_ACCESS_ACCEPT, 9, req_auth);
	rad_add(&p, RAD_MESSAGE_AUTHENTICATOR, sum, 4);
	ok &= ASSERT_EQ(rad_parse(p.buf, p.len, &v), 0, "parse");
	ok &= ASSERT_EQ(rad_verify_reply(&v, req_auth, SECRET, SLEN), -EBADMSG, "short MA");
	/* an Access-Accept is not a request */
	ok &= ASSERT_EQ(rad_verify_request(&v, SECRET, SLEN), -EBADMSG, "not a request");
	return ok;
}

/* An Accounting-Response signed as FreeRADIUS does (MA over a zero
 * authenticator) and as RFC 3579 reads for other replies: both verify;
 * the response authenticator is the request's either way. */
static bool acct_response_forms(void)
{
	uint8_t req_auth[16] = { 9, 8, 7 }, zero[16] = { 0 };
	struct rad_packet p;
	struct rad_view v;
	bool ok = true;

	rad_init(&p, RAD_ACCT_RESPONSE, 3, NULL);
	ok &= ASSERT_EQ(rad_sign(&p, req_auth, SECRET, SLEN), 0, "sign");
	ok &= ASSERT_EQ(rad_parse(p.buf, p.len, &v), 0, "parse");
	ok &= ASSERT_EQ(rad_verify_reply(&v, req_auth, SECRET, SLEN), 0, "RFC form");
	/* the FreeRADIUS form: MA over zeros, then the MD5 over req_auth */
	{
		struct rad_packet q;
		uint8_t copy[64];

		rad_init(&q, RAD_ACCT_RESPONSE, 3, NULL);
		rad_sign(&q, zero, SECRET, SLEN);	/* MA over zeros (and MD5 over zeros) */
		memcpy(copy, q.buf, q.len);
		memcpy(copy + 4, req_auth, 16);		/* MD5 again over req_auth */
		{
			gnutls_hash_hd_t h;

			gnutls_hash_init(&h, GNUTLS_DIG_MD5);
			gnutls_hash(h, copy, q.len);
			gnutls_hash(h, SECRET, SLEN);
			gnutls_hash_deinit(h, copy + 4);
		}
		ok &= ASSERT_EQ(rad_parse(copy, q.len, &v), 0, "parse");
		ok &= ASSERT_EQ(rad_verify_reply(&v, req_auth, SECRET, SLEN), 0, "FreeRADIUS form");
		ok &= ASSERT_EQ(rad_verify_reply(&v, zero, SECRET, SLEN), -EACCES,
				"MD5 over another request");
	}
	return ok;
}

static bool malformed(void)
{
	static const struct {
		const char *name, *hex;
	} cases[] = {
		{ "short header", "2b0700" },
		{ "length below 20", "2b0700130000000000000000000000000000000000" },
		{ "length past the buffer", "2b0700ff00000000000000000000000000000000" },
		{ "attribute length 0", "2b0700160000000000000000000000000000000001 00" },
		{ "attribute length 1", "2b070016000000000000000000000000000000000101" },
		{ "attribute runs over", "2b070017000000000000000000000000000000000105ab" },
	};
	uint8_t b[64];
	struct rad_view v;
	bool ok = true;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char h[128];
		size_t k = 0;

		for (const char *s = cases[i].hex; *s; s++)
			if (*s != ' ')
				h[k++] = *s;
		h[k] = '\0';
		ok &= ASSERT_EQ(rad_parse(b, unhex(h, b), &v), -EBADMSG, cases[i].name);
	}
	/* trailing octets past Length are ignored */
	rad_parse(b, unhex("2b0700140000000000000000000000000000000000ff", b), &v);
	ok &= ASSERT_EQ(rad_parse(b, 22, &v), 0, "padding after Length");
	ok &= ASSERT_EQ(v.len, 20, "length from the header");
	return ok;
}

static bool accept_mapping(void)
{
	struct rad_packet p;
	struct rad_accept a;
	struct rad_view v;
	bool ok = true;

	rad_init(&p, RAD_ACCESS_ACCEPT, 1, NULL);
	rad_add_u32(&p, RAD_SESSION_TIMEOUT, 3600);
	rad_add_u32(&p, RAD_IDLE_TIMEOUT, 300);
	rad_add_u32(&p, RAD_ACCT_INTERIM_INTERVAL, 60);
	rad_add(&p, RAD_CLASS, "\x00gold\xff", 6);
	rad_add_vsa_u32(&p, RAD_VENDOR_WISPR, RAD_WISPR_BW_MAX_UP, 1000000);
	rad_add_vsa_u32(&p, RAD_VENDOR_CHILLI, RAD_CHILLI_BW_MAX_DOWN, 4000);
	rad_add_vsa_u32(&p, RAD_VENDOR_CHILLI, RAD_CHILLI_MAX_TOTAL_OCTETS, 5);
	rad_add_vsa_u32(&p, RAD_VENDOR_CHILLI, RAD_CHILLI_MAX_TOTAL_GIGAWORDS, 1);
	rad_add_str(&p, RAD_REPLY_MESSAGE, "Welcome,\n");
	rad_add_str(&p, RAD_REPLY_MESSAGE, "nemo");
	ok &= ASSERT_EQ(rad_parse(p.buf, p.len, &v), 0, "parse");
	rad_accept_read(&v, &a);
	ok &= ASSERT_EQ(a.ttl_s, 3600, "ttl");
	ok &= ASSERT_EQ(a.idle_s, 300, "idle");
	ok &= ASSERT_EQ(a.interim_s, 60, "interim");
	ok &= ASSERT_TRUE(a.class_len == 6 && !memcmp(a.class, "\x00gold\xff", 6), "class opaque");
	ok &= ASSERT_EQ(a.rate_up_bps, 1000000, "WISPr bit/s");
	ok &= ASSERT_EQ(a.rate_down_bps, 4000000, "ChilliSpot kbit/s");
	ok &= ASSERT_EQ(a.quota_bytes, (1ULL << 32) + 5, "octets + gigawords");
	ok &= ASSERT_STREQ(a.reply_msg, "Welcome, nemo", "messages joined, control dropped");
	return ok;
}

static bool dae_mapping(void)
{
	static const uint8_t ip[4] = { 10, 0, 0, 5 }, mac[6] = { 0x02, 0, 0, 0, 0, 0xab };
	struct rad_dae_req r;
	struct rad_packet p;
	struct rad_view v;
	char s[18];
	uint8_t m[6];
	bool ok = true;

	rad_mac_format(mac, s);
	ok &= ASSERT_STREQ(s, "02-00-00-00-00-AB", "RFC 3580 form");
	ok &= ASSERT_EQ(rad_mac_parse((const uint8_t *)"02:00:00:00:00:ab", 17, m), 0, "colons");
	ok &= ASSERT_MEMEQ(m, mac, 6, "parsed");
	ok &= ASSERT_EQ(rad_mac_parse((const uint8_t *)"0200.0000.00ab", 14, m), 0, "dots");
	ok &= ASSERT_EQ(rad_mac_parse((const uint8_t *)"02-00-00-00-00", 14, m), -EINVAL, "short");
	ok &= ASSERT_EQ(rad_mac_parse((const uint8_t *)"02-00-00-00-00-ab-cd", 20, m), -EINVAL,
			"long");

	rad_init(&p, RAD_DISCONNECT_REQUEST, 1, NULL);
	rad_add(&p, RAD_FRAMED_IP_ADDRESS, ip, 4);
	rad_add_str(&p, RAD_CALLING_STATION_ID, s);
	rad_add_str(&p, RAD_USER_NAME, "nemo");
	rad_add_str(&p, RAD_NAS_IDENTIFIER, "gw-7");
	rad_add_u32(&p, RAD_ACCT_TERMINATE_CAUSE, 6);
	rad_add_u32(&p, RAD_IDLE_TIMEOUT, 5);
	ok &= ASSERT_EQ(rad_parse(p.buf, p.len, &v), 0, "parse");
	rad_dae_read(&v, &r);
	ok &= ASSERT_TRUE(r.has_ipv4 && !memcmp(r.ipv4, ip, 4), "Framed-IP");
	ok &= ASSERT_TRUE(r.has_mac && !memcmp(r.mac, mac, 6), "Calling-Station-Id");
	ok &= ASSERT_TRUE(r.has_user && !strcmp(r.user, "nemo"), "User-Name");
	ok &= ASSERT_TRUE(r.has_nas_id && !strcmp(r.nas_id, "gw-7"), "NAS-Identifier");
	ok &= ASSERT_TRUE(r.has_idle && r.idle_s == 5, "Idle-Timeout");
	ok &= ASSERT_EQ(r.unsupported, RAD_ACCT_TERMINATE_CAUSE, "first unsupported");
	ok &= ASSERT_TRUE(!r.has_session_id && !r.malformed, "no session id, well formed");

	rad_init(&p, RAD_DISCONNECT_REQUEST, 1, NULL);
	rad_add(&p, RAD_FRAMED_IP_ADDRESS, ip, 3);
	ok &= ASSERT_EQ(rad_parse(p.buf, p.len, &v), 0, "parse");
	rad_dae_read(&v, &r);
	ok &= ASSERT_TRUE(r.malformed, "3-octet address");
	return ok;
}

static bool dae_rates_quota(void)
{
	struct rad_dae_req r;
	struct rad_packet p;
	struct rad_view v;
	bool ok = true;

	/* WISPr wins over ChilliSpot; ChilliSpot kbit/s; octets + gigawords */
	rad_init(&p, RAD_COA_REQUEST, 1, NULL);
	rad_add_str(&p, RAD_ACCT_SESSION_ID, "s1");
	rad_add_vsa_u32(&p, RAD_VENDOR_CHILLI, RAD_CHILLI_BW_MAX_UP, 7);
	rad_add_vsa_u32(&p, RAD_VENDOR_WISPR, RAD_WISPR_BW_MAX_UP, 10000000);
	rad_add_vsa_u32(&p, RAD_VENDOR_CHILLI, RAD_CHILLI_BW_MAX_DOWN, 2000);
	rad_add_vsa_u32(&p, RAD_VENDOR_CHILLI, RAD_CHILLI_MAX_TOTAL_OCTETS, 5);
	rad_add_vsa_u32(&p, RAD_VENDOR_CHILLI, RAD_CHILLI_MAX_TOTAL_GIGAWORDS, 1);
	ok &= ASSERT_EQ(rad_parse(p.buf, p.len, &v), 0, "parse");
	rad_dae_read(&v, &r);
	ok &= ASSERT_TRUE(r.has_rate_up && r.rate_up_bps == 10000000, "WISPr up wins");
	ok &= ASSERT_TRUE(r.has_rate_down && r.rate_down_bps == 2000000, "ChilliSpot kbit/s");
	ok &= ASSERT_TRUE(r.has_quota && r.quota_bytes == (1ULL << 32) + 5, "quota");
	ok &= ASSERT_TRUE(!r.unsupported && !r.malformed, "all understood");

	/* 0 = no limit, still a change asked */
	rad_init(&p, RAD_COA_REQUEST, 1, NULL);
	rad_add_str(&p, RAD_ACCT_SESSION_ID, "s1");
	rad_add_vsa_u32(&p, RAD_VENDOR_WISPR, RAD_WISPR_BW_MAX_DOWN, 0);
	ok &= ASSERT_EQ(rad_parse(p.buf, p.len, &v), 0, "parse");
	rad_dae_read(&v, &r);
	ok &= ASSERT_TRUE(r.has_rate_down && !r.rate_down_bps && !r.has_rate_up, "down 0");

	/* another vendor, or a sub-type not known: unsupported (26) */
	rad_init(&p, RAD_COA_REQUEST, 1, NULL);
	rad_add_str(&p, RAD_ACCT_SESSION_ID, "s1");
	rad_add_vsa_u32(&p, RAD_VENDOR_WISPR, RAD_WISPR_BW_MAX_UP, 1000);
	rad_add_vsa_u32(&p, 9, 1, 1);
	ok &= ASSERT_EQ(rad_parse(p.buf, p.len, &v), 0, "parse");
	rad_dae_read(&v, &r);
	ok &= ASSERT_EQ(r.unsupported, RAD_VENDOR_SPECIFIC, "Cisco: unsupported");
	rad_init(&p, RAD_COA_REQUEST, 1, NULL);
	rad_add_vsa_u32(&p, RAD_VENDOR_CHILLI, 99, 1);
	ok &= ASSERT_EQ(rad_parse(p.buf, p.len, &v), 0, "parse");
	rad_dae_read(&v, &r);
	ok &= ASSERT_EQ(r.unsupported, RAD_VENDOR_SPECIFIC, "unknown ChilliSpot type");

	/* a sub-attribute of the wrong size, one that runs over: malformed */
	{
		static const uint8_t bad[] = { 0, 0, 0x37, 0x2a, 7, 5, 1, 2, 3 };
		static const uint8_t over[] = { 0, 0, 0x37, 0x2a, 7, 9, 1, 2, 3, 4 };

		rad_init(&p, RAD_COA_REQUEST, 1, NULL);
		rad_add(&p, RAD_VENDOR_SPECIFIC, bad, sizeof(bad));
		ok &= ASSERT_EQ(rad_parse(p.buf, p.len, &v), 0, "parse");
		rad_dae_read(&v, &r);
		ok &= ASSERT_TRUE(r.malformed && !r.has_rate_up, "5-octet WISPr");
		rad_init(&p, RAD_COA_REQUEST, 1, NULL);
		rad_add(&p, RAD_VENDOR_SPECIFIC, over, sizeof(over));
		ok &= ASSERT_EQ(rad_parse(p.buf, p.len, &v), 0, "parse");
		rad_dae_read(&v, &r);
		ok &= ASSERT_TRUE(r.malformed, "sub-attribute runs over");
	}
	return ok;
}

int main(void)
{
	RUN_CASE(pap_rfc2865);
	RUN_CASE(coa_vector);
	RUN_CASE(bit_flips);
	RUN_CASE(ma_required);
	RUN_CASE(acct_response_forms);
	RUN_CASE(malformed);
	RUN_CASE(accept_mapping);
	RUN_CASE(dae_mapping);
	RUN_CASE(dae_rates_quota);
	return test_summary();
}
