// SPDX-License-Identifier: GPL-2.0
/*
 * test_macauth.c - the MAC-authentication rate limit (macauth_tab.c): one
 * request per MAC per interval, nothing while one is pending, a reject
 * cached for its time, the global cap of pending requests, a full probe
 * window (new MACs suppressed, never a cached reject evicted), the
 * User-Name format, the sender of a frame; and the POST /v1/login body (api_req.c).
 */
#include <errno.h>
#include "test.h"
#include "api_req.h"
#include "macauth_tab.h"

static const uint8_t key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static struct macauth_tab t;

static void mac_of(unsigned int i, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x58;
	mac[2] = i >> 24;
	mac[3] = i >> 16;
	mac[4] = i >> 8;
	mac[5] = i;
}

static bool one_mac(void)
{
	uint8_t m[6];
	bool ok = true;

	mac_of(1, m);
	macauth_tab_init(&t, key, 30000, 300000, 4);
	ok &= ASSERT_EQ(macauth_admit(&t, m, 1000), MACAUTH_SEND, "first sighting");
	ok &= ASSERT_EQ(macauth_admit(&t, m, 1001), MACAUTH_PENDING, "while pending");
	ok &= ASSERT_EQ(t.n_pending, 1, "one pending");
	macauth_done(&t, m, MACAUTH_NO_ANSWER, 5000);
	ok &= ASSERT_EQ(t.n_pending, 0, "none pending");
	ok &= ASSERT_EQ(macauth_admit(&t, m, 5000 + 29999), MACAUTH_RECENT, "within the interval");
	ok &= ASSERT_EQ(macauth_admit(&t, m, 5000 + 30000), MACAUTH_SEND, "after it");
	macauth_done(&t, m, MACAUTH_ACCEPTED, 40000);
	ok &= ASSERT_EQ(macauth_admit(&t, m, 40000 + 30000), MACAUTH_SEND, "accepted: again later");
	macauth_done(&t, m, MACAUTH_ACCEPTED, 40000);	/* not pending? it is: fine */
	macauth_done(&t, m, MACAUTH_ACCEPTED, 40000);	/* twice: ignored */
	ok &= ASSERT_EQ(t.n_pending, 0, "a second done does not underflow");
	return ok;
}

static bool reject_cache(void)
{
	uint8_t m[6];
	bool ok = true;

	mac_of(2, m);
	macauth_tab_init(&t, key, 30000, 300000, 4);
	ok &= ASSERT_EQ(macauth_admit(&t, m, 0), MACAUTH_SEND, "first");
	macauth_done(&t, m, MACAUTH_REJECT, 100);
	for (unsigned int i = 0; i < 50; i++)
		ok &= ASSERT_EQ(macauth_admit(&t, m, 100 + i * 1000), MACAUTH_REJECTED, "cached");
	ok &= ASSERT_EQ(macauth_admit(&t, m, 100 + 299999), MACAUTH_REJECTED, "until the end");
	ok &= ASSERT_EQ(macauth_admit(&t, m, 100 + 300000), MACAUTH_SEND, "then asked again");
	return ok;
}

static bool global_cap(void)
{
	uint8_t m[6];
	bool ok = true;
	unsigned int i;

	macauth_tab_init(&t, key, 30000, 300000, 4);
	for (i = 0; i < 4; i++) {
		mac_of(100 + i, m);
		ok &= ASSERT_EQ(macauth_admit(&t, m, 0), MACAUTH_SEND, "under the cap");
	}
	mac_of(200, m);
	ok &= ASSERT_EQ(macauth_admit(&t, m, 0), MACAUTH_BUSY, "over the cap");
	mac_of(101, m);
	macauth_done(&t, m, MACAUTH_ACCEPTED, 10);
	mac_of(200, m);
	ok &= ASSERT_EQ(macauth_admit(&t, m, 11), MACAUTH_SEND, "a slot freed");
	ok &= ASSERT_EQ(t.n_pending, 4, "still at the cap");
	return ok;
}

static bool full_window(void)
{
	uint8_t m[6];
	unsigned int i, sent = 0, busy = 0, rejected_kept = 0;
	bool ok = true;

	/* every slot a cached reject: new MACs are suppressed, none evicts one */
	macauth_tab_init(&t, key, 30000, 300000, 1u << 30);
	for (i = 0; i < 20 * MACAUTH_SLOTS; i++) {
		mac_of(i, m);
		if (macauth_admit(&t, m, 0) == MACAUTH_SEND) {
			sent++;
			macauth_done(&t, m, MACAUTH_REJECT, 0);
		}
	}
	ok &= ASSERT_TRUE(sent <= MACAUTH_SLOTS, "at most one entry per slot");
	for (i = 0; i < MACAUTH_SLOTS; i++)
		if (t.ent[i].used && t.ent[i].reject_until_ms)
			rejected_kept++;
	ok &= ASSERT_EQ(rejected_kept, sent, "every reject kept");
	for (i = 20 * MACAUTH_SLOTS; i < 21 * MACAUTH_SLOTS; i++) {
		mac_of(i, m);
		if (macauth_admit(&t, m, 1000) == MACAUTH_BUSY)
			busy++;
	}
	ok &= ASSERT_TRUE(busy > MACAUTH_SLOTS / 2, "new MACs suppressed while the rejects last");
	/* after the cache time the old entries make room again */
	mac_of(99999999, m);
	ok &= ASSERT_EQ(macauth_admit(&t, m, 300001), MACAUTH_SEND, "room after the rejects end");
	return ok;
}

static bool user_name(void)
{
	const uint8_t m[6] = { 0xaa, 0xBB, 0x0c, 0xdd, 0xee, 0x0f };
	char s[18];

	macauth_user(m, s);
	return ASSERT_STREQ(s, "aa-bb-0c-dd-ee-0f", "lower case, dashes");
}

static bool frame_src(void)
{
	uint8_t f[128] = { 0 }, mac[6];
	struct g511_addr ip;
	bool has_ip, ok = true;

	/* IPv4 behind two tags */
	memcpy(f + 6, "\x02\x58\x00\x00\x00\x0a", 6);
	memcpy(f + 12, "\x88\xa8\x00\x05\x81\x00\x00\x07\x08\x00", 10);
	f[22] = 0x45;
	memcpy(f + 22 + 12, "\x0a\x33\x00\x1e", 4);
	ok &= ASSERT_TRUE(macauth_frame_src(f, 22 + 20, mac, &ip, &has_ip), "v4: a MAC");
	ok &= ASSERT_MEMEQ(mac, "\x02\x58\x00\x00\x00\x0a", 6, "v4: the source MAC");
	ok &= ASSERT_TRUE(has_ip && addr_is_v4(&ip) && !memcmp(ip.addr + 12, "\x0a\x33\x00\x1e", 4),
			  "v4: the source address");
	ok &= ASSERT_TRUE(macauth_frame_src(f, 22 + 19, mac, &ip, &has_ip) && !has_ip,
			  "v4 cut short: the MAC only");
	/* three tags: the MAC, no address */
	memcpy(f + 12, "\x81\x00\x00\x01\x81\x00\x00\x02\x81\x00\x00\x03\x08\x00", 14);
	ok &= ASSERT_TRUE(macauth_frame_src(f, 100, mac, &ip, &has_ip) && !has_ip, "3 tags");
	/* IPv6, untagged */
	memset(f + 12, 0, 60);
	memcpy(f + 12, "\x86\xdd", 2);
	f[14] = 0x60;
	memcpy(f + 14 + 8, "\xfd\x51\0\0\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
	ok &= ASSERT_TRUE(macauth_frame_src(f, 14 + 40, mac, &ip, &has_ip) && has_ip &&
			  ip.addr[0] == 0xfd && ip.addr[15] == 2, "v6: the source address");
	ok &= ASSERT_TRUE(!macauth_frame_src(f, 13, mac, &ip, &has_ip), "runt: nothing");
	return ok;
}

static bool login_body(void)
{
	static const struct {
		const char *body;
		int ret;
	} cases[] = {
		{ "{\"client\": \"10.0.0.5\", \"username\": \"alice\", \"password\": \"pw\"}", 0 },
		{ "{\"client\": \"02:00:00:00:00:05\", \"username\": \"a\", \"password\": \"p\"}", 0 },
		{ "{\"client\": \"10.0.0.5\", \"username\": \"alice\"}", -EINVAL },
		{ "{\"client\": \"10.0.0.5\", \"password\": \"pw\"}", -EINVAL },
		{ "{\"username\": \"alice\", \"password\": \"pw\"}", -EINVAL },
		{ "{\"client\": \"bogus\", \"username\": \"alice\", \"password\": \"pw\"}", -EINVAL },
		{ "{\"client\": \"10.0.0.5\", \"username\": \"\", \"password\": \"pw\"}", -EINVAL },
		{ "{\"client\": \"10.0.0.5\", \"username\": \"a\", \"password\": \"\"}", -EINVAL },
		{ "{\"client\": \"10.0.0.5\", \"username\": 5, \"password\": \"pw\"}", -EINVAL },
		{ "{\"client\": \"10.0.0.5\", \"username\": \"a\", \"password\": null}", -EINVAL },
		{ "{\"client\": \"10.0.0.5\", \"username\": \"a\\u0001\", \"password\": \"p\"}", -EINVAL },
		{ "{\"client\": \"10.0.0.5\", \"username\": \"a\", \"password\": \"p\", \"ttl\": 1}", -EINVAL },
		{ "{\"client\": \"10.0.0.5\", \"username\": \"a\", \"password\": \"p\"", -EINVAL },
		{ "[]", -EINVAL },
	};
	struct api_login_req r;
	char err[256], big[400];
	bool ok = true;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int e = api_login_req_parse(cases[i].body, strlen(cases[i].body), &r, err,
					    sizeof(err));

		if (!ASSERT_EQ(e, cases[i].ret, cases[i].body))
			ok = false;
		if (e && !ASSERT_TRUE(err[0] != '\0', "an error sentence"))
			ok = false;
		if (e && !ASSERT_TRUE(!r.password[0], "no password kept on error"))
			ok = false;
	}
	api_login_req_parse(cases[0].body, strlen(cases[0].body), &r, err, sizeof(err));
	ok &= ASSERT_STREQ(r.user, "alice", "user");
	ok &= ASSERT_STREQ(r.password, "pw", "password");
	/* 128 bytes of password: fine; 129: refused, and not echoed */
	snprintf(big, sizeof(big), "{\"client\": \"10.0.0.5\", \"username\": \"a\", "
		 "\"password\": \"%0128d\"}", 0);
	ok &= ASSERT_EQ(api_login_req_parse(big, strlen(big), &r, err, sizeof(err)), 0, "128");
	snprintf(big, sizeof(big), "{\"client\": \"10.0.0.5\", \"username\": \"a\", "
		 "\"password\": \"s3cr3t%0123d\"}", 0);
	ok &= ASSERT_EQ(api_login_req_parse(big, strlen(big), &r, err, sizeof(err)), -EINVAL,
			"129");
	ok &= ASSERT_TRUE(!strstr(err, "s3cr3t"), "the password is not in the error");
	return ok;
}

int main(void)
{
	RUN_CASE(one_mac);
	RUN_CASE(reject_cache);
	RUN_CASE(global_cap);
	RUN_CASE(full_window);
	RUN_CASE(user_name);
	RUN_CASE(frame_src);
	RUN_CASE(login_body);
	return test_summary();
}
