// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_accept.c - libFuzzer target for the Accept header parser
 * (accept_quality in user/lib/accept.c) on an exact-size heap copy of the
 * input, so ASan sees any read past the header's length.
 *
 * Checked: the weight is within 0..ACCEPT_Q_MAX; appending "," (an empty
 * element) changes nothing; appending ",application/captive+json" gives
 * our type q=1 (the exact type is the most specific range there is, and
 * the highest weight among equals wins); appending the same with q=0
 * never raises the weight. The appended checks need an input without '"',
 * which could open a quoted string that swallows what follows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "accept.h"
#include "capport_json.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char accept[] = ",application/captive+json";
	static const char refuse[] = ",application/captive+json;q=0";
	unsigned int q, q2;
	char *hdr;

	hdr = malloc(size + sizeof(refuse));
	if (!hdr)
		return 0;
	memcpy(hdr, data, size);
	q = accept_quality(hdr, size, CAPPORT_MEDIA_TYPE);
	check(q <= ACCEPT_Q_MAX);
	/* an open quoted string would swallow what follows: only then may
	 * the appended elements be ignored */
	if (!memchr(data, '"', size)) {
		memcpy(hdr + size, ",", 1);
		q2 = accept_quality(hdr, size + 1, CAPPORT_MEDIA_TYPE);
		check(q2 == q);
		memcpy(hdr + size, refuse, sizeof(refuse) - 1);
		q2 = accept_quality(hdr, size + sizeof(refuse) - 1, CAPPORT_MEDIA_TYPE);
		check(q2 <= q);
		memcpy(hdr + size, accept, sizeof(accept) - 1);
		q2 = accept_quality(hdr, size + sizeof(accept) - 1, CAPPORT_MEDIA_TYPE);
		check(q2 == ACCEPT_Q_MAX);
	}
	free(hdr);
	return 0;
}
