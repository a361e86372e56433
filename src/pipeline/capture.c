/* SPDX-License-Identifier: Apache-2.0
 *
 * capture.c -- the capture pipeline: startup decisions (slot, publication,
 * snapshot), the streaming loop, encoding, delivery and LSN confirmation.
 *
 * Threads: the snapshot runs reader threads that encode rows in parallel;
 * everything that touches the sink or the ack tracker happens under `mu`,
 * and the sink calls on_ack only from inside sink poll/flush, which are
 * themselves called under `mu`.  Streaming is single-threaded.
 *
 * Observability (obs/): the loop publishes metrics, the connector state
 * and readiness, and honours pause/resume/restart requests that the HTTP
 * thread leaves in obs/status between batches.  The commit times of
 * transactions not yet delivered sit in a small FIFO under `lag_mu`
 * (never held for long), which the scrape reads to compute how far
 * delivery is behind the source.
 */
#include "core/lsn.h"
#include "pipeline/capture.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/version.h"
#include "event/debezium.h"
#include "obs/metrics.h"
#include "obs/status.h"
#include "pipeline/acks.h"
#include "pipeline/state.h"
#include "sinks/lake.h"
#include "sinks/sink.h"
#include "source/pg/catalog.h"
#include "source/pg/conn.h"
#include "source/pg/filter.h"
#include "source/pg/preflight.h"
#include "source/pg/snapshot.h"
#include "source/pg/stream.h"

/* A snapshot row for a sink that takes changes (the lake): the change
 * with its own copy of the values, which the reader reuses. */
struct snap_change {
	struct sl_change ch; /* ch.after is &row once fixed (snap_change_fix) */
	struct sl_row row;
	struct sl_value *vals;
	int cap;
	struct sl_buf data;  /* the values' bytes */
	int64_t now_ns;      /* the event's processing time */
};

struct held_record {
	bool has;
	bool is_change;      /* chg, not topic/key/val */
	char *topic;
	struct sl_buf key, val;
	bool key_null;
	struct snap_change chg;
	/* The relation chg points to, once its reader is done with it
	 * (keep_relation): freed when the record is released. */
	struct sl_relation *owned;
	char what[128];
};

/* The snapshot reader stamps rows with a read time that it refreshes once
 * per batch (see snapshot.c); the envelope's processing time follows the
 * same cadence: the clock is read again only when that stamp changes. */
struct snap_clock {
	int64_t src_us;
	int64_t now_ns;
};

struct coll_count {
	char *name;
	uint64_t n;
};

/* A delivered-or-not transaction: its commit end LSN and commit time. */
struct pending_txn {
	uint64_t lsn;
	int64_t commit_us;
};

/* Cached series of sluice_capture_events_total for (schema, table, op):
 * the registry lookup takes a mutex, the cache does not. */
struct ev_cache {
	char schema[64], table[64];
	int op;
	struct sl_metric *m;
};
#define EV_CACHE 64

struct capture {
	const struct sl_config *cfg;
	volatile sig_atomic_t *stop;
	struct sl_pg_params pg;
	struct sl_dbz_opts dbz;
	struct sl_pg_filter filter;
	struct sl_sink *sink;
	struct sl_acks acks;
	pthread_mutex_t mu;
	enum sl_err fatal;
	char fatal_msg[512];

	const char *slot, *publication, *prefix;
	bool tombstones, txn_meta, skip[128];
	char *topic_txn, *topic_msg, *topic_hb;
	int64_t heartbeat_ms, next_heartbeat_us;
	const char *heartbeat_query;

	PGconn *ctl;
	struct sl_pg_catalog cat;
	struct sl_pg_stream *stream;
	int64_t last_status_kick_us;

	/* streaming encode buffers */
	struct sl_buf key, val;
	/* snapshot: per-reader buffers and the held last record */
	struct sl_buf *wkey, *wval;
	struct snap_change *wchg; /* for sinks that take changes */
	/* per reader: processing time, re-read when the reader's clock moved */
	struct snap_clock *wclock;
	int nworkers;
	atomic_bool snap_first_done;
	/* Under mu: rows since the sink was last served, and metric deltas
	 * not yet published (both batched: per-row atomics and polls showed
	 * in profiles). */
	unsigned snap_unpolled;
	int64_t snap_rows_delta, snap_records_delta, snap_bytes_delta;
	/* Under mu: records acked and produced since the metrics were last
	 * published (serve_sink and the snapshot publish them). */
	int64_t acked_delta, records_delta, bytes_delta;
	struct held_record held;

	/* Outage tracking: one log line when it starts, one when it ends. */
	int retries;
	bool streamed;

	/* transaction metadata */
	char txn_id[64];
	uint64_t txn_total;
	struct coll_count *colls;
	size_t ncolls;

	uint64_t events, bytes;

	/* Observability.  m_* are cached series (registry-owned). */
	struct sl_metric *m_records, *m_bytes, *m_acked, *m_inflight, *m_snap_rows,
		*m_snap_running, *m_snap_planned, *m_snap_done, *m_latency, *m_slot_lag,
		*m_confirmed, *m_received, *m_txns;
	struct ev_cache ev[EV_CACHE];
	pthread_mutex_t lag_mu; /* guards pend*, last_latency_ms */
	struct pending_txn *pend;
	size_t pend_head, pend_len, pend_cap; /* ring */
	int64_t last_latency_ms;
	int64_t next_slot_poll_us;
	bool restart; /* session ended on a restart request */
	/* snapshot.mode=always: the snapshot of this process start is taken
	 * (a reconnect resumes from the slot instead of snapshotting again). */
	bool always_done;
};

/* ---- delivery ----------------------------------------------------------- */

static void on_ack(void *ctx, uint64_t seq, enum sl_err err, const char *msg)
{
	struct capture *c = ctx; /* called under c->mu */
	if (err) {
		if (!c->fatal) {
			c->fatal = err;
			snprintf(c->fatal_msg, sizeof c->fatal_msg, "%s", msg ? msg : "delivery failed");
		}
		return; /* never acked: its LSN is never confirmed */
	}
	c->acked_delta++;
	sl_acks_ack(&c->acks, seq);
}

/* Number rec and produce it; waits (serving the sink, and keeping the
 * replication connection alive) while the sink's queue is full.
 * Caller holds c->mu. */
static enum sl_err send_locked(struct capture *c, struct sl_record *rec, struct sl_errbuf *eb)
{
	if (sl_acks_next(&c->acks, &rec->seq))
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	for (;;) {
		enum sl_err err = sl_sink_produce(c->sink, rec, eb);
		if (err != SL_ERR_RETRY)
			return err ? err : SL_OK;
		if ((err = sl_sink_poll(c->sink, 100, eb)))
			return err;
		if (c->fatal)
			return sl_err_set(eb, c->fatal, "%s", c->fatal_msg);
		/* Backpressure: keep the walsender from timing us out. */
		int64_t now = sl_clock_mono_us();
		if (c->stream && now - c->last_status_kick_us > 1000000) {
			c->last_status_kick_us = now;
			sl_pg_stream_send_status(c->stream, false, NULL);
		}
		if (*c->stop)
			return sl_err_set(eb, SL_ERR_RETRY, "stopping while the sink is full");
	}
}

static enum sl_err produce_locked(struct capture *c, const char *topic, const void *key,
				  size_t klen, const void *val, size_t vlen, const char *what,
				  struct sl_errbuf *eb)
{
	struct sl_record rec = {.topic = topic,
				.key = key,
				.key_len = klen,
				.value = val,
				.value_len = vlen,
				.what = what};
	return send_locked(c, &rec, eb);
}

static enum sl_err produce(struct capture *c, const char *topic, const void *key, size_t klen,
			   const void *val, size_t vlen, const char *what, struct sl_errbuf *eb)
{
	pthread_mutex_lock(&c->mu);
	enum sl_err err = produce_locked(c, topic, key, klen, val, vlen, what, eb);
	c->events++;
	c->bytes += klen + vlen;
	c->records_delta++;
	c->bytes_delta += (int64_t)(klen + vlen);
	pthread_mutex_unlock(&c->mu);
	return err;
}

/* ---- encoding ---------------------------------------------------------- */

/* Append s to what[*o..n-1), truncating; keeps room for the NUL. */
static void put_part(char *what, size_t n, size_t *o, const char *s)
{
	size_t l = strlen(s);
	if (l > n - 1 - *o)
		l = n - 1 - *o;
	memcpy(what + *o, s, l);
	*o += l;
}

/* `table "schema.table"` for error messages.  Per event, so no printf. */
static void describe(const struct sl_change *ch, char *what, size_t n)
{
	size_t o = 0;
	if (!ch->rel) {
		put_part(what, n, &o, "a logical decoding message");
	} else {
		put_part(what, n, &o, "table \"");
		put_part(what, n, &o, ch->rel->schema);
		put_part(what, n, &o, ".");
		put_part(what, n, &o, ch->rel->table);
		put_part(what, n, &o, "\"");
	}
	what[o] = '\0';
}

static const char *op_label(enum sl_op op)
{
	switch (op) {
	case SL_OP_CREATE: return "c";
	case SL_OP_UPDATE: return "u";
	case SL_OP_DELETE: return "d";
	case SL_OP_READ: return "r";
	case SL_OP_TRUNCATE: return "t";
	case SL_OP_MESSAGE: return "m";
	}
	return "?";
}

/* sluice_capture_events_total{table="schema.table",op} += n.  Streaming
 * thread only (the cache is not shared). */
static void count_event(struct capture *c, const char *schema, const char *table, enum sl_op op,
			int64_t n)
{
	if (!schema)
		schema = "";
	if (!table)
		table = "";
	size_t h = (size_t)op * 31;
	for (const char *p = table; *p; p++)
		h = h * 131 + (unsigned char)*p;
	struct ev_cache *e = &c->ev[h % EV_CACHE];
	if (!e->m || e->op != (int)op || strcmp(e->schema, schema) || strcmp(e->table, table)) {
		char name[300];
		if (*schema || *table)
			snprintf(name, sizeof name, "%s.%s", schema, table);
		else
			name[0] = '\0';
		e->m = sl_metric2(SL_M_CAPTURE_EVENTS, name, op_label(op));
		/* Names longer than the cache slot are looked up every time. */
		if (strlen(schema) < sizeof e->schema && strlen(table) < sizeof e->table) {
			snprintf(e->schema, sizeof e->schema, "%s", schema);
			snprintf(e->table, sizeof e->table, "%s", table);
			e->op = (int)op;
		} else {
			struct sl_metric *m = e->m;
			e->m = NULL;
			sl_metric_add(m, n);
			return;
		}
	}
	sl_metric_add(e->m, n);
}

/* Hand a row change to a sink that takes changes unencoded (the lake). */
static enum sl_err emit_change(struct capture *c, const struct sl_change *ch,
			       struct sl_errbuf *eb)
{
	char what[128];
	describe(ch, what, sizeof what);
	struct sl_record rec = {.topic = ch->rel->topic, .what = what, .change = ch,
				.dbz = &c->dbz, .now_ns = sl_clock_wall_ns()};
	pthread_mutex_lock(&c->mu);
	enum sl_err err = send_locked(c, &rec, eb);
	c->events++;
	c->records_delta++;
	pthread_mutex_unlock(&c->mu);
	if (!err)
		count_event(c, ch->rel->schema, ch->rel->table, ch->op, 1);
	return err;
}

/* Encode and produce one change (plus its tombstone). */
static enum sl_err emit(struct capture *c, const struct sl_change *ch, struct sl_buf *kb,
			struct sl_buf *vb, struct sl_errbuf *eb)
{
	if (c->sink->takes_changes && ch->rel)
		return emit_change(c, ch, eb);
	bool key_null = false;
	sl_buf_reset(kb);
	sl_buf_reset(vb);
	enum sl_err err = sl_dbz_key(&c->dbz, ch, kb, &key_null, eb);
	if (!err)
		err = sl_dbz_value(&c->dbz, ch, sl_clock_wall_ns(), vb, eb);
	if (err)
		return err;
	const char *topic = ch->rel ? ch->rel->topic : c->topic_msg;
	char what[128];
	describe(ch, what, sizeof what);
	err = produce(c, topic, key_null ? NULL : kb->data, kb->len, vb->data, vb->len, what, eb);
	if (!err)
		count_event(c, ch->rel ? ch->rel->schema : "", ch->rel ? ch->rel->table : "", ch->op,
			    1);
	if (!err && ch->op == SL_OP_DELETE && c->tombstones && !key_null)
		err = produce(c, topic, kb->data, kb->len, NULL, 0, what, eb);
	return err;
}

static bool key_changed(const struct sl_change *ch)
{
	if (!ch->before || !ch->after || !ch->rel)
		return false;
	for (int i = 0; i < ch->rel->ncols; i++) {
		if (!ch->rel->cols[i].is_key)
			continue;
		const struct sl_value *a = &ch->before->vals[i], *b = &ch->after->vals[i];
		if (a->kind == SL_VAL_TOAST || b->kind == SL_VAL_TOAST)
			continue;
		if (a->kind != b->kind || a->len != b->len ||
		    (a->len && memcmp(a->data, b->data, a->len)))
			return true;
	}
	return false;
}

static struct coll_count *coll(struct capture *c, const char *schema, const char *table)
{
	char name[300];
	snprintf(name, sizeof name, "%s.%s", schema, table);
	for (size_t i = 0; i < c->ncolls; i++)
		if (!strcmp(c->colls[i].name, name))
			return &c->colls[i];
	struct coll_count *p = realloc(c->colls, (c->ncolls + 1) * sizeof *p);
	if (!p)
		return NULL;
	c->colls = p;
	p[c->ncolls].name = strdup(name);
	p[c->ncolls].n = 0;
	return p[c->ncolls].name ? &p[c->ncolls++] : NULL;
}

/* ---- delivery lag ---------------------------------------------------------- */

/* Remember a committed transaction until the sink has confirmed it.  On
 * allocation failure the entry is dropped: only the lag metric suffers. */
static void pend_push(struct capture *c, uint64_t lsn, int64_t commit_us)
{
	pthread_mutex_lock(&c->lag_mu);
	if (c->pend_len == c->pend_cap) {
		size_t ncap = c->pend_cap ? c->pend_cap * 2 : 256;
		struct pending_txn *p = malloc(ncap * sizeof *p);
		if (p) {
			for (size_t i = 0; i < c->pend_len; i++)
				p[i] = c->pend[(c->pend_head + i) % c->pend_cap];
			free(c->pend);
			c->pend = p;
			c->pend_cap = ncap;
			c->pend_head = 0;
		}
	}
	if (c->pend_len < c->pend_cap) {
		c->pend[(c->pend_head + c->pend_len) % c->pend_cap] =
			(struct pending_txn){lsn, commit_us};
		c->pend_len++;
	}
	pthread_mutex_unlock(&c->lag_mu);
}

/* Every transaction up to flush is delivered: observe its latency. */
static void pend_delivered(struct capture *c, uint64_t flush)
{
	int64_t now = sl_clock_wall_us();
	pthread_mutex_lock(&c->lag_mu);
	while (c->pend_len && c->pend[c->pend_head].lsn <= flush) {
		int64_t lat = now - c->pend[c->pend_head].commit_us;
		if (lat < 0)
			lat = 0; /* clock skew between hosts */
		sl_metric_observe(c->m_latency, lat);
		sl_metric_add(c->m_txns, 1);
		c->last_latency_ms = lat / 1000;
		c->pend_head = (c->pend_head + 1) % c->pend_cap;
		c->pend_len--;
	}
	pthread_mutex_unlock(&c->lag_mu);
}

/* Scrape-time hook (HTTP thread): the source lag gauge. */
static void collect(void *ctx)
{
	struct capture *c = ctx;
	int64_t now = sl_clock_wall_us();
	pthread_mutex_lock(&c->lag_mu);
	int64_t ms = c->last_latency_ms;
	if (c->pend_len) {
		int64_t age = (now - c->pend[c->pend_head].commit_us) / 1000;
		if (age > ms)
			ms = age;
	}
	pthread_mutex_unlock(&c->lag_mu);
	sl_metric_set(sl_metric0(SL_M_SOURCE_LAG), ms < 0 ? 0 : ms);
}

/* ---- stream handler ----------------------------------------------------- */

static enum sl_err h_begin(void *ctx, const struct sl_pg_txn *txn, struct sl_errbuf *eb)
{
	struct capture *c = ctx;
	if (!c->txn_meta)
		return SL_OK;
	snprintf(c->txn_id, sizeof c->txn_id, "%u:%" PRIu64, txn->xid, txn->commit_lsn);
	c->txn_total = 0;
	for (size_t i = 0; i < c->ncolls; i++)
		free(c->colls[i].name);
	c->ncolls = 0;
	sl_buf_reset(&c->key);
	sl_buf_reset(&c->val);
	enum sl_err err = sl_dbz_txn_begin(&c->dbz, c->txn_id, txn->commit_ts_us / 1000, &c->key,
					   &c->val, eb);
	if (!err)
		err = produce(c, c->topic_txn, c->key.data, c->key.len, c->val.data, c->val.len,
			      "transaction metadata", eb);
	return err;
}

static enum sl_err h_change(void *ctx, const struct sl_change *in, struct sl_errbuf *eb)
{
	struct capture *c = ctx;
	if ((unsigned)in->op < sizeof c->skip && c->skip[in->op])
		return SL_OK;
	struct sl_change ch = *in;
	if (c->txn_meta && ch.rel) {
		struct coll_count *cc = coll(c, ch.rel->schema, ch.rel->table);
		if (!cc)
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		ch.txn = (struct sl_txn_info){c->txn_id, ++c->txn_total, ++cc->n};
	}
	if (ch.op == SL_OP_UPDATE && key_changed(&ch)) {
		/* Debezium: a key change is a delete of the old key (and its
		 * tombstone) followed by a create of the new one. */
		struct sl_change del = ch, cre = ch;
		del.op = SL_OP_DELETE;
		del.after = NULL;
		cre.op = SL_OP_CREATE;
		cre.before = NULL;
		enum sl_err err = emit(c, &del, &c->key, &c->val, eb);
		return err ? err : emit(c, &cre, &c->key, &c->val, eb);
	}
	return emit(c, &ch, &c->key, &c->val, eb);
}

static enum sl_err h_commit(void *ctx, const struct sl_pg_txn *txn, struct sl_errbuf *eb)
{
	struct capture *c = ctx;
	enum sl_err err = SL_OK;
	if (c->txn_meta) {
		struct sl_dbz_collection_count *counts = calloc(c->ncolls + 1, sizeof *counts);
		if (!counts)
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		for (size_t i = 0; i < c->ncolls; i++)
			counts[i] = (struct sl_dbz_collection_count){c->colls[i].name, c->colls[i].n};
		sl_buf_reset(&c->key);
		sl_buf_reset(&c->val);
		err = sl_dbz_txn_end(&c->dbz, c->txn_id, txn->commit_ts_us / 1000, counts, c->ncolls,
				     &c->key, &c->val, eb);
		free(counts);
		if (!err)
			err = produce(c, c->topic_txn, c->key.data, c->key.len, c->val.data,
				      c->val.len, "transaction metadata", eb);
		if (err)
			return err;
	}
	pthread_mutex_lock(&c->mu);
	if (sl_acks_commit(&c->acks, txn->end_lsn))
		err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	pthread_mutex_unlock(&c->mu);
	if (!err)
		pend_push(c, txn->end_lsn, txn->commit_ts_us);
	return err;
}

/* ---- snapshot handler ---------------------------------------------------- */

static void snap_change_fix(struct snap_change *sc)
{
	sc->row.vals = sc->vals;
	sc->ch.after = &sc->row;
}

/* Copy a snapshot row (after only) into d, values and all. */
static enum sl_err snap_change_copy(struct snap_change *d, const struct sl_change *ch,
				    int64_t now_ns, struct sl_errbuf *eb)
{
	const struct sl_row *a = ch->after;
	int n = a->ncols;
	if (n > d->cap) {
		struct sl_value *nv = realloc(d->vals, (size_t)n * sizeof *nv);
		if (!nv)
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		d->vals = nv;
		d->cap = n;
	}
	sl_buf_reset(&d->data);
	for (int i = 0; i < n; i++)
		if (a->vals[i].kind == SL_VAL_TEXT && a->vals[i].len &&
		    sl_buf_append(&d->data, a->vals[i].data, a->vals[i].len))
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		d->vals[i] = a->vals[i];
		if (a->vals[i].kind == SL_VAL_TEXT) {
			d->vals[i].data = a->vals[i].len ? d->data.data + off : "";
			off += a->vals[i].len;
		}
	}
	d->ch = *ch;
	d->ch.before = NULL;
	d->row.ncols = n;
	snap_change_fix(d);
	d->now_ns = now_ns;
	return SL_OK;
}

static void snap_change_free(struct snap_change *sc)
{
	free(sc->vals);
	sl_buf_free(&sc->data);
}

/* Release the held record (the newest snapshot record), as "last" when final. */
static enum sl_err release_held(struct capture *c, bool final, struct sl_errbuf *eb)
{
	struct held_record *h = &c->held;
	if (!h->has)
		return SL_OK;
	if (h->is_change) {
		struct snap_change *sc = &h->chg;
		snap_change_fix(sc);
		if (final)
			sc->ch.src.snapshot = "last";
		struct sl_record rec = {.topic = sc->ch.rel->topic, .what = h->what,
					.change = &sc->ch, .dbz = &c->dbz, .now_ns = sc->now_ns};
		enum sl_err err = send_locked(c, &rec, eb);
		c->events++;
		c->snap_records_delta++;
		h->has = false;
		if (h->owned) {
			sl_relation_free(h->owned);
			h->owned = NULL;
		}
		return err;
	}
	if (final) {
		/* The source block follows before/after, so the last occurrence
		 * of the snapshot field is the one in `source`. */
		const char *pats[] = {"\"snapshot\":\"true\"", "\"snapshot\":\"first\""};
		for (int k = 0; k < 2; k++) {
			char *hit = NULL, *p = h->val.data;
			while ((p = strstr(p, pats[k])))
				hit = p++;
			if (hit) {
				size_t off = (size_t)(hit - h->val.data) + strlen("\"snapshot\":\"");
				size_t oldlen = k ? 5 : 4;
				struct sl_buf nb;
				sl_buf_init(&nb, 0);
				sl_buf_append(&nb, h->val.data, off);
				sl_buf_puts(&nb, "last");
				sl_buf_append(&nb, h->val.data + off + oldlen,
					      h->val.len - off - oldlen);
				sl_buf_free(&h->val);
				h->val = nb;
				break;
			}
		}
	}
	enum sl_err err = produce_locked(c, h->topic, h->key_null ? NULL : h->key.data, h->key.len,
					 h->val.data, h->val.len, h->what, eb);
	c->events++;
	c->bytes += h->key.len + h->val.len;
	c->snap_records_delta++;
	c->snap_bytes_delta += (int64_t)(h->key.len + h->val.len);
	h->has = false;
	return err;
}

/* Publish the batched delivery and snapshot metrics.  Caller holds c->mu. */
static void metrics_flush(struct capture *c)
{
	c->snap_records_delta += c->records_delta;
	c->snap_bytes_delta += c->bytes_delta;
	c->records_delta = c->bytes_delta = 0;
	if (c->acked_delta)
		sl_metric_add(c->m_acked, c->acked_delta);
	c->acked_delta = 0;
	if (c->snap_rows_delta)
		sl_metric_add(c->m_snap_rows, c->snap_rows_delta);
	if (c->snap_records_delta)
		sl_metric_add(c->m_records, c->snap_records_delta);
	if (c->snap_bytes_delta)
		sl_metric_add(c->m_bytes, c->snap_bytes_delta);
	c->snap_rows_delta = c->snap_records_delta = c->snap_bytes_delta = 0;
}

/* keep_relation: the reader is done with rel; take it while the held
 * record points to it. */
static bool s_keep_relation(void *ctx, int worker, struct sl_relation *rel)
{
	(void)worker;
	struct capture *c = ctx;
	pthread_mutex_lock(&c->mu);
	struct held_record *h = &c->held;
	bool keep = h->has && h->is_change && h->chg.ch.rel == rel;
	if (keep)
		h->owned = rel;
	pthread_mutex_unlock(&c->mu);
	return keep;
}

/* s_row for a sink that takes changes: copy the row, then hold it back
 * as the newest (release_held).  Returns with c->mu held. */
static enum sl_err s_row_change(struct capture *c, int worker, const struct sl_change *ch,
				bool locked, struct sl_errbuf *eb)
{
	struct snap_change *sc = &c->wchg[worker];
	enum sl_err err = snap_change_copy(sc, ch, c->wclock[worker].now_ns, eb);
	if (!locked)
		pthread_mutex_lock(&c->mu);
	if (err)
		return err;
	err = release_held(c, false, eb);
	struct held_record *h = &c->held;
	if (!err) {
		/* Swap: no copy of the values. */
		struct snap_change t = h->chg;
		h->chg = *sc;
		*sc = t;
		snap_change_fix(&h->chg);
		h->is_change = true;
		describe(&h->chg.ch, h->what, sizeof h->what);
		h->has = true;
	}
	return err;
}

static enum sl_err s_row(void *ctx, int worker, const struct sl_change *in, struct sl_errbuf *eb)
{
	struct capture *c = ctx;
	struct sl_change ch = *in;
	/* Exactly one row is "first", and it must be the first one written:
	 * until it is chosen, rows are encoded under the lock, so that none
	 * marked "true" can reach the held slot (and the sink) before it.
	 * Once chosen, encoding runs outside the lock again. */
	bool locked = false, first = false;
	if (!atomic_load_explicit(&c->snap_first_done, memory_order_acquire)) {
		pthread_mutex_lock(&c->mu);
		locked = true;
		first = !atomic_exchange(&c->snap_first_done, true);
	}
	ch.src.snapshot = first ? "first" : "true";
	struct snap_clock *clk = &c->wclock[worker];
	if (!clk->now_ns || clk->src_us != ch.src.commit_ts_us) {
		clk->src_us = ch.src.commit_ts_us;
		clk->now_ns = sl_clock_wall_ns();
	}
	enum sl_err err;
	if (c->sink->takes_changes) {
		err = s_row_change(c, worker, &ch, locked, eb);
		goto served; /* holds c->mu */
	}
	struct sl_buf *kb = &c->wkey[worker], *vb = &c->wval[worker];
	bool key_null = false;
	sl_buf_reset(kb);
	sl_buf_reset(vb);
	err = sl_dbz_key(&c->dbz, &ch, kb, &key_null, eb);
	if (!err)
		err = sl_dbz_value(&c->dbz, &ch, clk->now_ns, vb, eb);
	if (err) {
		if (locked)
			pthread_mutex_unlock(&c->mu);
		return err;
	}
	/* Hold this record back and release the previous one: the newest is
	 * kept so that it can be marked "last" when the snapshot ends. */
	if (!locked)
		pthread_mutex_lock(&c->mu);
	err = release_held(c, false, eb);
	struct held_record *h = &c->held;
	if (!err) {
		char *t = h->topic && !strcmp(h->topic, ch.rel->topic) ? h->topic : strdup(ch.rel->topic);
		if (!t) {
			err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		} else {
			if (t != h->topic)
				free(h->topic);
			h->topic = t;
			/* Swap buffers: no copy of the encoded bytes. */
			struct sl_buf tk = h->key, tv = h->val;
			h->key = *kb;
			h->val = *vb;
			*kb = tk;
			*vb = tv;
			h->key_null = key_null;
			describe(&ch, h->what, sizeof h->what);
			h->is_change = false;
			h->has = true;
		}
	}
served:
	c->snap_rows_delta++;
	/* Serve the sink (acks, group fsync) every few rows, not per row: a
	 * full sink still pushes back inside produce_locked(). */
	if (!err && ++c->snap_unpolled >= 64) {
		c->snap_unpolled = 0;
		metrics_flush(c);
		err = sl_sink_poll(c->sink, 0, eb);
	}
	if (!err && c->fatal)
		err = sl_err_set(eb, c->fatal, "%s", c->fatal_msg);
	pthread_mutex_unlock(&c->mu);
	return err;
}

/* The snapshot knows its tables: show the plan before the first row. */
static void s_snapshot_start(void *ctx, int total)
{
	struct capture *c = ctx;
	sl_metric_set(c->m_snap_planned, total);
	sl_metric_set(c->m_snap_done, 0);
}

static void s_table_done(void *ctx, const char *schema, const char *table, uint64_t rows,
			 int done, int total)
{
	struct capture *c = ctx;
	/* Snapshot reads are counted per table, when the table is done: the
	 * reader threads do not share the streaming thread's series cache. */
	char name[300];
	snprintf(name, sizeof name, "%s.%s", schema, table);
	sl_metric_add(sl_metric2(SL_M_CAPTURE_EVENTS, name, "r"), (int64_t)rows);
	sl_metric_set(c->m_snap_done, done);
	sl_metric_set(c->m_snap_planned, total);
	sl_info("snapshot: table %s.%s done, %" PRIu64 " rows (%d of %d tables)", schema, table,
		rows, done, total);
}

/* ---- startup --------------------------------------------------------------- */

/* Wait before reconnect attempt `attempt` (0 = the first): base
 * (retriable.restart.connector.wait.ms, at least 100 ms) doubled per
 * failure in a row, capped at 30 s or base if larger, minus 0-25% jitter. */
static int64_t backoff_ms(int64_t base, int attempt)
{
	if (base < 100)
		base = 100;
	int64_t cap = base > 30000 ? base : 30000, ms = base;
	for (int i = 0; i < attempt && ms < cap; i++)
		ms *= 2;
	if (ms > cap)
		ms = cap;
	return ms - rand() % (ms / 4 + 1);
}

static void sleep_ms(struct capture *c, int64_t ms)
{
	while (ms > 0 && !*c->stop) {
		struct timespec ts = {0, (ms > 100 ? 100 : ms) * 1000000};
		nanosleep(&ts, NULL);
		ms -= 100;
	}
}

/* Connect once; transient failures come back as SL_ERR_RETRY and the
 * session loop in sl_capture_run() backs off and tries again. */
static enum sl_err connect_pg(struct capture *c, bool replication, PGconn **out,
			      struct sl_errbuf *eb)
{
	return sl_pg_connect(&c->pg, replication, out, eb);
}

static enum sl_err ensure_publication(struct capture *c, struct sl_errbuf *eb)
{
	const char *mode = sl_config_get(c->cfg, "publication.autocreate.mode");
	const char *params[] = {c->publication};
	PGresult *r;
	enum sl_err err = sl_pg_query(c->ctl, "SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = $1",
				      1, params, &r, eb);
	if (err)
		return err;
	bool exists = PQntuples(r) > 0;
	PQclear(r);
	char *q = sl_pg_quote_ident(c->ctl, c->publication);
	if (!q)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	struct sl_buf sql;
	sl_buf_init(&sql, 0);
	if (!strcmp(mode, "disabled")) {
		if (!exists)
			err = sl_err_set(eb, SL_ERR_CONFIG,
					 "publication \"%s\" does not exist and publication.autocreate.mode "
					 "is disabled: create it, or set publication.autocreate.mode",
					 c->publication);
	} else if (!strcmp(mode, "all_tables")) {
		if (!exists) {
			sl_buf_appendf(&sql, "CREATE PUBLICATION %s FOR ALL TABLES", q);
			err = sl_pg_exec(c->ctl, sql.data, eb);
			if (!err)
				sl_info("created publication \"%s\" for all tables", c->publication);
		}
	} else { /* filtered: exactly the included tables */
		err = sl_pg_query(c->ctl,
				  "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c "
				  "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
				  "WHERE c.relkind IN ('r','p') AND n.nspname NOT IN "
				  "('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
				  "ORDER BY 1, 2",
				  0, NULL, &r, eb);
		if (!err) {
			sl_buf_appendf(&sql, exists ? "ALTER PUBLICATION %s SET TABLE " : "CREATE PUBLICATION %s FOR TABLE ", q);
			int n = 0;
			for (int i = 0; i < PQntuples(r); i++) {
				const char *s = PQgetvalue(r, i, 0), *t = PQgetvalue(r, i, 1);
				if (!sl_pg_filter_table(&c->filter, s, t))
					continue;
				char *qs = sl_pg_quote_ident(c->ctl, s), *qt = sl_pg_quote_ident(c->ctl, t);
				sl_buf_appendf(&sql, "%s%s.%s", n++ ? ", " : "", qs ? qs : "", qt ? qt : "");
				free(qs);
				free(qt);
			}
			PQclear(r);
			if (!n)
				err = sl_err_set(eb, SL_ERR_CONFIG,
						 "table.include.list matches no table: nothing to capture");
			else
				err = sl_pg_exec(c->ctl, sql.data, eb);
			if (!err)
				sl_info("publication \"%s\" set to %d included tables", c->publication, n);
		}
	}
	sl_buf_free(&sql);
	free(q);
	return err;
}

/* Is the slot there?  *confirmed gets its confirmed_flush_lsn, and *lost
 * (may be NULL) whether the WAL it needs was removed (wal_status 'lost',
 * PostgreSQL 13+), so it can never stream again. */
static enum sl_err slot_exists(struct capture *c, bool *exists, uint64_t *confirmed, bool *lost,
			       struct sl_errbuf *eb)
{
	const char *params[] = {c->slot};
	PGresult *r;
	enum sl_err err = sl_pg_query(c->ctl,
				      PQserverVersion(c->ctl) >= 130000
					      ? "SELECT confirmed_flush_lsn, plugin, database = "
						"current_database(), wal_status = 'lost' FROM "
						"pg_catalog.pg_replication_slots WHERE slot_name = $1"
					      : "SELECT confirmed_flush_lsn, plugin, database = "
						"current_database(), false FROM "
						"pg_catalog.pg_replication_slots WHERE slot_name = $1",
				      1, params, &r, eb);
	if (err)
		return err;
	*exists = PQntuples(r) > 0;
	*confirmed = 0;
	if (*exists) {
		if (strcmp(PQgetvalue(r, 0, 1), "pgoutput") || PQgetvalue(r, 0, 2)[0] != 't')
			err = sl_err_set(eb, SL_ERR_CONFIG,
					 "replication slot \"%s\" exists but is not a pgoutput slot of this "
					 "database: choose another slot.name",
					 c->slot);
		else
			sl_lsn_parse(PQgetvalue(r, 0, 0), confirmed);
		if (lost)
			*lost = PQgetvalue(r, 0, 3)[0] == 't';
	}
	PQclear(r);
	return err;
}

/* Drop the slot.  A walsender that was just told to stop (ours, on
 * slot.drop.on.stop, or one of a killed predecessor) may hold it for a
 * moment: "is active for PID" is retried for up to 5 s. */
static enum sl_err drop_slot(struct capture *c, struct sl_errbuf *eb)
{
	const char *params[] = {c->slot};
	PGresult *r;
	enum sl_err err;
	for (int tries = 0;; tries++) {
		err = sl_pg_query(c->ctl, "SELECT pg_catalog.pg_drop_replication_slot($1)", 1,
				  params, &r, eb);
		if (!err) {
			PQclear(r);
			return SL_OK;
		}
		if (err == SL_ERR_RETRY || tries >= 50 || !strstr(eb->msg, "is active for PID"))
			return err;
		struct timespec ts = {0, 100 * 1000000};
		nanosleep(&ts, NULL);
	}
}

/* CREATE_REPLICATION_SLOT on a walsender connection; with export, the
 * snapshot stays valid while *repl stays idle. */
static enum sl_err create_slot(struct capture *c, PGconn *repl, bool export_snapshot,
			       char *snapname, size_t snaplen, uint64_t *consistent,
			       struct sl_errbuf *eb)
{
	char *q = sl_pg_quote_ident(repl, c->slot);
	if (!q)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	char sql[512];
	snprintf(sql, sizeof sql, "CREATE_REPLICATION_SLOT %s LOGICAL pgoutput (SNAPSHOT '%s')", q,
		 export_snapshot ? "export" : "nothing");
	free(q);
	PGresult *r;
	enum sl_err err = sl_pg_query(repl, sql, 0, NULL, &r, eb);
	if (err)
		return err;
	sl_lsn_parse(PQgetvalue(r, 0, 1), consistent);
	snprintf(snapname, snaplen, "%s", PQgetisnull(r, 0, 2) ? "" : PQgetvalue(r, 0, 2));
	PQclear(r);
	char lsn[24];
	sl_lsn_format(*consistent, lsn);
	sl_info("created replication slot \"%s\" at %s", c->slot, lsn);
	return SL_OK;
}

static void snap_workers_free(struct capture *c)
{
	for (int i = 0; i < c->nworkers; i++) {
		if (c->wkey)
			sl_buf_free(&c->wkey[i]);
		if (c->wval)
			sl_buf_free(&c->wval[i]);
		if (c->wchg)
			snap_change_free(&c->wchg[i]);
	}
	free(c->wkey);
	free(c->wval);
	free(c->wchg);
	free(c->wclock);
	c->wkey = c->wval = NULL;
	c->wchg = NULL;
	c->wclock = NULL;
	c->nworkers = 0;
}

static enum sl_err run_snapshot(struct capture *c, PGconn *repl, const char *snapname,
				uint64_t consistent, struct sl_errbuf *eb)
{
	int threads = (int)sl_config_get_int(c->cfg, "snapshot.max.threads");
	if (threads < 1)
		threads = 1;
	snap_workers_free(c); /* from an earlier attempt */
	/* A failed attempt may have left its newest row held and the "first"
	 * marker spent: the new snapshot starts from scratch (its rows are
	 * all read again). */
	pthread_mutex_lock(&c->mu);
	c->held.has = false;
	sl_relation_free(c->held.owned);
	c->held.owned = NULL;
	c->snap_unpolled = 0;
	atomic_store(&c->snap_first_done, false);
	pthread_mutex_unlock(&c->mu);
	c->nworkers = threads;
	c->wkey = calloc((size_t)threads, sizeof *c->wkey);
	c->wval = calloc((size_t)threads, sizeof *c->wval);
	c->wchg = calloc((size_t)threads, sizeof *c->wchg);
	c->wclock = calloc((size_t)threads, sizeof *c->wclock);
	if (!c->wkey || !c->wval || !c->wchg || !c->wclock)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	struct sl_pg_snapshot_opts so = {
		.params = &c->pg,
		.snapshot_name = snapname,
		.consistent_lsn = consistent,
		.publication = c->publication,
		.filter = &c->filter,
		.topic_prefix = c->prefix,
		.threads = threads,
	};
	/* Debezium stamps snapshot records with the reading transaction's id. */
	PGresult *xr;
	if (sl_pg_query(c->ctl, "SELECT txid_current() % 4294967296", 0, NULL, &xr, eb) == SL_OK) {
		so.xid = (uint32_t)strtoul(PQgetvalue(xr, 0, 0), NULL, 10);
		PQclear(xr);
	}
	struct sl_pg_snapshot_handler sh = {.ctx = c, .row = s_row, .start = s_snapshot_start,
					    .table_done = s_table_done,
					    .keep_relation = s_keep_relation};
	uint64_t rows = 0;
	int64_t t0 = sl_clock_mono_us();
	sl_metric_set(c->m_snap_running, 1);
	sl_metric_set(c->m_snap_done, 0);
	sl_metric_set(c->m_snap_planned, 0); /* until the tables are listed */
	sl_status_set_state(SL_CONN_RUNNING, NULL);
	sl_status_set_ready(true, NULL);
	enum sl_err err = sl_pg_snapshot_run(&so, &sh, &rows, eb);
	sl_metric_set(c->m_snap_running, 0);
	(void)repl; /* kept open and idle: it holds the exported snapshot */
	pthread_mutex_lock(&c->mu);
	if (!err)
		err = release_held(c, true, eb);
	metrics_flush(c);
	/* Every snapshot record must be durable before the snapshot counts as done. */
	while (!err) {
		err = sl_sink_flush(c->sink, 1000, eb);
		if (err == SL_ERR_RETRY && !*c->stop) {
			err = SL_OK;
			continue;
		}
		break;
	}
	if (!err && c->fatal)
		err = sl_err_set(eb, c->fatal, "%s", c->fatal_msg);
	metrics_flush(c);
	pthread_mutex_unlock(&c->mu);
	if (!err)
		sl_info("snapshot: done, %" PRIu64 " rows in %.1f s", rows,
			(double)(sl_clock_mono_us() - t0) / 1e6);
	return err;
}

/* ---- the run ---------------------------------------------------------------- */

static uint64_t g_until_lsn;

void sl_capture_set_until_lsn(uint64_t lsn)
{
	g_until_lsn = lsn;
}

static void kafka_pair(const char *key, const char *value, void *ctx)
{
	struct sl_buf *b = ctx; /* array of pairs, as struct sl_kafka_conf_pair */
	struct sl_kafka_conf_pair p = {key, value};
	sl_buf_append(b, &p, sizeof p);
}

static enum sl_err open_sink(struct capture *c, struct sl_errbuf *eb)
{
	const char *type = sl_config_get(c->cfg, "sink.type");
	enum sl_err err;
	if (!strcmp(type, "kafka")) {
		struct sl_buf pairs;
		sl_buf_init(&pairs, 0);
		sl_config_foreach_prefix(c->cfg, "kafka.", kafka_pair, &pairs);
		err = sl_sink_kafka_new((const struct sl_kafka_conf_pair *)pairs.data,
					pairs.len / sizeof(struct sl_kafka_conf_pair), &c->sink, eb);
		sl_buf_free(&pairs);
		if (!err && sl_config_is_set(c->cfg, "topic.creation.default.partitions"))
			sl_sink_kafka_create_topics(
				c->sink, (int)sl_config_get_int(c->cfg, "topic.creation.default.partitions"),
				(int)sl_config_get_int(c->cfg, "topic.creation.default.replication.factor"));
	} else if (!strcmp(type, "file")) {
		const char *path = sl_config_get(c->cfg, "sink.file.path");
		if (!path || !*path)
			return sl_err_set(eb, SL_ERR_CONFIG, "sink.type=file needs sink.file.path");
		err = sl_sink_jsonl_new(path, 50, sl_config_get_bool(c->cfg, "sink.file.direct.io"),
					&c->sink, eb);
	} else if (!strcmp(type, "lake")) {
		err = sl_sink_lake_new(c->cfg, &c->sink, eb);
	} else {
		err = sl_sink_jsonl_new(NULL, 20, false, &c->sink, eb);
	}
	if (!err) {
		c->sink->on_ack = on_ack;
		c->sink->ack_ctx = c;
	}
	return err;
}

static char *concat(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 1;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s", a, b);
	return s;
}

/* Connection parameters from the config (strings borrowed from cfg). */
static void pg_params_from_config(const struct sl_config *cfg, struct sl_pg_params *p)
{
	*p = (struct sl_pg_params){
		.host = sl_config_get(cfg, "database.hostname"),
		.port = sl_config_get(cfg, "database.port"),
		.user = sl_config_get(cfg, "database.user"),
		.password = sl_config_get(cfg, "database.password"),
		.dbname = sl_config_get(cfg, "database.dbname"),
		.sslmode = sl_config_get(cfg, "database.sslmode"),
		.sslrootcert = sl_config_get(cfg, "database.sslrootcert"),
		.application_name = "sluice",
	};
}

static enum sl_err filter_from_config(const struct sl_config *cfg, struct sl_pg_filter *f,
				      struct sl_errbuf *eb)
{
	return sl_pg_filter_init(f, sl_config_get(cfg, "table.include.list"),
				 sl_config_get(cfg, "table.exclude.list"),
				 sl_config_get(cfg, "schema.include.list"),
				 sl_config_get(cfg, "schema.exclude.list"),
				 sl_config_get(cfg, "column.exclude.list"),
				 sl_config_get(cfg, "message.key.columns"), eb);
}

/* One warning naming the keys that are set but change nothing (marked
 * no_effect in keys.c: accepted so that Debezium configurations load). */
static void warn_no_effect(const struct sl_config *cfg)
{
	size_t n, o = 0;
	const struct sl_config_key *keys = sl_config_keys(&n);
	char list[512];
	int count = 0;
	list[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!keys[i].no_effect || !sl_config_is_set(cfg, keys[i].name))
			continue;
		int w = snprintf(list + o, sizeof list - o, "%s\"%s\"", count++ ? ", " : "",
				 keys[i].name);
		if (w > 0 && (size_t)w < sizeof list - o)
			o += (size_t)w;
	}
	if (count)
		sl_warn("config: %s %s accepted for Debezium compatibility but %s no effect in "
			"sluice (docs/CONFIG.md says why)",
			list, count == 1 ? "is" : "are", count == 1 ? "has" : "have");
}

static enum sl_err setup(struct capture *c, struct sl_errbuf *eb)
{
	const struct sl_config *cfg = c->cfg;
	warn_no_effect(cfg);
	pg_params_from_config(cfg, &c->pg);
	c->slot = sl_config_get(cfg, "slot.name");
	c->publication = sl_config_get(cfg, "publication.name");
	c->prefix = sl_config_get(cfg, "topic.prefix");
	c->tombstones = sl_config_get_bool(cfg, "tombstones.on.delete");
	c->txn_meta = sl_config_get_bool(cfg, "provide.transaction.metadata");
	c->heartbeat_ms = sl_config_get_int(cfg, "heartbeat.interval.ms");
	c->heartbeat_query = sl_config_get(cfg, "heartbeat.action.query");
	c->topic_txn = concat(c->prefix, ".transaction");
	c->topic_msg = concat(c->prefix, ".message");
	c->topic_hb = concat("__debezium-heartbeat.", c->prefix);
	if (!c->topic_txn || !c->topic_msg || !c->topic_hb)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");

	const char *skipped = sl_config_get(cfg, "skipped.operations");
	char **items = NULL;
	size_t n = 0;
	enum sl_err err = sl_config_split_list(skipped ? skipped : "", &items, &n, eb);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++)
		if (strlen(items[i]) == 1)
			c->skip[(unsigned char)items[i][0] & 127] = true;
	free(items);

	sl_dbz_opts_init(&c->dbz);
	c->dbz.topic_prefix = c->prefix;
	c->dbz.db_name = c->pg.dbname ? c->pg.dbname : "";
	c->dbz.version = SL_VERSION;
	c->dbz.key_schemas = sl_config_get_bool(cfg, "key.converter.schemas.enable");
	c->dbz.value_schemas = sl_config_get_bool(cfg, "value.converter.schemas.enable");
	c->dbz.unavailable_placeholder = sl_config_get(cfg, "unavailable.value.placeholder");
	c->dbz.money_fraction_digits = (int)sl_config_get_int(cfg, "money.fraction.digits");
	c->dbz.provide_txn_metadata = c->txn_meta;
	c->dbz.include_unknown = sl_config_get_bool(cfg, "include.unknown.datatypes");
	/* The envelope order of the reference message this project follows:
	 * "transaction" after the ts_* fields. */
	c->dbz.legacy_txn_last = true;
	const char *modes[] = {"decimal.handling.mode", "time.precision.mode",
			       "binary.handling.mode", "interval.handling.mode",
			       "hstore.handling.mode"};
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if ((err = sl_dbz_opts_set_mode(&c->dbz, modes[i], sl_config_get(cfg, modes[i]), eb)))
			return err;
	if ((err = filter_from_config(cfg, &c->filter, eb)))
		return err;
	sl_acks_init(&c->acks, 1);
	sl_buf_init(&c->key, 0);
	sl_buf_init(&c->val, 0);
	c->m_records = sl_metric0(SL_M_SINK_RECORDS);
	c->m_bytes = sl_metric0(SL_M_SINK_BYTES);
	c->m_acked = sl_metric0(SL_M_SINK_ACKED);
	c->m_inflight = sl_metric0(SL_M_SINK_IN_FLIGHT);
	c->m_snap_rows = sl_metric0(SL_M_SNAPSHOT_ROWS);
	c->m_snap_running = sl_metric0(SL_M_SNAPSHOT_RUNNING);
	c->m_snap_planned = sl_metric0(SL_M_SNAPSHOT_TABLES_PLANNED);
	c->m_snap_done = sl_metric0(SL_M_SNAPSHOT_TABLES_DONE);
	c->m_latency = sl_metric0(SL_M_DELIVERY_LATENCY);
	c->m_slot_lag = sl_metric0(SL_M_SLOT_LAG);
	c->m_confirmed = sl_metric0(SL_M_CONFIRMED_LSN);
	c->m_received = sl_metric0(SL_M_RECEIVED_LSN);
	c->m_txns = sl_metric0(SL_M_TRANSACTIONS);
	return open_sink(c, eb);
}

static void teardown(struct capture *c)
{
	sl_pg_stream_free(c->stream);
	sl_pg_catalog_free(&c->cat);
	if (c->ctl)
		PQfinish(c->ctl);
	sl_sink_destroy(c->sink);
	sl_acks_free(&c->acks);
	sl_pg_filter_free(&c->filter);
	sl_buf_free(&c->key);
	sl_buf_free(&c->val);
	snap_workers_free(c);
	free(c->held.topic);
	sl_buf_free(&c->held.key);
	sl_buf_free(&c->held.val);
	snap_change_free(&c->held.chg);
	sl_relation_free(c->held.owned);
	for (size_t i = 0; i < c->ncolls; i++)
		free(c->colls[i].name);
	free(c->colls);
	free(c->topic_txn);
	free(c->topic_msg);
	free(c->topic_hb);
	free(c->pend);
	pthread_mutex_destroy(&c->mu);
	pthread_mutex_destroy(&c->lag_mu);
}

static enum sl_err start_stream(struct capture *c, PGconn *repl, uint64_t confirmed,
				struct sl_errbuf *eb)
{
	const char *spool = sl_config_get(c->cfg, "streaming.spool.dir");
	char spool_default[4200];
	if (!spool || !*spool) {
		snprintf(spool_default, sizeof spool_default, "%s/spool-%s",
			 sl_config_get(c->cfg, "offset.storage.dir"), c->slot);
		spool = spool_default;
	}
	struct sl_pg_stream_opts so = {
		.slot = c->slot,
		.publication = c->publication,
		.spool_dir = spool,
		.status_interval_ms = (int)sl_config_get_int(c->cfg, "status.update.interval.ms"),
		.capture_truncate = !c->skip['t'],
		.capture_messages = true,
		.last_commit_lsn = confirmed,
		.stream_in_progress = sl_config_get_bool(c->cfg, "streaming.in.progress"),
	};
	if (so.status_interval_ms <= 0 || so.status_interval_ms > 10000)
		so.status_interval_ms = 10000;
	sl_pg_catalog_init(&c->cat, c->ctl, &c->filter, c->prefix);
	return sl_pg_stream_start(repl, &c->cat, &so, 0, &c->stream, eb);
}

static enum sl_err heartbeat(struct capture *c, struct sl_errbuf *eb)
{
	if (c->heartbeat_ms <= 0)
		return SL_OK;
	int64_t now = sl_clock_mono_us();
	if (now < c->next_heartbeat_us)
		return SL_OK;
	c->next_heartbeat_us = now + c->heartbeat_ms * 1000;
	if (c->heartbeat_query && *c->heartbeat_query) {
		struct sl_errbuf qeb;
		if (sl_pg_exec(c->ctl, c->heartbeat_query, &qeb))
			sl_warn("heartbeat.action.query failed: %s", qeb.msg);
	}
	sl_buf_reset(&c->key);
	sl_buf_reset(&c->val);
	enum sl_err err = sl_dbz_heartbeat(&c->dbz, sl_clock_wall_us() / 1000, &c->key, &c->val, eb);
	if (!err)
		err = produce(c, c->topic_hb, c->key.data, c->key.len, c->val.data, c->val.len,
			      "heartbeat", eb);
	return err;
}

/* Every few seconds: WAL the slot holds back, from the control connection.
 * A failed query is not an error here: the stream notices a lost server. */
static void poll_slot_lag(struct capture *c)
{
	int64_t now = sl_clock_mono_us();
	if (now < c->next_slot_poll_us || !c->ctl)
		return;
	c->next_slot_poll_us = now + 5000000;
	const char *params[] = {c->slot};
	PGresult *r;
	struct sl_errbuf qeb;
	if (sl_pg_query(c->ctl,
			"SELECT (pg_catalog.pg_current_wal_lsn() - confirmed_flush_lsn)::bigint "
			"FROM pg_catalog.pg_replication_slots WHERE slot_name = $1",
			1, params, &r, &qeb))
		return;
	if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		sl_metric_set(c->m_slot_lag, strtoll(PQgetvalue(r, 0, 0), NULL, 10));
	PQclear(r);
}

/* Per loop turn: positions, queue depth, delivered transactions. */
static void publish(struct capture *c, uint64_t flush)
{
	pend_delivered(c, flush);
	sl_metric_set(c->m_confirmed, (int64_t)sl_pg_stream_confirmed_lsn(c->stream));
	sl_metric_set(c->m_received, (int64_t)sl_pg_stream_received_lsn(c->stream));
	poll_slot_lag(c);
}

/* PUT .../pause: stop reading from the slot but keep the connection (status
 * updates keep the walsender from timing out), the slot and the position,
 * and keep serving the sink so what is in flight still gets confirmed.
 * Returns when resumed, stopped, asked to restart, or on an error. */
/* Serve the sink for up to timeout_ms, then pass the ack tracker's verdict
 * (the confirmable LSN, and whether nothing is in flight) to the stream.
 * The one place the delivery invariant reaches PostgreSQL.  *flush_out may
 * be NULL.  Returns a sink error, or the first failed delivery. */
static enum sl_err serve_sink(struct capture *c, int timeout_ms, uint64_t *flush_out,
			      struct sl_errbuf *eb)
{
	pthread_mutex_lock(&c->mu);
	enum sl_err err = sl_sink_poll(c->sink, timeout_ms, eb);
	metrics_flush(c);
	if (!err && c->fatal)
		err = sl_err_set(eb, c->fatal, "%s", c->fatal_msg);
	uint64_t flush = sl_acks_flush_lsn(&c->acks);
	bool idle = sl_acks_idle(&c->acks) && !sl_sink_in_flight(c->sink);
	sl_metric_set(c->m_inflight, (int64_t)sl_sink_in_flight(c->sink));
	pthread_mutex_unlock(&c->mu);
	if (!err)
		sl_pg_stream_set_flush(c->stream, flush, idle);
	if (flush_out)
		*flush_out = flush;
	return err;
}

static enum sl_err paused(struct capture *c, struct sl_errbuf *eb)
{
	sl_status_set_state(SL_CONN_PAUSED, NULL);
	sl_status_set_ready(false, "paused");
	int64_t last_status = 0;
	enum sl_err err = SL_OK;
	while (!*c->stop && sl_status_pause_requested() && !sl_status_restart_pending()) {
		uint64_t flush;
		if ((err = serve_sink(c, 200, &flush, eb)))
			return err;
		int64_t now = sl_clock_mono_us();
		if (now - last_status >= 2000000) {
			if ((err = sl_pg_stream_send_status(c->stream, false, eb)))
				return err;
			last_status = now;
		}
		publish(c, flush);
	}
	sl_status_set_state(SL_CONN_RUNNING, NULL);
	sl_status_set_ready(true, NULL);
	return SL_OK;
}

/* One connected session: decide about the snapshot, then stream until
 * stop, a fatal error, or a lost connection (SL_ERR_RETRY). */
static enum sl_err session(struct capture *c, bool *snapshot_only_done, struct sl_errbuf *eb)
{
	enum sl_err err = connect_pg(c, false, &c->ctl, eb);
	if (err)
		return err;
	if ((err = ensure_publication(c, eb)))
		return err;
	const char *mode = sl_config_get(c->cfg, "snapshot.mode");
	struct sl_state state;
	if ((err = sl_state_load(&state, sl_config_get(c->cfg, "offset.storage.dir"), c->slot, eb)))
		return err;
	bool exists, lost = false;
	uint64_t confirmed;
	if ((err = slot_exists(c, &exists, &confirmed, &lost, eb)))
		goto out;
	const char *snap_state = sl_state_get(&state, "snapshot");
	bool in_progress = snap_state && !strcmp(snap_state, "in_progress");
	/* A stored offset: offset.storage.dir has a record of this slot (its
	 * snapshot, or its creation by sluice). */
	bool stored = snap_state || sl_state_get(&state, "slot.lsn");
	bool want_snapshot = false;
	const char *why = "new (the last one did not finish)"; /* why a slot is dropped */
	if (!strcmp(mode, "always") && !c->always_done) {
		want_snapshot = true;
		why = "fresh (snapshot.mode=always)";
	} else if (strcmp(mode, "no_data")) {
		/* initial, initial_only, when_needed, and always once it has run */
		want_snapshot = !exists || in_progress;
		if (exists && !want_snapshot && !strcmp(mode, "when_needed") && (lost || !stored)) {
			/* Debezium: no offset found, or its position is gone. */
			want_snapshot = true;
			why = lost ? "new (the WAL it needs was removed: wal_status lost)"
				   : "new (offset.storage.dir has no stored offset for it)";
		}
	}
	if (exists && lost && !want_snapshot) {
		err = sl_err_set(eb, SL_ERR_FATAL,
				 "replication slot \"%s\" can no longer stream: the WAL it needs was "
				 "removed (wal_status lost, see max_slot_wal_keep_size), so changes "
				 "since its confirmed position are gone. Set snapshot.mode=when_needed "
				 "to take a new snapshot, or drop the slot",
				 c->slot);
		goto out;
	}
	if (exists && want_snapshot) {
		sl_info("dropping replication slot \"%s\" to take a %s snapshot", c->slot, why);
		if ((err = drop_slot(c, eb)))
			goto out;
		exists = false;
		confirmed = 0; /* the new slot's is read once it exists */
	}
	PGconn *repl = NULL;
	if ((err = connect_pg(c, true, &repl, eb)))
		goto out;
	if (!exists) {
		char snapname[128];
		uint64_t consistent = 0;
		if (want_snapshot) {
			sl_state_set(&state, "snapshot", "in_progress");
			if ((err = sl_state_save(&state, eb)))
				goto out_repl;
		}
		if ((err = create_slot(c, repl, want_snapshot, snapname, sizeof snapname, &consistent, eb)))
			goto out_repl;
		char lsn[24];
		sl_lsn_format(consistent, lsn);
		sl_state_set(&state, "slot.lsn", lsn); /* the stored offset (when_needed) */
		if (want_snapshot) {
			if ((err = run_snapshot(c, repl, snapname, consistent, eb)))
				goto out_repl;
			sl_state_set(&state, "snapshot", "done");
			sl_state_set(&state, "snapshot.lsn", lsn);
			c->always_done = true;
		}
		if ((err = sl_state_save(&state, eb)))
			goto out_repl;
	} else if (!snap_state && strcmp(mode, "no_data")) {
		sl_info("replication slot \"%s\" exists: resuming streaming from it", c->slot);
	}
	if (!strcmp(mode, "initial_only")) {
		*snapshot_only_done = true;
		goto out_repl;
	}
	if (!confirmed && (err = slot_exists(c, &exists, &confirmed, NULL, eb)))
		goto out_repl;
	err = start_stream(c, repl, confirmed, eb);
	repl = NULL; /* owned by the stream now, even on error */
	if (err)
		goto out;
	{
		char lsn[24];
		sl_lsn_format(confirmed, lsn);
		if (c->retries)
			sl_info("postgres: connection restored after %d retries", c->retries);
		c->retries = 0;
		c->streamed = true;
		sl_info("streaming from slot \"%s\" (confirmed %s; large transactions %s)", c->slot,
			lsn, sl_pg_stream_in_progress(c->stream)
				     ? "streamed while in progress, spooled here"
				     : "sent by the server after their commit");
		sl_status_set_state(SL_CONN_RUNNING, NULL);
		sl_status_set_ready(true, NULL);
	}
	int64_t last_progress = sl_clock_mono_us();
	uint64_t last_events = c->events;
	bool until_flushed = false;
	while (!*c->stop) {
		if (sl_status_take_restart()) {
			sl_info("restart requested: draining, then starting a new session");
			c->restart = true;
			break;
		}
		if (sl_status_pause_requested()) {
			if ((err = paused(c, eb)))
				break;
			continue;
		}
		struct sl_pg_handler h = {.ctx = c, .begin = h_begin, .change = h_change, .commit = h_commit};
		err = sl_pg_stream_poll(c->stream, 200, &h, eb);
		if (err)
			break;
		uint64_t flush;
		if ((err = serve_sink(c, 0, &flush, eb)))
			break;
		publish(c, flush);
		if ((err = heartbeat(c, eb)))
			break;
		if (g_until_lsn && !until_flushed && sl_pg_stream_reached(c->stream, g_until_lsn)) {
			/* Everything up to the LSN is in the sink: make it
			 * durable now rather than at the sink's own pace (the
			 * lake commits open files on a schedule). */
			until_flushed = true;
			pthread_mutex_lock(&c->mu);
			enum sl_err ferr = sl_sink_flush(c->sink, 0, eb);
			pthread_mutex_unlock(&c->mu);
			if (ferr && ferr != SL_ERR_RETRY) {
				err = ferr;
				break;
			}
		}
		if (g_until_lsn && sl_pg_stream_flushable_lsn(c->stream) >= g_until_lsn) {
			char lsn[24];
			sl_lsn_format(g_until_lsn, lsn);
			sl_info("reached --until-lsn %s", lsn);
			*c->stop = 1;
		}
		int64_t now = sl_clock_mono_us();
		if (now - last_progress > 30000000 && c->events != last_events) {
			char lsn[24];
			sl_lsn_format(sl_pg_stream_confirmed_lsn(c->stream), lsn);
			sl_info("streaming: %" PRIu64 " events delivered, confirmed %s", c->events, lsn);
			last_progress = now;
			last_events = c->events;
		}
	}
	if (!err) {
		/* Clean stop: drain, confirm what is durable, then leave. */
		pthread_mutex_lock(&c->mu);
		int64_t deadline = sl_clock_mono_us() + 8000000;
		enum sl_err ferr;
		while ((ferr = sl_sink_flush(c->sink, 500, eb)) == SL_ERR_RETRY &&
		       sl_clock_mono_us() < deadline)
			;
		pthread_mutex_unlock(&c->mu);
		uint64_t flush;
		struct sl_errbuf seb;
		serve_sink(c, 0, &flush, &seb);
		sl_pg_stream_send_status(c->stream, false, NULL);
		publish(c, flush);
		char lsn[24];
		sl_lsn_format(sl_pg_stream_confirmed_lsn(c->stream), lsn);
		sl_info("stopped: %" PRIu64 " events delivered, confirmed %s", c->events, lsn);
		if (ferr && ferr != SL_ERR_RETRY)
			err = ferr;
	}
	goto out;
out_repl:
	if (repl)
		PQfinish(repl);
out:
	sl_state_free(&state);
	return err;
}

enum sl_err sl_capture_run(const struct sl_config *cfg, volatile sig_atomic_t *stop,
			   struct sl_errbuf *eb)
{
	struct capture *c = calloc(1, sizeof *c);
	if (!c)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	c->cfg = cfg;
	c->stop = stop;
	pthread_mutex_init(&c->mu, NULL);
	pthread_mutex_init(&c->lag_mu, NULL);
	srand((unsigned)sl_clock_mono_us());
	enum sl_err err = setup(c, eb);
	if (!err && (err = sl_metrics_add_collector(collect, c)))
		sl_err_set(eb, err, "could not register the metrics collector");
	int64_t max = sl_config_get_int(cfg, "errors.max.retries");
	while (!err && !*stop) {
		bool snapshot_only_done = false;
		c->streamed = false;
		c->restart = false;
		sl_status_set_ready(false, c->retries ? "postgres unreachable: retrying" : "connecting");
		err = session(c, &snapshot_only_done, eb);
		if (!err && c->restart && !*stop) {
			/* POST .../restart: the session drained; start a new one now. */
			sl_pg_stream_free(c->stream);
			c->stream = NULL;
			sl_pg_catalog_free(&c->cat);
			if (c->ctl)
				PQfinish(c->ctl);
			c->ctl = NULL;
			continue;
		}
		if (snapshot_only_done || (!err && *stop))
			break;
		if (err != SL_ERR_RETRY)
			break;
		sl_status_set_ready(false, "postgres unreachable: retrying");
		sl_metrics_inc(SL_M_ERRORS, "transient");
		/* PostgreSQL unreachable or lost: the position is in the slot, so
		 * back off and start a new session from it. */
		if (max >= 0 && c->retries >= max)
			break;
		sl_metrics_inc(SL_M_RETRIES, "postgres"); /* a retry really follows */
		if (c->retries == 0)
			sl_warn("postgres: %s; retrying with backoff (errors.max.retries=%" PRId64 ")",
				eb->msg, max);
		sl_pg_stream_free(c->stream);
		c->stream = NULL;
		sl_pg_catalog_free(&c->cat);
		if (c->ctl)
			PQfinish(c->ctl);
		c->ctl = NULL;
		sleep_ms(c, backoff_ms(sl_config_get_int(cfg, "retriable.restart.connector.wait.ms"),
				       c->retries++));
		err = SL_OK;
	}
	if (!err && sl_config_get_bool(cfg, "slot.drop.on.stop") && c->ctl) {
		sl_pg_stream_free(c->stream);
		c->stream = NULL;
		struct sl_errbuf deb;
		if (drop_slot(c, &deb))
			sl_warn("could not drop slot \"%s\": %s", c->slot, deb.msg);
		else
			sl_info("dropped replication slot \"%s\" (slot.drop.on.stop)", c->slot);
	}
	if (err)
		sl_metrics_inc(SL_M_ERRORS, sl_metrics_err_kind(err));
	sl_status_set_ready(false, err ? "failed" : "stopped");
	sl_metrics_remove_collector(collect, c);
	teardown(c);
	free(c);
	return err;
}

enum sl_err sl_capture_check(const struct sl_config *cfg, FILE *out, int *problems,
			     struct sl_errbuf *eb)
{
	struct capture c = {.cfg = cfg};
	struct sl_pg_params *p = &c.pg;
	pg_params_from_config(cfg, p);
	enum sl_err err = filter_from_config(cfg, &c.filter, eb);
	if (err)
		return err;
	fprintf(out, "preflight for %s:%s database \"%s\" as \"%s\"\n", p->host ? p->host : "localhost",
		p->port ? p->port : "5432", p->dbname ? p->dbname : "", p->user ? p->user : "");
	PGconn *conn;
	err = sl_pg_connect(p, false, &conn, eb);
	if (err) {
		fprintf(out, "  [FAIL] %s\n", eb->msg);
		*problems = 1;
		sl_pg_filter_free(&c.filter);
		return SL_OK;
	}
	struct sl_pg_preflight pf = {
		.slot = sl_config_get(cfg, "slot.name"),
		.publication = sl_config_get(cfg, "publication.name"),
		.autocreate_mode = sl_config_get(cfg, "publication.autocreate.mode"),
		.filter = &c.filter,
	};
	sl_pg_preflight_run(conn, &pf, out);
	PQfinish(conn);
	/* The walsender connection is separate in pg_hba.conf: try it too. */
	if (sl_pg_connect(p, true, &conn, eb) == SL_OK) {
		fprintf(out, "  [ok  ] replication connection accepted\n");
		PQfinish(conn);
	} else {
		fprintf(out, "  [FAIL] replication connection refused: %s (check pg_hba.conf "
			     "for a \"replication\" line)\n", eb->msg);
		pf.problems++;
	}
	fprintf(out, "%s: %d problem(s), %d warning(s)\n", pf.problems ? "NOT READY" : "ready",
		pf.problems, pf.warnings);
	*problems = pf.problems;
	sl_pg_filter_free(&c.filter);
	return SL_OK;
}
