/* SPDX-License-Identifier: GPL-2.0 */
/*
 * prom.h - a writer of the Prometheus text exposition format, version
 * 0.0.4 (what `GET /metrics` answers). Pure: it formats into a growing
 * buffer and knows nothing of where the numbers come from.
 *
 * A metric family is begun with prom_family() (the # HELP and # TYPE
 * lines) and its samples follow it, all of them together: the format
 * forbids a family in two places, so the writer refuses a name it has
 * begun before. Counters must be named *_total; names and label names are
 * checked, label values and help text escaped as the format says. The
 * first refusal sticks (prom_err()) and the rest of the calls do nothing,
 * so a caller checks once, at the end.
 */
#ifndef GATE511_PROM_H
#define GATE511_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROM_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"
#define PROM_NAME_MAX		128	/* our own bound on metric names */
#define PROM_FAMILIES_MAX	128

enum prom_type {
	PROM_COUNTER,
	PROM_GAUGE,
	PROM_HISTOGRAM,
	PROM_UNTYPED,
};

struct prom_label {
	const char *name;
	const char *value;	/* any UTF-8: escaped */
};

struct prom_writer {
	char *buf;
	size_t len, cap;
	int err;			/* first failure, -errno */
	char family[PROM_NAME_MAX];	/* the family being written */
	enum prom_type type;
	unsigned int n_families;
	char *families[PROM_FAMILIES_MAX];	/* begun so far (malloc'd) */
};

void prom_init(struct prom_writer *w);
/* The buffer and the names; w is as prom_init() leaves it. */
void prom_free(struct prom_writer *w);
/* 0, or the first failure: -EINVAL (bad name, counter not *_total, a
 * sample of the wrong kind), -EEXIST (a family begun twice), -ENOMEM. */
int prom_err(const struct prom_writer *w);
/* The text (NUL-terminated, len without it); the caller owns it, w is
 * emptied. NULL (and w freed) if anything failed. */
char *prom_finish(struct prom_writer *w, size_t *len);

/* # HELP and # TYPE lines; help may be NULL (no HELP line). */
void prom_family(struct prom_writer *w, const char *name, enum prom_type type,
		 const char *help);
/* One sample of the current counter, gauge or untyped family. */
void prom_u64(struct prom_writer *w, const struct prom_label *labels, size_t n_labels,
	      uint64_t value);
void prom_f64(struct prom_writer *w, const struct prom_label *labels, size_t n_labels,
	      double value);
/*
 * One histogram of the current histogram family: buckets[i] observations
 * at most bounds[i] (not cumulative; bounds ascending), then above_last
 * more; written as the cumulative _bucket lines, le="+Inf", _sum and
 * _count (the +Inf count, so the two always agree).
 */
void prom_histogram(struct prom_writer *w, const struct prom_label *labels, size_t n_labels,
		    const double *bounds, const uint64_t *buckets, size_t n_buckets,
		    uint64_t above_last, double sum);

/* Checks, exposed for the tests. */
bool prom_name_ok(const char *name);		/* [a-zA-Z_:][a-zA-Z0-9_:]* */
bool prom_label_name_ok(const char *name);	/* [a-zA-Z_][a-zA-Z0-9_]*, not __* */

#endif /* GATE511_PROM_H */
