// SPDX-License-Identifier: GPL-2.0
/*
 * macauth.c - MAC authentication (radius.h): the responder threads'
 * sightings of redirected MACs, the rate limit (macauth_tab.c), one sender
 * thread.
 *
 * A responder thread only try-locks mu, asks the table and, when it
 * admits the MAC, appends it to a ring as long as the table's
 * max_pending: admitted requests are never more than the ring holds, so
 * it cannot overflow. The sender pops one MAC at a time and runs
 * radius_mac_login() with no lock held; its result goes back to the table
 * (a reject is cached for radius_mac_auth_reject_cache).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include "addr.h"
#include "log.h"
#include "macauth_tab.h"
#include "radius.h"

#define MACAUTH_INTERVAL_MS	30000	/* per MAC, between requests */
#define MACAUTH_MAX_PENDING	32	/* queued or in flight, in all */

struct radius_macauth {
	struct g511_radius *r;
	pthread_mutex_t mu;		/* tab, ring, stop */
	pthread_cond_t cv;
	struct macauth_tab tab;
	struct {
		uint8_t mac[6];
		bool has_ip;
		struct g511_addr ip;
	} ring[MACAUTH_MAX_PENDING];
	unsigned int head, n;
	bool stop;
	pthread_t thread;
	bool started;
	_Atomic uint64_t suppressed;
};

static uint64_t ma_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void radius_mac_seen(struct g511_radius *r, const uint8_t mac[6], const struct g511_addr *ip)
{
	struct radius_macauth *m = r ? r->macauth : NULL;
	enum macauth_verdict v;

	if (!m)
		return;
	if (pthread_mutex_trylock(&m->mu)) {
		m->suppressed++;
		return;
	}
	v = m->stop ? MACAUTH_BUSY : macauth_admit(&m->tab, mac, ma_mono_ms());
	if (v == MACAUTH_SEND) {
		unsigned int i = (m->head + m->n) % MACAUTH_MAX_PENDING;

		memcpy(m->ring[i].mac, mac, 6);
		m->ring[i].has_ip = ip != NULL;
		if (ip)
			m->ring[i].ip = *ip;
		m->n++;
		pthread_cond_signal(&m->cv);
	}
	pthread_mutex_unlock(&m->mu);
	if (v != MACAUTH_SEND)
		m->suppressed++;
}

static void *macauth_main(void *arg)
{
	struct radius_macauth *m = arg;
	struct g511_ctl_grant out;
	enum macauth_result res;
	char msg[256], who[18];
	struct g511_addr ip;
	uint8_t mac[6];
	bool has_ip;
	int err;

	pthread_mutex_lock(&m->mu);
	for (;;) {
		while (!m->stop && !m->n)
			pthread_cond_wait(&m->cv, &m->mu);
		if (m->stop)
			break;
		memcpy(mac, m->ring[m->head].mac, 6);
		has_ip = m->ring[m->head].has_ip;
		ip = m->ring[m->head].ip;
		m->head = (m->head + 1) % MACAUTH_MAX_PENDING;
		m->n--;
		pthread_mutex_unlock(&m->mu);

		err = radius_mac_login(m->r->d, mac, has_ip ? &ip : NULL, &out, msg, sizeof(msg));
		macauth_user(mac, who);
		if (!err) {
			res = MACAUTH_ACCEPTED;
			log_info("mac-auth %s: accepted", who);
		} else if (err == -EACCES) {
			res = MACAUTH_REJECT;
			log_info("mac-auth %s: rejected (%s)", who, msg);
		} else {
			res = MACAUTH_NO_ANSWER;
			log_warnx("mac-auth %s: %s", who, msg);
		}
		pthread_mutex_lock(&m->mu);
		macauth_done(&m->tab, mac, res, ma_mono_ms());
	}
	pthread_mutex_unlock(&m->mu);
	return NULL;
}

int macauth_init(struct g511_radius *r)
{
	struct radius_macauth *m;
	uint8_t key[16];

	r->macauth = NULL;
	if (!r->conf.mac_auth)
		return 0;
	if (getrandom(key, sizeof(key), 0) != sizeof(key))
		return -EIO;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->r = r;
	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->cv, NULL);
	macauth_tab_init(&m->tab, key, MACAUTH_INTERVAL_MS, r->conf.mac_auth_reject_s * 1000,
			 MACAUTH_MAX_PENDING);
	r->macauth = m;
	return 0;
}

int macauth_start(struct g511_radius *r)
{
	struct radius_macauth *m = r->macauth;
	int err;

	if (!m)
		return 0;
	err = -pthread_create(&m->thread, NULL, macauth_main, m);
	if (err) {
		log_warnx("mac-auth: cannot start its thread: %s", strerror(-err));
		return err;
	}
	m->started = true;
	log_info("mac-auth on: one request per MAC per %us at most, rejects cached %llus, "
		 "%u pending at most", MACAUTH_INTERVAL_MS / 1000,
		 (unsigned long long)r->conf.mac_auth_reject_s, MACAUTH_MAX_PENDING);
	return 0;
}

void macauth_stop(struct g511_radius *r)
{
	struct radius_macauth *m = r->macauth;

	if (!m || !m->started)
		return;
	pthread_mutex_lock(&m->mu);
	m->stop = true;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
	pthread_join(m->thread, NULL);	/* abort_io is set: at most one try slice */
	m->started = false;
}

void macauth_free(struct g511_radius *r)
{
	struct radius_macauth *m = r->macauth;

	if (!m)
		return;
	pthread_cond_destroy(&m->cv);
	pthread_mutex_destroy(&m->mu);
	free(m);
	r->macauth = NULL;
}

void macauth_counts(struct g511_radius *r, uint64_t *suppressed, uint64_t *pending)
{
	struct radius_macauth *m = r->macauth;

	*suppressed = *pending = 0;
	if (!m)
		return;
	*suppressed = m->suppressed;
	pthread_mutex_lock(&m->mu);
	*pending = m->tab.n_pending;
	pthread_mutex_unlock(&m->mu);
}
