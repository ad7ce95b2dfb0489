// SPDX-License-Identifier: GPL-2.0
/*
 * log.c - one logger for gate511d and gate511ctl. Each message is formatted
 * into one buffer and written with one write(2) so lines from several threads
 * never interleave on stderr.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include "log.h"

#define LOG_LINE_MAX 1024

static int log_foreground = 1;
static int log_verbosity;

void log_init(int foreground, int verbosity)
{
	log_foreground = foreground;
	log_verbosity = verbosity;
	if (!foreground)
		openlog(program_invocation_short_name, LOG_PID | LOG_NDELAY,
			LOG_DAEMON);
	tzset();
}

void log_setverbose(int verbosity)
{
	log_verbosity = verbosity;
}

int log_getverbose(void)
{
	return log_verbosity;
}

/* errnum >= 0: append ": strerror(errnum)". */
static void log_vwrite(int pri, int errnum, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (errnum >= 0)
		n += snprintf(line + n, sizeof(line) - n, ": %s", strerror(errnum));
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	/* drop a trailing newline (libbpf ends its messages with one) */
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';

	if (log_foreground) {
		char out[LOG_LINE_MAX + 64];
		int m;

		m = snprintf(out, sizeof(out), "%s: %s\n",
			     program_invocation_short_name, line);
		if (m > (int)sizeof(out))
			m = sizeof(out);
		if (write(STDERR_FILENO, out, m) < 0)
			return;
	} else {
		syslog(pri, "%s", line);
	}
}

void log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, -1, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, -1, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbosity < 1)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, -1, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, -1, fmt, ap);
	va_end(ap);
	exit(1);
}

int log_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	switch (level) {
	case LIBBPF_WARN:
		log_vwrite(LOG_INFO, -1, fmt, ap);
		break;
	case LIBBPF_INFO:
		if (log_verbosity >= 1)
			log_vwrite(LOG_DEBUG, -1, fmt, ap);
		break;
	default:
		if (log_verbosity >= 2)
			log_vwrite(LOG_DEBUG, -1, fmt, ap);
		break;
	}
	return 0;
}
