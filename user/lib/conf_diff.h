/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conf_diff.h - what changed between two parsed configs, one line per key,
 * in the words of the config file: what a reload logs. Pure: no logging,
 * no maps; the caller says where the lines go.
 */
#ifndef GATE511_CONF_DIFF_H
#define GATE511_CONF_DIFF_H

#include "conf.h"

#define CONF_DIFF_LINE_MAX	2048	/* a longer line ends in "... (N more)" */

typedef void (*conf_diff_fn)(const char *line, void *ctx);

/*
 * Call fn once per key whose value differs between old and next, in the
 * file's key order: "portal_url: http://a -> http://b" for a single value
 * or a list ("(none)" when empty), "garden: + 10.0.0.0/8:443, -
 * 192.0.2.0/24" for the garden (what was added, then what went; an entry
 * whose ports changed is one of each). Unchanged keys say nothing; when no
 * key changed, fn gets "no changes" once. Only what the file sets is
 * compared: the XDP prefilters, host masks and boot offset are not.
 * Returns the number of keys that changed, or -ENOMEM (fn not called).
 */
int conf_diff(const struct g511_conf *old, const struct g511_conf *next,
	      conf_diff_fn fn, void *ctx);

#endif /* GATE511_CONF_DIFF_H */
