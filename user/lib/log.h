/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log.h - the daemon's and the CLI's logger, after OpenBSD's log.c:
 * log_warn() appends strerror(errno), log_warnx() does not; fatal() and
 * fatalx() log and exit(1). Messages go to stderr in the foreground and to
 * syslog (LOG_DAEMON) otherwise. libbpf's own messages are routed one level
 * lower through log_libbpf_print (pass it to libbpf_set_print()).
 */
#ifndef GATE511_LOG_H
#define GATE511_LOG_H

#include <stdarg.h>
#include <bpf/libbpf.h>	/* enum libbpf_print_level only: no libbpf symbol is used */

/*
 * verbosity: 0 = warnings and info, 1 = also debug, 2 = also libbpf's debug
 * chatter. Before log_init() messages go to stderr at verbosity 0.
 */
void log_init(int foreground, int verbosity);
void log_setverbose(int verbosity);
int log_getverbose(void);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* libbpf print callback: WARN -> info, INFO -> debug, DEBUG -> verbosity 2. */
int log_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap);

#endif /* GATE511_LOG_H */
