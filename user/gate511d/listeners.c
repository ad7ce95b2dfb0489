// SPDX-License-Identifier: GPL-2.0
/*
 * listeners.c - start and stop the listeners (listeners.h). Each listener
 * module (capport.c, api.c, metrics.c) offers NAME_start(d) / NAME_stop(d),
 * and is listed here once, in start order.
 */
#include <stddef.h>

#include "daemon.h"
#include "listeners.h"
#include "radius.h"

struct listener {
	const char *name;
	int (*start)(struct g511_daemon *d);
	void (*stop)(struct g511_daemon *d);
};

static const struct listener listeners[] = {
	/* { "capport", capport_start, capport_stop }, */
	{ "radius", radius_start, radius_stop },
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
