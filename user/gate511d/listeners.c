// SPDX-License-Identifier: GPL-2.0
/*
 * listeners.c - start and stop the listeners (listeners.h). Each listener
 * module (capport.c, api.c, metrics.c) offers NAME_start(d) / NAME_stop(d),
 * and is listed here once, in start order.
 */
#include <stdbool.h>
#include <stddef.h>

#include "api.h"
#include "capport.h"
#include "ctl_proto.h"
#include "daemon.h"
#include "listeners.h"
#include "metrics.h"

struct listener {
	const char *name;
	int (*start)(struct g511_daemon *d);
	void (*stop)(struct g511_daemon *d);
};

static const struct listener listeners[] = {
	{ "capport", capport_start, capport_stop },
	{ "api", api_start, api_stop },
	{ "metrics", metrics_start, metrics_stop },
	{ NULL, NULL, NULL },
};

int listeners_start(struct g511_daemon *d)
{
	for (size_t i = 0; listeners[i].name; i++) {
		int err = listeners[i].start(d);

		if (err) {
			while (i--)
				listeners[i].stop(d);
			return err;
		}
	}
	return 0;
}

void listeners_stop(struct g511_daemon *d)
{
	size_t n = 0;

	while (listeners[n].name)
		n++;
	while (n--)
		listeners[n].stop(d);
}

static void listener_fill(struct g511_ctl_listener *out, const struct g511_listen *l, bool tls)
{
	if (!l->set)
		return;
	out->on = 1;
	out->tls = tls;
	out->port = l->port;
	out->addr = l->addr;
}

void listeners_status(struct g511_daemon *d, struct g511_ctl_status *out)
{
	const struct g511_conf *c = &d->conf;
	bool api_tls;

	pthread_mutex_lock(&d->lock);
	/* the portal API: TLS when there is a certificate (conf.c refuses
	 * plain HTTP off loopback) */
	api_tls = c->tls_cert[0] != '\0';
	listener_fill(&out->listeners[G511_LISTENER_CAPPORT], &c->capport_listen, true);
	if (!d->capport)	/* configured, not (or no longer) running */
		out->listeners[G511_LISTENER_CAPPORT].on = 0;
	listener_fill(&out->listeners[G511_LISTENER_API], &c->api_listen, api_tls);
	listener_fill(&out->listeners[G511_LISTENER_METRICS], &c->metrics_listen, false);
	capport_uri(d, out->capport_uri, sizeof(out->capport_uri));
	pthread_mutex_unlock(&d->lock);
}
