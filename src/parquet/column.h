/* SPDX-License-Identifier: Apache-2.0
 *
 * column.h -- one leaf column's chunk encoder (internal to src/parquet).
 *
 * The writer pushes levels and values row by row; the column builds the
 * current page (levels as bytes, values as dictionary ids or PLAIN bytes),
 * closes pages into a buffer of finished, compressed pages, and at row-
 * group flush writes the dictionary page and the data pages through the
 * output, then serializes its ColumnChunk metadata.  Values arrive in a
 * canonical byte form: INT32/FLOAT 4 bytes LE, INT64/DOUBLE 8 bytes LE,
 * BOOLEAN 1 byte, BYTE_ARRAY the raw bytes, FLBA the fixed bytes.
 *
 * Dictionary policy: start in dictionary mode (unless the type says
 * otherwise); when the dictionary passes its limit, the page is closed at
 * the next row boundary and the rest of the chunk is PLAIN (or DELTA for
 * integers when smaller).  If the very first page already shows the
 * dictionary does not pay, that page is re-encoded PLAIN and no
 * dictionary page is written at all.
 *
 * The column owns all its buffers; sl_pq_col_free() releases them.
 */
#ifndef SL_PARQUET_COLUMN_H
#define SL_PARQUET_COLUMN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "parquet/codec.h"
#include "parquet/dict.h"
#include "parquet/parquet.h"
#include "parquet/schema.h"
#include "parquet/thrift.h"

/* Where finished bytes go: the writer's callback plus the file offset. */
struct sl_pq_out {
	sl_pq_write_fn fn;
	void *ctx;
	uint64_t off;
};

enum sl_err sl_pq_out_write(struct sl_pq_out *o, const void *p, size_t n, struct sl_errbuf *eb);

struct sl_pq_bytes {
	uint8_t *p;
	size_t n, cap;
};

struct sl_pq_col {
	const struct sl_pq_leaf *leaf;
	struct sl_pq_type type;
	int ptype, width; /* width: fixed value size, 0 for BYTE_ARRAY */
	size_t page_bytes, dict_max;

	/* Current page. */
	struct sl_pq_bytes def, rep;
	uint32_t *idx;
	size_t nidx, capidx;
	struct sl_buf vals;      /* PLAIN bytes (booleans: one byte each) */
	size_t page_levels;      /* level entries (values + nulls) */
	size_t page_nonnull;
	size_t page_plain;       /* PLAIN size of the page's values */

	/* Chunk. */
	bool dict_on, dict_full, dict_used;
	bool dict_probed;  /* the early look at the first page was taken */
	int dict_bw;             /* bit width of the largest id */
	uint32_t dict_cap_bw;    /* entries representable in dict_bw bits */
	struct sl_pq_dict dict;
	struct sl_buf pages;     /* headers + compressed bodies */
	int64_t num_values, null_count;
	uint64_t uncomp;         /* headers + uncompressed bodies */
	unsigned enc_mask;       /* 1 << encoding id */
	bool has_minmax, nan_seen;
	struct sl_buf min, max;

	/* Filled by sl_pq_col_write for the metadata. */
	uint64_t dict_off, data_off, total_comp, total_uncomp;
	bool wrote_dict;
};

enum sl_err sl_pq_col_init(struct sl_pq_col *c, const struct sl_pq_leaf *leaf,
			   const struct sl_pq_type *type, const struct sl_pq_options *o);
void sl_pq_col_free(struct sl_pq_col *c);

/* Push one level entry (with a value to follow when def == max_def). */
enum sl_err sl_pq_col_levels(struct sl_pq_col *c, int def, int rep);
/* Push one non-null value in canonical form. */
enum sl_err sl_pq_col_put(struct sl_pq_col *c, const void *p, size_t n);
/* After each row: cut the page if it is full or the dictionary overflowed
 * (then *closed is set; it is never cleared here). */
enum sl_err sl_pq_col_row_done(struct sl_pq_col *c, struct sl_pq_codec_ctx *z,
			       struct sl_buf scratch[2], bool *closed, struct sl_errbuf *eb);
/* Bytes held for this chunk (finished pages, dictionary, current page). */
size_t sl_pq_col_buffered(const struct sl_pq_col *c);
/* Close the page, write the chunk through `out`, keep offsets for meta. */
enum sl_err sl_pq_col_write(struct sl_pq_col *c, struct sl_pq_codec_ctx *z,
			    struct sl_buf scratch[2], struct sl_pq_out *out, struct sl_errbuf *eb);
/* Serialize the ColumnChunk struct (as a list element), then reset the
 * chunk for the next row group. */
void sl_pq_col_meta(struct sl_pq_col *c, struct sl_tc *t, enum sl_pq_codec codec);

#endif
