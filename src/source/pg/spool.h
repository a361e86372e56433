/* SPDX-License-Identifier: Apache-2.0
 *
 * spool.h -- on-disk spool for streamed in-progress transactions.
 *
 * With pgoutput protocol v2 and streaming on, PostgreSQL sends a
 * transaction bigger than logical_decoding_work_mem in chunks before it
 * commits.  sluice never holds such a transaction in memory: each chunk's
 * raw messages are appended to a file per top-level xid, replayed in order
 * at Stream Commit and deleted at Stream Abort.  A subtransaction abort
 * truncates the file back to where that subtransaction's first change was
 * written (PostgreSQL's own apply worker does the same).
 *
 * Files are frames of [u32 big-endian length][bytes].  They are scratch:
 * on restart PostgreSQL streams every uncommitted transaction again from
 * the start, so a spool directory left by a crash is simply emptied.
 */
#ifndef SL_SOURCE_PG_SPOOL_H
#define SL_SOURCE_PG_SPOOL_H

#include <stdint.h>
#include <stdio.h>

#include "core/buf.h"
#include "core/err.h"

struct sl_spool_file;

struct sl_spool {
	char *dir;                     /* owned */
	struct sl_spool_file *files;   /* owned list of open transactions */
};

/* Create (or empty) the spool directory. */
enum sl_err sl_spool_init(struct sl_spool *sp, const char *dir, struct sl_errbuf *eb);
void sl_spool_free(struct sl_spool *sp);
/* Append one message of top-level transaction xid, written by (sub)xact subxid. */
enum sl_err sl_spool_append(struct sl_spool *sp, uint32_t xid, uint32_t subxid,
			    const void *msg, size_t len, struct sl_errbuf *eb);
/* Discard a subtransaction's messages (subxid == xid discards everything). */
enum sl_err sl_spool_abort(struct sl_spool *sp, uint32_t xid, uint32_t subxid,
			   struct sl_errbuf *eb);
/* Replay: call fn for each message in order, then delete the file. */
enum sl_err sl_spool_replay(struct sl_spool *sp, uint32_t xid,
			    enum sl_err (*fn)(void *ctx, const uint8_t *msg, size_t len,
					      struct sl_errbuf *eb),
			    void *ctx, struct sl_errbuf *eb);
/* Bytes currently spooled (all transactions). */
uint64_t sl_spool_bytes(const struct sl_spool *sp);

#endif
