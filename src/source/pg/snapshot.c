/* SPDX-License-Identifier: Apache-2.0
 *
 * snapshot.c -- parallel COPY of CTID ranges under one exported snapshot.
 *
 * Work is a queue of (table, page range) chunks taken by worker threads.
 * Each worker opens its own connection, imports the snapshot, builds its
 * own copy of each relation per chunk from the catalog (the encoder caches
 * per relation, and that cache must not be used by two threads at once),
 * and streams COPY rows to the callback.  At the chunk's end the handler
 * may take the relation over (keep_relation) when a row it still holds
 * points to it; it then serialises every use of that relation itself.  A
 * table's row count is reported when its last chunk finishes.
 *
 * The read time stamped on rows (source ts) is taken once per CLOCK_ROWS
 * rows, and again whenever the reader had to wait for the server, so it is
 * never older than one batch of in-memory work: reading the clock per row
 * was a measurable share of the snapshot's CPU.
 */
#include "source/pg/snapshot.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/hex.h"
#include "source/pg/catalog.h"

struct table {
	uint32_t oid;
	char *schema, *name;
	uint32_t pages;
	int chunks_left;
	uint64_t rows;
};

struct chunk {
	struct table *t;
	uint32_t from_page, to_page; /* to_page 0 = to the end */
};

struct snap {
	const struct sl_pg_snapshot_opts *opts;
	const struct sl_pg_snapshot_handler *h;
	pthread_mutex_t mu;
	struct table *tables;
	int ntables, tables_done;
	struct chunk *chunks;
	size_t nchunks, next_chunk;
	enum sl_err err;          /* first error, under mu */
	struct sl_errbuf eb;
	uint64_t rows;
};

/* ---- COPY text format ----------------------------------------------- */

bool sl_pg_copy_parse_line(char *line, size_t len, struct sl_value *vals, int ncols)
{
	if (len && line[len - 1] == '\n')
		len--;
	int col = 0;
	size_t i = 0;
	for (;;) {
		if (col >= ncols)
			return false;
		char *out = line + i, *start = out;
		/* Exactly "\N" as the whole field is NULL. */
		if (i + 1 < len && line[i] == '\\' && line[i + 1] == 'N' &&
		    (i + 2 == len || line[i + 2] == '\t')) {
			vals[col++] = (struct sl_value){SL_VAL_NULL, 0, NULL};
			i += 2;
			if (i >= len)
				break;
			i++;
			continue;
		}
		/* Until the first backslash the field is already in place: just
		 * find its end. */
		while (i < len && line[i] != '\t' && line[i] != '\\')
			i++;
		out = line + i;
		while (i < len && line[i] != '\t') {
			char c = line[i++];
			if (c != '\\') {
				*out++ = c;
				continue;
			}
			if (i >= len)
				return false;
			c = line[i++];
			switch (c) {
			case 'b': *out++ = '\b'; break;
			case 'f': *out++ = '\f'; break;
			case 'n': *out++ = '\n'; break;
			case 'r': *out++ = '\r'; break;
			case 't': *out++ = '\t'; break;
			case 'v': *out++ = '\v'; break;
			case 'x': {
				int v = 0, k = 0, h;
				while (k < 2 && i < len && (h = sl_hex_digit(line[i])) >= 0) {
					v = v * 16 + h;
					i++, k++;
				}
				if (!k)
					return false;
				*out++ = (char)v;
				break;
			}
			default:
				if (c >= '0' && c <= '7') {
					int v = c - '0', k = 1;
					while (k < 3 && i < len && line[i] >= '0' && line[i] <= '7') {
						v = v * 8 + (line[i++] - '0');
						k++;
					}
					*out++ = (char)v;
				} else {
					*out++ = c;
				}
			}
		}
		vals[col++] = (struct sl_value){SL_VAL_TEXT, (uint32_t)(out - start), start};
		if (i >= len)
			break;
		i++; /* the tab */
	}
	return col == ncols;
}

/* ---- workers ---------------------------------------------------------- */

#define CLOCK_ROWS 128

/* The next COPY row, like PQgetCopyData(conn, buf, 0), but says in
 * *waited whether it had to wait for the server (the clock is then stale). */
static int copy_next(PGconn *conn, char **buf, bool *waited)
{
	int n;
	while ((n = PQgetCopyData(conn, buf, 1)) == 0) {
		struct pollfd p = {.fd = PQsocket(conn), .events = POLLIN};
		if (p.fd < 0)
			return -2;
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return -2;
		if (!PQconsumeInput(conn))
			return -2;
		*waited = true;
	}
	return n;
}

static void set_error(struct snap *s, enum sl_err err, const struct sl_errbuf *eb)
{
	pthread_mutex_lock(&s->mu);
	if (!s->err) {
		s->err = err;
		s->eb = *eb;
	}
	pthread_mutex_unlock(&s->mu);
}

static struct chunk *take_chunk(struct snap *s)
{
	struct chunk *c = NULL;
	pthread_mutex_lock(&s->mu);
	if (!s->err && s->next_chunk < s->nchunks)
		c = &s->chunks[s->next_chunk++];
	pthread_mutex_unlock(&s->mu);
	return c;
}

static void chunk_done(struct snap *s, struct chunk *c, uint64_t rows)
{
	pthread_mutex_lock(&s->mu);
	c->t->rows += rows;
	s->rows += rows;
	bool table_done = --c->t->chunks_left == 0;
	int done = table_done ? ++s->tables_done : s->tables_done;
	pthread_mutex_unlock(&s->mu);
	if (table_done && s->h->table_done)
		s->h->table_done(s->h->ctx, c->t->schema, c->t->name, c->t->rows, done, s->ntables);
}

static enum sl_err copy_chunk(struct snap *s, int worker, PGconn *conn, struct sl_pg_catalog *cat,
			      struct chunk *c, uint64_t *rows, struct sl_errbuf *eb)
{
	struct sl_relation *rel = NULL;
	enum sl_err err = sl_pg_catalog_relation(cat, c->t->oid, NULL, &rel, eb);
	if (err)
		return err;
	struct sl_buf sql;
	sl_buf_init(&sql, 0);
	struct sl_value *vals = calloc((size_t)rel->ncols + 1, sizeof *vals);
	if (!vals) {
		err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		goto out;
	}
	sl_buf_puts(&sql, "COPY (SELECT ");
	for (int i = 0; i < rel->ncols; i++) {
		char *q = sl_pg_quote_ident(conn, rel->cols[i].name);
		if (!q) {
			err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
			goto out;
		}
		sl_buf_appendf(&sql, "%s%s", i ? ", " : "", q);
		free(q);
	}
	if (!rel->ncols)
		sl_buf_puts(&sql, "NULL");
	char *qs = sl_pg_quote_ident(conn, rel->schema), *qt = sl_pg_quote_ident(conn, rel->table);
	if (!qs || !qt) {
		free(qs);
		free(qt);
		err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		goto out;
	}
	sl_buf_appendf(&sql, " FROM ONLY %s.%s", qs, qt);
	free(qs);
	free(qt);
	if (c->from_page || c->to_page)
		sl_buf_appendf(&sql, " WHERE ctid >= '(%u,0)'::tid", c->from_page);
	if (c->to_page)
		sl_buf_appendf(&sql, " AND ctid < '(%u,0)'::tid", c->to_page);
	sl_buf_puts(&sql, ") TO STDOUT");
	PGresult *r = PQexec(conn, sql.data);
	/* A lost reader is retried (the whole snapshot, by the caller); any
	 * other failed read is not. */
	if (PQresultStatus(r) != PGRES_COPY_OUT) {
		err = sl_err_set(eb, sl_pg_result_lost(conn, r) ? SL_ERR_RETRY : SL_ERR_FATAL,
				 "could not read table \"%s.%s\": %s", rel->schema, rel->table,
				 PQresultErrorMessage(r));
		PQclear(r);
		goto out;
	}
	PQclear(r);
	struct sl_row row = {.ncols = rel->ncols, .vals = vals};
	struct sl_change ch = {
		.op = SL_OP_READ,
		.rel = rel,
		.after = &row,
		.src = {.lsn = s->opts->consistent_lsn, .xid = s->opts->xid, .snapshot = "true"},
	};
	char *buf;
	int n;
	bool stale = true;
	unsigned since_clock = 0;
	while ((n = copy_next(conn, &buf, &stale)) > 0) {
		if (!err && !sl_pg_copy_parse_line(buf, (size_t)n, vals, rel->ncols))
			err = sl_err_set(eb, SL_ERR_PROTO, "malformed COPY row from \"%s.%s\"",
					 rel->schema, rel->table);
		if (!err) {
			if (stale || ++since_clock >= CLOCK_ROWS) {
				ch.src.commit_ts_us = sl_clock_wall_us();
				stale = false;
				since_clock = 0;
			}
			err = s->h->row(s->h->ctx, worker, &ch, eb);
			(*rows)++;
		}
		PQfreemem(buf);
		/* After an error keep draining: libpq needs the COPY finished. */
	}
	r = PQgetResult(conn);
	if (!err && PQresultStatus(r) != PGRES_COMMAND_OK)
		err = sl_err_set(eb, sl_pg_result_lost(conn, r) ? SL_ERR_RETRY : SL_ERR_FATAL,
				 "could not read table \"%s.%s\": %s", rel->schema, rel->table,
				 r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
	PQclear(r);
	while ((r = PQgetResult(conn)))
		PQclear(r);
out:
	free(vals);
	sl_buf_free(&sql);
	if (!(s->h->keep_relation && s->h->keep_relation(s->h->ctx, worker, rel)))
		sl_relation_free(rel);
	return err;
}

struct worker_arg {
	struct snap *s;
	int id;
};

static void *worker_main(void *arg)
{
	struct worker_arg *wa = arg;
	struct snap *s = wa->s;
	struct sl_errbuf eb = {{0}};
	PGconn *conn = NULL;
	struct sl_pg_catalog cat;
	enum sl_err err = sl_pg_connect(s->opts->params, false, &conn, &eb);
	if (err) {
		set_error(s, err, &eb);
		return NULL;
	}
	sl_pg_catalog_init(&cat, conn, s->opts->filter, s->opts->topic_prefix);
	char sql[200];
	snprintf(sql, sizeof sql, "SET TRANSACTION SNAPSHOT '%s'", s->opts->snapshot_name);
	if ((err = sl_pg_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", &eb)) ||
	    (err = sl_pg_exec(conn, sql, &eb))) {
		set_error(s, err, &eb);
		goto out;
	}
	struct chunk *c;
	while ((c = take_chunk(s))) {
		uint64_t rows = 0;
		err = copy_chunk(s, wa->id, conn, &cat, c, &rows, &eb);
		if (err) {
			set_error(s, err, &eb);
			break;
		}
		chunk_done(s, c, rows);
	}
	sl_pg_exec(conn, "COMMIT", &eb);
out:
	sl_pg_catalog_free(&cat);
	PQfinish(conn);
	return NULL;
}

/* List the publication's tables that the filter keeps. */
static enum sl_err list_tables(struct snap *s, struct sl_errbuf *eb)
{
	PGconn *conn;
	enum sl_err err = sl_pg_connect(s->opts->params, false, &conn, eb);
	if (err)
		return err;
	const char *params[] = {s->opts->publication};
	PGresult *r;
	err = sl_pg_query(conn,
			  "SELECT c.oid, p.schemaname, p.tablename, greatest(c.relpages, 0) "
			  "FROM pg_catalog.pg_publication_tables p "
			  "JOIN pg_catalog.pg_namespace n ON n.nspname = p.schemaname "
			  "JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = p.tablename "
			  "WHERE p.pubname = $1 ORDER BY 2, 3",
			  1, params, &r, eb);
	PQfinish(conn);
	if (err)
		return err;
	int n = PQntuples(r);
	s->tables = calloc((size_t)n + 1, sizeof *s->tables);
	if (!s->tables) {
		PQclear(r);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	for (int i = 0; i < n; i++) {
		const char *schema = PQgetvalue(r, i, 1), *name = PQgetvalue(r, i, 2);
		if (!sl_pg_filter_table(s->opts->filter, schema, name))
			continue;
		struct table *t = &s->tables[s->ntables++];
		t->oid = (uint32_t)strtoul(PQgetvalue(r, i, 0), NULL, 10);
		t->schema = strdup(schema);
		t->name = strdup(name);
		t->pages = (uint32_t)strtoul(PQgetvalue(r, i, 3), NULL, 10);
		if (!t->schema || !t->name) {
			PQclear(r);
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		}
	}
	PQclear(r);
	return SL_OK;
}

static enum sl_err plan_chunks(struct snap *s, struct sl_errbuf *eb)
{
	uint32_t per = s->opts->chunk_pages ? s->opts->chunk_pages : 2048; /* 16 MiB */
	size_t cap = 0;
	for (int i = 0; i < s->ntables; i++)
		cap += s->opts->threads > 1 ? s->tables[i].pages / per + 1 : 1;
	s->chunks = calloc(cap + 1, sizeof *s->chunks);
	if (!s->chunks)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	for (int i = 0; i < s->ntables; i++) {
		struct table *t = &s->tables[i];
		uint32_t n = s->opts->threads > 1 ? t->pages / per + 1 : 1;
		for (uint32_t k = 0; k < n; k++) {
			/* The last range is open-ended: relpages is only an estimate. */
			s->chunks[s->nchunks++] = (struct chunk){
				.t = t, .from_page = k * per, .to_page = k + 1 < n ? (k + 1) * per : 0};
			t->chunks_left++;
		}
	}
	return SL_OK;
}

enum sl_err sl_pg_snapshot_run(const struct sl_pg_snapshot_opts *opts,
			       const struct sl_pg_snapshot_handler *h, uint64_t *rows_out,
			       struct sl_errbuf *eb)
{
	struct snap s = {.opts = opts, .h = h};
	pthread_mutex_init(&s.mu, NULL);
	enum sl_err err = list_tables(&s, eb);
	if (!err)
		err = plan_chunks(&s, eb);
	if (!err && h->start)
		h->start(h->ctx, s.ntables);
	if (!err && s.nchunks) {
		int n = opts->threads < 1 ? 1 : opts->threads;
		if ((size_t)n > s.nchunks)
			n = (int)s.nchunks;
		sl_info("snapshot: %d tables in %zu chunks, %d reader%s", s.ntables, s.nchunks, n,
			n == 1 ? "" : "s");
		pthread_t *tids = calloc((size_t)n, sizeof *tids);
		struct worker_arg *args = calloc((size_t)n, sizeof *args);
		int started = 0;
		for (int i = 0; tids && args && i < n; i++) {
			args[i] = (struct worker_arg){&s, i};
			if (pthread_create(&tids[i], NULL, worker_main, &args[i]) == 0)
				started++;
		}
		for (int i = 0; i < started; i++)
			pthread_join(tids[i], NULL);
		free(tids);
		free(args);
		if (!started)
			err = sl_err_set(eb, SL_ERR_NOMEM, "could not start snapshot threads");
		else if (s.err) {
			err = s.err;
			*eb = s.eb;
		}
	}
	for (int i = 0; i < s.ntables; i++) {
		free(s.tables[i].schema);
		free(s.tables[i].name);
	}
	free(s.tables);
	free(s.chunks);
	pthread_mutex_destroy(&s.mu);
	if (rows_out)
		*rows_out = s.rows;
	return err;
}
