/* SPDX-License-Identifier: GPL-2.0 */
/*
 * csum.h - the Internet checksum (RFC 1071) for the frames the responder
 * builds: IPv4 header checksum, TCP checksum over the IPv4 or IPv6
 * pseudo-header.
 *
 * Sums are kept in "memory order": words are loaded in host byte order, and
 * the folded result is stored back with memcpy, which puts it on the wire in
 * the right order on any host (RFC 1071 §2(B)). Partial sums may be chained
 * with g511_csum_add() as long as every piece but the last has even length.
 */
#ifndef GATE511_CSUM_H
#define GATE511_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add len bytes at data to a partial sum (start with 0). */
uint64_t g511_csum_add(uint64_t sum, const void *data, size_t len);

/* Fold a partial sum and complement it: the value for a checksum field. */
uint16_t g511_csum_fold(uint64_t sum);

/* Checksum of an IPv4 header of len bytes whose checksum field is zero. */
uint16_t g511_csum_ipv4_hdr(const void *iph, size_t len);

/*
 * TCP checksum of a segment (header + payload, checksum field zero) over
 * the pseudo-header. Addresses are in network order as on the wire.
 * A segment that already holds its checksum sums to 0 with these.
 */
uint16_t g511_csum_tcp4(const void *saddr, const void *daddr, const void *seg, size_t len);
uint16_t g511_csum_tcp6(const void *saddr, const void *daddr, const void *seg, size_t len);

#endif /* GATE511_CSUM_H */
