/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test.h - the few macros every C test in tests/ shares.
 *
 * ASSERT_* print what differed and return false, so a case written as
 * `if (!ASSERT_EQ(a, b, "what")) return false;` bails at the first miss.
 * Each test program ends with test_summary(), which prints the line
 * tests/run.sh adds up: "RESULT: N passed, N failed, N skipped".
 * A case that cannot run calls test_skip() with the reason; never a pass.
 */
#ifndef GATE511_TEST_H
#define GATE511_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

static int test_passed, test_failed, test_skipped;
static const char *test_current = "";

#define ASSERT_TRUE(cond, what) ({					\
	bool ok_ = (cond);						\
	if (!ok_)							\
		fprintf(stderr, "  %s:%d: %s: %s: expected true\n",	\
			__FILE__, __LINE__, test_current, (what));	\
	ok_; })

#define ASSERT_EQ(got, want, what) ({					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	bool ok_ = g_ == w_;						\
	if (!ok_)							\
		fprintf(stderr, "  %s:%d: %s: %s: got %lld, want %lld\n",\
			__FILE__, __LINE__, test_current, (what), g_, w_); \
	ok_; })

#define ASSERT_NE(got, bad, what) ({					\
	long long g_ = (long long)(got), b_ = (long long)(bad);		\
	bool ok_ = g_ != b_;						\
	if (!ok_)							\
		fprintf(stderr, "  %s:%d: %s: %s: got %lld, must differ\n",\
			__FILE__, __LINE__, test_current, (what), g_);	\
	ok_; })

#define ASSERT_STREQ(got, want, what) ({				\
	const char *g_ = (got), *w_ = (want);				\
	bool ok_ = g_ && w_ && strcmp(g_, w_) == 0;			\
	if (!ok_)							\
		fprintf(stderr, "  %s:%d: %s: %s: got \"%s\", want \"%s\"\n",\
			__FILE__, __LINE__, test_current, (what),	\
			g_ ? g_ : "(null)", w_ ? w_ : "(null)");		\
	ok_; })

#define ASSERT_MEMEQ(got, want, len, what) ({				\
	bool ok_ = memcmp((got), (want), (len)) == 0;			\
	if (!ok_)							\
		fprintf(stderr, "  %s:%d: %s: %s: bytes differ\n",	\
			__FILE__, __LINE__, test_current, (what));	\
	ok_; })

static inline void test_result(const char *name, bool ok)
{
	if (ok) {
		test_passed++;
		printf("ok   %s\n", name);
	} else {
		test_failed++;
		printf("FAIL %s\n", name);
	}
	fflush(stdout);
}

static inline void test_skip(const char *name, const char *why)
{
	test_skipped++;
	printf("skip %s: %s\n", name, why);
	fflush(stdout);
}

/* Run one case function: RUN_CASE(fn) reports it under its own name. */
#define RUN_CASE(fn) do {						\
	test_current = #fn;						\
	test_result(#fn, fn());						\
} while (0)

static inline int test_summary(void)
{
	printf("RESULT: %d passed, %d failed, %d skipped\n",
	       test_passed, test_failed, test_skipped);
	return test_failed ? 1 : 0;
}

#endif /* GATE511_TEST_H */
