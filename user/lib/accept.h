/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accept.h - does a request's Accept header (RFC 9110 §12.5.1) accept a
 * media type? Pure: used by the RFC 8908 API (capport.c) to answer 406
 * when application/captive+json is refused.
 *
 * Rules (RFC 9110 §12.5.1, §12.4.2), writing STAR for the asterisk:
 *  - the header is a comma-separated list of media ranges: "type/subtype",
 *    "type/STAR" or "STAR/STAR", each with parameters ("; name=value",
 *    the value a token or a quoted string) and a weight "q=" 0..1 with up
 *    to three decimals; type, subtype and parameter names are
 *    case-insensitive; whitespace (SP, HTAB) around ',' and ';' is
 *    allowed, and so are empty list elements;
 *  - the most specific range that matches decides: type/subtype over
 *    type/STAR over STAR/STAR; among equally specific ones the highest q;
 *  - q=0 means "not acceptable"; no matching range: not acceptable;
 *  - no header, or one with no well-formed element: everything is
 *    acceptable (the header may be disregarded, §12.5.1); a malformed
 *    element is skipped, the rest still counts;
 *  - parameters other than q do not narrow the match (ours carry none;
 *    "application/captive+json; charset=utf-8" is meant to accept us).
 */
#ifndef GATE511_ACCEPT_H
#define GATE511_ACCEPT_H

#include <stdbool.h>
#include <stddef.h>

#define ACCEPT_Q_MAX	1000	/* q=1 */

/*
 * The weight (0..ACCEPT_Q_MAX, q times 1000) the header's len bytes give
 * type ("type/subtype", lower case, no parameters). hdr NULL: absent.
 */
unsigned int accept_quality(const char *hdr, size_t len, const char *type);

/* accept_quality() > 0 on a NUL-terminated header (NULL: absent). */
bool accept_allows(const char *hdr, const char *type);

#endif /* GATE511_ACCEPT_H */
