// SPDX-License-Identifier: GPL-2.0
/*
 * test_revjournal.c - the revocation journal file (user/lib/revjournal.c)
 * on a temporary file: the record format, a record written and read back
 * after a reopen, a slot reused for the same revocation, a torn record
 * rejected by its CRC, a full journal, a foreign header, and that writing
 * a record allocates no block (the file was written in full at creation).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "test.h"
#include "revjournal.h"

#define OWNER	"0b3c5d2e-1111-4222-8333-444455556666"

static char dir[] = "/tmp/g511-revj-XXXXXX";
static char path[256];

static void rec_make(struct revj_rec *r, const char *who, uint32_t id)
{
	memset(r, 0, sizeof(*r));
	client_parse(who, &r->client);
	r->grant_id = id;
	r->reason = 3;		/* revoked */
	r->end_wall = 1700000000 + id;
	r->packets = 10 * id;
	r->bytes = 1000 * id;
	r->packets_down = 20 * id;
	r->bytes_down = 2000 * id;
}

static void fresh(void)
{
	char tmp[300];

	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	unlink(tmp);
}

struct seen {
	struct revj_rec r[8];
	unsigned int slot[8];
	unsigned int n;
};

static int collect(const struct revj_rec *r, unsigned int slot, void *ctx)
{
	struct seen *s = ctx;

	if (s->n < 8) {
		s->r[s->n] = *r;
		s->slot[s->n] = slot;
	}
	s->n++;
	return 0;
}

static bool test_crc32c_vector(void)
{
	/* the CRC-32C check value (RFC 3720 appendix B.4 polynomial) */
	return ASSERT_EQ(revj_crc32c("123456789", 9), 0xe3069283U, "crc32c(123456789)");
}

static bool test_record_roundtrip(void)
{
	uint8_t buf[REVJ_SLOT], zero[REVJ_SLOT] = { 0 };
	struct revj_rec r, back;
	bool ok = true;

	rec_make(&r, "fd00::5", 42);
	r.seq = 7;
	revj_encode(&r, buf);
	ok &= ASSERT_EQ(revj_decode(buf, &back), 0, "decode");
	ok &= ASSERT_EQ(back.seq, 7, "seq");
	ok &= ASSERT_EQ(back.grant_id, 42, "grant id");
	ok &= ASSERT_EQ(back.reason, 3, "reason");
	ok &= ASSERT_EQ(back.end_wall, 1700000042, "end");
	ok &= ASSERT_EQ(back.bytes_down, 84000, "bytes down");
	ok &= ASSERT_EQ(client_cmp(&back.client, &r.client), 0, "client");
	ok &= ASSERT_EQ(revj_decode(zero, &back), -ENOENT, "zero slot is free");
	for (size_t i = 0; i < REVJ_SLOT; i += 13) {
		uint8_t bad[REVJ_SLOT];

		memcpy(bad, buf, sizeof(bad));
		bad[i] ^= 0x40;
		ok &= ASSERT_EQ(revj_decode(bad, &back), -EBADMSG, "one bit flipped");
	}
	r.seq = 0;	/* a valid CRC, but seq 0 is never written */
	revj_encode(&r, buf);
	ok &= ASSERT_EQ(revj_decode(buf, &back), -EBADMSG, "seq 0");
	return ok;
}

static bool test_write_reopen(void)
{
	struct revjournal *j;
	struct revj_rec a, b, a2;
	struct seen s = { 0 };
	unsigned int sa, sb, sa2;
	struct stat stt;
	bool ok = true;

	fresh();
	if (!ASSERT_EQ(revj_open(path, 8, OWNER, &j), 0, "create"))
		return false;
	ok &= ASSERT_EQ(stat(path, &stt), 0, "stat");
	ok &= ASSERT_EQ(stt.st_size, 9 * REVJ_SLOT, "size: header + 8 slots");
	rec_make(&a, "10.0.0.5", 1);
	rec_make(&b, "02:11:22:33:44:55", 2);
	ok &= ASSERT_EQ(revj_put(j, &a, &sa), 0, "put a");
	ok &= ASSERT_EQ(revj_put(j, &b, &sb), 0, "put b");
	ok &= ASSERT_NE(sa, sb, "two slots");
	/* the same revocation again (a second deny): same slot, new seq */
	a2 = a;
	a2.packets = 99;
	ok &= ASSERT_EQ(revj_put(j, &a2, &sa2), 0, "put a again");
	ok &= ASSERT_EQ(sa2, sa, "same slot");
	ok &= ASSERT_EQ(revj_used(j), 2, "two used");
	revj_close(j);

	if (!ASSERT_EQ(revj_open(path, 100, OWNER, &j), 0, "reopen"))
		return false;
	ok &= ASSERT_EQ(revj_slots(j), 8, "keeps its own slot count");
	revj_foreach(j, collect, &s);
	ok &= ASSERT_EQ(s.n, 2, "two records back");
	ok &= ASSERT_EQ(s.r[0].packets, 99, "the newer record of a");
	ok &= ASSERT_EQ(s.r[1].grant_id, 2, "b");
	ok &= ASSERT_TRUE(s.r[0].seq < s.r[1].seq || s.r[0].seq > s.r[1].seq, "seqs differ");
	ok &= ASSERT_EQ(revj_clear(j, sa), 0, "clear a");
	revj_close(j);

	memset(&s, 0, sizeof(s));
	if (!ASSERT_EQ(revj_open(path, 8, OWNER, &j), 0, "reopen 2"))
		return false;
	revj_foreach(j, collect, &s);
	ok &= ASSERT_EQ(s.n, 1, "one left");
	ok &= ASSERT_EQ(s.r[0].grant_id, 2, "b left");
	/* a new record after a reopen gets a seq above every one on file */
	ok &= ASSERT_EQ(revj_put(j, &a, &sa), 0, "put a after reopen");
	ok &= ASSERT_TRUE(a.seq > s.r[0].seq, "seq grows across reopen");
	revj_close(j);
	return ok;
}

static bool test_torn_record(void)
{
	uint8_t buf[REVJ_SLOT] = { 0 }, full[REVJ_SLOT];
	struct revjournal *j;
	struct revj_rec a, b;
	struct seen s = { 0 };
	unsigned int sa, sb;
	bool ok = true;
	int fd;

	fresh();
	if (!ASSERT_EQ(revj_open(path, 4, OWNER, &j), 0, "create"))
		return false;
	rec_make(&a, "10.0.0.5", 1);
	rec_make(&b, "10.0.0.6", 2);
	ok &= ASSERT_EQ(revj_put(j, &a, &sa), 0, "put a");
	ok &= ASSERT_EQ(revj_put(j, &b, &sb), 0, "put b");
	revj_close(j);
	/* b's slot torn: only its first 60 bytes reached the disk */
	b.seq = 2;
	revj_encode(&b, full);
	memcpy(buf, full, 60);
	fd = open(path, O_RDWR);
	ok &= ASSERT_EQ(pwrite(fd, buf, sizeof(buf), (off_t)(sb + 1) * REVJ_SLOT),
			REVJ_SLOT, "tear b");
	close(fd);

	if (!ASSERT_EQ(revj_open(path, 4, OWNER, &j), 0, "reopen"))
		return false;
	revj_foreach(j, collect, &s);
	ok &= ASSERT_EQ(s.n, 1, "the torn record is not read");
	ok &= ASSERT_EQ(s.r[0].grant_id, 1, "a survives");
	ok &= ASSERT_EQ(revj_used(j), 1, "one used");
	/* the torn slot is free for the next record */
	ok &= ASSERT_EQ(revj_put(j, &b, &sb), 0, "put b again");
	ok &= ASSERT_EQ(revj_used(j), 2, "two used");
	revj_close(j);
	return ok;
}

static bool test_full(void)
{
	struct revjournal *j;
	struct revj_rec r;
	unsigned int slot, first = 0;
	struct stat before, after;
	char who[32];
	bool ok = true;

	fresh();
	if (!ASSERT_EQ(revj_open(path, 3, OWNER, &j), 0, "create"))
		return false;
	stat(path, &before);
	for (uint32_t i = 1; i <= 3; i++) {
		snprintf(who, sizeof(who), "10.0.1.%u", i);
		rec_make(&r, who, i);
		ok &= ASSERT_EQ(revj_put(j, &r, &slot), 0, who);
		if (i == 1)
			first = slot;
	}
	rec_make(&r, "10.0.1.4", 4);
	ok &= ASSERT_EQ(revj_put(j, &r, &slot), -ENOSPC, "fourth: full");
	stat(path, &after);
	ok &= ASSERT_EQ(after.st_size, before.st_size, "the file never grows");
	/* written in full at creation: records need no new block */
	ok &= ASSERT_EQ(after.st_blocks, before.st_blocks, "no block allocated");
	ok &= ASSERT_TRUE(before.st_blocks * 512 >= before.st_size, "blocks allocated");
	ok &= ASSERT_EQ(revj_clear(j, first), 0, "clear one");
	ok &= ASSERT_EQ(revj_put(j, &r, &slot), 0, "room again");
	ok &= ASSERT_EQ(slot, first, "in the freed slot");
	revj_close(j);
	return ok;
}

static bool test_foreign_header(void)
{
	struct revjournal *j = NULL;
	bool ok = true;
	int fd;

	fresh();
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ok &= ASSERT_EQ(write(fd, "not a journal, just text\n", 25), 25, "write");
	close(fd);
	ok &= ASSERT_EQ(revj_open(path, 4, OWNER, &j), -EBADMSG, "foreign file refused");
	ok &= ASSERT_TRUE(j == NULL, "no journal");
	fresh();
	ok &= ASSERT_EQ(revj_open(path, 0, OWNER, &j), -EINVAL, "zero slots");
	return ok;
}

static bool test_owner(void)
{
	struct revjournal *j = NULL;
	struct revj_rec r;
	unsigned int slot;
	bool ok = true;

	fresh();
	if (!ASSERT_EQ(revj_open(path, 4, OWNER, &j), 0, "create"))
		return false;
	rec_make(&r, "10.0.0.5", 1);
	ok &= ASSERT_EQ(revj_put(j, &r, &slot), 0, "put");
	revj_close(j);
	j = NULL;
	/* another database (another box id, or none): its ids mean nothing */
	ok &= ASSERT_EQ(revj_open(path, 4, "0b3c5d2e-1111-4222-8333-444455550000", &j),
			-ESTALE, "another owner");
	ok &= ASSERT_EQ(revj_open(path, 4, "", &j), -ESTALE, "no owner");
	ok &= ASSERT_TRUE(j == NULL, "not opened");
	ok &= ASSERT_EQ(revj_open(path, 4, OWNER, &j), 0, "its owner");
	ok &= ASSERT_EQ(revj_used(j), 1, "record kept");
	revj_close(j);
	return ok;
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/state.db-revoked", dir);
	RUN_CASE(test_crc32c_vector);
	RUN_CASE(test_record_roundtrip);
	RUN_CASE(test_write_reopen);
	RUN_CASE(test_torn_record);
	RUN_CASE(test_full);
	RUN_CASE(test_foreign_header);
	RUN_CASE(test_owner);
	fresh();
	rmdir(dir);
	return test_summary();
}
