// SPDX-License-Identifier: GPL-2.0
/*
 * hmac.c - SHA-256 and HMAC-SHA256 through GnuTLS (hmac.h).
 */
#include <errno.h>
#include <gnutls/crypto.h>
#include "hmac.h"

int g511_sha256(const void *data, size_t len, uint8_t out[G511_SHA256_LEN])
{
	return gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, out) ? -EIO : 0;
}

int g511_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
		     uint8_t out[G511_SHA256_LEN])
{
	return gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, key_len, data, len, out) ? -EIO : 0;
}

void g511_hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

bool g511_ct_equal(const void *a, const void *b, size_t len)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t diff = 0;

	for (size_t i = 0; i < len; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}
