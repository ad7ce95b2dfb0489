/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clientset.h - a set of clients, each with a number (a line of an import
 * file, an item of an import): how an import finds the same client named
 * twice, in one pass, for a million grants. Keys are struct g511_client as
 * client_parse() makes them, so the text forms of one client (fd00::5 and
 * fd00:0::5, a MAC in either case or with '-') are one key. Pure: memory
 * only, no globals.
 */
#ifndef GATE511_CLIENTSET_H
#define GATE511_CLIENTSET_H

#include <stddef.h>
#include "addr.h"

struct clientset {
	struct clientset_slot *slots;	/* open addressing, linear probing */
	size_t cap, n;			/* cap: a power of two, or 0 */
};

void clientset_init(struct clientset *s);
void clientset_free(struct clientset *s);
/*
 * Add c with number val (not 0). 0: added; 1: c was there already,
 * *first = the number it was added with (the set is unchanged);
 * -ENOMEM.
 */
int clientset_add(struct clientset *s, const struct g511_client *c, unsigned int val,
		  unsigned int *first);

#endif /* GATE511_CLIENTSET_H */
