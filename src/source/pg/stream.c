/* SPDX-License-Identifier: Apache-2.0
 *
 * stream.c -- the walsender conversation: CopyBoth in, status updates out.
 *
 * Wire format (PostgreSQL streaming replication protocol):
 *   'w' dataStart(8) walEnd(8) sendTime(8) payload   XLogData: one pgoutput message
 *   'k' walEnd(8) sendTime(8) replyRequested(1)      primary keepalive
 *   'r' write(8) flush(8) apply(8) clock(8) reply(1) standby status update (ours)
 * dataStart of an XLogData message is the LSN of the WAL record that
 * produced it: the change's own LSN, or the commit's end LSN for a Commit.
 *
 * Streamed transactions: between Stream Start and Stream Stop every
 * message goes to the spool as [lsn(8)][payload], and is decoded only at
 * Stream Commit, by a second decoder primed to be inside a stream.
 *
 * Protocol version: 2 with messages 'true' on PostgreSQL 14+, plus
 * streaming 'on' when the options ask for it; 1 with neither on 10-13,
 * which refuse them.  Without streaming the server decodes a large
 * transaction only once it has committed (spilling it to its own disk),
 * and sends it whole; sluice still passes it on change by change.  On
 * protocol 1 no op "m" events exist.
 */
#include "core/lsn.h"
#include "source/pg/stream.h"

#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/rd.h"
#include "source/pg/conn.h"
#include "source/pg/pgoutput.h"
#include "source/pg/spool.h"

/* Relation cache entry: rel is NULL for tables the filter excludes. */
struct relent {
	uint32_t oid;
	bool used;
	struct sl_relation *rel;
};

struct sl_pg_stream {
	PGconn *conn;
	struct sl_pg_catalog *cat;
	struct sl_pg_stream_opts opts;
	int proto;               /* pgoutput protocol version in use: 1 or 2 */
	struct sl_pgo_decoder *dec;
	struct sl_pgo_decoder *replay_dec;
	struct sl_spool spool;
	struct relent *rels;
	size_t nrels, relcap; /* relcap: power of two */

	bool in_txn;
	struct sl_pg_txn txn;
	uint32_t stream_xid;     /* open Stream Start .. Stream Stop, or 0 */
	uint64_t last_commit_lsn;

	uint64_t received_lsn;   /* newest dataStart seen */
	uint64_t flush_lsn;      /* what the pipeline allows */
	uint64_t keepalive_lsn;  /* newest keepalive walEnd seen outside a transaction */
	uint64_t sent_flush_lsn; /* what we last told the server */
	bool idle;
	int64_t last_status_us;
	bool reply_due;
};

/* ---- relation cache (open addressing on the OID) ---------------------- */

static struct relent *rel_slot(struct sl_pg_stream *st, uint32_t oid)
{
	size_t mask = st->relcap - 1;
	for (size_t i = (oid * 2654435761u) & mask;; i = (i + 1) & mask)
		if (!st->rels[i].used || st->rels[i].oid == oid)
			return &st->rels[i];
}

static enum sl_err rel_put(struct sl_pg_stream *st, uint32_t oid, struct sl_relation *rel)
{
	if ((st->nrels + 1) * 2 > st->relcap) {
		size_t oldcap = st->relcap;
		struct relent *old = st->rels;
		st->relcap = oldcap ? oldcap * 2 : 64;
		st->rels = calloc(st->relcap, sizeof *st->rels);
		if (!st->rels) {
			st->rels = old;
			st->relcap = oldcap;
			return SL_ERR_NOMEM;
		}
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].used)
				*rel_slot(st, old[i].oid) = old[i];
		free(old);
	}
	struct relent *e = rel_slot(st, oid);
	if (e->used) {
		sl_relation_free(e->rel);
	} else {
		st->nrels++;
		e->used = true;
		e->oid = oid;
	}
	e->rel = rel;
	return SL_OK;
}

/* ---- status updates ---------------------------------------------------- */

uint64_t sl_pg_stream_flushable_lsn(const struct sl_pg_stream *st)
{
	uint64_t flush = st->flush_lsn;
	if (st->idle && !st->in_txn && st->keepalive_lsn > flush)
		flush = st->keepalive_lsn;
	return flush > st->sent_flush_lsn ? flush : st->sent_flush_lsn;
}

enum sl_err sl_pg_stream_send_status(struct sl_pg_stream *st, bool reply, struct sl_errbuf *eb)
{
	uint64_t flush = sl_pg_stream_flushable_lsn(st);
	uint64_t write = st->received_lsn > flush ? st->received_lsn : flush;
	uint8_t m[34];
	m[0] = 'r';
	sl_wr_be64(m + 1, write);
	sl_wr_be64(m + 9, flush);
	sl_wr_be64(m + 17, flush);
	sl_wr_be64(m + 25, (uint64_t)(sl_clock_wall_us() - 946684800000000LL));
	m[33] = reply ? 1 : 0;
	if (PQputCopyData(st->conn, (const char *)m, sizeof m) != 1 || PQflush(st->conn) != 0)
		return sl_err_set(eb, SL_ERR_RETRY, "could not send status update: %s",
				  PQerrorMessage(st->conn));
	st->sent_flush_lsn = flush;
	st->last_status_us = sl_clock_mono_us();
	st->reply_due = false;
	return SL_OK;
}

void sl_pg_stream_set_flush(struct sl_pg_stream *st, uint64_t flush_lsn, bool idle)
{
	if (flush_lsn > st->flush_lsn)
		st->flush_lsn = flush_lsn;
	st->idle = idle;
}

bool sl_pg_stream_reached(const struct sl_pg_stream *st, uint64_t lsn)
{
	return !st->in_txn && (st->last_commit_lsn >= lsn || st->keepalive_lsn >= lsn);
}

bool sl_pg_stream_in_progress(const struct sl_pg_stream *st)
{
	return st->proto >= 2 && st->opts.stream_in_progress;
}

uint64_t sl_pg_stream_received_lsn(const struct sl_pg_stream *st)
{
	return st->received_lsn;
}

uint64_t sl_pg_stream_confirmed_lsn(const struct sl_pg_stream *st)
{
	return st->sent_flush_lsn;
}

int sl_pg_stream_proto_for(int server_version)
{
	return server_version >= 140000 ? 2 : 1;
}

/* Append s to out[*j..n) with every q1 and q2 doubled; false if it does not fit. */
static bool put_doubled(char *out, size_t n, size_t *j, const char *s, char q1, char q2)
{
	for (; *s; s++) {
		if (*j + 3 >= n)
			return false;
		if (*s == q1 || *s == q2)
			out[(*j)++] = *s;
		out[(*j)++] = *s;
	}
	out[*j] = '\0';
	return true;
}

bool sl_pg_stream_start_command(char *buf, size_t n, int proto, bool streaming, const char *slot,
				const char *publication, uint64_t start_lsn)
{
	/* The slot is a quoted identifier ("" doubled); the publication is an
	 * identifier inside a string literal: "pub" with "" doubled, then ''. */
	char pub[600], sl[300], lsn[24];
	size_t j = 0, k = 0;
	pub[j++] = '"';
	if (!put_doubled(pub, sizeof pub - 1, &j, publication, '"', '\'') ||
	    !put_doubled(sl, sizeof sl, &k, slot, '"', '"'))
		return false;
	pub[j++] = '"';
	pub[j] = '\0';
	sl_lsn_format(start_lsn, lsn);
	int w = proto >= 2
			? snprintf(buf, n,
				   "START_REPLICATION SLOT \"%s\" LOGICAL %s (proto_version '2', "
				   "publication_names '%s'%s, messages 'true')",
				   sl, lsn, pub, streaming ? ", streaming 'on'" : "")
			: snprintf(buf, n,
				   "START_REPLICATION SLOT \"%s\" LOGICAL %s (proto_version '1', "
				   "publication_names '%s')",
				   sl, lsn, pub);
	return w > 0 && (size_t)w < n;
}

/* ---- dispatch of decoded messages -------------------------------------- */

static enum sl_err emit_change(struct sl_pg_stream *st, const struct sl_pg_handler *h,
			       enum sl_op op, const struct sl_relation *rel,
			       const struct sl_row *before, const struct sl_row *after, uint64_t lsn,
			       struct sl_errbuf *eb)
{
	struct sl_change ch = {
		.op = op,
		.rel = rel,
		.before = before,
		.after = after,
		.src = {.lsn = lsn,
			.last_commit_lsn = st->last_commit_lsn,
			.commit_ts_us = st->txn.commit_ts_us,
			.xid = st->txn.xid,
			.snapshot = NULL},
	};
	return h->change(h->ctx, &ch, eb);
}

static const struct sl_relation *lookup(struct sl_pg_stream *st, uint32_t relid, bool *known)
{
	if (!st->relcap) {
		*known = false;
		return NULL;
	}
	struct relent *e = rel_slot(st, relid);
	*known = e->used;
	return e->used ? e->rel : NULL;
}

/* Dispatch one message that belongs to a transaction being delivered
 * (plain, or replayed from the spool). */
static enum sl_err dispatch(struct sl_pg_stream *st, const struct sl_pgo_msg *m, uint64_t lsn,
			    const struct sl_pg_handler *h, struct sl_errbuf *eb)
{
	enum sl_err err = SL_OK;
	bool known;
	const struct sl_relation *rel;
	switch (m->type) {
	case SL_PGO_BEGIN:
		st->in_txn = true;
		st->txn = (struct sl_pg_txn){.xid = m->begin.xid,
					     .commit_lsn = m->begin.final_lsn,
					     .commit_ts_us = m->begin.commit_ts_unix_us};
		return h->begin(h->ctx, &st->txn, eb);
	case SL_PGO_COMMIT:
		st->txn.end_lsn = m->commit.end_lsn;
		st->txn.commit_lsn = m->commit.commit_lsn;
		err = h->commit(h->ctx, &st->txn, eb);
		st->in_txn = false;
		st->last_commit_lsn = m->commit.end_lsn;
		return err;
	case SL_PGO_RELATION: {
		struct sl_relation *r = NULL;
		const char *nsp = *m->relation.nspname ? m->relation.nspname : "pg_catalog";
		if (sl_pg_filter_table(st->cat->filter, nsp, m->relation.relname)) {
			err = sl_pg_catalog_relation(st->cat, m->relation.oid, &m->relation, &r, eb);
			if (err)
				return err;
		}
		if (rel_put(st, m->relation.oid, r)) {
			sl_relation_free(r);
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		}
		return SL_OK;
	}
	case SL_PGO_INSERT:
	case SL_PGO_UPDATE:
	case SL_PGO_DELETE: {
		rel = lookup(st, m->change.relid, &known);
		if (!known)
			return sl_err_set(eb, SL_ERR_PROTO,
					  "change for relation OID %u before its Relation message",
					  m->change.relid);
		if (!rel)
			return SL_OK; /* not captured */
		const struct sl_row *before = m->change.has_old ? &m->change.old_row : NULL;
		const struct sl_row *after = m->change.has_new ? &m->change.new_row : NULL;
		if ((before && before->ncols != rel->ncols) || (after && after->ncols != rel->ncols))
			return sl_err_set(eb, SL_ERR_PROTO,
					  "tuple for \"%s.%s\" has a column count that differs from its "
					  "Relation message",
					  rel->schema, rel->table);
		enum sl_op op = m->type == SL_PGO_INSERT ? SL_OP_CREATE
				: m->type == SL_PGO_UPDATE ? SL_OP_UPDATE
							   : SL_OP_DELETE;
		return emit_change(st, h, op, rel, before, after, lsn, eb);
	}
	case SL_PGO_TRUNCATE:
		if (!st->opts.capture_truncate)
			return SL_OK;
		for (int i = 0; i < m->truncate.nrels; i++) {
			rel = lookup(st, m->truncate.relids[i], &known);
			if (rel && (err = emit_change(st, h, SL_OP_TRUNCATE, rel, NULL, NULL, lsn, eb)))
				return err;
		}
		return SL_OK;
	case SL_PGO_MESSAGE: {
		if (!st->opts.capture_messages)
			return SL_OK;
		struct sl_change ch = {
			.op = SL_OP_MESSAGE,
			.src = {.lsn = m->message.lsn ? m->message.lsn : lsn,
				.last_commit_lsn = st->last_commit_lsn,
				.commit_ts_us = m->message.transactional ? st->txn.commit_ts_us
									 : sl_clock_wall_us(),
				.xid = m->message.transactional ? st->txn.xid : 0},
			.msg_prefix = m->message.prefix,
			.msg_content = m->message.content,
			.msg_len = m->message.content_len,
			.msg_transactional = m->message.transactional,
		};
		return h->change(h->ctx, &ch, eb);
	}
	case SL_PGO_TYPE:
	case SL_PGO_ORIGIN:
		return SL_OK; /* types are resolved from the catalog; origins are not filtered */
	default:
		return sl_err_set(eb, SL_ERR_PROTO, "unexpected message '%c' inside a transaction",
				  (char)m->type);
	}
}

struct replay_ctx {
	struct sl_pg_stream *st;
	const struct sl_pg_handler *h;
};

static enum sl_err replay_one(void *ctx, const uint8_t *frame, size_t len, struct sl_errbuf *eb)
{
	struct replay_ctx *rc = ctx;
	struct sl_rd r;
	uint64_t lsn;
	sl_rd_init(&r, frame, len);
	if (!sl_rd_be64(&r, &lsn))
		return sl_err_set(eb, SL_ERR_IO, "spooled message is truncated");
	struct sl_pgo_msg m;
	enum sl_err err = sl_pgo_decode(rc->st->replay_dec, frame + 8, len - 8, &m, eb);
	if (err)
		return err;
	return dispatch(rc->st, &m, lsn, rc->h, eb);
}

/* Prime the replay decoder: it decodes spooled messages, which carry the
 * in-stream xid field, so it must believe a stream is open. */
static enum sl_err prime_replay(struct sl_pg_stream *st, uint32_t xid, struct sl_errbuf *eb)
{
	uint8_t start[6] = {'S'};
	sl_wr_be32(start + 1, xid);
	start[5] = 1;
	struct sl_pgo_msg m;
	sl_pgo_decoder_free(st->replay_dec);
	if (sl_pgo_decoder_new(2, &st->replay_dec))
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	return sl_pgo_decode(st->replay_dec, start, sizeof start, &m, eb);
}

static enum sl_err handle_xlogdata(struct sl_pg_stream *st, uint64_t lsn, const uint8_t *p,
				   size_t len, const struct sl_pg_handler *h, struct sl_errbuf *eb)
{
	struct sl_pgo_msg m;
	enum sl_err err = sl_pgo_decode(st->dec, p, len, &m, eb);
	if (err)
		return err;
	switch (m.type) {
	case SL_PGO_STREAM_START:
		st->stream_xid = m.stream_start.xid;
		return SL_OK;
	case SL_PGO_STREAM_STOP:
		st->stream_xid = 0;
		return SL_OK;
	case SL_PGO_STREAM_ABORT:
		return sl_spool_abort(&st->spool, m.stream_abort.xid, m.stream_abort.subxid, eb);
	case SL_PGO_STREAM_COMMIT: {
		uint32_t xid = m.stream_commit.xid;
		struct sl_pg_txn txn = {.xid = xid,
					.commit_lsn = m.stream_commit.commit_lsn,
					.end_lsn = m.stream_commit.end_lsn,
					.commit_ts_us = m.stream_commit.commit_ts_unix_us};
		st->in_txn = true;
		st->txn = txn;
		st->txn.end_lsn = 0;
		if ((err = h->begin(h->ctx, &st->txn, eb)) || (err = prime_replay(st, xid, eb)))
			return err;
		struct replay_ctx rc = {st, h};
		sl_info("streamed transaction %u committed: replaying %.1f MiB from the spool", xid,
			(double)sl_spool_bytes(&st->spool) / 1048576.0);
		if ((err = sl_spool_replay(&st->spool, xid, replay_one, &rc, eb)))
			return err;
		st->txn.end_lsn = txn.end_lsn;
		err = h->commit(h->ctx, &st->txn, eb);
		st->in_txn = false;
		st->last_commit_lsn = txn.end_lsn;
		return err;
	}
	default:
		break;
	}
	if (m.in_stream) {
		/* Part of an in-progress transaction: to disk, not to memory. */
		uint8_t hdr[8];
		sl_wr_be64(hdr, lsn);
		struct sl_buf b;
		sl_buf_init(&b, 0);
		if (sl_buf_append(&b, hdr, 8) || sl_buf_append(&b, p, len)) {
			sl_buf_free(&b);
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		}
		err = sl_spool_append(&st->spool, st->stream_xid, m.xid, b.data, b.len, eb);
		sl_buf_free(&b);
		return err;
	}
	if (m.type == SL_PGO_MESSAGE && !m.message.transactional && !st->in_txn) {
		/* A non-transactional message stands alone. */
		return dispatch(st, &m, lsn, h, eb);
	}
	if (!st->in_txn && m.type != SL_PGO_BEGIN && m.type != SL_PGO_RELATION &&
	    m.type != SL_PGO_TYPE && m.type != SL_PGO_ORIGIN)
		return sl_err_set(eb, SL_ERR_PROTO, "message '%c' outside a transaction", (char)m.type);
	return dispatch(st, &m, lsn, h, eb);
}

/* ---- the receive loop --------------------------------------------------- */

enum sl_err sl_pg_stream_poll(struct sl_pg_stream *st, int timeout_ms,
			      const struct sl_pg_handler *h, struct sl_errbuf *eb)
{
	int64_t deadline = sl_clock_mono_us() + (int64_t)timeout_ms * 1000;
	int handled = 0;
	for (;;) {
		int64_t now = sl_clock_mono_us();
		if (st->reply_due ||
		    now - st->last_status_us >= (int64_t)st->opts.status_interval_ms * 1000) {
			enum sl_err err = sl_pg_stream_send_status(st, false, eb);
			if (err)
				return err;
		}
		char *buf = NULL;
		int n = PQgetCopyData(st->conn, &buf, 1);
		if (n == 0) {
			if (handled || now >= deadline)
				return SL_OK;
			int64_t wait_us = deadline - now;
			int64_t status_us = st->last_status_us +
					    (int64_t)st->opts.status_interval_ms * 1000 - now;
			if (status_us < wait_us)
				wait_us = status_us > 0 ? status_us : 0;
			struct pollfd pfd = {.fd = PQsocket(st->conn), .events = POLLIN};
			if (poll(&pfd, 1, (int)(wait_us / 1000) + 1) < 0)
				continue;
			if (!PQconsumeInput(st->conn))
				return sl_err_set(eb, SL_ERR_RETRY, "replication connection lost: %s",
						  PQerrorMessage(st->conn));
			continue;
		}
		if (n == -1) {
			PGresult *r = PQgetResult(st->conn);
			char msg[300];
			snprintf(msg, sizeof msg, "%s", r ? PQresultErrorMessage(r) : "");
			msg[strcspn(msg, "\n")] = '\0';
			PQclear(r);
			return sl_err_set(eb, SL_ERR_RETRY, "replication stream ended by the server%s%s",
					  *msg ? ": " : "", msg);
		}
		if (n < 0)
			return sl_err_set(eb, SL_ERR_RETRY, "replication connection lost: %s",
					  PQerrorMessage(st->conn));
		struct sl_rd r;
		sl_rd_init(&r, buf, (size_t)n);
		uint8_t kind = 0;
		uint64_t start, wal_end, send_time;
		enum sl_err err = SL_OK;
		sl_rd_u8(&r, &kind);
		if (kind == 'w') {
			if (!sl_rd_be64(&r, &start) || !sl_rd_be64(&r, &wal_end) ||
			    !sl_rd_be64(&r, &send_time)) {
				err = sl_err_set(eb, SL_ERR_PROTO, "short XLogData message");
			} else {
				if (start > st->received_lsn)
					st->received_lsn = start;
				err = handle_xlogdata(st, start, r.p + r.off, sl_rd_left(&r), h, eb);
			}
		} else if (kind == 'k') {
			uint8_t reply = 0;
			if (!sl_rd_be64(&r, &wal_end) || !sl_rd_be64(&r, &send_time) ||
			    !sl_rd_u8(&r, &reply)) {
				err = sl_err_set(eb, SL_ERR_PROTO, "short keepalive message");
			} else {
				if (!st->in_txn && wal_end > st->keepalive_lsn)
					st->keepalive_lsn = wal_end;
				if (reply)
					st->reply_due = true;
			}
		}
		PQfreemem(buf);
		if (err)
			return err;
		if (++handled >= 2000)
			return SL_OK; /* let the pipeline serve the sink */
	}
}

enum sl_err sl_pg_stream_start(PGconn *conn, struct sl_pg_catalog *cat,
			       const struct sl_pg_stream_opts *opts, uint64_t start_lsn,
			       struct sl_pg_stream **out, struct sl_errbuf *eb)
{
	struct sl_pg_stream *st = calloc(1, sizeof *st);
	if (!st) {
		PQfinish(conn);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	st->conn = conn;
	st->cat = cat;
	st->opts = *opts;
	st->last_commit_lsn = start_lsn ? start_lsn : opts->last_commit_lsn;
	enum sl_err err = sl_spool_init(&st->spool, opts->spool_dir, eb);
	if (err)
		goto fail;
	/* SLUICE_TEST_SERVER_VERSION (tests only) stands in for the server's
	 * version here, so the protocol-1 path can run against a newer server. */
	int version = PQserverVersion(conn);
	const char *pretend = getenv("SLUICE_TEST_SERVER_VERSION");
	if (pretend && *pretend)
		version = atoi(pretend);
	st->proto = sl_pg_stream_proto_for(version);
	if (sl_pgo_decoder_new(st->proto, &st->dec)) {
		err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		goto fail;
	}
	static atomic_bool said_proto1;
	if (st->proto < 2 && !atomic_exchange(&said_proto1, true))
		sl_warn("PostgreSQL %d.%d: using pgoutput protocol 1, without streaming of "
			"in-progress transactions (the server sends a large transaction only "
			"after it commits) and without logical decoding messages; both need "
			"PostgreSQL 14+",
			version / 10000, version % 10000);
	char sql[1400];
	if (!sl_pg_stream_start_command(sql, sizeof sql, st->proto, opts->stream_in_progress,
					opts->slot, opts->publication, start_lsn)) {
		err = sl_err_set(eb, SL_ERR_CONFIG, "slot or publication name too long");
		goto fail;
	}
	PGresult *r = PQexec(conn, sql);
	if (PQresultStatus(r) != PGRES_COPY_BOTH) {
		char msg[300];
		snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
		msg[strcspn(msg, "\n")] = '\0';
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		/* 55006: the slot is still active for another walsender, e.g. the
		 * one of a connection that was just lost: worth retrying. */
		if (sl_pg_conn_lost(conn) || (state && !strcmp(state, "55006")))
			err = SL_ERR_RETRY;
		else if (state && !strcmp(state, "42704"))
			err = SL_ERR_NOTFOUND;
		else
			err = SL_ERR_FATAL;
		sl_err_set(eb, err, "could not start replication from slot \"%s\": %s", opts->slot, msg);
		PQclear(r);
		goto fail;
	}
	PQclear(r);
	st->last_status_us = sl_clock_mono_us();
	*out = st;
	return SL_OK;
fail:
	sl_pg_stream_free(st);
	return err;
}

void sl_pg_stream_free(struct sl_pg_stream *st)
{
	if (!st)
		return;
	if (st->conn)
		PQfinish(st->conn);
	for (size_t i = 0; i < st->relcap; i++)
		if (st->rels[i].used)
			sl_relation_free(st->rels[i].rel);
	free(st->rels);
	sl_pgo_decoder_free(st->dec);
	sl_pgo_decoder_free(st->replay_dec);
	if (st->spool.dir)
		sl_spool_free(&st->spool);
	free(st);
}
