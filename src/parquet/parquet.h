/* SPDX-License-Identifier: Apache-2.0
 *
 * parquet.h -- a streaming Parquet writer: declare a schema, append typed
 * rows, close.  Output leaves through a write callback (a local file, an S3
 * multipart upload), in order, never seeking back.
 *
 * Model.  A schema is a tree of nodes under an implicit root.  Groups are
 * structs (required or optional); leaves are typed columns; a LIST node is
 * the standard three-level Parquet list of one primitive element type (for
 * PostgreSQL arrays).  Every leaf has a column index (0, 1, 2... in
 * declaration order) used to set its value in the current row.
 *
 * Rows.  For each row, set every leaf column once (value or null), mark
 * optional groups null with sl_pq_set_group_null() (leaves under a null
 * group are then left unset), then call sl_pq_row_end().  A LIST column is
 * opened with sl_pq_list_begin() and each sl_pq_set_*() call then appends
 * one element (sl_pq_set_null() appends a null element); sl_pq_set_null()
 * on a list that was not begun makes the whole list null.  Values are
 * staged and checked: a wrong type, a missing or doubled column, or a
 * value that does not fit returns SL_ERR_ARG and leaves the file untouched
 * (the staged row is dropped at the failed sl_pq_row_end(), or explicitly
 * with sl_pq_row_discard()).  Calls after close return SL_ERR_STATE.
 *
 * Memory.  Column chunks are buffered (compressed, page by page) until the
 * row group's uncompressed size reaches opts.row_group_bytes, then written
 * out; pages are cut at about opts.page_bytes (or 128Ki values).  Memory
 * is bounded by those numbers and the largest single value, not by the
 * row count.
 *
 * Encodings.  Levels use the RLE/bit-packed hybrid.  Values start with a
 * dictionary (RLE_DICTIONARY) and fall back to PLAIN when the dictionary
 * passes opts.dict_max_bytes or does not pay; INT32/INT64 pages that fell
 * back use DELTA_BINARY_PACKED when it is smaller.  BOOLEAN is PLAIN.
 * Statistics (null_count, min/max in the order of the logical type; no
 * min/max from NaN) are written for every column chunk.
 *
 * Ownership.  The schema is built by the caller and handed to
 * sl_pq_writer_open(), which takes it over in all cases (freed by
 * sl_pq_writer_free(), or on a failed open).  Byte values passed to the
 * setters are copied.  Thread safety: none; one writer per thread.
 */
#ifndef SL_PARQUET_PARQUET_H
#define SL_PARQUET_PARQUET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Physical + logical type of a leaf, as one choice. */
enum sl_pq_kind {
	SL_PQ_BOOLEAN,        /* BOOLEAN */
	SL_PQ_INT8,           /* INT32, INT(8, signed) */
	SL_PQ_INT16,          /* INT32, INT(16, signed) */
	SL_PQ_INT32,          /* INT32, INT(32, signed) */
	SL_PQ_INT64,          /* INT64, INT(64, signed) */
	SL_PQ_FLOAT,          /* FLOAT */
	SL_PQ_DOUBLE,         /* DOUBLE */
	SL_PQ_STRING,         /* BYTE_ARRAY, STRING (UTF-8) */
	SL_PQ_JSON,           /* BYTE_ARRAY, JSON */
	SL_PQ_ENUM,           /* BYTE_ARRAY, ENUM */
	SL_PQ_BYTES,          /* BYTE_ARRAY, no logical type (bytea) */
	SL_PQ_UUID,           /* FIXED_LEN_BYTE_ARRAY(16), UUID */
	SL_PQ_DECIMAL,        /* INT32 (p<=9), INT64 (p<=18) or FLBA (p<=38) */
	SL_PQ_DATE,           /* INT32, days since 1970-01-01 */
	SL_PQ_TIME_MICROS,    /* INT64, microseconds since midnight, not UTC-adjusted */
	SL_PQ_TIMESTAMP_MICROS, /* INT64, microseconds since 1970 (see utc) */
	SL_PQ_KIND__COUNT
};

/* How a leaf's values are encoded.  AUTO is right almost always; the
 * others force one encoding (tests, or columns known to be unique). */
enum sl_pq_encoding {
	SL_PQ_ENC_AUTO = 0, /* dictionary, falling back to PLAIN / DELTA */
	SL_PQ_ENC_PLAIN,    /* PLAIN only */
	SL_PQ_ENC_DELTA     /* DELTA_BINARY_PACKED (INT32/INT64 physical only) */
};

enum sl_pq_codec {
	SL_PQ_UNCOMPRESSED = 0,
	SL_PQ_SNAPPY = 1,
	SL_PQ_GZIP = 2,
	SL_PQ_ZSTD = 6 /* the default */
};

/* A leaf's type.  Zero-initialise and set kind (and what it needs). */
struct sl_pq_type {
	enum sl_pq_kind kind;
	int precision;      /* DECIMAL: 1..38 */
	int scale;          /* DECIMAL: 0..precision */
	bool utc;           /* TIMESTAMP_MICROS: isAdjustedToUTC (timestamptz) */
	enum sl_pq_encoding encoding;
};

struct sl_pq_schema;

/* Node ids: 0 is the root; groups and lists get ids > 0. */
#define SL_PQ_ROOT 0

struct sl_pq_schema *sl_pq_schema_new(void); /* NULL on out of memory */
void sl_pq_schema_free(struct sl_pq_schema *s); /* NULL is a no-op */

/* A struct under `parent` (SL_PQ_ROOT or a group id).  *group gets its id. */
enum sl_err sl_pq_schema_add_group(struct sl_pq_schema *s, int parent, const char *name,
				   bool optional, int *group, struct sl_errbuf *eb);
/* A primitive leaf under `parent`.  *col gets its column index. */
enum sl_err sl_pq_schema_add_column(struct sl_pq_schema *s, int parent, const char *name,
				    const struct sl_pq_type *type, bool optional, int *col,
				    struct sl_errbuf *eb);
/* A LIST of `elem` under `parent`: `<opt> group name (LIST) { repeated group
 * list { <elem_optional> elem element; } }`.  *col gets the element's
 * column index.  Lists do not nest. */
enum sl_err sl_pq_schema_add_list(struct sl_pq_schema *s, int parent, const char *name,
				  bool optional, const struct sl_pq_type *elem,
				  bool elem_optional, int *col, struct sl_errbuf *eb);
int sl_pq_schema_ncols(const struct sl_pq_schema *s);

/* Where bytes go.  Called in file order; a failure stops the writer. */
typedef enum sl_err (*sl_pq_write_fn)(void *ctx, const void *data, size_t len,
				      struct sl_errbuf *eb);

/* Start from sl_pq_options_default() and change what you need.  A zero
 * row_group_bytes or page_bytes takes the default; dict_max_bytes 0 turns
 * dictionaries off; codec 0 is UNCOMPRESSED. */
struct sl_pq_options {
	enum sl_pq_codec codec;
	int level;               /* codec level; 0 = codec default (zstd 3, gzip 6) */
	size_t row_group_bytes;  /* flush a row group past this many (uncompressed) bytes */
	size_t page_bytes;       /* cut a page past this many bytes (about 1 MiB) */
	size_t dict_max_bytes;   /* fall back to PLAIN past this dictionary size */
	const char *created_by;  /* default "sluice version <SL_PQ_VERSION>" */
};

#define SL_PQ_VERSION "0.1.0"

/* ZSTD (level 3), 64 MiB row groups, 1 MiB pages, 1 MiB dictionaries. */
void sl_pq_options_default(struct sl_pq_options *o);

struct sl_pq_writer;

/* Start a file (writes "PAR1" on the first flush).  Takes over `schema`.
 * opts NULL means defaults. */
enum sl_err sl_pq_writer_open(struct sl_pq_writer **w, struct sl_pq_schema *schema,
			      const struct sl_pq_options *opts, sl_pq_write_fn write,
			      void *ctx, struct sl_errbuf *eb);

/* Row building (see the header comment). */
enum sl_err sl_pq_set_null(struct sl_pq_writer *w, int col, struct sl_errbuf *eb);
enum sl_err sl_pq_set_bool(struct sl_pq_writer *w, int col, bool v, struct sl_errbuf *eb);
/* Integers for INT8..INT64, DATE (days), TIME/TIMESTAMP (micros), and the
 * unscaled value of a DECIMAL; range-checked against the column. */
enum sl_err sl_pq_set_int(struct sl_pq_writer *w, int col, int64_t v, struct sl_errbuf *eb);
enum sl_err sl_pq_set_float(struct sl_pq_writer *w, int col, float v, struct sl_errbuf *eb);
enum sl_err sl_pq_set_double(struct sl_pq_writer *w, int col, double v, struct sl_errbuf *eb);
/* STRING/JSON/ENUM/BYTES (any length up to 2 GiB - 1) or UUID (16 bytes).
 * STRING/JSON/ENUM must be valid UTF-8 (readers reject anything else);
 * declare BYTES for text of unknown encoding. */
enum sl_err sl_pq_set_bytes(struct sl_pq_writer *w, int col, const void *p, size_t n,
			    struct sl_errbuf *eb);
/* A DECIMAL from its text ("-123.45", PostgreSQL numeric output).  Fewer
 * fraction digits than the scale are padded; more, or too many integer
 * digits, are SL_ERR_ARG (never rounded).  "NaN"/"Infinity" are SL_ERR_ARG. */
enum sl_err sl_pq_set_decimal_text(struct sl_pq_writer *w, int col, const char *s, size_t n,
				   struct sl_errbuf *eb);
/* A DECIMAL from its unscaled 128-bit two's-complement value. */
enum sl_err sl_pq_set_decimal128(struct sl_pq_writer *w, int col, int64_t hi, uint64_t lo,
				 struct sl_errbuf *eb);
/* Mark an optional group null for this row. */
enum sl_err sl_pq_set_group_null(struct sl_pq_writer *w, int group, struct sl_errbuf *eb);
/* Open the LIST of column `col` (empty until elements are set). */
enum sl_err sl_pq_list_begin(struct sl_pq_writer *w, int col, struct sl_errbuf *eb);
/* Commit the staged row.  May flush a row group through the callback. */
enum sl_err sl_pq_row_end(struct sl_pq_writer *w, struct sl_errbuf *eb);
/* Drop the staged row. */
void sl_pq_row_discard(struct sl_pq_writer *w);

/* Add a key_value_metadata entry (before close). */
enum sl_err sl_pq_writer_kv(struct sl_pq_writer *w, const char *key, const char *value,
			    struct sl_errbuf *eb);
/* Write the buffered rows as a row group now (no-op when empty). */
enum sl_err sl_pq_writer_flush(struct sl_pq_writer *w, struct sl_errbuf *eb);
/* Flush, write the footer.  Afterwards only sl_pq_writer_free() is valid.
 * A file with 0 rows is valid (schema only). */
enum sl_err sl_pq_writer_close(struct sl_pq_writer *w, struct sl_errbuf *eb);
void sl_pq_writer_free(struct sl_pq_writer *w); /* NULL is a no-op */

uint64_t sl_pq_writer_rows(const struct sl_pq_writer *w);     /* rows committed */
uint64_t sl_pq_writer_offset(const struct sl_pq_writer *w);   /* bytes handed to write */
size_t sl_pq_writer_buffered(const struct sl_pq_writer *w);   /* bytes held for the row group */

#endif
