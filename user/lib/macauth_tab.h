/* SPDX-License-Identifier: GPL-2.0 */
/*
 * macauth_tab.h - who may cause a MAC-authentication Access-Request now,
 * pure (no clocks, no locks: the caller gives the time and serialises).
 *
 * A fixed table of MACs (MACAUTH_SLOTS, open addressing by a keyed hash
 * over a window of MACAUTH_PROBE slots): a MAC is admitted (one request)
 * when it has none pending, its last request is at least interval old and
 * a reject for it is not cached any more; and while fewer than max_pending
 * requests are outstanding in all. A MAC new to a full window takes the
 * slot of the oldest entry there that is neither pending nor a cached
 * reject; with none, it is suppressed (the table never grows, and a flood
 * of new MACs cannot evict the reject cache of others faster than the
 * probe window allows).
 */
#ifndef GATE511_MACAUTH_TAB_H
#define GATE511_MACAUTH_TAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "addr.h"

#define MACAUTH_SLOTS	1024
#define MACAUTH_PROBE	8

enum macauth_verdict {
	MACAUTH_SEND,		/* admitted: one request, now pending */
	MACAUTH_PENDING,	/* a request for it is on its way */
	MACAUTH_RECENT,		/* asked less than interval ago */
	MACAUTH_REJECTED,	/* a reject is cached */
	MACAUTH_BUSY,		/* max_pending outstanding, or no slot */
};

enum macauth_result { MACAUTH_ACCEPTED, MACAUTH_REJECT, MACAUTH_NO_ANSWER };

struct macauth_ent {
	uint8_t mac[6];
	bool used, pending;
	uint64_t last_ms;		/* when the last request was admitted */
	uint64_t reject_until_ms;	/* 0: no reject cached */
};

struct macauth_tab {
	uint8_t key[16];		/* siphash key: a client cannot aim at slots */
	uint64_t interval_ms;		/* per MAC, between requests */
	uint64_t reject_ms;		/* how long a reject is cached */
	unsigned int max_pending;
	unsigned int n_pending;
	struct macauth_ent ent[MACAUTH_SLOTS];
};

/* An empty table (memset and the parameters). */
void macauth_tab_init(struct macauth_tab *t, const uint8_t key[16], uint64_t interval_ms,
		      uint64_t reject_ms, unsigned int max_pending);
enum macauth_verdict macauth_admit(struct macauth_tab *t, const uint8_t mac[6], uint64_t now_ms);
/* The answer to an admitted request (it is no longer pending). */
void macauth_done(struct macauth_tab *t, const uint8_t mac[6], enum macauth_result r,
		  uint64_t now_ms);
const char *macauth_verdict_name(enum macauth_verdict v);

/*
 * The sender of a client frame (Ethernet, up to two VLAN tags, IPv4 or
 * IPv6): its source MAC, and its source address when the frame is long
 * enough to hold one (else *has_ip false). false: not even a MAC.
 */
bool macauth_frame_src(const uint8_t *f, size_t len, uint8_t mac[6], struct g511_addr *ip,
		       bool *has_ip);

/* The User-Name (and User-Password) of a MAC authentication:
 * "aa-bb-cc-dd-ee-ff", lower case, into out[18]. */
void macauth_user(const uint8_t mac[6], char out[18]);

#endif /* GATE511_MACAUTH_TAB_H */
