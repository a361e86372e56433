/* SPDX-License-Identifier: Apache-2.0
 *
 * column.c -- a leaf column's chunk encoder (see column.h).
 *
 * Statistics follow the logical type's order: signed for integers and
 * integer-backed DATE/TIME/TIMESTAMP/DECIMAL, signed big-endian for FLBA
 * decimals, unsigned bytewise for strings, bytes and UUIDs, false < true
 * for booleans, numeric for floats with NaN left out (a chunk that saw a
 * NaN still gets min/max over its other values, which is what the spec
 * allows; only-NaN chunks get none) and the -0/+0 rule applied.  Long
 * byte-array bounds are truncated (min to a prefix, max to a prefix with
 * its last byte incremented) and flagged inexact.
 */
#include "parquet/column.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parquet/delta.h"
#include "parquet/rle.h"

#define ENC_PLAIN 0
#define ENC_RLE 3
#define ENC_DELTA 5
#define ENC_RLE_DICT 8
#define STAT_MAX_BYTES 64

enum sl_err sl_pq_out_write(struct sl_pq_out *o, const void *p, size_t n, struct sl_errbuf *eb)
{
	enum sl_err e = o->fn(o->ctx, p, n, eb);
	if (e)
		return e;
	o->off += n;
	return SL_OK;
}

static enum sl_err bytes_push(struct sl_pq_bytes *b, uint8_t v)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		uint8_t *p = realloc(b->p, cap);
		if (!p)
			return SL_ERR_NOMEM;
		b->p = p;
		b->cap = cap;
	}
	b->p[b->n++] = v;
	return SL_OK;
}

enum sl_err sl_pq_col_init(struct sl_pq_col *c, const struct sl_pq_leaf *leaf,
			   const struct sl_pq_type *type, const struct sl_pq_options *o)
{
	memset(c, 0, sizeof *c);
	c->leaf = leaf;
	c->type = *type;
	c->ptype = leaf->ptype;
	switch (c->ptype) {
	case SL_PT_BOOLEAN:
		c->width = 1;
		break;
	case SL_PT_INT32:
	case SL_PT_FLOAT:
		c->width = 4;
		break;
	case SL_PT_INT64:
	case SL_PT_DOUBLE:
		c->width = 8;
		break;
	case SL_PT_FLBA:
		c->width = leaf->type_len;
		break;
	default:
		c->width = 0;
	}
	c->page_bytes = o->page_bytes;
	c->dict_max = o->dict_max_bytes;
	sl_buf_init(&c->vals, 0);
	sl_buf_init(&c->pages, 0);
	sl_buf_init(&c->min, 0);
	sl_buf_init(&c->max, 0);
	sl_pq_dict_init(&c->dict, c->ptype == SL_PT_BYTE_ARRAY);
	c->dict_on = c->ptype != SL_PT_BOOLEAN && type->encoding == SL_PQ_ENC_AUTO && c->dict_max > 0;
	return SL_OK;
}

void sl_pq_col_free(struct sl_pq_col *c)
{
	free(c->def.p);
	free(c->rep.p);
	free(c->idx);
	sl_buf_free(&c->vals);
	sl_buf_free(&c->pages);
	sl_buf_free(&c->min);
	sl_buf_free(&c->max);
	sl_pq_dict_free(&c->dict);
}

enum sl_err sl_pq_col_levels(struct sl_pq_col *c, int def, int rep)
{
	enum sl_err e;
	if (c->leaf->max_def > 0 && (e = bytes_push(&c->def, (uint8_t)def)))
		return e;
	if (c->leaf->max_rep > 0 && (e = bytes_push(&c->rep, (uint8_t)rep)))
		return e;
	c->page_levels++;
	if (def < c->leaf->max_def)
		c->null_count++;
	return SL_OK;
}

/* ---- statistics ---- */

static int cmp_bytes_unsigned(const void *a, size_t an, const void *b, size_t bn)
{
	size_t m = an < bn ? an : bn;
	int r = memcmp(a, b, m);
	if (r)
		return r;
	return an < bn ? -1 : an > bn;
}

/* <0, 0, >0 as a < b in the column's order. */
static int cmp_val(const struct sl_pq_col *c, const void *a, size_t an, const void *b, size_t bn)
{
	switch (c->ptype) {
	case SL_PT_BOOLEAN:
		return (int)*(const uint8_t *)a - (int)*(const uint8_t *)b;
	case SL_PT_INT32: {
		int32_t x, y;
		memcpy(&x, a, 4);
		memcpy(&y, b, 4);
		return x < y ? -1 : x > y;
	}
	case SL_PT_INT64: {
		int64_t x, y;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return x < y ? -1 : x > y;
	}
	case SL_PT_FLOAT: {
		float x, y;
		memcpy(&x, a, 4);
		memcpy(&y, b, 4);
		return x < y ? -1 : x > y;
	}
	case SL_PT_DOUBLE: {
		double x, y;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return x < y ? -1 : x > y;
	}
	case SL_PT_FLBA:
		if (c->type.kind == SL_PQ_DECIMAL && an > 0) {
			int8_t x = (int8_t)((const uint8_t *)a)[0], y = (int8_t)((const uint8_t *)b)[0];
			if (x != y)
				return x < y ? -1 : 1;
			return memcmp((const uint8_t *)a + 1, (const uint8_t *)b + 1, an - 1);
		}
		return memcmp(a, b, an);
	default:
		return cmp_bytes_unsigned(a, an, b, bn);
	}
}

static void stat_update(struct sl_pq_col *c, const void *p, size_t n)
{
	if (c->ptype == SL_PT_FLOAT) {
		float f;
		memcpy(&f, p, 4);
		if (isnan(f)) {
			c->nan_seen = true;
			return;
		}
	} else if (c->ptype == SL_PT_DOUBLE) {
		double d;
		memcpy(&d, p, 8);
		if (isnan(d)) {
			c->nan_seen = true;
			return;
		}
	}
	if (c->has_minmax && c->width) {
		/* Fixed width: overwrite the bounds in place. */
		if (c->ptype == SL_PT_INT64) {
			int64_t x, lo, hi;
			memcpy(&x, p, 8);
			memcpy(&lo, c->min.data, 8);
			memcpy(&hi, c->max.data, 8);
			if (x < lo)
				memcpy(c->min.data, p, 8);
			else if (x > hi)
				memcpy(c->max.data, p, 8);
			return;
		}
		if (cmp_val(c, p, n, c->min.data, c->min.len) < 0)
			memcpy(c->min.data, p, n);
		else if (cmp_val(c, p, n, c->max.data, c->max.len) > 0)
			memcpy(c->max.data, p, n);
		return;
	}
	if (!c->has_minmax) {
		sl_buf_reset(&c->min);
		sl_buf_reset(&c->max);
		if (sl_buf_append(&c->min, p, n) || sl_buf_append(&c->max, p, n))
			return; /* out of memory: stats stay absent */
		c->has_minmax = true;
		return;
	}
	if (cmp_val(c, p, n, c->min.data, c->min.len) < 0) {
		sl_buf_reset(&c->min);
		if (sl_buf_append(&c->min, p, n))
			c->has_minmax = false;
	} else if (cmp_val(c, p, n, c->max.data, c->max.len) > 0) {
		sl_buf_reset(&c->max);
		if (sl_buf_append(&c->max, p, n))
			c->has_minmax = false;
	}
}

/* ---- values ---- */

static enum sl_err put_plain(struct sl_pq_col *c, const void *p, size_t n)
{
	size_t need = n + (c->width ? 0 : 4);
	if (c->vals.len + need + 1 > c->vals.cap) {
		enum sl_err e = sl_buf_reserve(&c->vals, need);
		if (e)
			return e;
	}
	uint8_t *d = (uint8_t *)c->vals.data + c->vals.len;
	if (c->width == 0) {
		d[0] = (uint8_t)n;
		d[1] = (uint8_t)(n >> 8);
		d[2] = (uint8_t)(n >> 16);
		d[3] = (uint8_t)(n >> 24);
		d += 4;
	}
	memcpy(d, p, n);
	c->vals.len += need;
	c->vals.data[c->vals.len] = 0;
	return SL_OK;
}

enum sl_err sl_pq_col_put(struct sl_pq_col *c, const void *p, size_t n)
{
	enum sl_err e;
	c->page_nonnull++;
	c->page_plain += n + (c->width ? 0 : 4);
	if (!c->dict_on) {
		stat_update(c, p, n);
		return put_plain(c, p, n);
	}
	uint32_t id;
	bool added;
	if ((e = sl_pq_dict_put(&c->dict, p, n, &id, &added)))
		return e;
	if (added) {
		if (id + 1 > c->dict_cap_bw) {
			c->dict_bw = sl_pq_bit_width(id);
			c->dict_cap_bw = id == 0 ? 1 : 2u << (c->dict_bw - 1);
		}
		stat_update(c, p, n);
		if (c->dict.page.len > c->dict_max)
			c->dict_full = true;
	}
	if (c->nidx == c->capidx) {
		size_t cap = c->capidx ? c->capidx * 2 : 1024;
		uint32_t *np = realloc(c->idx, cap * sizeof *np);
		if (!np)
			return SL_ERR_NOMEM;
		c->idx = np;
		c->capidx = cap;
	}
	c->idx[c->nidx++] = id;
	return SL_OK;
}

static size_t page_estimate(const struct sl_pq_col *c)
{
	size_t lv = c->def.n / 4 + c->rep.n / 4;
	if (c->dict_on)
		return lv + (c->nidx * (size_t)(c->dict_bw ? c->dict_bw : 1) + 7) / 8;
	if (c->ptype == SL_PT_BOOLEAN)
		return lv + c->vals.len / 8;
	return lv + c->vals.len;
}

size_t sl_pq_col_buffered(const struct sl_pq_col *c)
{
	/* Uncompressed, so the row group's size does not depend on the codec
	 * (and the compressed pages held are never more than this). */
	return (size_t)c->uncomp + c->dict.page.len + page_estimate(c);
}

/* Turn the page's dictionary ids into PLAIN values. */
static enum sl_err page_to_plain(struct sl_pq_col *c)
{
	enum sl_err e;
	sl_buf_reset(&c->vals);
	for (size_t i = 0; i < c->nidx; i++) {
		size_t n;
		const void *p = sl_pq_dict_get(&c->dict, c->idx[i], &n);
		if ((e = put_plain(c, p, n)))
			return e;
	}
	c->nidx = 0;
	return SL_OK;
}

static enum sl_err levels_rle(struct sl_buf *b, const struct sl_pq_bytes *lv, int max)
{
	size_t at = b->len;
	uint8_t zero[4] = {0};
	enum sl_err e = sl_buf_append(b, zero, 4);
	if (e)
		return e;
	if ((e = sl_pq_rle_u8(b, lv->p, lv->n, sl_pq_bit_width((uint64_t)max))))
		return e;
	size_t len = b->len - at - 4;
	for (int i = 0; i < 4; i++)
		b->data[at + (size_t)i] = (char)(uint8_t)(len >> (8 * i));
	return SL_OK;
}

static void page_header(struct sl_tc *t, int type, size_t uncomp, size_t comp)
{
	sl_tc_field_i32(t, 1, type);
	sl_tc_field_i32(t, 2, (int32_t)uncomp);
	sl_tc_field_i32(t, 3, (int32_t)comp);
}

/* Compress `body` (in scratch from `from`) and add header + data to pages. */
static enum sl_err add_page(struct sl_pq_col *c, struct sl_pq_codec_ctx *z,
			    struct sl_buf *scratch, size_t from, int enc, struct sl_errbuf *eb)
{
	size_t ulen = scratch->len - from;
	if (ulen > 0x7fffffffu)
		return sl_err_set(eb, SL_ERR_TOO_LARGE, "parquet page of column \"%s\" is %zu bytes",
				  c->leaf->path[c->leaf->npath - 1], ulen);
	struct sl_buf *zb = &scratch[1]; /* compressed copy: never the same buffer */
	sl_buf_reset(zb);
	enum sl_err e = sl_pq_compress(z, scratch->data + from, ulen, zb, eb);
	if (e)
		return e;
	size_t clen = zb->len;
	size_t hat = c->pages.len;
	struct sl_tc t;
	sl_tc_init(&t, &c->pages);
	sl_tc_begin(&t, 0);
	page_header(&t, 0, ulen, clen);
	sl_tc_begin(&t, 5);
	sl_tc_field_i32(&t, 1, (int32_t)c->page_levels);
	sl_tc_field_i32(&t, 2, enc);
	sl_tc_field_i32(&t, 3, ENC_RLE);
	sl_tc_field_i32(&t, 4, ENC_RLE);
	sl_tc_end(&t);
	sl_tc_end(&t);
	if (t.err || (e = sl_buf_append(&c->pages, zb->data, clen)))
		return sl_err_set(eb, SL_ERR_NOMEM, "could not buffer a parquet page");
	c->uncomp += (c->pages.len - hat - clen) + ulen;
	c->enc_mask |= 1u << enc;
	c->num_values += (int64_t)c->page_levels;
	return SL_OK;
}

/* Mostly distinct values in the chunk's first page: the dictionary will
 * not pay, so stop hashing now rather than at the end of the page. */
static enum sl_err give_up_dict(struct sl_pq_col *c)
{
	enum sl_err e = page_to_plain(c);
	if (e)
		return e;
	c->dict_on = false;
	c->dict_full = false;
	sl_pq_dict_reset(&c->dict);
	c->dict_bw = 0;
	c->dict_cap_bw = 0;
	return SL_OK;
}

static enum sl_err page_close(struct sl_pq_col *c, struct sl_pq_codec_ctx *z,
			      struct sl_buf *scratch, struct sl_errbuf *eb)
{
	enum sl_err e;
	if (c->page_levels == 0)
		return SL_OK;
	/* Does the dictionary pay?  Judge once, on the first page. */
	if (c->dict_on && !c->dict_used &&
	    c->dict.page.len + (c->nidx * (size_t)sl_pq_bit_width(c->dict.n) + 7) / 8 >= c->page_plain) {
		if ((e = give_up_dict(c)))
			return sl_err_set(eb, e, "out of memory");
	}
	sl_buf_reset(scratch);
	if (c->leaf->max_rep > 0 && (e = levels_rle(scratch, &c->rep, c->leaf->max_rep)))
		return sl_err_set(eb, e, "out of memory");
	if (c->leaf->max_def > 0 && (e = levels_rle(scratch, &c->def, c->leaf->max_def)))
		return sl_err_set(eb, e, "out of memory");
	int enc = ENC_PLAIN;
	if (c->dict_on) {
		int bw = sl_pq_bit_width(c->dict.n ? c->dict.n - 1 : 0);
		if (bw == 0)
			bw = 1;
		uint8_t b = (uint8_t)bw;
		if ((e = sl_buf_append(scratch, &b, 1)) || (e = sl_pq_rle_u32(scratch, c->idx, c->nidx, bw)))
			return sl_err_set(eb, e, "out of memory");
		enc = ENC_RLE_DICT;
		c->dict_used = true;
	} else if (c->ptype == SL_PT_BOOLEAN) {
		uint64_t tmp[256];
		const uint8_t *v = (const uint8_t *)c->vals.data;
		size_t n = c->vals.len;
		for (size_t i = 0; i < n; i += 256) {
			size_t k = n - i < 256 ? n - i : 256;
			for (size_t j = 0; j < k; j++)
				tmp[j] = v[i + j];
			if ((e = sl_pq_bitpack(scratch, tmp, k, 1)))
				return sl_err_set(eb, e, "out of memory");
		}
	} else if (c->ptype == SL_PT_INT32 || c->ptype == SL_PT_INT64) {
		/* DELTA when forced, or when it comes out smaller than PLAIN:
		 * encode it, and take it back if it did not pay. */
		bool is64 = c->ptype == SL_PT_INT64;
		size_t n = c->page_nonnull, at = scratch->len;
		bool try_delta = c->type.encoding == SL_PQ_ENC_DELTA ||
				 (c->type.encoding == SL_PQ_ENC_AUTO && n > 0);
		if (try_delta && (e = sl_pq_delta_encode(scratch, c->vals.data, n, is64)))
			return sl_err_set(eb, e, "out of memory");
		if (try_delta && (c->type.encoding == SL_PQ_ENC_DELTA || scratch->len - at < c->vals.len)) {
			enc = ENC_DELTA;
		} else {
			scratch->len = at;
			if ((e = sl_buf_append(scratch, c->vals.data, c->vals.len)))
				return sl_err_set(eb, e, "out of memory");
		}
	} else if ((e = sl_buf_append(scratch, c->vals.data, c->vals.len))) {
		return sl_err_set(eb, e, "out of memory");
	}
	if ((e = add_page(c, z, scratch, 0, enc, eb)))
		return e;
	c->def.n = c->rep.n = 0;
	c->nidx = 0;
	sl_buf_reset(&c->vals);
	c->page_levels = c->page_nonnull = c->page_plain = 0;
	if (c->dict_full) {
		/* The dictionary is closed: the rest of the chunk is PLAIN. */
		c->dict_on = false;
		c->dict_full = false;
	}
	return SL_OK;
}

enum sl_err sl_pq_col_row_done(struct sl_pq_col *c, struct sl_pq_codec_ctx *z,
			       struct sl_buf scratch[2], bool *closed, struct sl_errbuf *eb)
{
	/* Mostly distinct values early in the chunk's first page: hashing the
	 * rest would be wasted.  Look once after 1Ki values (most columns of
	 * small files decide here) and again from 16Ki on. */
	if (c->dict_on && !c->dict_used &&
	    ((c->page_nonnull >= 1024 && !c->dict_probed) || c->page_nonnull >= 16384)) {
		c->dict_probed = true;
		if ((size_t)c->dict.n * 4 > c->page_nonnull * 3) {
			enum sl_err e = give_up_dict(c);
			if (e)
				return sl_err_set(eb, e, "out of memory");
		}
	}
	/* Pages also end at 128Ki entries, so tiny values (dictionary ids of
	 * one bit, all-null levels) cannot pile up megabytes of staging. */
	if (c->dict_full || page_estimate(c) >= c->page_bytes || c->page_levels >= (1u << 17)) {
		*closed = true;
		return page_close(c, z, scratch, eb);
	}
	return SL_OK;
}

enum sl_err sl_pq_col_write(struct sl_pq_col *c, struct sl_pq_codec_ctx *z,
			    struct sl_buf scratch[2], struct sl_pq_out *out, struct sl_errbuf *eb)
{
	enum sl_err e = page_close(c, z, scratch, eb);
	if (e)
		return e;
	c->wrote_dict = false;
	uint64_t start = out->off;
	if (c->dict_used) {
		sl_buf_reset(scratch);
		if ((e = sl_pq_compress(z, c->dict.page.data, c->dict.page.len, scratch, eb)))
			return e;
		struct sl_buf hdr;
		sl_buf_init(&hdr, 0);
		struct sl_tc t;
		sl_tc_init(&t, &hdr);
		sl_tc_begin(&t, 0);
		page_header(&t, 2, c->dict.page.len, scratch->len);
		sl_tc_begin(&t, 7);
		sl_tc_field_i32(&t, 1, (int32_t)c->dict.n);
		sl_tc_field_i32(&t, 2, ENC_PLAIN);
		sl_tc_end(&t);
		sl_tc_end(&t);
		if (t.err) {
			sl_buf_free(&hdr);
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		}
		c->dict_off = out->off;
		e = sl_pq_out_write(out, hdr.data, hdr.len, eb);
		if (!e)
			e = sl_pq_out_write(out, scratch->data, scratch->len, eb);
		c->uncomp += hdr.len + c->dict.page.len;
		sl_buf_free(&hdr);
		if (e)
			return e;
		c->wrote_dict = true;
		c->enc_mask |= 1u << ENC_PLAIN;
	}
	c->data_off = out->off;
	if (c->pages.len && (e = sl_pq_out_write(out, c->pages.data, c->pages.len, eb)))
		return e;
	c->total_comp = out->off - start;
	c->total_uncomp = c->uncomp;
	return SL_OK;
}

static void write_stats(struct sl_pq_col *c, struct sl_tc *t)
{
	sl_tc_begin(t, 12);
	sl_tc_field_i64(t, 3, c->null_count);
	if (c->has_minmax) {
		const uint8_t *mn = (const uint8_t *)c->min.data, *mx = (const uint8_t *)c->max.data;
		size_t mnl = c->min.len, mxl = c->max.len;
		uint8_t zero[8] = {0};
		uint8_t maxbuf[STAT_MAX_BYTES];
		bool max_exact = true, min_exact = true, have_max = true;
		if (c->ptype == SL_PT_FLOAT || c->ptype == SL_PT_DOUBLE) {
			/* -0 bounds the minimum and +0 the maximum. */
			double a, b;
			if (c->ptype == SL_PT_FLOAT) {
				float f;
				memcpy(&f, mn, 4);
				a = f;
				memcpy(&f, mx, 4);
				b = f;
			} else {
				memcpy(&a, mn, 8);
				memcpy(&b, mx, 8);
			}
			static const uint8_t negz4[4] = {0, 0, 0, 0x80};
			static const uint8_t negz8[8] = {0, 0, 0, 0, 0, 0, 0, 0x80};
			if (a == 0)
				mn = c->ptype == SL_PT_FLOAT ? negz4 : negz8;
			if (b == 0)
				mx = zero;
		}
		if (c->ptype == SL_PT_BYTE_ARRAY) {
			if (mnl > STAT_MAX_BYTES) {
				mnl = STAT_MAX_BYTES;
				min_exact = false;
			}
			if (mxl > STAT_MAX_BYTES) {
				size_t k = STAT_MAX_BYTES;
				memcpy(maxbuf, mx, k);
				while (k > 0 && maxbuf[k - 1] == 0xff)
					k--;
				if (k == 0) {
					have_max = false;
				} else {
					maxbuf[k - 1]++;
					mx = maxbuf;
					mxl = k;
					max_exact = false;
				}
			}
		}
		if (have_max)
			sl_tc_field_bin(t, 5, mx, mxl);
		sl_tc_field_bin(t, 6, mn, mnl);
		if (have_max)
			sl_tc_field_bool(t, 7, max_exact);
		sl_tc_field_bool(t, 8, min_exact);
	}
	sl_tc_end(t);
}

void sl_pq_col_meta(struct sl_pq_col *c, struct sl_tc *t, enum sl_pq_codec codec)
{
	const struct sl_pq_leaf *l = c->leaf;
	sl_tc_begin(t, 0); /* ColumnChunk */
	sl_tc_field_i64(t, 2, (int64_t)(c->wrote_dict ? c->dict_off : c->data_off));
	sl_tc_begin(t, 3); /* ColumnMetaData */
	sl_tc_field_i32(t, 1, c->ptype);
	c->enc_mask |= 1u << ENC_RLE;
	int nenc = 0;
	for (int i = 0; i < 16; i++)
		nenc += (c->enc_mask >> i) & 1;
	sl_tc_field_list(t, 2, SL_TC_I32, (size_t)nenc);
	for (int i = 0; i < 16; i++)
		if ((c->enc_mask >> i) & 1)
			sl_tc_i32(t, i);
	sl_tc_field_list(t, 3, SL_TC_BINARY, (size_t)l->npath);
	for (int i = 0; i < l->npath; i++)
		sl_tc_bin(t, l->path[i], strlen(l->path[i]));
	sl_tc_field_i32(t, 4, (int32_t)codec);
	sl_tc_field_i64(t, 5, c->num_values);
	sl_tc_field_i64(t, 6, (int64_t)c->total_uncomp);
	sl_tc_field_i64(t, 7, (int64_t)c->total_comp);
	sl_tc_field_i64(t, 9, (int64_t)c->data_off);
	if (c->wrote_dict)
		sl_tc_field_i64(t, 11, (int64_t)c->dict_off);
	write_stats(c, t);
	sl_tc_end(t);
	sl_tc_end(t);

	/* Reset the chunk; keep buffers' memory for the next row group. */
	sl_buf_reset(&c->pages);
	sl_pq_dict_reset(&c->dict);
	c->dict_on = c->ptype != SL_PT_BOOLEAN && c->type.encoding == SL_PQ_ENC_AUTO && c->dict_max > 0;
	c->dict_full = c->dict_used = c->dict_probed = false;
	c->dict_bw = 0;
	c->dict_cap_bw = 0;
	c->num_values = c->null_count = 0;
	c->uncomp = 0;
	c->enc_mask = 0;
	c->has_minmax = c->nan_seen = false;
	c->wrote_dict = false;
}
