/* SPDX-License-Identifier: Apache-2.0
 *
 * lake_rows.c -- typed rows for the lake (lake_rows.h).
 *
 * A plan is the envelope layout's fields in fill order, each with where
 * its value comes from: a column of the relation (before/after groups) or
 * a meta field of the envelope (source.*, op, ts_ms).  The layout is
 * compiled from the relation's schema text only to learn those field
 * indexes; the writer compiles the same text into the layout it fills.
 */
#include "sinks/lake_rows.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonr.h"

struct pfield {
	uint32_t f; /* field of the layout */
	int src;    /* column index (row fields) or meta field (meta fields) */
};

struct sl_lake_plan {
	const char *schema; /* the encoder's cached text (borrowed, see get) */
	size_t schema_len;
	uint64_t id;
	bool typed;
	uint32_t before, after; /* group fields */
	struct pfield *bcols, *acols; /* children of before / after, in order */
	uint32_t ncols;
	struct pfield *meta; /* source.* children, op, ts_ms */
	uint32_t nmeta;
};

static void plan_free(void *p)
{
	struct sl_lake_plan *pl = p;
	if (!pl)
		return;
	free(pl->bcols);
	free(pl->acols);
	free(pl->meta);
	free(pl);
}

/* Map the children of group g to the columns the encoder puts in a
 * before/after block; false if any cannot take typed values. */
static bool map_row(const struct sl_lake_env *env, uint32_t g, const struct sl_dbz_opts *o,
		    const struct sl_relation *rel, struct pfield *out, uint32_t n)
{
	if (!sl_lake_env_is_group(env, g) || sl_lake_env_nchildren(env, g) != n)
		return false;
	uint32_t k = 0;
	for (int i = 0; i < rel->ncols; i++) {
		if (!sl_dbz_column_in_value(o, rel, i, NULL))
			continue;
		if (k >= n)
			return false;
		uint32_t f = sl_lake_env_child(env, g, k);
		if (strcmp(sl_lake_env_name(env, f), rel->cols[i].name) ||
		    !sl_lake_env_takes_typed(env, f))
			return false;
		out[k].f = f;
		out[k].src = i;
		k++;
	}
	return k == n;
}

static bool add_meta(struct sl_lake_plan *pl, uint32_t f, const char *path, size_t cap)
{
	int m = sl_dbz_meta_field(path);
	if (m < 0 || pl->nmeta >= cap)
		return false;
	pl->meta[pl->nmeta].f = f;
	pl->meta[pl->nmeta].src = m;
	pl->nmeta++;
	return true;
}

static enum sl_err build(const struct sl_dbz_opts *o, const struct sl_relation *rel,
			 struct sl_lake_plan *pl, struct sl_errbuf *eb)
{
	static atomic_uint_fast64_t next_id = 1;
	pl->id = atomic_fetch_add(&next_id, 1);
	struct sl_jsonr j;
	sl_jsonr_init(&j);
	struct sl_lake_env *env = NULL;
	struct sl_pq_schema *pq = NULL;
	enum sl_err err = sl_jsonr_parse(&j, pl->schema, pl->schema_len, eb);
	if (!err)
		err = sl_lake_env_build(&j, 0, &env, &pq, eb);
	sl_jsonr_free(&j);
	sl_pq_schema_free(pq);
	if (err == SL_ERR_NOMEM)
		return err;
	if (err) /* the JSON path will say what is wrong */
		return SL_OK;
	uint32_t n = 0;
	for (int i = 0; i < rel->ncols; i++)
		n += sl_dbz_column_in_value(o, rel, i, NULL);
	pl->before = sl_lake_env_top(env, SL_ARC_ENV_BEFORE);
	pl->after = sl_lake_env_top(env, SL_ARC_ENV_AFTER);
	uint32_t src = sl_lake_env_top(env, SL_ARC_ENV_SOURCE);
	uint32_t nsrc = sl_lake_env_nchildren(env, src);
	pl->ncols = n;
	pl->bcols = calloc(n ? n : 1, sizeof *pl->bcols);
	pl->acols = calloc(n ? n : 1, sizeof *pl->acols);
	pl->meta = calloc(nsrc + 2, sizeof *pl->meta);
	if (!pl->bcols || !pl->acols || !pl->meta) {
		sl_lake_env_free(env);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	bool ok = n > 0 && map_row(env, pl->before, o, rel, pl->bcols, n) &&
		  map_row(env, pl->after, o, rel, pl->acols, n) && sl_lake_env_is_group(env, src);
	char path[300];
	for (uint32_t k = 0; ok && k < nsrc; k++) {
		uint32_t f = sl_lake_env_child(env, src, k);
		ok = sl_lake_env_takes_typed(env, f) &&
		     (size_t)snprintf(path, sizeof path, "source.%s", sl_lake_env_name(env, f)) <
			     sizeof path &&
		     add_meta(pl, f, path, nsrc + 2);
	}
	ok = ok && add_meta(pl, sl_lake_env_top(env, SL_ARC_ENV_OP), "op", nsrc + 2) &&
	     add_meta(pl, sl_lake_env_top(env, SL_ARC_ENV_TS_MS), "ts_ms", nsrc + 2);
	sl_lake_env_free(env);
	pl->typed = ok;
	return SL_OK;
}

enum sl_err sl_lake_plan_get(const struct sl_dbz_opts *o, const struct sl_relation *crel,
			     struct sl_lake_plan **plan, struct sl_errbuf *eb)
{
	*plan = NULL;
	const char *schema;
	size_t len;
	enum sl_err err = sl_dbz_value_schema(o, crel, &schema, &len, eb);
	if (err)
		return err;
	/* The sink slot is, like enc_cache, the one mutable part of a
	 * relation (event.h). */
	struct sl_relation *rel = (struct sl_relation *)(uintptr_t)crel;
	struct sl_lake_plan *pl = rel->sink_cache;
	if (pl && rel->sink_cache_free == plan_free && pl->schema == schema &&
	    pl->schema_len == len) {
		*plan = pl->typed ? pl : NULL;
		return SL_OK;
	}
	if (rel->sink_cache && rel->sink_cache_free)
		rel->sink_cache_free(rel->sink_cache);
	rel->sink_cache = NULL;
	rel->sink_cache_free = NULL;
	if (!(pl = calloc(1, sizeof *pl)))
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	pl->schema = schema;
	pl->schema_len = len;
	if ((err = build(o, crel, pl, eb))) {
		plan_free(pl);
		return err;
	}
	rel->sink_cache = pl;
	rel->sink_cache_free = plan_free;
	*plan = pl->typed ? pl : NULL;
	return SL_OK;
}

const char *sl_lake_plan_schema(const struct sl_lake_plan *p, size_t *len, uint64_t *id)
{
	*len = p->schema_len;
	*id = p->id;
	return p->schema;
}

void sl_lake_row_init(struct sl_lake_row *r)
{
	memset(r, 0, sizeof *r);
}

void sl_lake_row_free(struct sl_lake_row *r)
{
	free(r->vals);
	free(r->off);
	sl_buf_free(&r->scratch);
	sl_buf_free(&r->arena);
	sl_buf_free(&r->tmp);
}

/* Keep value k: bytes the encoder left in scratch move to the arena, which
 * outlives the next conversion (pointers are fixed up once all are in). */
static enum sl_err keep(struct sl_lake_row *r, uint32_t k, const struct sl_tvalue *tv)
{
	r->vals[k] = *tv;
	const char *p = tv->p;
	if ((tv->kind == SL_TV_STR || tv->kind == SL_TV_BIN) && tv->n && r->scratch.data &&
	    p >= r->scratch.data && p < r->scratch.data + r->scratch.cap) {
		r->off[k] = r->arena.len;
		if (sl_buf_append(&r->arena, p, tv->n))
			return SL_ERR_NOMEM;
	}
	return SL_OK;
}

/* The typed values of one before/after row into vals[at..at+ncols). */
static enum sl_err prepare_row(struct sl_lake_row *r, const struct pfield *cols,
			       const struct sl_row *row, uint32_t at, struct sl_errbuf *eb)
{
	const struct sl_lake_plan *pl = r->plan;
	if (!row)
		return SL_OK;
	if (row->ncols != r->ch->rel->ncols)
		return SL_ERR_NOTFOUND; /* the JSON path reports it */
	for (uint32_t k = 0; k < pl->ncols; k++) {
		struct sl_tvalue tv;
		enum sl_err err = sl_dbz_column_tvalue(r->o, r->ch->rel, cols[k].src,
						       &row->vals[cols[k].src], &r->scratch, &tv, eb);
		if (err)
			return err;
		if (tv.kind == SL_TV_NONE)
			return SL_ERR_NOTFOUND;
		if ((err = keep(r, at + k, &tv)))
			return err;
	}
	return SL_OK;
}

enum sl_err sl_lake_prepare(struct sl_lake_row *r, const struct sl_lake_plan *plan,
			    const struct sl_dbz_opts *o, const struct sl_change *ch, int64_t now_ns,
			    struct sl_errbuf *eb)
{
	r->plan = plan;
	r->o = o;
	r->ch = ch;
	size_t need = 2 * (size_t)plan->ncols + plan->nmeta;
	if (need > r->cap) {
		struct sl_tvalue *v = realloc(r->vals, need * sizeof *v);
		if (v)
			r->vals = v;
		size_t *off = v ? realloc(r->off, need * sizeof *off) : NULL;
		if (!off)
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		r->off = off;
		r->cap = need;
	}
	sl_buf_reset(&r->arena);
	for (size_t k = 0; k < need; k++)
		r->off[k] = SIZE_MAX;
	/* As sl_dbz_value: no before for truncates, no after for deletes. */
	r->before = ch->op != SL_OP_TRUNCATE ? ch->before : NULL;
	r->after = ch->op != SL_OP_TRUNCATE && ch->op != SL_OP_DELETE ? ch->after : NULL;
	enum sl_err err = prepare_row(r, plan->bcols, r->before, 0, eb);
	if (!err)
		err = prepare_row(r, plan->acols, r->after, plan->ncols, eb);
	for (uint32_t k = 0; !err && k < plan->nmeta; k++) {
		struct sl_tvalue tv;
		err = sl_dbz_meta_tvalue(o, ch, now_ns, plan->meta[k].src, &r->scratch, &tv, eb);
		if (!err && tv.kind == SL_TV_NONE)
			err = SL_ERR_NOTFOUND;
		if (!err)
			err = keep(r, 2 * plan->ncols + k, &tv);
	}
	if (err)
		return err;
	for (size_t k = 0; k < need; k++)
		if (r->off[k] != SIZE_MAX)
			r->vals[k].p = r->arena.data + r->off[k];
	return SL_OK;
}

static enum sl_err fill_row(struct sl_lake_row *r, const struct sl_lake_env *env,
			    struct sl_pq_writer *pw, uint32_t group, const struct pfield *cols,
			    bool present, uint32_t at, struct sl_errbuf *eb)
{
	static const struct sl_tvalue null = {.kind = SL_TV_NULL};
	if (!present)
		return sl_lake_env_set(env, pw, group, &null, &r->tmp, eb);
	enum sl_err err = SL_OK;
	for (uint32_t k = 0; !err && k < r->plan->ncols; k++)
		err = sl_lake_env_set(env, pw, cols[k].f, &r->vals[at + k], &r->tmp, eb);
	return err;
}

enum sl_err sl_lake_fill(void *arg, const struct sl_lake_env *env, struct sl_pq_writer *pw,
			 struct sl_errbuf *eb)
{
	struct sl_lake_row *r = arg;
	const struct sl_lake_plan *pl = r->plan;
	enum sl_err err = fill_row(r, env, pw, pl->before, pl->bcols, r->before != NULL, 0, eb);
	if (!err)
		err = fill_row(r, env, pw, pl->after, pl->acols, r->after != NULL, pl->ncols, eb);
	for (uint32_t k = 0; !err && k < pl->nmeta; k++)
		err = sl_lake_env_set(env, pw, pl->meta[k].f, &r->vals[2 * pl->ncols + k], &r->tmp,
				     eb);
	return err;
}

bool sl_lake_meta_ms(const struct sl_dbz_opts *o, const struct sl_change *ch, int64_t now_ns,
		     int field, struct sl_buf *scratch, int64_t *ms)
{
	struct sl_tvalue tv;
	if (field < 0 || sl_dbz_meta_tvalue(o, ch, now_ns, field, scratch, &tv, NULL) ||
	    tv.kind != SL_TV_INT)
		return false;
	*ms = tv.i;
	return true;
}
