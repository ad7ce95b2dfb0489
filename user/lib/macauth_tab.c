// SPDX-License-Identifier: GPL-2.0
/*
 * macauth_tab.c - the MAC-authentication rate limit (macauth_tab.h).
 */
#include <stdio.h>
#include <string.h>
#include "g511_wire.h"
#include "macauth_tab.h"
#include "siphash.h"

void macauth_tab_init(struct macauth_tab *t, const uint8_t key[16], uint64_t interval_ms,
		      uint64_t reject_ms, unsigned int max_pending)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->key, key, sizeof(t->key));
	t->interval_ms = interval_ms;
	t->reject_ms = reject_ms;
	t->max_pending = max_pending;
}

static unsigned int slot0(const struct macauth_tab *t, const uint8_t mac[6])
{
	return g511_siphash24(t->key, mac, 6) % MACAUTH_SLOTS;
}

static struct macauth_ent *find(struct macauth_tab *t, const uint8_t mac[6])
{
	unsigned int s = slot0(t, mac);

	for (unsigned int i = 0; i < MACAUTH_PROBE; i++) {
		struct macauth_ent *e = &t->ent[(s + i) % MACAUTH_SLOTS];

		if (e->used && !memcmp(e->mac, mac, 6))
			return e;
	}
	return NULL;
}

/* A free slot in mac's window, or the oldest that holds nothing that
 * matters any more; NULL when every one does. */
static struct macauth_ent *take(struct macauth_tab *t, const uint8_t mac[6], uint64_t now)
{
	struct macauth_ent *best = NULL;
	unsigned int s = slot0(t, mac);

	for (unsigned int i = 0; i < MACAUTH_PROBE; i++) {
		struct macauth_ent *e = &t->ent[(s + i) % MACAUTH_SLOTS];

		if (!e->used)
			return e;
		if (e->pending || (e->reject_until_ms && now < e->reject_until_ms))
			continue;
		if (!best || e->last_ms < best->last_ms)
			best = e;
	}
	return best;
}

enum macauth_verdict macauth_admit(struct macauth_tab *t, const uint8_t mac[6], uint64_t now_ms)
{
	struct macauth_ent *e = find(t, mac);

	if (e) {
		if (e->pending)
			return MACAUTH_PENDING;
		if (e->reject_until_ms && now_ms < e->reject_until_ms)
			return MACAUTH_REJECTED;
		if (now_ms - e->last_ms < t->interval_ms)
			return MACAUTH_RECENT;
	}
	if (t->n_pending >= t->max_pending)
		return MACAUTH_BUSY;
	if (!e) {
		e = take(t, mac, now_ms);
		if (!e)
			return MACAUTH_BUSY;
		memset(e, 0, sizeof(*e));
		memcpy(e->mac, mac, 6);
		e->used = true;
	}
	e->pending = true;
	e->last_ms = now_ms;
	e->reject_until_ms = 0;
	t->n_pending++;
	return MACAUTH_SEND;
}

void macauth_done(struct macauth_tab *t, const uint8_t mac[6], enum macauth_result r,
		  uint64_t now_ms)
{
	struct macauth_ent *e = find(t, mac);

	if (!e || !e->pending)
		return;
	e->pending = false;
	t->n_pending--;
	e->last_ms = now_ms;	/* the interval counts from the answer */
	if (r == MACAUTH_REJECT)
		e->reject_until_ms = now_ms + t->reject_ms;
}

const char *macauth_verdict_name(enum macauth_verdict v)
{
	static const char *const names[] = {
		[MACAUTH_SEND] = "send", [MACAUTH_PENDING] = "pending",
		[MACAUTH_RECENT] = "recent", [MACAUTH_REJECTED] = "rejected",
		[MACAUTH_BUSY] = "busy",
	};

	return (unsigned int)v <= MACAUTH_BUSY ? names[v] : "?";
}

void macauth_user(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x-%02x-%02x-%02x-%02x-%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

bool macauth_frame_src(const uint8_t *f, size_t len, uint8_t mac[6], struct g511_addr *ip,
		       bool *has_ip)
{
	size_t off = 12;
	unsigned int tags = 0;
	uint16_t type;

	*has_ip = false;
	if (len < G511_ETH_HLEN)
		return false;
	memcpy(mac, f + 6, 6);
	type = (uint16_t)(f[12] << 8 | f[13]);
	while (type == G511_ETH_P_8021Q || type == G511_ETH_P_8021AD ||
	       type == G511_ETH_P_QINQ9100) {
		if (tags == G511_MAX_VLAN_TAGS || len < off + G511_VLAN_HLEN + 2)
			return true;
		off += G511_VLAN_HLEN;
		tags++;
		type = (uint16_t)(f[off] << 8 | f[off + 1]);
	}
	off += 2;
	memset(ip, 0, sizeof(*ip));
	if (type == G511_ETH_P_IP && len >= off + 20 && (f[off] >> 4) == 4) {
		ip->addr[10] = ip->addr[11] = 0xff;
		memcpy(ip->addr + 12, f + off + 12, 4);
		*has_ip = true;
	} else if (type == G511_ETH_P_IPV6 && len >= off + 40 && (f[off] >> 4) == 6) {
		memcpy(ip->addr, f + off + 8, 16);
		*has_ip = true;
	}
	return true;
}
