// SPDX-License-Identifier: GPL-2.0
/*
 * importfile.c - the file side of `gate511ctl import`: read the file (or
 * standard input) into memory and check every line with the pure parser
 * of user/lib/grantfile.c before anything is sent. The grants are not kept
 * as requests (664 bytes each, a million per import): the text is, and it
 * is parsed a second time while the requests are sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gate511ctl.h"
#include "grantfile.h"

static int read_all(int fd, struct import_file *f)
{
	size_t cap = 0;

	for (;;) {
		ssize_t n;

		if (cap - f->len < 65536) {
			size_t ncap = cap ? cap * 2 : 1 << 20;
			char *nt = realloc(f->text, ncap);

			if (!nt)
				return -ENOMEM;
			f->text = nt;
			cap = ncap;
		}
		n = read(fd, f->text + f->len, cap - f->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return 0;
		f->len += (size_t)n;
	}
}

static int count_grant(const struct g511_ctl_grant_req *r, unsigned int lineno,
		       void *ctx)
{
	size_t *n = ctx;

	(void)r;
	(void)lineno;
	return ++*n > G511_CTL_IMPORT_MAX ? -E2BIG : 0;
}

int import_file_load(const char *path, struct import_file *f, char *err,
		     size_t err_len)
{
	bool is_stdin = strcmp(path, "-") == 0;
	char why[256];
	int fd, ret;

	memset(f, 0, sizeof(*f));
	f->name = is_stdin ? "standard input" : path;
	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, err_len, "cannot open %s: %s", path, strerror(-ret));
		return ret;
	}
	ret = read_all(fd, f);
	if (!is_stdin)
		close(fd);
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(err, err_len, "%s: out of memory", path);
		else
			snprintf(err, err_len, "cannot read %s: %s", path, strerror(-ret));
		goto fail;
	}
	ret = grantfile_parse(f->text, f->len, count_grant, &f->n, why, sizeof(why));
	if (ret == -E2BIG)
		snprintf(err, err_len, "%s: more than %u grants", f->name,
			 G511_CTL_IMPORT_MAX);
	else if (ret == -ENOMEM)
		snprintf(err, err_len, "%s: out of memory", f->name);
	else if (ret)
		snprintf(err, err_len, "%s %s", f->name, why);
	if (ret)
		goto fail;
	return 0;
fail:
	import_file_free(f);
	return ret;
}

struct line_of {
	unsigned int item, seen, lineno;
};

static int find_item(const struct g511_ctl_grant_req *r, unsigned int lineno, void *ctx)
{
	struct line_of *l = ctx;

	(void)r;
	if (++l->seen < l->item)
		return 0;
	l->lineno = lineno;
	return 1;	/* found: stop */
}

int import_file_line(const struct import_file *f, unsigned int item, unsigned int *lineno)
{
	struct line_of l = { .item = item };
	char why[256];

	if (!item || item > f->n ||
	    grantfile_parse(f->text, f->len, find_item, &l, why, sizeof(why)) != 1)
		return -ENOENT;
	*lineno = l.lineno;
	return 0;
}

int import_file_each(const struct import_file *f,
		     int (*fn)(const struct g511_ctl_grant_req *r, unsigned int lineno,
			       void *ctx),
		     void *ctx)
{
	char why[256];

	return grantfile_parse(f->text, f->len, fn, ctx, why, sizeof(why));
}

void import_file_free(struct import_file *f)
{
	free(f->text);
	memset(f, 0, sizeof(*f));
}
