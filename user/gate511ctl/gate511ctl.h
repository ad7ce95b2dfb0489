/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gate511ctl.h - what the files of the admin CLI share.
 *
 * Exit codes (stable; also in gate511ctl(8)):
 *   0  success
 *   1  usage error or bad input (bad address, option, file, value)
 *   2  unknown client or entry (not found)
 *   3  daemon not running, and the command has no fallback (or the pinned
 *      maps are missing too)
 *   4  map full: the grant or entry was refused, nothing was evicted
 *   5  any other error (permission denied, protocol or I/O error)
 */
#ifndef GATE511CTL_H
#define GATE511CTL_H

#include <stdbool.h>
#include <stdint.h>
#include "ctl_proto.h"
#include "json_writer.h"

enum cli_exit {
	EXIT_OK = 0,
	EXIT_USAGE = 1,
	EXIT_NOTFOUND = 2,
	EXIT_DOWN = 3,
	EXIT_FULL = 4,
	EXIT_ERROR = 5,
};

struct cli {
	bool json;
	bool pretty;
	const char *sock_path;
	const char *pin_dir;
	/* allow's options */
	bool has_ttl, has_idle, has_mac;
	uint64_t ttl_s, idle_s;
	uint8_t mac[6];
	struct json_writer *jw;		/* when json */
};

extern struct cli cli;

/* Report an error once (text on stderr, or {"error": ...}); returns code. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The exit code for a daemon ERROR's errno. */
int cli_exit_for(int code);

/* print.c: one place for how grants, sessions and counters look. */
void print_time(uint64_t wall, char *buf, size_t len);
void print_grant_header(void);
void print_grant_row(const struct g511_ctl_grant *g, uint64_t now);
void print_grant_block(const struct g511_ctl_grant *g, uint64_t now);
void print_grant_json(const struct g511_ctl_grant *g, uint64_t now);
void print_session_header(void);
void print_session_row(const struct g511_ctl_session *s);
void print_session_json(const struct g511_ctl_session *s);
void print_stats(const struct g511_ctl_stats *s, const char *source);
void print_garden_json(const struct g511_ctl_garden *g);
void print_export_line(const struct g511_ctl_grant *g);

/*
 * pinned.c: read-only answers from the pinned maps when the daemon is down.
 * -ENOENT when the pins are missing; show sets *found.
 */
typedef void (*pinned_grant_fn)(const struct g511_ctl_grant *g, void *ctx);
int pinned_list(pinned_grant_fn fn, void *ctx);
int pinned_show(const struct g511_client *c, struct g511_ctl_grant *out,
		bool *found);
int pinned_stats(struct g511_ctl_stats *out);

/* importfile.c: the import/export text format. */
int import_file_parse(const char *path, struct g511_ctl_grant_req **reqs,
		      size_t *n);

#endif /* GATE511CTL_H */
