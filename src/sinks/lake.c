/* SPDX-License-Identifier: Apache-2.0
 *
 * lake.c -- the lake sink (lake.h): per-topic offsets, the intent log and
 * the dedupe of replayed transactions.
 *
 * Acks are queued when a round's state is on disk (or at once for records
 * that are not archived) and handed to the pipeline from poll()/flush(),
 * as sink.h requires.  Topic entries live in a small array; the state file
 * is rewritten whole (temp file, fsync, rename, fsync of the directory).
 */
#include "sinks/lake.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/jsonr.h"
#include "lake/setup.h"
#include "lake/writer.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "obs/metrics.h"
#include "sinks/lake_rows.h"

struct pos {
	uint64_t lsn, order; /* (0, 0) = before everything */
	uint64_t rep;        /* n-th event at the same (lsn, order): a key change
				emits a delete and a create from one change */
};

struct ltopic {
	char *name;
	int64_t next;        /* next offset to hand out */
	struct pos last;     /* newest position handed out */
	int64_t c_next;      /* committed (in the state file) */
	struct pos c_last;
	struct pos seen;     /* newest position seen (not persisted) */
};

struct lake {
	struct sl_sink base;
	struct sl_lake_setup setup;
	struct sl_lake_writer *w;
	struct sl_jsonr json;
	/* typed rows (lake_rows.h) */
	bool typed_ok;       /* the settings allow them */
	int typed_ts_field;  /* timestamp.field as a meta field, -1 if none */
	struct sl_lake_row row; /* the current typed row's values */
	struct sl_buf vbuf;     /* JSON of a change the typed path cannot take */
	uint64_t typed_events, json_events;
	struct ltopic *topics;
	size_t ntopics, captopics;
	char *state_path;
	char *skip_txn, *skip_hb_prefix;
	uint64_t *acks;
	size_t nacks, capacks;
	uint64_t dup, dropped, archived;
};

static int pos_cmp(struct pos a, struct pos b)
{
	if (a.lsn != b.lsn)
		return a.lsn < b.lsn ? -1 : 1;
	if (a.order != b.order)
		return a.order < b.order ? -1 : 1;
	return a.rep < b.rep ? -1 : a.rep > b.rep;
}

static struct ltopic *topic_get(struct lake *l, const char *name, bool create)
{
	for (size_t i = 0; i < l->ntopics; i++)
		if (!strcmp(l->topics[i].name, name))
			return &l->topics[i];
	if (!create)
		return NULL;
	if (l->ntopics == l->captopics) {
		size_t nc = l->captopics ? l->captopics * 2 : 16;
		struct ltopic *nt = realloc(l->topics, nc * sizeof *nt);
		if (!nt)
			return NULL;
		l->topics = nt;
		l->captopics = nc;
	}
	struct ltopic *t = &l->topics[l->ntopics];
	memset(t, 0, sizeof *t);
	if (!(t->name = strdup(name)))
		return NULL;
	l->ntopics++;
	return t;
}

static enum sl_err queue_ack(struct lake *l, uint64_t seq, struct sl_errbuf *eb)
{
	if (l->nacks == l->capacks) {
		size_t nc = l->capacks ? l->capacks * 2 : 1024;
		uint64_t *na = realloc(l->acks, nc * sizeof *na);
		if (!na)
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		l->acks = na;
		l->capacks = nc;
	}
	l->acks[l->nacks++] = seq;
	return SL_OK;
}

static void deliver_acks(struct lake *l)
{
	for (size_t i = 0; i < l->nacks; i++)
		if (l->base.on_ack)
			l->base.on_ack(l->base.ack_ctx, l->acks[i], SL_OK, NULL);
	l->nacks = 0;
}

/* --- state file ------------------------------------------------------------ */

/* Write the committed topic states, plus a pending intent when given. */
static enum sl_err save_state(struct lake *l, const struct ltopic *pending,
			      const struct sl_lake_file_info *files, size_t nfiles,
			      struct sl_errbuf *eb)
{
	struct sl_buf b = {0};
	enum sl_err err = SL_OK;
	for (size_t i = 0; i < l->ntopics && !err; i++) {
		const struct ltopic *t = &l->topics[i];
		err = sl_buf_appendf(&b, "T\t%" PRId64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%s\n",
				     t->c_next, t->c_last.lsn, t->c_last.order, t->c_last.rep, t->name);
	}
	if (pending && !err) {
		err = sl_buf_appendf(&b, "P\t%" PRId64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%s\n",
				     pending->next, pending->last.lsn, pending->last.order,
				     pending->last.rep, pending->name);
		for (size_t i = 0; i < nfiles && !err; i++)
			err = sl_buf_appendf(&b, "K\t%s\n", files[i].key);
	}
	if (!err)
		err = sl_buf_puts(&b, "E\n"); /* end marker: a torn file is detected */
	if (err) {
		sl_buf_free(&b);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	size_t pl = strlen(l->state_path);
	char *tmp = malloc(pl + 8);
	if (!tmp) {
		sl_buf_free(&b);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	snprintf(tmp, pl + 8, "%s.tmp", l->state_path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = sl_err_set(eb, SL_ERR_IO, "could not create \"%s\": %s", tmp, strerror(errno));
	} else {
		size_t off = 0;
		while (off < b.len && !err) {
			ssize_t n = write(fd, b.data + off, b.len - off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				err = sl_err_set(eb, SL_ERR_IO, "could not write \"%s\": %s", tmp,
						 strerror(errno));
			else
				off += (size_t)n;
		}
		if (!err && fsync(fd))
			err = sl_err_set(eb, SL_ERR_IO, "could not fsync \"%s\": %s", tmp, strerror(errno));
		close(fd);
		if (!err && rename(tmp, l->state_path))
			err = sl_err_set(eb, SL_ERR_IO, "could not rename \"%s\": %s", tmp,
					 strerror(errno));
		if (!err) {
			char *dir = strdup(l->state_path);
			char *slash = dir ? strrchr(dir, '/') : NULL;
			if (slash) {
				*slash = 0;
				int dfd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
				if (dfd >= 0) {
					if (fsync(dfd))
						err = sl_err_set(eb, SL_ERR_IO,
								 "could not fsync directory \"%s\": %s",
								 dir, strerror(errno));
					close(dfd);
				}
			}
			free(dir);
		}
	}
	free(tmp);
	sl_buf_free(&b);
	return err;
}

static bool parse_line(char *line, int64_t *next, struct pos *p, char **name)
{
	char *f[6];
	int n = 0;
	f[n++] = line;
	for (char *c = line; *c && n < 6; c++)
		if (*c == '\t') {
			*c = 0;
			f[n++] = c + 1;
		}
	if (n != 6)
		return false;
	char *e1, *e2, *e3, *e4;
	errno = 0;
	*next = strtoll(f[1], &e1, 10);
	p->lsn = strtoull(f[2], &e2, 10);
	p->order = strtoull(f[3], &e3, 10);
	p->rep = strtoull(f[4], &e4, 10);
	*name = f[5];
	return !errno && !*e1 && !*e2 && !*e3 && !*e4 && *next >= 0 && **name;
}

/* Load the state and resolve a pending intent (lake.h). */
static enum sl_err load_state(struct lake *l, struct sl_errbuf *eb)
{
	FILE *fp = fopen(l->state_path, "r");
	if (!fp) {
		if (errno == ENOENT)
			return SL_OK;
		return sl_err_set(eb, SL_ERR_IO, "could not open \"%s\": %s", l->state_path,
				  strerror(errno));
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool ended = false, have_p = false;
	int64_t p_next = 0;
	struct pos p_last = {0, 0, 0};
	char *p_name = NULL;
	char **keys = NULL;
	size_t nkeys = 0;
	enum sl_err err = SL_OK;
	while (!err && (n = getline(&line, &cap, fp)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = 0;
		if (!strcmp(line, "E")) {
			ended = true;
			break;
		}
		int64_t next;
		struct pos p;
		char *name;
		if (line[0] == 'K' && line[1] == '\t') {
			char **nk = realloc(keys, (nkeys + 1) * sizeof *nk);
			if (!nk || !(nk[nkeys] = strdup(line + 2))) {
				keys = nk ? nk : keys;
				err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
				break;
			}
			keys = nk;
			nkeys++;
		} else if ((line[0] == 'T' || line[0] == 'P') && parse_line(line, &next, &p, &name)) {
			if (line[0] == 'P') {
				have_p = true;
				p_next = next;
				p_last = p;
				free(p_name);
				if (!(p_name = strdup(name)))
					err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
				continue;
			}
			struct ltopic *t = topic_get(l, name, true);
			if (!t) {
				err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
				break;
			}
			t->next = t->c_next = next;
			t->last = t->c_last = p;
		} else {
			err = sl_err_set(eb, SL_ERR_PROTO, "state file \"%s\" is corrupt", l->state_path);
		}
	}
	free(line);
	fclose(fp);
	if (!err && !ended)
		err = sl_err_set(eb, SL_ERR_PROTO, "state file \"%s\" is incomplete", l->state_path);
	if (!err && have_p) {
		size_t exist = 0;
		for (size_t i = 0; i < nkeys && !err; i++) {
			bool ex = false;
			err = sl_store_head(l->setup.store, keys[i], &ex, NULL, eb);
			exist += ex;
		}
		if (!err && exist == nkeys) {
			struct ltopic *t = topic_get(l, p_name, true);
			if (!t) {
				err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
			} else {
				t->next = t->c_next = p_next;
				t->last = t->c_last = p_last;
				sl_info("lake: completed the interrupted commit of %zu file(s) of \"%s\"",
					nkeys, p_name);
			}
		} else if (!err) {
			for (size_t i = 0; i < nkeys && !err; i++)
				err = sl_store_delete(l->setup.store, keys[i], eb);
			if (!err)
				sl_info("lake: rolled back an interrupted commit of \"%s\" (%zu of %zu "
					"files had landed)", p_name, exist, nkeys);
		}
		if (!err)
			err = save_state(l, NULL, NULL, 0, eb);
	}
	for (size_t i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	free(p_name);
	return err;
}

/* --- writer callbacks ---------------------------------------------------------- */

static enum sl_err before_round(void *ctx, const char *topic, const struct sl_lake_file_info *files,
				size_t n, struct sl_errbuf *eb)
{
	struct lake *l = ctx;
	struct ltopic *t = topic_get(l, topic, false);
	if (!t)
		return sl_err_set(eb, SL_ERR_STATE, "lake: unknown topic \"%s\"", topic);
	return save_state(l, t, files, n, eb);
}

static enum sl_err after_round(void *ctx, const char *topic, const struct sl_lake_file_info *files,
			       size_t n, struct sl_errbuf *eb)
{
	struct lake *l = ctx;
	struct ltopic *t = topic_get(l, topic, false);
	if (!t)
		return sl_err_set(eb, SL_ERR_STATE, "lake: unknown topic \"%s\"", topic);
	t->c_next = t->next;
	t->c_last = t->last;
	enum sl_err err = save_state(l, NULL, NULL, 0, eb);
	for (size_t i = 0; i < n && !err; i++) {
		/* A file that was already there (a replayed round) is not new. */
		if (files[i].existed)
			continue;
		sl_metric_add(sl_metric1(SL_M_ARCHIVE_FILES, topic), 1);
		sl_metric_add(sl_metric1(SL_M_ARCHIVE_RECORDS, topic), (int64_t)files[i].records);
	}
	for (size_t i = 0; i < n && !err; i++)
		for (size_t k = 0; k < files[i].ntokens && !err; k++)
			err = queue_ack(l, files[i].tokens[k], eb);
	return err;
}

/* --- sink ops ------------------------------------------------------------------- */

/* A position from the transaction block's id ("<txid>:<commit lsn>") and
 * total_order. */
static bool pos_from(const char *id, int64_t order, struct pos *p)
{
	const char *colon = id ? strchr(id, ':') : NULL;
	if (!colon || order < 0)
		return false;
	char *end;
	errno = 0;
	unsigned long long lsn = strtoull(colon + 1, &end, 10);
	if (errno || *end || !lsn)
		return false;
	p->lsn = lsn;
	p->order = (uint64_t)order;
	p->rep = 1;
	return true;
}

static bool txn_pos(const struct sl_jsonr *j, uint32_t payload, struct pos *p)
{
	uint32_t tx = sl_jsonr_get(j, payload, "transaction");
	uint32_t id = sl_jsonr_get(j, tx, "id");
	int64_t order;
	if (id == SL_ARC_JSON_NONE || j->v[id].type != SL_ARC_JSON_STRING ||
	    !sl_jsonr_i64(j, sl_jsonr_get(j, tx, "total_order"), &order))
		return false;
	return pos_from(sl_jsonr_text(j, id), order, p);
}

static enum sl_err event_error(enum sl_err err, const struct sl_record *rec, const char *doing,
			       struct sl_errbuf *eb)
{
	char why[sizeof eb->msg];
	snprintf(why, sizeof why, "%s", eb->msg);
	return sl_err_set(eb, err, "lake: %s %s (topic \"%s\"): %s", doing,
			  rec->what ? rec->what : "?", rec->topic, why);
}

/* Parse a JSON value into l->json and split it (r->j, r->msg). */
static enum sl_err parse_value(struct lake *l, const struct sl_record *rec, const char *v,
			       size_t n, struct sl_lake_rec *r, struct sl_errbuf *eb)
{
	enum sl_err err = sl_jsonr_parse(&l->json, v, n, eb);
	if (!err)
		err = sl_lake_msg_split(&l->json, &r->msg, eb);
	if (err)
		return event_error(SL_ERR_FATAL, rec, "could not read the event of", eb);
	r->j = &l->json;
	r->raw = v;
	r->raw_len = n;
	return SL_OK;
}

/* Number the event's position in its topic: false if it was archived
 * before (a transaction replayed after a crash). */
static bool admit(struct ltopic *t, bool has_pos, struct pos p)
{
	if (has_pos) {
		/* Events at the same position are consecutive: number them. */
		if (p.lsn == t->seen.lsn && p.order == t->seen.order)
			p.rep = t->seen.rep + 1;
		t->seen = p;
	}
	return !(has_pos && pos_cmp(p, t->last) <= 0);
}

/* Add r (its ts_ms set) at the topic's next offset. */
static enum sl_err add(struct lake *l, const struct sl_record *rec, struct sl_lake_rec *r,
		       bool has_pos, struct sl_errbuf *eb)
{
	struct ltopic *t = topic_get(l, rec->topic, false);
	r->offset = t->next;
	struct pos saved = t->last;
	t->next++;
	if (has_pos)
		t->last = t->seen;
	enum sl_err err = sl_lake_writer_add(l->w, r, eb);
	if (err) {
		/* Not added (a committed round already took its state). */
		t = topic_get(l, rec->topic, false);
		if (t && t->next == r->offset + 1) {
			t->next = r->offset;
			t->last = saved;
		}
		return err;
	}
	l->archived++;
	return SL_OK;
}

static enum sl_err add_error(enum sl_err err, const struct sl_record *rec, struct sl_errbuf *eb)
{
	return event_error(err == SL_ERR_PROTO ? SL_ERR_FATAL : err, rec,
			   "could not archive the event for", eb);
}

/* JSON of a change the typed path could not take, then the JSON path. */
static enum sl_err add_as_json(struct lake *l, const struct sl_record *rec, struct sl_lake_rec *r,
			       bool has_pos, struct sl_errbuf *eb)
{
	sl_buf_reset(&l->vbuf);
	enum sl_err err = sl_dbz_value(rec->dbz, rec->change, rec->now_ns, &l->vbuf, eb);
	if (err)
		return event_error(err == SL_ERR_NOMEM ? err : SL_ERR_FATAL, rec,
				   "could not encode the event of", eb);
	struct sl_lake_rec jr = {.topic = rec->topic, .token = rec->seq};
	if ((err = parse_value(l, rec, l->vbuf.data, l->vbuf.len, &jr, eb)))
		return err;
	if (l->setup.extractor == SL_ARC_TS_FIELD) {
		if ((err = sl_lake_setup_ts(&l->setup, &l->json, jr.msg.payload, r->ts_ms,
					   &jr.ts_ms, eb)))
			return err;
	} else {
		jr.ts_ms = r->ts_ms;
	}
	l->json_events++;
	if ((err = add(l, rec, &jr, has_pos, eb)))
		return add_error(err, rec, eb);
	return SL_OK;
}

/* A row change (sl_record.change): a typed row when the relation allows,
 * else its JSON. */
static enum sl_err produce_change(struct lake *l, const struct sl_record *rec,
				  struct sl_errbuf *eb)
{
	const struct sl_change *ch = rec->change;
	struct ltopic *t = topic_get(l, rec->topic, true);
	if (!t)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	struct pos p;
	bool has_pos = rec->dbz->provide_txn_metadata &&
		       pos_from(ch->txn.id, (int64_t)ch->txn.total_order, &p);
	if (!admit(t, has_pos, has_pos ? p : (struct pos){0, 0, 0})) {
		l->dup++;
		return queue_ack(l, rec->seq, eb);
	}
	struct sl_lake_rec r = {.topic = rec->topic, .token = rec->seq};
	struct sl_lake_plan *plan = NULL;
	enum sl_err err = SL_OK;
	if (l->typed_ok && ch->rel && (err = sl_lake_plan_get(rec->dbz, ch->rel, &plan, eb)))
		return event_error(err, rec, "could not prepare the rows of", eb);
	/* The extractor's time: Record is the event's ts_ms. */
	int64_t ts = rec->now_ns / 1000000 - (rec->now_ns % 1000000 < 0);
	if (l->setup.extractor == SL_ARC_TS_WALLCLOCK)
		ts = sl_clock_wall_us() / 1000;
	else if (l->setup.extractor == SL_ARC_TS_FIELD &&
		 !sl_lake_meta_ms(rec->dbz, ch, rec->now_ns, l->typed_ts_field, &l->row.scratch,
				  &ts))
		plan = NULL;
	r.ts_ms = ts;
	/* Decided before the writer sees the record: a rotation inside
	 * sl_lake_writer_add may commit files and the offset state, so the
	 * record must not be taken back afterwards to try another way. */
	if (plan && (err = sl_lake_prepare(&l->row, plan, rec->dbz, ch, rec->now_ns, eb))) {
		if (err == SL_ERR_NOMEM)
			return event_error(err, rec, "could not prepare the row of", eb);
		plan = NULL; /* no typed form, or a value the JSON path must judge */
	}
	if (!plan)
		return add_as_json(l, rec, &r, has_pos, eb);
	r.schema = sl_lake_plan_schema(plan, &r.schema_len, &r.schema_id);
	r.fill = sl_lake_fill;
	r.fill_ctx = &l->row;
	if ((err = add(l, rec, &r, has_pos, eb)))
		return add_error(err, rec, eb);
	l->typed_events++;
	return SL_OK;
}

static enum sl_err lake_produce(struct sl_sink *s, const struct sl_record *rec,
				struct sl_errbuf *eb)
{
	struct lake *l = (struct lake *)s;
	if ((!rec->value && !rec->change) || (l->skip_txn && !strcmp(rec->topic, l->skip_txn)) ||
	    !strncmp(rec->topic, l->skip_hb_prefix, strlen(l->skip_hb_prefix))) {
		l->dropped++;
		return queue_ack(l, rec->seq, eb);
	}
	if (rec->change)
		return produce_change(l, rec, eb);
	struct sl_lake_rec r = {.topic = rec->topic, .token = rec->seq};
	enum sl_err err = parse_value(l, rec, rec->value, rec->value_len, &r, eb);
	if (err)
		return err;
	struct ltopic *t = topic_get(l, rec->topic, true);
	if (!t)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	struct pos p;
	bool has_pos = txn_pos(&l->json, r.msg.payload, &p);
	if (!admit(t, has_pos, has_pos ? p : (struct pos){0, 0, 0})) {
		l->dup++; /* replayed after a crash: already archived */
		return queue_ack(l, rec->seq, eb);
	}
	uint32_t ts = sl_jsonr_get(&l->json, r.msg.payload, "ts_ms");
	int64_t rts = 0;
	if (!sl_jsonr_i64(&l->json, ts, &rts))
		rts = 0;
	if ((err = sl_lake_setup_ts(&l->setup, &l->json, r.msg.payload, rts, &r.ts_ms, eb)))
		return err;
	if ((err = add(l, rec, &r, has_pos, eb)))
		return add_error(err, rec, eb);
	return SL_OK;
}

static enum sl_err lake_poll(struct sl_sink *s, int timeout_ms, struct sl_errbuf *eb)
{
	(void)timeout_ms;
	struct lake *l = (struct lake *)s;
	enum sl_err err = sl_lake_writer_tick(l->w, sl_clock_wall_us() / 1000, eb);
	deliver_acks(l);
	return err;
}

static enum sl_err lake_flush(struct sl_sink *s, int timeout_ms, struct sl_errbuf *eb)
{
	(void)timeout_ms;
	struct lake *l = (struct lake *)s;
	enum sl_err err = sl_lake_writer_commit_all(l->w, NULL, eb);
	deliver_acks(l);
	return err;
}

static size_t lake_in_flight(struct sl_sink *s)
{
	struct lake *l = (struct lake *)s;
	return (size_t)sl_lake_writer_pending(l->w) + l->nacks;
}

static void lake_destroy(struct sl_sink *s)
{
	struct lake *l = (struct lake *)s;
	sl_info("lake: %" PRIu64 " events archived in %" PRIu64 " files; %" PRIu64
		" replayed events skipped; %" PRIu64 " tombstones/heartbeats/metadata not archived",
		l->archived, l->w ? sl_lake_writer_files(l->w) : 0, l->dup, l->dropped);
	sl_debug("lake: %" PRIu64 " events written as typed rows, %" PRIu64 " through JSON",
		 l->typed_events, l->json_events);
	sl_lake_writer_free(l->w);
	sl_lake_setup_close(&l->setup);
	sl_jsonr_free(&l->json);
	sl_buf_free(&l->vbuf);
	sl_lake_row_free(&l->row);
	for (size_t i = 0; i < l->ntopics; i++)
		free(l->topics[i].name);
	free(l->topics);
	free(l->state_path);
	free(l->skip_txn);
	free(l->skip_hb_prefix);
	free(l->acks);
	free(l);
}

static const struct sl_sink_ops lake_ops = {
	.name = "lake",
	.produce = lake_produce,
	.poll = lake_poll,
	.flush = lake_flush,
	.in_flight = lake_in_flight,
	.destroy = lake_destroy,
};

enum sl_err sl_sink_lake_new(const struct sl_config *cfg, struct sl_sink **out,
			     struct sl_errbuf *eb)
{
	*out = NULL;
	struct lake *l = calloc(1, sizeof *l);
	if (!l)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	l->base.ops = &lake_ops;
	sl_lake_row_init(&l->row);
	sl_jsonr_init(&l->json);
	enum sl_err err = sl_lake_setup_open(cfg, &l->setup, eb);
	if (err) {
		free(l);
		return err;
	}
	/* Typed rows need everything the writer reads from an event to be
	 * known without its JSON: not the Field partitioner, and a
	 * timestamp.field the envelope has outside before/after. */
	l->typed_ts_field = -1;
	l->typed_ok = l->setup.wopts.format == SL_ARC_PARQUET &&
		      !sl_lake_part_uses_payload(l->setup.part);
	if (l->setup.extractor == SL_ARC_TS_FIELD) {
		l->typed_ts_field = sl_dbz_meta_field(l->setup.ts_field ? l->setup.ts_field : "");
		if (l->typed_ts_field < 0)
			l->typed_ok = false;
	}
	l->base.takes_changes = true;
	struct sl_lake_writer_opts wo = l->setup.wopts;
	wo.round_per_topic = true;
	wo.before_round = before_round;
	wo.after_round = after_round;
	wo.ctx = l;
	/* A quiet topic must still land (and let the slot advance): the run
	 * config's rotate.schedule.interval.ms is 5 s when unset (config.c). */
	const char *dir = sl_config_get(cfg, "offset.storage.dir");
	const char *slot = sl_config_get(cfg, "slot.name");
	const char *prefix = sl_config_get(cfg, "topic.prefix");
	struct sl_buf b = {0};
	if (sl_buf_appendf(&b, "%s/lake-%s.state", dir, slot ? slot : "debezium")) {
		lake_destroy(&l->base);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	l->state_path = sl_buf_steal(&b);
	if (sl_buf_appendf(&b, "%s.transaction", prefix ? prefix : ""))
		err = SL_ERR_NOMEM;
	l->skip_txn = sl_buf_steal(&b);
	if (sl_buf_appendf(&b, "__debezium-heartbeat."))
		err = SL_ERR_NOMEM;
	l->skip_hb_prefix = sl_buf_steal(&b);
	if (err || !l->skip_txn || !l->skip_hb_prefix) {
		lake_destroy(&l->base);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		err = sl_err_set(eb, SL_ERR_IO, "could not create directory \"%s\": %s", dir,
				 strerror(errno));
	if (!err)
		err = sl_lake_writer_new(&wo, &l->w, eb);
	if (!err)
		err = load_state(l, eb);
	if (err) {
		lake_destroy(&l->base);
		return err;
	}
	sl_info("lake: writing to %s", l->setup.url);
	*out = &l->base;
	return SL_OK;
}
