// SPDX-License-Identifier: GPL-2.0
/*
 * test_nonce.c - user/gate511d/nonce.c on a temporary file: a nonce is
 * fresh once, replayed after, per key; still replayed after the cache is
 * closed and reopened (a daemon restart); purged once out of the window;
 * a full cache refuses (-ENOSPC) rather than evict, until entries expire.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "test.h"
#include "../../user/gate511d/nonce.c"

static char path[64];

static struct sig_auth auth(const char *keyid, const char *nonce, uint64_t ts)
{
	struct sig_auth a = { .ts = ts };

	snprintf(a.keyid, sizeof(a.keyid), "%s", keyid);
	snprintf(a.nonce, sizeof(a.nonce), "%s", nonce);
	return a;
}

static void rm_db(void)
{
	char p[96];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static bool claim_replay_restart(void)
{
	struct nonce_cache *nc;
	struct sig_auth a = auth("k1", "0123456789abcdef", 1000), b = auth("k2", "0123456789abcdef", 1000);
	bool ok = true;

	rm_db();
	if (!ASSERT_EQ(nonce_open(path, 10, 1000, &nc), 0, "open"))
		return false;
	ok &= ASSERT_EQ(nonce_claim(nc, &a, 1000), 0, "fresh");
	ok &= ASSERT_EQ(nonce_claim(nc, &a, 1001), -EEXIST, "replayed");
	ok &= ASSERT_EQ(nonce_claim(nc, &b, 1001), 0, "same nonce, other key");
	ok &= ASSERT_EQ(nonce_count(nc), 2, "count");
	nonce_close(nc);
	if (!ASSERT_EQ(nonce_open(path, 10, 1100, &nc), 0, "reopen"))
		return false;
	ok &= ASSERT_EQ(nonce_count(nc), 2, "kept across the restart");
	ok &= ASSERT_EQ(nonce_claim(nc, &a, 1100), -EEXIST, "replayed after the restart");
	nonce_close(nc);
	return ok;
}

static bool purge_and_full(void)
{
	struct nonce_cache *nc;
	struct sig_auth a;
	char n[32];
	bool ok = true;

	rm_db();
	if (!ASSERT_EQ(nonce_open(path, 3, 1000, &nc), 0, "open"))
		return false;
	for (int i = 0; i < 3; i++) {
		snprintf(n, sizeof(n), "00000000000000%02d", i);
		a = auth("k", n, 1000);
		ok &= ASSERT_EQ(nonce_claim(nc, &a, 1000), 0, "fill");
	}
	a = auth("k", "ffffffffffffffff", 1000);
	ok &= ASSERT_EQ(nonce_claim(nc, &a, 1000), -ENOSPC, "full: refused, none evicted");
	a = auth("k", "0000000000000001", 1000);
	ok &= ASSERT_EQ(nonce_claim(nc, &a, 1200), -ENOSPC, "full: a replay refused too");
	/* 1000 + 300 + 60 < 1361: all three expire */
	a = auth("k", "ffffffffffffffff", 1361);
	ok &= ASSERT_EQ(nonce_claim(nc, &a, 1361), 0, "expired ones purged, room again");
	ok &= ASSERT_EQ(nonce_count(nc), 1, "count after purge");
	nonce_close(nc);
	return ok;
}

static bool expired_rule(void)
{
	bool ok = true;

	ok &= ASSERT_TRUE(!nonce_expired(1000, 1000), "now");
	ok &= ASSERT_TRUE(!nonce_expired(1000, 1360), "window + slack");
	ok &= ASSERT_TRUE(nonce_expired(1000, 1361), "past it");
	ok &= ASSERT_TRUE(!nonce_expired(2000, 1000), "future ts");
	return ok;
}

int main(void)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/g511-nonce-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0) {
		test_skip("nonce", "no temporary file");
		return test_summary();
	}
	close(fd);
	RUN_CASE(claim_replay_restart);
	RUN_CASE(purge_and_full);
	RUN_CASE(expired_rule);
	rm_db();
	return test_summary();
}
