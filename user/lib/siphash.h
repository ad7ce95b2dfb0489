/* SPDX-License-Identifier: GPL-2.0 */
/*
 * siphash.h - SipHash-2-4 (Aumasson & Bernstein), the keyed PRF behind the
 * responder's SYN cookies. 128-bit key, 64-bit output, reference byte order:
 * the key and the message are read as little-endian 64-bit words.
 */
#ifndef GATE511_SIPHASH_H
#define GATE511_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t g511_siphash24(const uint8_t key[16], const void *data, size_t len);

#endif /* GATE511_SIPHASH_H */
