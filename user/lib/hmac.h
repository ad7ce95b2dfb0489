/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hmac.h - the hashes gate511 signs with, from GnuTLS (not hand-written):
 * SHA-256 and HMAC-SHA256, lowercase hex, and a constant-time compare for
 * checking a signature.
 */
#ifndef GATE511_HMAC_H
#define GATE511_HMAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define G511_SHA256_LEN	32

/* 0, or -EIO if GnuTLS refused (it does not, for SHA-256). */
int g511_sha256(const void *data, size_t len, uint8_t out[G511_SHA256_LEN]);
int g511_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
		     uint8_t out[G511_SHA256_LEN]);

/* len bytes as 2*len lowercase hex digits and a NUL into out. */
void g511_hex(const uint8_t *in, size_t len, char *out);

/* a and b equal, in time that depends on len only. */
bool g511_ct_equal(const void *a, const void *b, size_t len);

#endif /* GATE511_HMAC_H */
