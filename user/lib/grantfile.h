/* SPDX-License-Identifier: GPL-2.0 */
/*
 * grantfile.h - the text format of `gate511ctl import` and `export`: one
 * grant per line, parsed into the request that (re)creates it and formatted
 * from a grant. Pure: no files, sockets, clocks or globals; errors go into a
 * caller's buffer.
 *
 *   CLIENT [expires=EPOCH|never | ttl=DURATION] [idle=DURATION] [mac=MAC]
 *          [quota=BYTES] [rate-up=BITS] [rate-down=BITS] [user=STRING]
 *          [class=HEX] [acct-session-id=STRING]
 *
 * CLIENT is an IPv4/IPv6 address or a MAC a client can send from
 * (client_grantable() without a config: no loopback, multicast, broadcast,
 * unspecified address, no group MAC), at most one line per client (the
 * same address or MAC however it is written). Fields are separated by spaces
 * or tabs, in any order, each at most once. '#' outside quotes starts a
 * comment; blank lines are ignored; a trailing '\r' is dropped.
 *
 *   expires   absolute wall deadline, seconds since the epoch, or "never"
 *   ttl       session length from the import (not with expires)
 *   idle      idle timeout; DURATION as duration_parse(): N[s|m|h|d], 0=none
 *   mac       bind an address grant to this unicast MAC
 *   quota     bytes, both directions: N[K|M|G|T] (SI, powers of 1000) or
 *             N[Ki|Mi|Gi|Ti] (powers of 1024); 0 = none
 *   rate-up, rate-down
 *             bits/s: N[K|M|G|T], SI powers of 1000 only; 0 = unlimited
 *   user, acct-session-id
 *             strings; "" = none
 *   class     RADIUS Class octets as hex digits (2 per octet); "" = none
 *
 * A value is bare (taken literally: any bytes but space, tab, '"', '#' and
 * control characters) or double-quoted, where \" \\ and \xHH are the only
 * escapes. Export quotes a value only when it must, escaping '"', '\' and
 * bytes below 0x20 or 0x7f; bytes from 0x80 up are written as they are.
 *
 * Export writes expires= (or never) and idle= always, amounts with the
 * largest SI suffix that is exact, and leaves out what the grant does not
 * have, so parse(format(grant)) is the request that recreates it: every
 * field a grant request can carry survives export | import.
 */
#ifndef GATE511_GRANTFILE_H
#define GATE511_GRANTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ctl_proto.h"

/* Longest line grantfile_format_*() can write, NUL included. */
#define GRANTFILE_LINE_MAX	4096

/*
 * Parse one line (len bytes, no newline needed) into *r. 0: a grant;
 * 1: nothing on the line (blank or comment), *r zeroed; -EINVAL: err says
 * why (no line number). The request passes the protocol's own checks.
 */
int grantfile_parse_line(const char *line, size_t len, struct g511_ctl_grant_req *r,
			 char *err, size_t err_len);

/*
 * Called once per grant line; lineno counts from 1. A non-zero return
 * stops the parse and is returned by grantfile_parse(), err untouched.
 */
typedef int (*grantfile_grant_fn)(const struct g511_ctl_grant_req *r,
				  unsigned int lineno, void *ctx);

/*
 * Parse a whole file held in buf (NUL bytes are errors). 0, -EINVAL with
 * "line N: why" in err (a client named twice: "line N: CLIENT already on
 * line M ..."), -ENOMEM, or what fn returned. fn sees no grant of a
 * line after the first bad one.
 */
int grantfile_parse(const char *buf, size_t len, grantfile_grant_fn fn, void *ctx,
		    char *err, size_t err_len);

/*
 * CLIENT as import lines and `gate511ctl allow` take it: 0, or -EINVAL
 * with *why a sentence ("bad address or MAC", or why no grant may name
 * it: client_grantable()'s reason) and *c zeroed.
 */
int grantfile_client_parse(const char *s, struct g511_client *c, const char **why);

/* The import request that recreates g (the deadline kept absolute). */
void grantfile_req_from_grant(const struct g511_ctl_grant *g,
			      struct g511_ctl_grant_req *r);

/*
 * One line for r or g, without a newline. The length, or -ENOSPC if it
 * does not fit in len (GRANTFILE_LINE_MAX always does).
 */
int grantfile_format_req(const struct g511_ctl_grant_req *r, char *buf, size_t len);
int grantfile_format_grant(const struct g511_ctl_grant *g, char *buf, size_t len);

/*
 * Amounts: decimal digits and an optional suffix K/k, M, G, T (powers of
 * 1000) and, with GRANTFILE_AMOUNT_BINARY, Ki, Mi, Gi, Ti (powers of 1024).
 * 0 or -EINVAL (syntax, or more than max).
 */
#define GRANTFILE_AMOUNT_BINARY	(1U << 0)
int grantfile_amount_parse(const char *s, unsigned int flags, uint64_t max,
			   uint64_t *out);
/* "500M", "1500K", "1234": the largest SI suffix that is exact. */
void grantfile_amount_format(uint64_t v, char *buf, size_t len);

#endif /* GATE511_GRANTFILE_H */
