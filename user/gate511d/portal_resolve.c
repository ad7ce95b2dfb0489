// SPDX-License-Identifier: GPL-2.0
/*
 * portal_resolve.c - is the portal reachable before login? The shell
 * around user/lib/portal_check.c (portal_resolve.h).
 *
 * getaddrinfo() has no timeout of its own (resolv.conf's can add up to
 * tens of seconds), so it runs in a detached thread and the caller waits
 * on a condition variable with a deadline. A job the caller gave up on is
 * freed by the thread when getaddrinfo() returns: both hold a reference.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "addr.h"
#include "log.h"
#include "portal_check.h"
#include "portal_resolve.h"
#include "state.h"

struct resolve_job {
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	int refs;		/* the caller's and the thread's */
	bool done;
	int gai_err;		/* getaddrinfo()'s return */
	int gai_errno;		/* errno, for EAI_SYSTEM */
	size_t n;
	struct g511_addr addrs[PORTAL_RESOLVE_MAX];
	char host[PORTAL_HOST_MAX];
};

static void job_put(struct resolve_job *job)
{
	bool last;

	pthread_mutex_lock(&job->lock);
	last = --job->refs == 0;
	pthread_mutex_unlock(&job->lock);
	if (!last)
		return;
	pthread_cond_destroy(&job->done_cond);
	pthread_mutex_destroy(&job->lock);
	free(job);
}

static void addr_from_sockaddr(const struct sockaddr *sa, struct g511_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		a->addr[10] = a->addr[11] = 0xff;
		memcpy(a->addr + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else {
		memcpy(a->addr, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
	}
}

static void *resolve_thread(void *arg)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct resolve_job *job = arg;
	struct addrinfo *res = NULL, *ai;
	struct g511_addr found[PORTAL_RESOLVE_MAX];
	size_t n = 0;
	int err;

	err = getaddrinfo(job->host, NULL, &hints, &res);
	if (!err) {
		for (ai = res; ai && n < PORTAL_RESOLVE_MAX; ai = ai->ai_next) {
			size_t i;

			if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
				continue;
			addr_from_sockaddr(ai->ai_addr, &found[n]);
			for (i = 0; i < n; i++)
				if (!memcmp(&found[i], &found[n], sizeof(found[n])))
					break;
			if (i == n)
				n++;
		}
		freeaddrinfo(res);
	}
	pthread_mutex_lock(&job->lock);
	job->gai_err = err;
	job->gai_errno = errno;
	job->n = n;
	memcpy(job->addrs, found, n * sizeof(found[0]));
	job->done = true;
	pthread_cond_signal(&job->done_cond);
	pthread_mutex_unlock(&job->lock);
	job_put(job);
	return NULL;
}

int portal_resolve(const char *host, int timeout_ms, struct g511_addr *out, size_t max,
		   size_t *n, char *why, size_t why_len)
{
	struct resolve_job *job;
	pthread_condattr_t ca;
	pthread_attr_t ta;
	struct timespec deadline;
	pthread_t tid;
	int err = 0;

	*n = 0;
	job = calloc(1, sizeof(*job));
	if (!job) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	snprintf(job->host, sizeof(job->host), "%s", host);
	job->refs = 2;
	pthread_mutex_init(&job->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&job->done_cond, &ca);
	pthread_condattr_destroy(&ca);

	pthread_attr_init(&ta);
	pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	err = -pthread_create(&tid, &ta, resolve_thread, job);
	pthread_attr_destroy(&ta);
	if (err) {
		snprintf(why, why_len, "cannot start a resolver thread: %s", strerror(-err));
		job->refs = 1;
		job_put(job);
		return err;
	}

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= (long)NSEC_PER_SEC) {
		deadline.tv_sec++;
		deadline.tv_nsec -= NSEC_PER_SEC;
	}
	pthread_mutex_lock(&job->lock);
	while (!job->done && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&job->done_cond, &job->lock, &deadline);
	if (!job->done) {
		snprintf(why, why_len, "no answer within %d ms", timeout_ms);
		err = -ETIMEDOUT;
	} else if (job->gai_err) {
		snprintf(why, why_len, "%s", job->gai_err == EAI_SYSTEM ?
			 strerror(job->gai_errno) : gai_strerror(job->gai_err));
		err = -EHOSTUNREACH;
	} else if (!job->n) {
		snprintf(why, why_len, "no IPv4 or IPv6 address");
		err = -EHOSTUNREACH;
	} else {
		*n = job->n < max ? job->n : max;
		memcpy(out, job->addrs, *n * sizeof(*out));
		err = 0;
	}
	pthread_mutex_unlock(&job->lock);
	job_put(job);
	return err;
}

/* One address of the portal: 1 if it was warned about. */
static int check_addr(const char *url, const struct g511_addr *a, uint16_t port,
		      const struct g511_garden_entry *garden, size_t n_garden,
		      const struct g511_conf *conf)
{
	const struct g511_garden_entry *match;
	enum portal_reach r;
	char msg[768];

	r = portal_reach(a, port, garden, n_garden, conf->xdp.local_addrs,
			 conf->xdp.n_local_addrs < G511_MAX_LOCAL_ADDRS ?
			 conf->xdp.n_local_addrs : G511_MAX_LOCAL_ADDRS, &match);
	if (r == PORTAL_REACH_GARDEN)
		return 0;
	portal_reach_explain(r, url, a, port, match, msg, sizeof(msg));
	log_warnx("%s", msg);
	return 1;
}

int portal_check_conf(const struct g511_conf *conf, const struct g511_garden_entry *extra,
		      size_t n_extra)
{
	struct g511_addr addrs[PORTAL_RESOLVE_MAX];
	struct g511_garden_entry *garden;
	struct portal_target t;
	const char *url = conf->portal_url;
	char why[256];
	size_t n_garden, n = 0;
	int warned = 0, err;

	if (portal_target_parse(url, &t)) {
		log_warnx("portal %s: cannot tell its host and port; not checked whether "
			  "clients can reach it before login", url);
		return 1;
	}
	/* the config's entries, then the DB's: the later of one prefix counts */
	n_garden = conf->n_garden + n_extra;
	garden = malloc((n_garden ? n_garden : 1) * sizeof(*garden));
	if (!garden) {
		log_warnx("portal %s: out of memory; not checked", url);
		return 1;
	}
	memcpy(garden, conf->garden, conf->n_garden * sizeof(*garden));
	if (n_extra)
		memcpy(garden + conf->n_garden, extra, n_extra * sizeof(*garden));

	if (t.literal) {
		warned += check_addr(url, &t.addr, t.port, garden, n_garden, conf);
		goto out;
	}
	if (conf->xdp.dns_policy == G511_DNS_NONE ||
	    (conf->xdp.dns_policy == G511_DNS_RESOLVERS && !conf->xdp.n_resolvers)) {
		log_warnx("portal %s: clients cannot resolve %s before login (%s): set "
			  "dns_resolvers or put an address in portal_url", url, t.host,
			  conf->xdp.dns_policy == G511_DNS_NONE ? "dns_policy = none" :
			  "no dns_resolvers");
		warned++;
	}
	err = portal_resolve(t.host, PORTAL_RESOLVE_MS, addrs, PORTAL_RESOLVE_MAX, &n,
			     why, sizeof(why));
	if (err) {
		log_warnx("portal %s: cannot check whether clients can reach it before "
			  "login: resolving %s: %s", url, t.host, why);
		warned++;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		warned += check_addr(url, &addrs[i], t.port, garden, n_garden, conf);
out:
	if (!warned)
		log_info("portal %s: reachable before login (port %u through the garden)",
			 url, t.port);
	free(garden);
	return warned;
}

struct garden_copy {
	struct g511_garden_entry *e;
	size_t n, cap;
};

static int garden_copy_add(const struct g511_garden_entry *e, void *ctx)
{
	struct garden_copy *gc = ctx;

	if (gc->n == gc->cap) {
		size_t cap = gc->cap ? 2 * gc->cap : 64;
		void *p = realloc(gc->e, cap * sizeof(*gc->e));

		if (!p)
			return -ENOMEM;
		gc->e = p;
		gc->cap = cap;
	}
	gc->e[gc->n++] = *e;
	return 0;
}

int portal_check_daemon(struct g511_daemon *d)
{
	struct garden_copy gc = { 0 };
	struct g511_conf *conf;
	int err = 0, warned;

	conf = malloc(sizeof(*conf));	/* large: not on the stack */
	if (!conf) {
		log_warnx("portal: out of memory; not checked");
		return 1;
	}
	pthread_mutex_lock(&d->lock);
	memcpy(conf, &d->conf, sizeof(*conf));
	if (d->state)
		err = state_garden_foreach(d->state, garden_copy_add, &gc);
	pthread_mutex_unlock(&d->lock);
	if (err)
		log_warnx("portal: cannot read the garden of the state database (%s); "
			  "checking the config's alone", strerror(-err));
	warned = portal_check_conf(conf, err ? NULL : gc.e, err ? 0 : gc.n);
	free(gc.e);
	free(conf);
	return warned;
}
