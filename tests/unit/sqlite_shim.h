/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sqlite_shim.h - lets a unit test compile in user/gate511d/state.c.
 *
 * The Makefile links unit tests with libgate511.a, libpcap and libbpf but
 * not libsqlite3, so a test that includes state.c defines the SQLite calls
 * state.c makes as forwarders to the real library, found with dlopen() at
 * run time. Definitions in the executable win over a shared library's, so
 * this keeps working if -lsqlite3 is ever added to the link. Keep the list
 * in step with the sqlite3_* calls in state.c (a missing one fails to link).
 */
#ifndef GATE511_SQLITE_SHIM_H
#define GATE511_SQLITE_SHIM_H

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sqlite3.h>

static void *shim_sym(const char *name)
{
	static void *lib;
	void *sym;

	if (!lib)
		lib = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL);
	sym = lib ? dlsym(lib, name) : NULL;
	if (!sym) {
		fprintf(stderr, "sqlite_shim: cannot find %s in libsqlite3.so.0\n", name);
		abort();
	}
	return sym;
}

#define SHIM(ret, name, params, args)					\
	ret name params							\
	{								\
		static ret (*fn) params;				\
		if (!fn)						\
			fn = (ret (*) params)shim_sym(#name);		\
		return fn args;						\
	}

typedef void (*shim_dtor)(void *);
typedef int (*shim_exec_cb)(void *, int, char **, char **);

SHIM(int, sqlite3_bind_blob, (sqlite3_stmt *s, int i, const void *p, int n, shim_dtor d),
     (s, i, p, n, d))
SHIM(int, sqlite3_bind_int, (sqlite3_stmt *s, int i, int v), (s, i, v))
SHIM(int, sqlite3_bind_int64, (sqlite3_stmt *s, int i, sqlite3_int64 v), (s, i, v))
SHIM(int, sqlite3_bind_null, (sqlite3_stmt *s, int i), (s, i))
SHIM(int, sqlite3_bind_text, (sqlite3_stmt *s, int i, const char *p, int n, shim_dtor d),
     (s, i, p, n, d))
SHIM(int, sqlite3_busy_timeout, (sqlite3 *db, int ms), (db, ms))
SHIM(int, sqlite3_changes, (sqlite3 *db), (db))
SHIM(int, sqlite3_clear_bindings, (sqlite3_stmt *s), (s))
SHIM(int, sqlite3_close_v2, (sqlite3 *db), (db))
SHIM(const void *, sqlite3_column_blob, (sqlite3_stmt *s, int c), (s, c))
SHIM(int, sqlite3_column_bytes, (sqlite3_stmt *s, int c), (s, c))
SHIM(int, sqlite3_column_int, (sqlite3_stmt *s, int c), (s, c))
SHIM(sqlite3_int64, sqlite3_column_int64, (sqlite3_stmt *s, int c), (s, c))
SHIM(const unsigned char *, sqlite3_column_text, (sqlite3_stmt *s, int c), (s, c))
SHIM(const char *, sqlite3_errmsg, (sqlite3 *db), (db))
SHIM(int, sqlite3_exec, (sqlite3 *db, const char *sql, shim_exec_cb cb, void *arg, char **err),
     (db, sql, cb, arg, err))
SHIM(int, sqlite3_extended_result_codes, (sqlite3 *db, int on), (db, on))
SHIM(int, sqlite3_finalize, (sqlite3_stmt *s), (s))
SHIM(int, sqlite3_get_autocommit, (sqlite3 *db), (db))
SHIM(sqlite3_int64, sqlite3_last_insert_rowid, (sqlite3 *db), (db))
SHIM(int, sqlite3_open_v2, (const char *path, sqlite3 **db, int flags, const char *vfs),
     (path, db, flags, vfs))
SHIM(int, sqlite3_prepare_v2, (sqlite3 *db, const char *sql, int n, sqlite3_stmt **s,
			       const char **tail), (db, sql, n, s, tail))
SHIM(int, sqlite3_prepare_v3, (sqlite3 *db, const char *sql, int n, unsigned int f,
			       sqlite3_stmt **s, const char **tail), (db, sql, n, f, s, tail))
SHIM(int, sqlite3_reset, (sqlite3_stmt *s), (s))
SHIM(int, sqlite3_step, (sqlite3_stmt *s), (s))
SHIM(int, sqlite3_stricmp, (const char *a, const char *b), (a, b))

void sqlite3_free(void *p)
{
	static void (*fn)(void *);

	if (!fn)
		fn = (void (*)(void *))shim_sym("sqlite3_free");
	fn(p);
}

#endif /* GATE511_SQLITE_SHIM_H */
