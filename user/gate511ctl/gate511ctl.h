/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gate511ctl.h - what the files of the admin CLI share. There is no global
 * state: main.c builds a struct gctl from the global options and hands it
 * to the command, which hands it on to what it calls.
 *
 *   main.c        options, the command table, the commands
 *   rpc.c         the one request -> reply(s) exchange with gate511d
 *   print.c       how grants, sessions, counters and errors look
 *   pinned.c      read-only answers from the pinned maps (daemon down)
 *   importfile.c  reading an import file (the format: lib/grantfile.c)
 *   set.c         set: change a live grant in place
 *
 * Exit codes (stable; also in gate511ctl(8)):
 *   0  success
 *   1  usage error or bad input (bad address, option, file, value)
 *   2  unknown client or entry (not found)
 *   3  daemon not running, and the command has no fallback (or the pinned
 *      maps are missing too)
 *   4  no room: a map is full, or the state database cannot grow (its
 *      disk is full); the grant or entry was refused, nothing was evicted
 *   5  any other error (permission denied, protocol or I/O error)
 *   6  deny: revoked in the datapath at once, but not yet recorded in the
 *      state database (gate511d retries; the message says whether it
 *      survives a restart before then)
 */
#ifndef GATE511CTL_H
#define GATE511CTL_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
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
	EXIT_NOT_DURABLE = 6,
	EXIT_REJECTED = 7,	/* login: the RADIUS server said no */
	EXIT_UNREACHABLE = 8,	/* login: no RADIUS server answered */
};

/* The global options: where the daemon and the maps are, how to print. */
struct gctl {
	bool json, pretty;
	const char *sock_path;
	const char *pin_dir;
	struct json_writer *jw;		/* when json */
};

/*
 * print.c: report an error once: "gate511ctl: MSG" on stderr, or with -j
 * {"error": MSG, "code": CODE} on stdout and nothing on stderr. Returns
 * code (the exit status).
 */
int cli_error(const struct gctl *g, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * main.c: a usage error of command c (NULL: none): "MSG (usage: gate511ctl
 * CMD ARGS)", exit EXIT_USAGE.
 */
struct cmd;
int usage_error(const struct gctl *g, const struct cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---------------------------------------------------------- status.c */

int status_cmd(const struct gctl *g);

/* ---------------------------------------------------------- radius.c */

int radius_cmd_login(const struct gctl *g, int argc, char **argv);
int radius_cmd_status(const struct gctl *g, int argc, char **argv);

/* ------------------------------------------------------------- set.c */

/* set's options: their .val index the opt[] the command gets */
enum { SET_OPT_TTL, SET_OPT_IDLE, SET_OPT_QUOTA, SET_OPT_RATE_UP, SET_OPT_RATE_DOWN };
extern const struct option set_opts[];
int set_cmd(const struct gctl *g, int argc, char **argv, const char *const *opt);

/* ------------------------------------------------------------- rpc.c */

/* rpc_call() result when the daemon is down and the call may fall back. */
#define RPC_DOWN	(-1)

struct rpc_conn;

/*
 * One exchange with gate511d: connect, send the batch (if any) and the
 * request, read the reply or the stream of replies up to END, check seq
 * and types, and turn the daemon's ERROR into its exit code. Every failure
 * is reported here, once; the caller only prints what it got.
 */
struct rpc_call {
	unsigned int type;	/* the request */
	const void *body;	/* its body; NULL when it has none */
	unsigned int reply;	/* the reply's type; a stream's item type */
	bool stream;		/* replies up to END, counted */
	bool fall_back;		/* daemon down: RPC_DOWN, nothing reported */
	/*
	 * Messages sent before the request (import's items): batch() calls
	 * rpc_send() for each and returns 0 or an exit code.
	 */
	int (*batch)(struct rpc_conn *conn, void *ctx);
	void *batch_ctx;
	/*
	 * Optional: report the daemon's ERROR (code: its exit code) and
	 * return the exit code, e.g. to name the line of an import item;
	 * ctx is batch_ctx. Default: the message as it is.
	 */
	int (*daemon_error)(const struct gctl *g, const struct g511_ctl_error *e,
			    int code, void *ctx);

	/* results */
	struct g511_ctl_msg msg;	/* the reply (not stream) */
	void *items;			/* stream: n bodies of the reply type; free() */
	size_t n;
	int connect_err;		/* -errno of a failed connect, else 0 */
};

/* 0, an exit code (reported), or RPC_DOWN (fall_back only). */
int rpc_call(const struct gctl *g, struct rpc_call *call);
/*
 * Inside batch(): queue one message. 0, or EXIT_ERROR: stop the batch and
 * return it; rpc_call() reports the failure (or the daemon's answer).
 */
int rpc_send(struct rpc_conn *conn, unsigned int type, const void *body);
/* The exit code for the errno of a daemon's ERROR. */
int rpc_exit_for(int code);

/* ----------------------------------------------------------- print.c */

void print_time(uint64_t wall, char *buf, size_t len);
void print_grant_header(void);
void print_grant_row(const struct g511_ctl_grant *g, uint64_t now);
void print_grant_block(const struct g511_ctl_grant *g, uint64_t now);
void print_grant_json(struct json_writer *jw, const struct g511_ctl_grant *g,
		      uint64_t now);
void print_session_header(void);
void print_session_row(const struct g511_ctl_session *s);
void print_session_json(struct json_writer *jw, const struct g511_ctl_session *s);
void print_stats(const struct gctl *g, const struct g511_ctl_stats *s,
		 const char *source);
void print_garden_json(struct json_writer *jw, const struct g511_ctl_garden *e);
/* garden.c: garden add|del|list, prefixes and names */
int garden_cmd(const struct gctl *g, const struct cmd *c, int argc, char **argv);
struct g511_gname;
int gname_cmd(const struct gctl *g, const char *sub, const struct g511_gname *gn);
void gname_print_text(const struct g511_ctl_gname *v, size_t n);
void gname_print_json(struct json_writer *jw, const struct g511_ctl_gname *v, size_t n);
/* 0, or -errno of the write (stdout). */
int print_export_line(const struct g511_ctl_grant *g);

/* ---------------------------------------------------------- pinned.c */

/*
 * Read-only answers from the maps pinned in pin_dir, when the daemon is
 * down. 0, or -ENOENT when the pins are missing, -EINVAL when they do not
 * have gate511's shapes, another -errno; err says which and why.
 */
typedef void (*pinned_grant_fn)(const struct g511_ctl_grant *g, void *ctx);
int pinned_list(const char *pin_dir, pinned_grant_fn fn, void *ctx, char *err,
		size_t err_len);
int pinned_show(const char *pin_dir, const struct g511_client *c,
		struct g511_ctl_grant *out, bool *found, char *err, size_t err_len);
int pinned_stats(const char *pin_dir, struct g511_ctl_stats *out, char *err,
		 size_t err_len);

/* ------------------------------------------------------ importfile.c */

/*
 * An import file read into memory (path "-": standard input) and checked
 * line by line: 0, or -errno with "PATH line N: ..." (or "PATH: ...")
 * in err (-ENOMEM: out of memory; anything else: bad input). n counts its
 * grants.
 */
struct import_file {
	const char *name;	/* for messages: the path, or "standard input" */
	char *text;
	size_t len;
	size_t n;
};

int import_file_load(const char *path, struct import_file *f, char *err,
		     size_t err_len);
/* Each grant of a loaded file to fn, as grantfile_parse() does. */
int import_file_each(const struct import_file *f,
		     int (*fn)(const struct g511_ctl_grant_req *r, unsigned int lineno,
			       void *ctx),
		     void *ctx);
/* The line of the item-th grant (from 1) of a loaded file; -ENOENT. */
int import_file_line(const struct import_file *f, unsigned int item,
		     unsigned int *lineno);
void import_file_free(struct import_file *f);

#endif /* GATE511CTL_H */
