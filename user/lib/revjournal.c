// SPDX-License-Identifier: GPL-2.0
/*
 * revjournal.c - the revocation journal (revjournal.h): fixed slots in a
 * file written in full at creation, so that recording a revoke later
 * needs no free block. The whole file is kept in memory (64 KiB by
 * default); a write is one slot's pwrite() and an fdatasync().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "revjournal.h"

#define REVJ_MAGIC	"G511RVJ1"
#define REVJ_VERSION	1
#define REVJ_CRC_OFF	(REVJ_SLOT - 4)

struct revjournal {
	int fd;
	unsigned int nslots;	/* record slots (file = nslots + 1 slots) */
	unsigned int used;
	uint64_t seq;		/* highest seq seen */
	uint8_t *img;		/* the file, slot 0 the header */
	bool *valid;		/* [nslots]: slot i + 1 holds a record */
};

uint32_t revj_crc32c(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t crc = ~0U;

	while (n--) {
		crc ^= *b++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78U & -(crc & 1));
	}
	return ~crc;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

void revj_encode(const struct revj_rec *r, uint8_t buf[REVJ_SLOT])
{
	memset(buf, 0, REVJ_SLOT);
	put_le(buf + 0, r->seq, 8);
	put_le(buf + 8, r->end_wall, 8);
	put_le(buf + 16, r->packets, 8);
	put_le(buf + 24, r->bytes, 8);
	put_le(buf + 32, r->packets_down, 8);
	put_le(buf + 40, r->bytes_down, 8);
	put_le(buf + 48, r->grant_id, 4);
	buf[52] = (uint8_t)r->client.kind;
	buf[53] = (uint8_t)r->reason;
	memcpy(buf + 56, r->client.key, 16);
	put_le(buf + REVJ_CRC_OFF, revj_crc32c(buf, REVJ_CRC_OFF), 4);
}

int revj_decode(const uint8_t buf[REVJ_SLOT], struct revj_rec *r)
{
	static const uint8_t zero[REVJ_SLOT];

	memset(r, 0, sizeof(*r));
	if (!memcmp(buf, zero, REVJ_SLOT))
		return -ENOENT;
	if (get_le(buf + REVJ_CRC_OFF, 4) != revj_crc32c(buf, REVJ_CRC_OFF))
		return -EBADMSG;
	r->seq = get_le(buf + 0, 8);
	r->end_wall = get_le(buf + 8, 8);
	r->packets = get_le(buf + 16, 8);
	r->bytes = get_le(buf + 24, 8);
	r->packets_down = get_le(buf + 32, 8);
	r->bytes_down = get_le(buf + 40, 8);
	r->grant_id = (uint32_t)get_le(buf + 48, 4);
	r->client.kind = buf[52];
	r->reason = buf[53];
	memcpy(r->client.key, buf + 56, 16);
	if (!r->seq || !client_valid(&r->client))
		return -EBADMSG;
	return 0;
}

/* Header: magic, version, slot size, slots, owner (24..64), crc at 64. */
#define REVJ_OWNER_OFF	24
#define REVJ_HCRC_OFF	(REVJ_OWNER_OFF + REVJ_OWNER_LEN)

static void header_encode(unsigned int nslots, const char *owner, uint8_t buf[REVJ_SLOT])
{
	memset(buf, 0, REVJ_SLOT);
	memcpy(buf, REVJ_MAGIC, 8);
	put_le(buf + 8, REVJ_VERSION, 4);
	put_le(buf + 12, REVJ_SLOT, 4);
	put_le(buf + 16, nslots, 4);
	strncpy((char *)buf + REVJ_OWNER_OFF, owner, REVJ_OWNER_LEN - 1);
	put_le(buf + REVJ_HCRC_OFF, revj_crc32c(buf, REVJ_HCRC_OFF), 4);
}

/* The slot count of a valid header, else 0. */
static unsigned int header_decode(const uint8_t buf[REVJ_SLOT])
{
	unsigned int n = (unsigned int)get_le(buf + 16, 4);

	if (memcmp(buf, REVJ_MAGIC, 8) || get_le(buf + 8, 4) != REVJ_VERSION ||
	    get_le(buf + 12, 4) != REVJ_SLOT ||
	    get_le(buf + REVJ_HCRC_OFF, 4) != revj_crc32c(buf, REVJ_HCRC_OFF) ||
	    buf[REVJ_HCRC_OFF - 1] != 0 || n == 0 || n > REVJ_SLOTS_MAX)
		return 0;
	return n;
}

static int write_all(int fd, const void *buf, size_t len, off_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t w = pwrite(fd, p, len, off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
		off += w;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	off_t off = 0;

	while (len) {
		ssize_t r = pread(fd, p, len, off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EBADMSG;	/* shorter than its header says */
		p += r;
		len -= (size_t)r;
		off += r;
	}
	return 0;
}

static int fsync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int fd, err = 0;

	if (!slash) {
		strcpy(dir, ".");
	} else if (slash == path) {
		strcpy(dir, "/");
	} else {
		if ((size_t)(slash - path) >= sizeof(dir))
			return -ENAMETOOLONG;
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		err = -errno;
	close(fd);
	return err;
}

/*
 * A new journal: written in full (zeroes, then the header), then synced,
 * under a temporary name renamed into place, so a journal is either whole
 * or absent.
 */
static int revj_create(const char *path, unsigned int nslots, const char *owner)
{
	size_t size = (size_t)(nslots + 1) * REVJ_SLOT;
	char tmp[4096];
	uint8_t *img;
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	img = calloc(1, size);
	if (!img)
		return -ENOMEM;
	header_encode(nslots, owner, img);
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	/* fallocate first: a full disk fails here, not halfway through */
	err = posix_fallocate(fd, 0, (off_t)size);
	if (err == EOPNOTSUPP || err == EINVAL)
		err = 0;
	err = -err;
	if (!err)
		err = write_all(fd, img, size, 0);
	if (!err && fsync(fd) < 0)
		err = -errno;
	close(fd);
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (!err)
		err = fsync_dir(path);
	if (err)
		unlink(tmp);
out:
	free(img);
	return err;
}

int revj_open(const char *path, unsigned int nslots, const char *owner,
	      struct revjournal **jp)
{
	struct revjournal *j;
	struct revj_rec r;
	uint8_t head[REVJ_SLOT];
	unsigned int n;
	int err;

	*jp = NULL;
	if (nslots == 0 || nslots > REVJ_SLOTS_MAX || strlen(owner) >= REVJ_OWNER_LEN)
		return -EINVAL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->fd = open(path, O_RDWR | O_CLOEXEC);
	if (j->fd < 0 && errno == ENOENT) {
		err = revj_create(path, nslots, owner);
		if (err)
			goto fail;
		j->fd = open(path, O_RDWR | O_CLOEXEC);
	}
	if (j->fd < 0) {
		err = -errno;
		goto fail;
	}
	err = read_all(j->fd, head, sizeof(head));
	if (err)
		goto fail;
	n = header_decode(head);
	if (!n) {
		err = -EBADMSG;
		goto fail;
	}
	if (strcmp((const char *)head + REVJ_OWNER_OFF, owner)) {
		err = -ESTALE;	/* another database's journal */
		goto fail;
	}
	j->nslots = n;
	j->img = malloc((size_t)(n + 1) * REVJ_SLOT);
	j->valid = calloc(n, sizeof(*j->valid));
	if (!j->img || !j->valid) {
		err = -ENOMEM;
		goto fail;
	}
	err = read_all(j->fd, j->img, (size_t)(n + 1) * REVJ_SLOT);
	if (err)
		goto fail;
	for (unsigned int i = 0; i < n; i++) {
		if (revj_decode(j->img + (size_t)(i + 1) * REVJ_SLOT, &r))
			continue;
		j->valid[i] = true;
		j->used++;
		if (r.seq > j->seq)
			j->seq = r.seq;
	}
	*jp = j;
	return 0;
fail:
	revj_close(j);
	return err;
}

void revj_close(struct revjournal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j->img);
	free(j->valid);
	free(j);
}

static int slot_write(struct revjournal *j, unsigned int i, const uint8_t buf[REVJ_SLOT])
{
	int err;

	err = write_all(j->fd, buf, REVJ_SLOT, (off_t)(i + 1) * REVJ_SLOT);
	if (!err && fdatasync(j->fd) < 0)
		err = -errno;
	if (!err)
		memcpy(j->img + (size_t)(i + 1) * REVJ_SLOT, buf, REVJ_SLOT);
	return err;
}

int revj_put(struct revjournal *j, struct revj_rec *r, unsigned int *slot)
{
	uint8_t buf[REVJ_SLOT];
	unsigned int i, free_i = j->nslots;
	int err;

	/* the same revocation: grant id and kind (48..53) and key (56..72);
	 * valid slots only, so their CRC has been checked */
	revj_encode(r, buf);
	for (i = 0; i < j->nslots; i++) {
		if (!j->valid[i]) {
			if (free_i == j->nslots)
				free_i = i;
			continue;
		}
		const uint8_t *slot_p = j->img + (size_t)(i + 1) * REVJ_SLOT;

		if (!memcmp(slot_p + 48, buf + 48, 5) && !memcmp(slot_p + 56, buf + 56, 16))
			break;
	}
	if (i == j->nslots)
		i = free_i;
	if (i == j->nslots)
		return -ENOSPC;
	r->seq = j->seq + 1;
	revj_encode(r, buf);
	err = slot_write(j, i, buf);
	if (err)
		return err;
	j->seq = r->seq;
	if (!j->valid[i]) {
		j->valid[i] = true;
		j->used++;
	}
	*slot = i;
	return 0;
}

int revj_clear(struct revjournal *j, unsigned int slot)
{
	static const uint8_t zero[REVJ_SLOT];
	int err;

	if (slot >= j->nslots)
		return -EINVAL;
	if (!j->valid[slot])
		return 0;
	err = slot_write(j, slot, zero);
	if (err)
		return err;
	j->valid[slot] = false;
	j->used--;
	return 0;
}

int revj_foreach(struct revjournal *j, revj_fn fn, void *ctx)
{
	struct revj_rec r;
	int ret;

	for (unsigned int i = 0; i < j->nslots; i++) {
		if (!j->valid[i] || revj_decode(j->img + (size_t)(i + 1) * REVJ_SLOT, &r))
			continue;
		ret = fn(&r, i, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

unsigned int revj_slots(const struct revjournal *j)
{
	return j->nslots;
}

unsigned int revj_used(const struct revjournal *j)
{
	return j->used;
}
