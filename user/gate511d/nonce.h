/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nonce.h - the portal API's nonce cache: every (keyid, nonce) of a
 * request whose signature was good, kept for the signature window, in its
 * own small SQLite database beside the state DB ("<state_db>-nonces").
 *
 * Durable before acknowledged: nonce_claim() returns 0 only after the
 * insert is committed with synchronous=FULL, so a request is acted on
 * only once its nonce would survive a crash, and a replay after a restart
 * is refused like one before it.
 *
 * Bounded: at most max entries. When full of unexpired nonces the claim
 * fails with -ENOSPC (the API answers 503) instead of evicting one: an
 * evicted nonce within its window could be replayed, and only holders of
 * a key (signature checked first) can fill the cache at all.
 */
#ifndef GATE511D_NONCE_H
#define GATE511D_NONCE_H

#include <stdbool.h>
#include <stdint.h>
#include "sig.h"

#define NONCE_MAX_DEFAULT	100000
#define NONCE_SUFFIX		"-nonces"

struct nonce_cache;

/* Open or create; entries older than the window are purged. -errno. */
int nonce_open(const char *path, unsigned int max, uint64_t now, struct nonce_cache **out);
void nonce_close(struct nonce_cache *nc);

/*
 * Record a's nonce under its keyid at wall time now: 0 (fresh, committed),
 * -EEXIST (seen), -ENOSPC (full of unexpired nonces), -EIO (the DB).
 * Purges expired entries first, at most once a second or when full.
 */
int nonce_claim(struct nonce_cache *nc, const struct sig_auth *a, uint64_t now);

/* Entries held now. */
unsigned int nonce_count(const struct nonce_cache *nc);

/* Pure: an entry stamped ts is expired at now (outside the window and a
 * minute's slack for clocks stepped back). */
bool nonce_expired(uint64_t ts, uint64_t now);

#endif /* GATE511D_NONCE_H */
