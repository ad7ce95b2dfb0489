// SPDX-License-Identifier: GPL-2.0
/*
 * prom.c - the Prometheus text exposition format 0.0.4 (prom.h).
 *
 * From the format's description: a metric name matches
 * [a-zA-Z_:][a-zA-Z0-9_:]*, a label name [a-zA-Z_][a-zA-Z0-9_]* (names
 * starting "__" are reserved); in a label value backslash, double quote
 * and line feed are escaped as \\, \" and \n; in HELP text backslash and
 * line feed only. Values are Go floats ("+Inf", "-Inf", "NaN"); integers
 * are written as integers so a counter past 2^53 keeps every digit. The
 * histogram label "le" belongs to the writer, not to the caller.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"

void prom_init(struct prom_writer *w)
{
	memset(w, 0, sizeof(*w));
}

void prom_free(struct prom_writer *w)
{
	free(w->buf);
	for (unsigned int i = 0; i < w->n_families; i++)
		free(w->families[i]);
	prom_init(w);
}

int prom_err(const struct prom_writer *w)
{
	return w->err;
}

char *prom_finish(struct prom_writer *w, size_t *len)
{
	char *s = w->buf;

	if (w->err || !s) {
		prom_free(w);
		return NULL;
	}
	*len = w->len;
	w->buf = NULL;
	prom_free(w);
	return s;
}

static void fail(struct prom_writer *w, int err)
{
	if (!w->err)
		w->err = err;
}

static bool room(struct prom_writer *w, size_t more)
{
	size_t cap;
	char *nb;

	if (w->len + more + 1 <= w->cap)
		return true;
	cap = w->cap ? w->cap : 4096;
	while (cap < w->len + more + 1)
		cap *= 2;
	nb = realloc(w->buf, cap);
	if (!nb) {
		fail(w, -ENOMEM);
		return false;
	}
	w->buf = nb;
	w->cap = cap;
	return true;
}

static void put(struct prom_writer *w, const char *s, size_t n)
{
	if (w->err || !room(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void puts_(struct prom_writer *w, const char *s)
{
	put(w, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3))) putf(struct prom_writer *w,
							const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		fail(w, -EINVAL);
	else
		put(w, tmp, n);
}

/* s with the characters in what escaped (a subset of "\\\"\n"). */
static void put_escaped(struct prom_writer *w, const char *s, const char *what)
{
	for (; *s; s++) {
		if (*s == '\n' && strchr(what, '\n'))
			puts_(w, "\\n");
		else if ((*s == '\\' || *s == '"') && strchr(what, *s))
			put(w, (const char[]){ '\\', *s }, 2);
		else
			put(w, s, 1);
	}
}

static bool name_char(char c, bool first, bool colon)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return true;
	if (colon && c == ':')
		return true;
	return !first && c >= '0' && c <= '9';
}

bool prom_name_ok(const char *name)
{
	if (!name || !*name || strlen(name) >= PROM_NAME_MAX)
		return false;
	for (const char *p = name; *p; p++)
		if (!name_char(*p, p == name, true))
			return false;
	return true;
}

bool prom_label_name_ok(const char *name)
{
	if (!name || !*name || !strncmp(name, "__", 2))
		return false;
	for (const char *p = name; *p; p++)
		if (!name_char(*p, p == name, false))
			return false;
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static const char *const type_names[] = {
	[PROM_COUNTER] = "counter",
	[PROM_GAUGE] = "gauge",
	[PROM_HISTOGRAM] = "histogram",
	[PROM_UNTYPED] = "untyped",
};

void prom_family(struct prom_writer *w, const char *name, enum prom_type type,
		 const char *help)
{
	char *copy;

	if (w->err)
		return;
	if (!prom_name_ok(name) || (unsigned int)type > PROM_UNTYPED ||
	    (type == PROM_COUNTER) != ends_with(name, "_total")) {
		fail(w, -EINVAL);
		return;
	}
	for (unsigned int i = 0; i < w->n_families; i++) {
		if (!strcmp(w->families[i], name)) {
			fail(w, -EEXIST);
			return;
		}
	}
	if (w->n_families == PROM_FAMILIES_MAX) {
		fail(w, -ENOSPC);
		return;
	}
	copy = strdup(name);
	if (!copy) {
		fail(w, -ENOMEM);
		return;
	}
	w->families[w->n_families++] = copy;
	snprintf(w->family, sizeof(w->family), "%s", name);
	w->type = type;
	if (help) {
		puts_(w, "# HELP ");
		puts_(w, name);
		puts_(w, " ");
		put_escaped(w, help, "\\\n");
		puts_(w, "\n");
	}
	puts_(w, "# TYPE ");
	puts_(w, name);
	puts_(w, " ");
	puts_(w, type_names[type]);
	puts_(w, "\n");
}

/* name{labels[,le="..."]} (the value follows). */
static void sample_head(struct prom_writer *w, const char *suffix,
			const struct prom_label *labels, size_t n_labels, const char *le)
{
	bool any = n_labels || le;

	puts_(w, w->family);
	puts_(w, suffix);
	if (any)
		puts_(w, "{");
	for (size_t i = 0; i < n_labels; i++) {
		if (!prom_label_name_ok(labels[i].name) || !labels[i].value ||
		    (w->type == PROM_HISTOGRAM && !strcmp(labels[i].name, "le"))) {
			fail(w, -EINVAL);
			return;
		}
		if (i)
			puts_(w, ",");
		puts_(w, labels[i].name);
		puts_(w, "=\"");
		put_escaped(w, labels[i].value, "\\\"\n");
		puts_(w, "\"");
	}
	if (le) {
		puts_(w, n_labels ? ",le=\"" : "le=\"");
		puts_(w, le);
		puts_(w, "\"");
	}
	if (any)
		puts_(w, "}");
	puts_(w, " ");
}

static bool plain_family(struct prom_writer *w)
{
	if (w->err)
		return false;
	if (!w->family[0] || w->type == PROM_HISTOGRAM) {
		fail(w, -EINVAL);
		return false;
	}
	return true;
}

/* The shortest of %.15g..%.17g that reads back as v (0.1, not 0.10000000000000001). */
static void fmt_f64(double v, char *out, size_t len)
{
	if (isnan(v)) {
		snprintf(out, len, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(out, len, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, len, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

static void put_f64(struct prom_writer *w, double v)
{
	char s[40];

	fmt_f64(v, s, sizeof(s));
	puts_(w, s);
}

void prom_u64(struct prom_writer *w, const struct prom_label *labels, size_t n_labels,
	      uint64_t value)
{
	if (!plain_family(w))
		return;
	sample_head(w, "", labels, n_labels, NULL);
	putf(w, "%llu\n", (unsigned long long)value);
}

void prom_f64(struct prom_writer *w, const struct prom_label *labels, size_t n_labels,
	      double value)
{
	if (!plain_family(w))
		return;
	sample_head(w, "", labels, n_labels, NULL);
	put_f64(w, value);
	puts_(w, "\n");
}

void prom_histogram(struct prom_writer *w, const struct prom_label *labels, size_t n_labels,
		    const double *bounds, const uint64_t *buckets, size_t n_buckets,
		    uint64_t above_last, double sum)
{
	uint64_t cum = 0;
	char le[40];

	if (w->err)
		return;
	if (w->type != PROM_HISTOGRAM || !w->family[0]) {
		fail(w, -EINVAL);
		return;
	}
	for (size_t i = 0; i < n_buckets; i++) {
		if (!isfinite(bounds[i]) || (i && !(bounds[i] > bounds[i - 1]))) {
			fail(w, -EINVAL);
			return;
		}
		cum += buckets[i];
		fmt_f64(bounds[i], le, sizeof(le));
		sample_head(w, "_bucket", labels, n_labels, le);
		putf(w, "%llu\n", (unsigned long long)cum);
	}
	cum += above_last;
	sample_head(w, "_bucket", labels, n_labels, "+Inf");
	putf(w, "%llu\n", (unsigned long long)cum);
	sample_head(w, "_sum", labels, n_labels, NULL);
	put_f64(w, sum);
	puts_(w, "\n");
	sample_head(w, "_count", labels, n_labels, NULL);
	putf(w, "%llu\n", (unsigned long long)cum);
}
