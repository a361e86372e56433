/* SPDX-License-Identifier: Apache-2.0
 *
 * snapshot.h -- consistent initial snapshot of the captured tables.
 *
 * The slot is created with an exported snapshot; every reader imports it
 * (SET TRANSACTION SNAPSHOT) so all tables are read as of the slot's
 * consistent point, and streaming from the slot afterwards has no gap and
 * no overlap.  Tables are cut into CTID page ranges and read with COPY by
 * `threads` workers, each on its own connection under the same snapshot.
 *
 * The row callback runs on worker threads, concurrently: it must be
 * thread-safe.  `worker` (0..threads-1) lets it keep per-thread buffers.
 * Relations handed to it are private to that worker and live until the
 * callback returns.
 */
#ifndef SL_SOURCE_PG_SNAPSHOT_H
#define SL_SOURCE_PG_SNAPSHOT_H

#include <stdint.h>

#include "core/err.h"
#include "event/event.h"
#include "source/pg/conn.h"
#include "source/pg/filter.h"

struct sl_pg_snapshot_opts {
	const struct sl_pg_params *params;
	const char *snapshot_name;         /* from CREATE_REPLICATION_SLOT */
	uint64_t consistent_lsn;
	uint32_t xid;                      /* source.txId of snapshot records */
	const char *publication;
	const struct sl_pg_filter *filter;
	const char *topic_prefix;
	int threads;                       /* snapshot.max.threads */
	uint32_t chunk_pages;              /* pages per CTID range; 0 = default */
};

struct sl_pg_snapshot_handler {
	void *ctx;
	enum sl_err (*row)(void *ctx, int worker, const struct sl_change *ch, struct sl_errbuf *eb);
	/* Progress, from the coordinating thread: the snapshot is about to
	 * read tables_total tables (called once, before any row; may be NULL). */
	void (*start)(void *ctx, int tables_total);
	/* Progress, from the coordinating thread: a table finished. */
	void (*table_done)(void *ctx, const char *schema, const char *table, uint64_t rows,
			   int tables_done, int tables_total);
	/* A reader is done with the relation its rows pointed to (at the end
	 * of each CTID range).  Return true to take it over -- the handler
	 * frees it later with sl_relation_free -- or false to have it freed
	 * now.  May be NULL (always freed). */
	bool (*keep_relation)(void *ctx, int worker, struct sl_relation *rel);
};

/* Read every captured table.  Returns the first error of any worker. */
enum sl_err sl_pg_snapshot_run(const struct sl_pg_snapshot_opts *opts,
			       const struct sl_pg_snapshot_handler *h, uint64_t *rows_out,
			       struct sl_errbuf *eb);

/* Decode one line of COPY text format in place into values.
 * `line` is modified; values point into it.  Returns false on a malformed
 * line (wrong column count, bad escape). Exposed for tests. */
bool sl_pg_copy_parse_line(char *line, size_t len, struct sl_value *vals, int ncols);

#endif
