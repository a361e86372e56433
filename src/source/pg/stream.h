/* SPDX-License-Identifier: Apache-2.0
 *
 * stream.h -- logical replication from a slot: pgoutput in, changes out.
 *
 * The stream owns the walsender connection, the relation cache and the
 * spool for streamed transactions.  It turns the wire into calls on a
 * handler, one committed transaction at a time and in commit order:
 * begin, change..., commit.  Streamed (in-progress) transactions are
 * spooled and replayed at their Stream Commit, so the handler never sees
 * an uncommitted or aborted change.
 *
 * Position feedback: the stream reports the flush position the pipeline
 * allows (sl_pg_stream_set_flush) in every standby status update, sent
 * every status_interval_ms and whenever the server asks.  When the
 * pipeline is idle -- everything received is acked and no transaction is
 * open -- the keepalive position is confirmed too, so an idle slot never
 * holds WAL back while unrelated tables change.
 */
#ifndef SL_SOURCE_PG_STREAM_H
#define SL_SOURCE_PG_STREAM_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "event/event.h"
#include "source/pg/catalog.h"

struct sl_pg_txn {
	uint32_t xid;
	uint64_t commit_lsn; /* LSN of the commit record */
	uint64_t end_lsn;    /* end of the commit record: what to confirm (0 until commit) */
	int64_t commit_ts_us;
};

struct sl_pg_handler {
	void *ctx;
	enum sl_err (*begin)(void *ctx, const struct sl_pg_txn *txn, struct sl_errbuf *eb);
	enum sl_err (*change)(void *ctx, const struct sl_change *ch, struct sl_errbuf *eb);
	enum sl_err (*commit)(void *ctx, const struct sl_pg_txn *txn, struct sl_errbuf *eb);
};

struct sl_pg_stream_opts {
	const char *slot;
	const char *publication;
	const char *spool_dir;
	int status_interval_ms;
	bool capture_truncate;   /* emit op 't' */
	bool capture_messages;   /* emit op 'm' */
	/* Ask for streaming 'on' (protocol 2): the server sends a transaction
	 * bigger than logical_decoding_work_mem in chunks while it is in
	 * progress, and the stream spools them.  Off: the server spills such a
	 * transaction to its own disk and sends it after the commit. */
	bool stream_in_progress;
	uint64_t last_commit_lsn; /* the slot's confirmed position: first `sequence` head */
};

struct sl_pg_stream;

/* The pgoutput protocol version for a server_version_num: 2 on PostgreSQL
 * 14+ (with streaming 'on' and messages 'true'), 1 on 10-13, which know
 * neither option (no streaming of in-progress transactions, no logical
 * decoding messages). */
int sl_pg_stream_proto_for(int server_version);
/* The START_REPLICATION command for that protocol into buf[n], with
 * streaming 'on' when `streaming` (protocol 2 only); false if it does not
 * fit. */
bool sl_pg_stream_start_command(char *buf, size_t n, int proto, bool streaming, const char *slot,
				const char *publication, uint64_t start_lsn);

/* Start replication on `conn` (a replication=database connection; the
 * stream takes ownership), with the protocol sl_pg_stream_proto_for() picks
 * for the server's version.  start_lsn 0 resumes from the slot's confirmed
 * position.  The catalog is borrowed and must outlive the stream. */
enum sl_err sl_pg_stream_start(PGconn *conn, struct sl_pg_catalog *cat,
			       const struct sl_pg_stream_opts *opts, uint64_t start_lsn,
			       struct sl_pg_stream **out, struct sl_errbuf *eb);
/* Receive and dispatch for up to timeout_ms (returns early after a batch).
 * SL_ERR_RETRY: the connection was lost; destroy and reconnect. */
enum sl_err sl_pg_stream_poll(struct sl_pg_stream *st, int timeout_ms,
			      const struct sl_pg_handler *h, struct sl_errbuf *eb);
/* The pipeline's confirmable LSN, and whether it has nothing in flight. */
void sl_pg_stream_set_flush(struct sl_pg_stream *st, uint64_t flush_lsn, bool idle);
/* Send a status update now (e.g. before shutdown). */
enum sl_err sl_pg_stream_send_status(struct sl_pg_stream *st, bool reply, struct sl_errbuf *eb);
/* Whether the server was asked to stream in-progress transactions (the
 * option was set and the protocol has it). */
bool sl_pg_stream_in_progress(const struct sl_pg_stream *st);
uint64_t sl_pg_stream_received_lsn(const struct sl_pg_stream *st);
uint64_t sl_pg_stream_confirmed_lsn(const struct sl_pg_stream *st);
/* The position the next status update will confirm. */
uint64_t sl_pg_stream_flushable_lsn(const struct sl_pg_stream *st);
/* Every transaction that commits before lsn has been handed to the
 * handler: outside a transaction, and the last commit or the server's
 * send position (keepalive) is at or past lsn. */
bool sl_pg_stream_reached(const struct sl_pg_stream *st, uint64_t lsn);
void sl_pg_stream_free(struct sl_pg_stream *st);

#endif
