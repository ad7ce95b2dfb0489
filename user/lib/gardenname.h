/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * gardenname.h - walled-garden names ("example.com[:PORTS]",
 * "*.example.com"): parsing, the canonical text and the g511_gnames
 * key (include/gate511.h). Pure: no I/O, no allocation.
 */
#ifndef G511_GARDENNAME_H
#define G511_GARDENNAME_H

#include <stdbool.h>
#include <stddef.h>
#include "gate511.h"

/* Canonical text of a name: lowercase, no final dot, "*." for wildcards. */
#define G511_GNAME_STRLEN	(G511_GNAME_LEN + 2)
/* NAME and ":" and eight ports */
#define G511_GNAME_ENTRY_STRLEN	(G511_GNAME_STRLEN + 8 * 6 + 2)
/* Longest name (without "*."): its key needs one byte more, and the
 * datapath decodes at most G511_GNAME_LEN - 1 bytes. */
#define G511_GNAME_MAX		(G511_GNAME_LEN - 2)

struct g511_gname {
	char name[G511_GNAME_STRLEN];	/* canonical */
	struct g511_garden_val ports;	/* nports 0: every port */
};

/*
 * "NAME[:PORT[,PORT...]]": labels of letters, digits, '-' and '_', 1..63
 * bytes each, at least two labels, a leading "*." for every name under it
 * (not the name itself), an optional final dot; uppercase is folded.
 * A string that is all digits and dots (an address) is not a name.
 * Returns 0, or -EINVAL (-E2BIG: too many ports).
 */
int gname_parse(const char *s, struct g511_gname *out);
bool gname_is_wildcard(const struct g511_gname *g);
/* The g511_gnames key of a canonical name (see include/gate511.h). */
void gname_key(const struct g511_gname *g, struct g511_gname_key *key);
/* "name[:p1,p2]" */
void gname_format(const struct g511_gname *g, char *buf, size_t len);

#endif /* G511_GARDENNAME_H */
