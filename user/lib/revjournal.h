/* SPDX-License-Identifier: GPL-2.0 */
/*
 * revjournal.h - the revocation journal: a small file beside the state
 * database ("<state>-revoked") that records a revoke the database could
 * not commit (typically: the disk is full), so that a restart does not
 * bring the revoked grant back from the database.
 *
 * Why a separate file: when the filesystem has no free block, SQLite
 * cannot append to its WAL, so even a DELETE fails. This file is
 * allocated and written in full when it is created (while there is room),
 * and a record is later written with pwrite() into blocks the file already
 * owns, then fdatasync(): no allocation is needed on a full filesystem
 * (on ext4, xfs, tmpfs; not on copy-on-write filesystems such as btrfs or
 * ZFS, which allocate on every write).
 *
 * Layout (little endian, REVJ_SLOT bytes per slot):
 *   slot 0          header: magic "G511RVJ1", version, slot size, slots,
 *                   owner (the state DB's box id), crc
 *   slots 1..n      records; an all-zero slot is free
 * A record: seq (non-zero), end wall seconds, the session's counters,
 * grant id, client kind, close reason, client key, CRC-32C over the
 * record's bytes before the crc. A slot whose CRC does not match (a torn
 * write) reads as free: its revoke was never acknowledged as journalled.
 */
#ifndef GATE511_REVJOURNAL_H
#define GATE511_REVJOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "addr.h"

#define REVJ_SLOT		128
#define REVJ_SLOTS_DEFAULT	511	/* + header = 64 KiB */
#define REVJ_SLOTS_MAX		65535
#define REVJ_OWNER_LEN		40	/* with its NUL */

struct revj_rec {
	uint64_t seq;		/* set by revj_put(); order of writing */
	uint64_t end_wall;	/* when it was revoked (wall seconds) */
	uint64_t packets, bytes, packets_down, bytes_down;	/* the session's */
	uint32_t grant_id;	/* the DB grant it closes (grants.id) */
	unsigned int reason;	/* enum g511_close_reason */
	struct g511_client client;
};

/* Pure: one record into / out of a slot. */
void revj_encode(const struct revj_rec *r, uint8_t buf[REVJ_SLOT]);
/* 0; -ENOENT for a free (all-zero) slot; -EBADMSG for a torn or foreign one. */
int revj_decode(const uint8_t buf[REVJ_SLOT], struct revj_rec *r);
uint32_t revj_crc32c(const void *p, size_t n);

struct revjournal;

/*
 * Open path, or create it with nslots record slots, written in full and
 * fsync'd (the file and its directory). An existing file keeps its own
 * slot count. owner names the database the records belong to (its box
 * id; "" for none): -ESTALE if the file is another one's (its grant ids
 * mean nothing here). -EBADMSG if it is not a journal (bad header);
 * -ENOSPC if there is no room to create it.
 */
int revj_open(const char *path, unsigned int nslots, const char *owner,
	      struct revjournal **jp);
void revj_close(struct revjournal *j);

/*
 * Write r (r->seq is set) into the slot of the same client and grant id if
 * one holds it, else into a free slot, and fdatasync. *slot = its index.
 * -ENOSPC if every slot is taken; -errno of pwrite/fdatasync.
 */
int revj_put(struct revjournal *j, struct revj_rec *r, unsigned int *slot);
/* Free slot (zeroes, fdatasync). */
int revj_clear(struct revjournal *j, unsigned int slot);

/* Every valid record, in slot order; fn returns 0 to go on. */
typedef int (*revj_fn)(const struct revj_rec *r, unsigned int slot, void *ctx);
int revj_foreach(struct revjournal *j, revj_fn fn, void *ctx);
unsigned int revj_slots(const struct revjournal *j);
unsigned int revj_used(const struct revjournal *j);

#endif /* GATE511_REVJOURNAL_H */
