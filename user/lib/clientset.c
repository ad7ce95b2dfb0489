// SPDX-License-Identifier: GPL-2.0
/*
 * clientset.c - a set of clients with a number each (clientset.h): an
 * open-addressing hash table kept at most half full, hashed with FNV-1a
 * over the kind and the 16 key bytes (the input is an admin's file, not a
 * hostile stream; a pathological file costs time, never a wrong answer).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "clientset.h"

struct clientset_slot {
	struct g511_client c;
	unsigned int val;	/* 0 = empty */
};

static uint64_t client_hash(const struct g511_client *c)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	h = (h ^ c->kind) * 0x100000001b3ULL;
	for (i = 0; i < sizeof(c->key); i++)
		h = (h ^ c->key[i]) * 0x100000001b3ULL;
	return h ^ (h >> 29);
}

static bool same_client(const struct g511_client *a, const struct g511_client *b)
{
	return a->kind == b->kind && memcmp(a->key, b->key, sizeof(a->key)) == 0;
}

void clientset_init(struct clientset *s)
{
	memset(s, 0, sizeof(*s));
}

void clientset_free(struct clientset *s)
{
	free(s->slots);
	clientset_init(s);
}

/* The slot of c, or the empty one where it would go. */
static struct clientset_slot *slot_of(struct clientset_slot *slots, size_t cap,
				      const struct g511_client *c)
{
	size_t i = (size_t)client_hash(c) & (cap - 1);

	while (slots[i].val && !same_client(&slots[i].c, c))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int grow(struct clientset *s)
{
	size_t ncap = s->cap ? s->cap * 2 : 1024, i;
	struct clientset_slot *ns;

	if (ncap < s->cap || ncap > SIZE_MAX / sizeof(*ns))
		return -ENOMEM;
	ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	for (i = 0; i < s->cap; i++)
		if (s->slots[i].val)
			*slot_of(ns, ncap, &s->slots[i].c) = s->slots[i];
	free(s->slots);
	s->slots = ns;
	s->cap = ncap;
	return 0;
}

int clientset_add(struct clientset *s, const struct g511_client *c, unsigned int val,
		  unsigned int *first)
{
	struct clientset_slot *slot;
	int err;

	if (!val)
		return -EINVAL;
	if (s->cap) {
		slot = slot_of(s->slots, s->cap, c);
		if (slot->val) {
			*first = slot->val;
			return 1;
		}
	}
	if ((s->n + 1) * 2 > s->cap) {
		err = grow(s);
		if (err)
			return err;
	}
	slot = slot_of(s->slots, s->cap, c);
	slot->c.kind = c->kind;
	memcpy(slot->c.key, c->key, sizeof(slot->c.key));
	slot->val = val;
	s->n++;
	return 0;
}
