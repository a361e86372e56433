/* SPDX-License-Identifier: Apache-2.0
 *
 * writer.c -- the Parquet writer: row staging, row groups, the footer
 * (see parquet.h for the API contract).
 *
 * A row is staged per leaf column (value bytes inline, or in a per-row
 * arena for byte arrays; list elements in a per-column array) and only
 * reaches the column encoders once sl_pq_row_end() has checked it whole,
 * so a rejected row leaves no trace in the file.  Column chunks buffer
 * their pages; a row group is written when the buffered bytes pass
 * row_group_bytes, and its metadata is kept serialized (RowGroup structs)
 * until the footer.  A failed write through the callback breaks the
 * writer: every later call returns SL_ERR_STATE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parquet/column.h"
#include "parquet/parquet.h"
#include "parquet/schema.h"
#include "parquet/thrift.h"
#include "parquet/value.h"

enum { ST_UNSET = 0, ST_NULL, ST_VALUE, ST_LIST };

struct stage_val {
	bool null;
	uint32_t n;       /* value length */
	size_t off;       /* byte arrays: offset in the arena */
	uint8_t fix[16];  /* fixed-width values in canonical form */
};

struct stage_col {
	/* Copied from the schema at open, so setters touch one cache line. */
	enum sl_pq_kind kind;
	int ptype;
	bool is_list, optional, elem_optional, nested;
	sl_pq_i128 dec_lim; /* DECIMAL: 10^precision */
	uint8_t state;
	struct stage_val v;
	struct stage_val *elems; /* lists */
	size_t nelems, capelems;
};

struct kv {
	char *key, *value;
};

enum { W_OPEN, W_CLOSED, W_BROKEN };

struct sl_pq_writer {
	struct sl_pq_schema *schema;
	struct sl_pq_options opts;
	char created_by[128];
	struct sl_pq_out out;
	struct sl_pq_codec_ctx codec;
	struct sl_pq_col *cols;
	struct stage_col *stage;
	bool *group_null;           /* per node */
	struct sl_buf arena;        /* this row's byte-array values */
	struct sl_buf scratch[2];   /* page assembly, compressed page */
	struct sl_buf rgmeta;       /* serialized RowGroup structs */
	int nrowgroups;
	uint64_t rows, rg_rows;
	struct kv *kvs;
	int nkv;
	int state;
	bool staged;                /* anything set in the current row */
	bool page_closed;           /* since the last row-group size check */
	bool any_group_null;        /* some group_null[] is set */
};

void sl_pq_options_default(struct sl_pq_options *o)
{
	memset(o, 0, sizeof *o);
	o->codec = SL_PQ_ZSTD;
	o->row_group_bytes = 64u << 20;
	o->page_bytes = 1u << 20;
	o->dict_max_bytes = 1u << 20;
}

void sl_pq_writer_free(struct sl_pq_writer *w)
{
	if (!w)
		return;
	if (w->cols)
		for (int i = 0; i < w->schema->ncols; i++)
			sl_pq_col_free(&w->cols[i]);
	if (w->stage)
		for (int i = 0; i < w->schema->ncols; i++)
			free(w->stage[i].elems);
	for (int i = 0; i < w->nkv; i++) {
		free(w->kvs[i].key);
		free(w->kvs[i].value);
	}
	free(w->kvs);
	free(w->cols);
	free(w->stage);
	free(w->group_null);
	sl_buf_free(&w->arena);
	sl_buf_free(&w->scratch[0]);
	sl_buf_free(&w->scratch[1]);
	sl_buf_free(&w->rgmeta);
	sl_pq_codec_free(&w->codec);
	sl_pq_schema_free(w->schema);
	free(w);
}

enum sl_err sl_pq_writer_open(struct sl_pq_writer **wp, struct sl_pq_schema *schema,
			      const struct sl_pq_options *opts, sl_pq_write_fn write, void *ctx,
			      struct sl_errbuf *eb)
{
	*wp = NULL;
	if (!schema)
		return sl_err_set(eb, SL_ERR_ARG, "parquet writer needs a schema");
	struct sl_pq_writer *w = calloc(1, sizeof *w);
	if (!w) {
		sl_pq_schema_free(schema);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	w->schema = schema;
	enum sl_err e;
	if (!write) {
		e = sl_err_set(eb, SL_ERR_ARG, "parquet writer needs a write callback");
		goto fail;
	}
	if ((e = sl_pq_schema_finish(schema, eb)))
		goto fail;
	if (schema->ncols == 0) {
		e = sl_err_set(eb, SL_ERR_ARG, "parquet schema has no columns");
		goto fail;
	}
	struct sl_pq_options d;
	sl_pq_options_default(&d);
	w->opts = opts ? *opts : d;
	if (!w->opts.row_group_bytes)
		w->opts.row_group_bytes = d.row_group_bytes;
	if (!w->opts.page_bytes)
		w->opts.page_bytes = d.page_bytes;
	snprintf(w->created_by, sizeof w->created_by, "%s",
		 w->opts.created_by ? w->opts.created_by : "sluice version " SL_PQ_VERSION);
	w->opts.created_by = w->created_by;
	if ((e = sl_pq_codec_init(&w->codec, w->opts.codec, w->opts.level, eb)))
		goto fail;
	w->out.fn = write;
	w->out.ctx = ctx;
	int nc = schema->ncols;
	w->cols = calloc((size_t)nc, sizeof *w->cols);
	w->stage = calloc((size_t)nc, sizeof *w->stage);
	w->group_null = calloc((size_t)schema->nnodes, sizeof *w->group_null);
	if (!w->cols || !w->stage || !w->group_null) {
		e = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		goto fail;
	}
	for (int i = 0; i < nc; i++) {
		const struct sl_pq_leaf *l = &schema->leaves[i];
		const struct sl_pq_node *n = &schema->nodes[l->node];
		sl_pq_col_init(&w->cols[i], l, &n->type, &w->opts);
		struct stage_col *sc = &w->stage[i];
		sc->kind = n->type.kind;
		sc->ptype = l->ptype;
		sc->is_list = l->is_list;
		sc->optional = n->optional;
		sc->elem_optional = n->elem_optional;
		sc->nested = l->nanc > 0;
		sc->dec_lim = 1;
		if (n->type.kind == SL_PQ_DECIMAL)
			for (int k = 0; k < n->type.precision; k++)
				sc->dec_lim *= 10;
	}
	sl_buf_init(&w->arena, 0);
	sl_buf_init(&w->scratch[0], 0);
	sl_buf_init(&w->scratch[1], 0);
	sl_buf_init(&w->rgmeta, 0);
	w->state = W_OPEN;
	*wp = w;
	return SL_OK;
fail:
	sl_pq_writer_free(w);
	return e;
}

/* ---- staging ---- */

static const char *col_name(const struct sl_pq_writer *w, int col)
{
	return w->schema->nodes[w->schema->leaves[col].node].name;
}

static const char *kind_name(enum sl_pq_kind k)
{
	static const char *const names[] = {"boolean", "int8",   "int16", "int32",  "int64",
					    "float",   "double", "string", "json",   "enum",
					    "bytes",   "uuid",   "decimal", "date",  "time",
					    "timestamp"};
	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

static enum sl_err slot_error(struct sl_pq_writer *w, int col, enum sl_pq_kind want1,
			      enum sl_pq_kind want2, const char *what, struct sl_errbuf *eb)
{
	if (w->state != W_OPEN)
		return sl_err_set(eb, SL_ERR_STATE, "parquet writer is %s",
				  w->state == W_CLOSED ? "closed" : "broken by an earlier error");
	if (col < 0 || col >= w->schema->ncols)
		return sl_err_set(eb, SL_ERR_ARG, "parquet column %d does not exist (%d columns)", col,
				  w->schema->ncols);
	const struct stage_col *s = &w->stage[col];
	if ((int)want1 >= 0 && s->kind != want1 && s->kind != want2)
		return sl_err_set(eb, SL_ERR_ARG, "parquet column \"%s\" is %s, not %s", col_name(w, col),
				  kind_name(s->kind), what);
	if (s->is_list && s->state != ST_LIST)
		return sl_err_set(eb, SL_ERR_ARG,
				  "parquet list column \"%s\" needs sl_pq_list_begin before elements",
				  col_name(w, col));
	return sl_err_set(eb, SL_ERR_ARG, "parquet column \"%s\" is already set in this row",
			  col_name(w, col));
}

/* The slot a setter writes: the column's value, or a new list element. */
static inline enum sl_err slot(struct sl_pq_writer *w, int col, enum sl_pq_kind want1,
			       enum sl_pq_kind want2, const char *what, struct stage_val **out,
			       struct sl_errbuf *eb)
{
	if (w->state != W_OPEN || col < 0 || col >= w->schema->ncols)
		return slot_error(w, col, want1, want2, what, eb);
	struct stage_col *s = &w->stage[col];
	if ((int)want1 >= 0 && s->kind != want1 && s->kind != want2)
		return slot_error(w, col, want1, want2, what, eb);
	if (!s->is_list) {
		if (s->state != ST_UNSET)
			return slot_error(w, col, want1, want2, what, eb);
		*out = &s->v;
		return SL_OK;
	}
	if (s->state != ST_LIST)
		return slot_error(w, col, want1, want2, what, eb);
	if (s->nelems == s->capelems) {
		size_t cap = s->capelems ? s->capelems * 2 : 8;
		struct stage_val *p = realloc(s->elems, cap * sizeof *p);
		if (!p)
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		s->elems = p;
		s->capelems = cap;
	}
	*out = &s->elems[s->nelems]; /* committed by commit() via s->nelems++ */
	return SL_OK;
}

static inline void commit(struct sl_pq_writer *w, int col, bool null)
{
	struct stage_col *s = &w->stage[col];
	w->staged = true;
	if (s->is_list) {
		s->elems[s->nelems].null = null;
		s->nelems++;
	} else {
		s->v.null = null;
		s->state = null ? ST_NULL : ST_VALUE;
	}
}

static void store_le(struct stage_val *v, uint64_t x, int width)
{
	for (int i = 0; i < width; i++)
		v->fix[i] = (uint8_t)(x >> (8 * i));
	v->n = (uint32_t)width;
}

enum sl_err sl_pq_set_null(struct sl_pq_writer *w, int col, struct sl_errbuf *eb)
{
	struct stage_val *v = NULL;
	if (w && w->state == W_OPEN && col >= 0 && col < w->schema->ncols) {
		const struct sl_pq_leaf *l = &w->schema->leaves[col];
		const struct sl_pq_node *n = &w->schema->nodes[l->node];
		struct stage_col *s = &w->stage[col];
		if (l->is_list && s->state == ST_UNSET) {
			if (!n->optional)
				return sl_err_set(eb, SL_ERR_ARG, "parquet list \"%s\" is not optional",
						  n->name);
			s->state = ST_NULL;
			w->staged = true;
			return SL_OK;
		}
		if ((l->is_list && s->state == ST_LIST && !n->elem_optional) ||
		    (!l->is_list && !n->optional))
			return sl_err_set(eb, SL_ERR_ARG, "parquet column \"%s\" is not optional%s",
					  n->name, l->is_list ? " (list elements)" : "");
	}
	enum sl_err e = slot(w, col, (enum sl_pq_kind)-1, (enum sl_pq_kind)-1, "", &v, eb);
	if (e)
		return e;
	v->n = 0;
	commit(w, col, true);
	return SL_OK;
}

enum sl_err sl_pq_set_bool(struct sl_pq_writer *w, int col, bool b, struct sl_errbuf *eb)
{
	struct stage_val *v = NULL;
	enum sl_err e = slot(w, col, SL_PQ_BOOLEAN, SL_PQ_BOOLEAN, "boolean", &v, eb);
	if (e)
		return e;
	v->fix[0] = b;
	v->n = 1;
	commit(w, col, false);
	return SL_OK;
}

static enum sl_err put_decimal(struct sl_pq_writer *w, int col, sl_pq_i128 x, struct sl_errbuf *eb)
{
	const struct sl_pq_leaf *l = &w->schema->leaves[col];
	const struct sl_pq_type *t = &w->schema->nodes[l->node].type;
	struct stage_val *v = NULL;
	enum sl_err e = slot(w, col, SL_PQ_DECIMAL, SL_PQ_DECIMAL, "decimal", &v, eb);
	if (e)
		return e;
	sl_pq_i128 lim = w->stage[col].dec_lim;
	if (x >= lim || x <= -lim)
		return sl_err_set(eb, SL_ERR_ARG, "value does not fit parquet column \"%s\" numeric(%d,%d)",
				  col_name(w, col), t->precision, t->scale);
	if (l->ptype == SL_PT_INT32)
		store_le(v, (uint64_t)(int64_t)x, 4);
	else if (l->ptype == SL_PT_INT64)
		store_le(v, (uint64_t)(int64_t)x, 8);
	else {
		sl_pq_decimal_be(x, l->type_len, v->fix);
		v->n = (uint32_t)l->type_len;
	}
	commit(w, col, false);
	return SL_OK;
}

enum sl_err sl_pq_set_int(struct sl_pq_writer *w, int col, int64_t x, struct sl_errbuf *eb)
{
	if (w->state == W_OPEN && col >= 0 && col < w->schema->ncols &&
	    w->stage[col].kind == SL_PQ_DECIMAL)
		return put_decimal(w, col, x, eb);
	struct stage_val *v = NULL;
	enum sl_err e = slot(w, col, (enum sl_pq_kind)-1, (enum sl_pq_kind)-1, "", &v, eb);
	if (e)
		return e;
	enum sl_pq_kind k = w->stage[col].kind;
	int64_t lo, hi;
	switch (k) {
	case SL_PQ_INT8:
		lo = INT8_MIN, hi = INT8_MAX;
		break;
	case SL_PQ_INT16:
		lo = INT16_MIN, hi = INT16_MAX;
		break;
	case SL_PQ_INT32:
	case SL_PQ_DATE:
		lo = INT32_MIN, hi = INT32_MAX;
		break;
	case SL_PQ_TIME_MICROS:
		lo = 0, hi = INT64_C(86400000000);
		break;
	case SL_PQ_INT64:
	case SL_PQ_TIMESTAMP_MICROS:
		lo = INT64_MIN, hi = INT64_MAX;
		break;
	default:
		return sl_err_set(eb, SL_ERR_ARG, "parquet column \"%s\" is %s, not an integer",
				  col_name(w, col), kind_name(k));
	}
	if (x < lo || x > hi)
		return sl_err_set(eb, SL_ERR_ARG, "value %lld is out of range for parquet column \"%s\" (%s)",
				  (long long)x, col_name(w, col), kind_name(k));
	store_le(v, (uint64_t)x, w->stage[col].ptype == SL_PT_INT32 ? 4 : 8);
	commit(w, col, false);
	return SL_OK;
}

enum sl_err sl_pq_set_float(struct sl_pq_writer *w, int col, float f, struct sl_errbuf *eb)
{
	struct stage_val *v = NULL;
	enum sl_err e = slot(w, col, SL_PQ_FLOAT, SL_PQ_FLOAT, "float", &v, eb);
	if (e)
		return e;
	memcpy(v->fix, &f, 4);
	v->n = 4;
	commit(w, col, false);
	return SL_OK;
}

enum sl_err sl_pq_set_double(struct sl_pq_writer *w, int col, double d, struct sl_errbuf *eb)
{
	struct stage_val *v = NULL;
	enum sl_err e = slot(w, col, SL_PQ_DOUBLE, SL_PQ_DOUBLE, "double", &v, eb);
	if (e)
		return e;
	memcpy(v->fix, &d, 8);
	v->n = 8;
	commit(w, col, false);
	return SL_OK;
}

enum sl_err sl_pq_set_bytes(struct sl_pq_writer *w, int col, const void *p, size_t n,
			    struct sl_errbuf *eb)
{
	struct stage_val *v = NULL;
	enum sl_err e = slot(w, col, (enum sl_pq_kind)-1, (enum sl_pq_kind)-1, "", &v, eb);
	if (e)
		return e;
	enum sl_pq_kind k = w->stage[col].kind;
	if (n && !p)
		return sl_err_set(eb, SL_ERR_ARG, "NULL bytes for parquet column \"%s\"", col_name(w, col));
	switch (k) {
	case SL_PQ_UUID:
		if (n != 16)
			return sl_err_set(eb, SL_ERR_ARG, "parquet uuid column \"%s\" needs 16 bytes, not %zu",
					  col_name(w, col), n);
		memcpy(v->fix, p, 16);
		v->n = 16;
		commit(w, col, false);
		return SL_OK;
	case SL_PQ_STRING:
	case SL_PQ_JSON:
	case SL_PQ_ENUM:
		if (!sl_pq_utf8_valid(p, n))
			return sl_err_set(eb, SL_ERR_ARG, "value for parquet column \"%s\" is not valid UTF-8",
					  col_name(w, col));
		/* fall through */
	case SL_PQ_BYTES:
		break;
	default:
		return sl_err_set(eb, SL_ERR_ARG, "parquet column \"%s\" is %s, not bytes",
				  col_name(w, col), kind_name(k));
	}
	if (n > 0x7fffffff)
		return sl_err_set(eb, SL_ERR_TOO_LARGE, "value of %zu bytes is too large for parquet column \"%s\"",
				  n, col_name(w, col));
	size_t off = w->arena.len;
	if ((e = sl_buf_append(&w->arena, p, n)))
		return sl_err_set(eb, e, "could not stage %zu bytes for parquet column \"%s\"", n,
				  col_name(w, col));
	v->off = off;
	v->n = (uint32_t)n;
	commit(w, col, false);
	return SL_OK;
}

enum sl_err sl_pq_set_decimal_text(struct sl_pq_writer *w, int col, const char *s, size_t n,
				   struct sl_errbuf *eb)
{
	struct stage_val *v = NULL;
	enum sl_err e = slot(w, col, SL_PQ_DECIMAL, SL_PQ_DECIMAL, "decimal", &v, eb);
	if (e)
		return e;
	const struct sl_pq_type *t = &w->schema->nodes[w->schema->leaves[col].node].type;
	sl_pq_i128 x;
	if ((e = sl_pq_decimal_parse(s, n, t->precision, t->scale, &x, eb)))
		return e;
	return put_decimal(w, col, x, eb);
}

enum sl_err sl_pq_set_decimal128(struct sl_pq_writer *w, int col, int64_t hi, uint64_t lo,
				 struct sl_errbuf *eb)
{
	sl_pq_i128 x = (sl_pq_i128)(((unsigned __int128)(uint64_t)hi << 64) | lo);
	return put_decimal(w, col, x, eb);
}

enum sl_err sl_pq_set_group_null(struct sl_pq_writer *w, int group, struct sl_errbuf *eb)
{
	if (w->state != W_OPEN)
		return sl_err_set(eb, SL_ERR_STATE, "parquet writer is not open");
	const struct sl_pq_schema *s = w->schema;
	if (group <= 0 || group >= s->nnodes || s->nodes[group].kind != SL_PQ_NODE_GROUP)
		return sl_err_set(eb, SL_ERR_ARG, "parquet node %d is not a group", group);
	if (!s->nodes[group].optional)
		return sl_err_set(eb, SL_ERR_ARG, "parquet group \"%s\" is not optional",
				  s->nodes[group].name);
	w->group_null[group] = true;
	w->any_group_null = true;
	w->staged = true;
	return SL_OK;
}

enum sl_err sl_pq_list_begin(struct sl_pq_writer *w, int col, struct sl_errbuf *eb)
{
	if (w->state != W_OPEN)
		return sl_err_set(eb, SL_ERR_STATE, "parquet writer is not open");
	if (col < 0 || col >= w->schema->ncols || !w->schema->leaves[col].is_list)
		return sl_err_set(eb, SL_ERR_ARG, "parquet column %d is not a list", col);
	struct stage_col *s = &w->stage[col];
	if (s->state != ST_UNSET)
		return sl_err_set(eb, SL_ERR_ARG, "parquet list \"%s\" is already set in this row",
				  col_name(w, col));
	s->state = ST_LIST;
	s->nelems = 0;
	w->staged = true;
	return SL_OK;
}

void sl_pq_row_discard(struct sl_pq_writer *w)
{
	if (!w || !w->staged)
		return;
	for (int i = 0; i < w->schema->ncols; i++) {
		w->stage[i].state = ST_UNSET;
		w->stage[i].nelems = 0;
	}
	if (w->any_group_null)
		memset(w->group_null, 0, (size_t)w->schema->nnodes * sizeof *w->group_null);
	w->any_group_null = false;
	w->arena.len = 0;
	w->staged = false;
}

/* ---- rows ---- */

/* Definition level reached above the leaf itself; *reach false when an
 * optional ancestor group is null. */
static int ancestors_def(const struct sl_pq_writer *w, const struct sl_pq_leaf *l, bool *reach)
{
	int d = 0;
	*reach = true;
	for (int i = 0; i < l->nanc; i++) {
		int g = l->anc[i];
		if (!w->schema->nodes[g].optional)
			continue;
		if (w->group_null[g]) {
			*reach = false;
			return d;
		}
		d++;
	}
	return d;
}

static const void *val_bytes(const struct sl_pq_writer *w, const struct sl_pq_col *c,
			     const struct stage_val *v)
{
	return c->width ? (const void *)v->fix : (const void *)(w->arena.data ? w->arena.data + v->off : "");
}

static enum sl_err check_row(struct sl_pq_writer *w, struct sl_errbuf *eb)
{
	for (int i = 0; i < w->schema->ncols; i++) {
		int st = w->stage[i].state;
		if (!w->stage[i].nested) {
			if (st == ST_UNSET)
				return sl_err_set(eb, SL_ERR_ARG, "parquet column \"%s\" is not set in this row",
						  col_name(w, i));
			continue;
		}
		const struct sl_pq_leaf *l = &w->schema->leaves[i];
		bool reach;
		ancestors_def(w, l, &reach);
		if (reach && st == ST_UNSET)
			return sl_err_set(eb, SL_ERR_ARG, "parquet column \"%s\" is not set in this row",
					  col_name(w, i));
		if (!reach && st != ST_UNSET)
			return sl_err_set(eb, SL_ERR_ARG,
					  "parquet column \"%s\" is set but its group is null", col_name(w, i));
	}
	return SL_OK;
}

static enum sl_err add_row(struct sl_pq_writer *w, struct sl_errbuf *eb)
{
	enum sl_err e = SL_OK;
	for (int i = 0; i < w->schema->ncols && !e; i++) {
		const struct sl_pq_leaf *l = &w->schema->leaves[i];
		const struct sl_pq_node *n = &w->schema->nodes[l->node];
		struct sl_pq_col *c = &w->cols[i];
		struct stage_col *s = &w->stage[i];
		if (!s->nested && !s->is_list) {
			/* Top-level scalar: levels are 0/1 (or none). */
			if (s->state == ST_NULL) {
				e = sl_pq_col_levels(c, 0, 0);
			} else if (!(e = sl_pq_col_levels(c, l->max_def, 0))) {
				e = sl_pq_col_put(c, val_bytes(w, c, &s->v), s->v.n);
			}
			continue;
		}
		bool reach;
		int d = ancestors_def(w, l, &reach);
		if (!reach || s->state == ST_NULL) {
			e = sl_pq_col_levels(c, d, 0);
		} else if (!l->is_list) {
			if (!(e = sl_pq_col_levels(c, l->max_def, 0)))
				e = sl_pq_col_put(c, val_bytes(w, c, &s->v), s->v.n);
		} else {
			int d1 = d + n->optional;
			if (s->nelems == 0)
				e = sl_pq_col_levels(c, d1, 0);
			for (size_t j = 0; j < s->nelems && !e; j++) {
				const struct stage_val *v = &s->elems[j];
				if (v->null) {
					e = sl_pq_col_levels(c, d1 + 1, j ? 1 : 0);
				} else if (!(e = sl_pq_col_levels(c, l->max_def, j ? 1 : 0))) {
					e = sl_pq_col_put(c, val_bytes(w, c, v), v->n);
				}
			}
		}
	}
	if (e)
		return sl_err_set(eb, e, "could not buffer a parquet row: out of memory");
	for (int i = 0; i < w->schema->ncols; i++)
		if ((e = sl_pq_col_row_done(&w->cols[i], &w->codec, w->scratch, &w->page_closed, eb)))
			return e;
	return SL_OK;
}

enum sl_err sl_pq_row_end(struct sl_pq_writer *w, struct sl_errbuf *eb)
{
	if (w->state != W_OPEN) {
		sl_pq_row_discard(w);
		return sl_err_set(eb, SL_ERR_STATE, "parquet writer is %s",
				  w->state == W_CLOSED ? "closed" : "broken by an earlier error");
	}
	enum sl_err e = check_row(w, eb);
	if (!e) {
		e = add_row(w, eb);
		if (e)
			w->state = W_BROKEN; /* a column may hold half a row */
	}
	w->staged = true;
	sl_pq_row_discard(w);
	if (e)
		return e;
	w->rows++;
	w->rg_rows++;
	/* The size only moves much when a page closes (open pages are bounded
	 * by page_bytes); look at it then, and every 1024 rows. */
	if (!w->page_closed && (w->rg_rows & 1023))
		return SL_OK;
	w->page_closed = false;
	if (sl_pq_writer_buffered(w) >= w->opts.row_group_bytes)
		return sl_pq_writer_flush(w, eb);
	return SL_OK;
}

size_t sl_pq_writer_buffered(const struct sl_pq_writer *w)
{
	size_t n = 0;
	for (int i = 0; i < w->schema->ncols; i++)
		n += sl_pq_col_buffered(&w->cols[i]);
	return n;
}

uint64_t sl_pq_writer_rows(const struct sl_pq_writer *w)
{
	return w->rows;
}

uint64_t sl_pq_writer_offset(const struct sl_pq_writer *w)
{
	return w->out.off;
}

/* ---- row groups and footer ---- */

static enum sl_err magic(struct sl_pq_writer *w, struct sl_errbuf *eb)
{
	if (w->out.off)
		return SL_OK;
	return sl_pq_out_write(&w->out, "PAR1", 4, eb);
}

static enum sl_err flush(struct sl_pq_writer *w, struct sl_errbuf *eb)
{
	if (w->rg_rows == 0)
		return SL_OK;
	enum sl_err e = magic(w, eb);
	if (e)
		return e;
	uint64_t start = w->out.off, uncomp = 0;
	const struct sl_pq_schema *s = w->schema;
	for (int k = 0; k < s->ncols; k++) {
		struct sl_pq_col *c = &w->cols[s->order[k]];
		if ((e = sl_pq_col_write(c, &w->codec, w->scratch, &w->out, eb)))
			return e;
		uncomp += c->total_uncomp;
	}
	struct sl_tc t;
	sl_tc_init(&t, &w->rgmeta);
	sl_tc_begin(&t, 0);
	sl_tc_field_list(&t, 1, SL_TC_STRUCT, (size_t)s->ncols);
	for (int k = 0; k < s->ncols; k++)
		sl_pq_col_meta(&w->cols[s->order[k]], &t, w->opts.codec);
	sl_tc_field_i64(&t, 2, (int64_t)uncomp);
	sl_tc_field_i64(&t, 3, (int64_t)w->rg_rows);
	sl_tc_field_i64(&t, 5, (int64_t)start);
	sl_tc_field_i64(&t, 6, (int64_t)(w->out.off - start));
	sl_tc_end(&t);
	if (t.err)
		return sl_err_set(eb, t.err, "could not buffer parquet row group metadata");
	w->nrowgroups++;
	w->rg_rows = 0;
	return SL_OK;
}

enum sl_err sl_pq_writer_flush(struct sl_pq_writer *w, struct sl_errbuf *eb)
{
	if (w->state != W_OPEN)
		return sl_err_set(eb, SL_ERR_STATE, "parquet writer is not open");
	enum sl_err e = flush(w, eb);
	if (e)
		w->state = W_BROKEN;
	return e;
}

enum sl_err sl_pq_writer_kv(struct sl_pq_writer *w, const char *key, const char *value,
			    struct sl_errbuf *eb)
{
	if (w->state != W_OPEN)
		return sl_err_set(eb, SL_ERR_STATE, "parquet writer is not open");
	if (!key || !*key)
		return sl_err_set(eb, SL_ERR_ARG, "parquet metadata key is empty");
	struct kv *p = realloc(w->kvs, (size_t)(w->nkv + 1) * sizeof *p);
	if (!p)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	w->kvs = p;
	char *k = strdup(key), *v = value ? strdup(value) : NULL;
	if (!k || (value && !v)) {
		free(k);
		free(v);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	w->kvs[w->nkv].key = k;
	w->kvs[w->nkv].value = v;
	w->nkv++;
	return SL_OK;
}

/* Converted and logical type of a leaf. */
static void leaf_types(struct sl_tc *t, const struct sl_pq_type *ty)
{
	int conv = -1;
	switch (ty->kind) {
	case SL_PQ_INT8:
		conv = 15;
		break;
	case SL_PQ_INT16:
		conv = 16;
		break;
	case SL_PQ_INT32:
		conv = 17;
		break;
	case SL_PQ_INT64:
		conv = 18;
		break;
	case SL_PQ_STRING:
		conv = 0;
		break;
	case SL_PQ_JSON:
		conv = 19;
		break;
	case SL_PQ_ENUM:
		conv = 4;
		break;
	case SL_PQ_DECIMAL:
		conv = 5;
		break;
	case SL_PQ_DATE:
		conv = 6;
		break;
	case SL_PQ_TIMESTAMP_MICROS:
		if (ty->utc)
			conv = 10;
		break;
	default:
		break;
	}
	if (conv >= 0)
		sl_tc_field_i32(t, 6, conv);
	if (ty->kind == SL_PQ_DECIMAL) {
		sl_tc_field_i32(t, 7, ty->scale);
		sl_tc_field_i32(t, 8, ty->precision);
	}
}

static void logical_type(struct sl_tc *t, const struct sl_pq_type *ty)
{
	int id;
	switch (ty->kind) {
	case SL_PQ_INT8:
	case SL_PQ_INT16:
	case SL_PQ_INT32:
	case SL_PQ_INT64:
		sl_tc_begin(t, 10);
		sl_tc_begin(t, 10);
		sl_tc_field_byte(t, 1, ty->kind == SL_PQ_INT8 ? 8 : ty->kind == SL_PQ_INT16 ? 16 :
								       ty->kind == SL_PQ_INT32 ? 32 : 64);
		sl_tc_field_bool(t, 2, true);
		sl_tc_end(t);
		sl_tc_end(t);
		return;
	case SL_PQ_DECIMAL:
		sl_tc_begin(t, 10);
		sl_tc_begin(t, 5);
		sl_tc_field_i32(t, 1, ty->scale);
		sl_tc_field_i32(t, 2, ty->precision);
		sl_tc_end(t);
		sl_tc_end(t);
		return;
	case SL_PQ_TIME_MICROS:
	case SL_PQ_TIMESTAMP_MICROS:
		sl_tc_begin(t, 10);
		sl_tc_begin(t, ty->kind == SL_PQ_TIME_MICROS ? 7 : 8);
		sl_tc_field_bool(t, 1, ty->kind == SL_PQ_TIMESTAMP_MICROS && ty->utc);
		sl_tc_begin(t, 2);
		sl_tc_begin(t, 2); /* MICROS */
		sl_tc_end(t);
		sl_tc_end(t);
		sl_tc_end(t);
		sl_tc_end(t);
		return;
	case SL_PQ_STRING:
		id = 1;
		break;
	case SL_PQ_ENUM:
		id = 4;
		break;
	case SL_PQ_DATE:
		id = 6;
		break;
	case SL_PQ_JSON:
		id = 12;
		break;
	case SL_PQ_UUID:
		id = 14;
		break;
	default:
		return;
	}
	sl_tc_begin(t, 10);
	sl_tc_begin(t, (int16_t)id);
	sl_tc_end(t);
	sl_tc_end(t);
}

static void schema_node(const struct sl_pq_writer *w, struct sl_tc *t, int id)
{
	const struct sl_pq_node *n = &w->schema->nodes[id];
	sl_tc_begin(t, 0);
	if (id == 0) {
		sl_tc_field_str(t, 4, "schema");
		sl_tc_field_i32(t, 5, n->nchildren);
		sl_tc_end(t);
	} else if (n->kind == SL_PQ_NODE_GROUP) {
		sl_tc_field_i32(t, 3, n->optional ? 1 : 0);
		sl_tc_field_str(t, 4, n->name);
		sl_tc_field_i32(t, 5, n->nchildren);
		sl_tc_field_i32(t, 9, id);
		sl_tc_end(t);
	} else {
		const struct sl_pq_leaf *l = &w->schema->leaves[n->col];
		if (n->kind == SL_PQ_NODE_LIST) {
			sl_tc_field_i32(t, 3, n->optional ? 1 : 0);
			sl_tc_field_str(t, 4, n->name);
			sl_tc_field_i32(t, 5, 1);
			sl_tc_field_i32(t, 6, 3); /* LIST */
			sl_tc_field_i32(t, 9, id);
			sl_tc_begin(t, 10);
			sl_tc_begin(t, 3);
			sl_tc_end(t);
			sl_tc_end(t);
			sl_tc_end(t);
			sl_tc_begin(t, 0);
			sl_tc_field_i32(t, 3, 2);
			sl_tc_field_str(t, 4, "list");
			sl_tc_field_i32(t, 5, 1);
			sl_tc_end(t);
			sl_tc_begin(t, 0);
		}
		sl_tc_field_i32(t, 1, l->ptype);
		if (l->ptype == SL_PT_FLBA)
			sl_tc_field_i32(t, 2, l->type_len);
		sl_tc_field_i32(t, 3, (n->kind == SL_PQ_NODE_LIST ? n->elem_optional : n->optional) ? 1 : 0);
		sl_tc_field_str(t, 4, n->kind == SL_PQ_NODE_LIST ? "element" : n->name);
		leaf_types(t, &n->type);
		if (n->kind == SL_PQ_NODE_LEAF)
			sl_tc_field_i32(t, 9, id);
		logical_type(t, &n->type);
		sl_tc_end(t);
	}
	for (int c = n->first; c >= 0; c = w->schema->nodes[c].next)
		schema_node(w, t, c);
}

static int schema_count(const struct sl_pq_schema *s)
{
	int n = 0;
	for (int i = 0; i < s->nnodes; i++)
		n += s->nodes[i].kind == SL_PQ_NODE_LIST ? 3 : 1;
	return n;
}

enum sl_err sl_pq_writer_close(struct sl_pq_writer *w, struct sl_errbuf *eb)
{
	if (w->state != W_OPEN)
		return sl_err_set(eb, SL_ERR_STATE, "parquet writer is %s",
				  w->state == W_CLOSED ? "already closed" : "broken by an earlier error");
	sl_pq_row_discard(w);
	enum sl_err e = flush(w, eb);
	if (!e)
		e = magic(w, eb);
	if (e) {
		w->state = W_BROKEN;
		return e;
	}
	struct sl_buf f;
	sl_buf_init(&f, 0);
	struct sl_tc t;
	sl_tc_init(&t, &f);
	sl_tc_begin(&t, 0);
	sl_tc_field_i32(&t, 1, 1);
	sl_tc_field_list(&t, 2, SL_TC_STRUCT, (size_t)schema_count(w->schema));
	schema_node(w, &t, 0);
	sl_tc_field_i64(&t, 3, (int64_t)w->rows);
	sl_tc_field_list(&t, 4, SL_TC_STRUCT, (size_t)w->nrowgroups);
	if (!t.err && w->rgmeta.len)
		t.err = sl_buf_append(&f, w->rgmeta.data, w->rgmeta.len);
	if (w->nkv) {
		sl_tc_field_list(&t, 5, SL_TC_STRUCT, (size_t)w->nkv);
		for (int i = 0; i < w->nkv; i++) {
			sl_tc_begin(&t, 0);
			sl_tc_field_str(&t, 1, w->kvs[i].key);
			if (w->kvs[i].value)
				sl_tc_field_str(&t, 2, w->kvs[i].value);
			sl_tc_end(&t);
		}
	}
	sl_tc_field_str(&t, 6, w->created_by);
	sl_tc_field_list(&t, 7, SL_TC_STRUCT, (size_t)w->schema->ncols);
	for (int i = 0; i < w->schema->ncols; i++) {
		sl_tc_begin(&t, 0);
		sl_tc_begin(&t, 1);
		sl_tc_end(&t);
		sl_tc_end(&t);
	}
	sl_tc_end(&t);
	uint32_t len = (uint32_t)f.len;
	uint8_t tail[8] = {(uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16),
			   (uint8_t)(len >> 24), 'P', 'A', 'R', '1'};
	if (t.err || (e = sl_buf_append(&f, tail, 8))) {
		sl_buf_free(&f);
		w->state = W_BROKEN;
		return sl_err_set(eb, SL_ERR_NOMEM, "could not build the parquet footer");
	}
	e = sl_pq_out_write(&w->out, f.data, f.len, eb);
	sl_buf_free(&f);
	w->state = e ? W_BROKEN : W_CLOSED;
	return e;
}
