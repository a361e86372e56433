/* SPDX-License-Identifier: Apache-2.0
 *
 * thrift.h -- the Thrift compact protocol, write side only, for Parquet
 * metadata (FileMetaData, PageHeader...).
 *
 * Fields are written in increasing id order within a struct; the encoder
 * keeps the last field id per open struct (a small stack) to emit the
 * short delta form.  Errors (out of memory, nesting too deep) stick: the
 * first one is kept in `err` and later calls do nothing, so callers write
 * a whole structure and check once at the end.  The bytes go to a
 * caller-owned struct sl_buf.
 */
#ifndef SL_PARQUET_THRIFT_H
#define SL_PARQUET_THRIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

/* Compact protocol type ids. */
enum {
	SL_TC_BOOL_TRUE = 1,
	SL_TC_BOOL_FALSE = 2,
	SL_TC_BYTE = 3,
	SL_TC_I16 = 4,
	SL_TC_I32 = 5,
	SL_TC_I64 = 6,
	SL_TC_DOUBLE = 7,
	SL_TC_BINARY = 8,
	SL_TC_LIST = 9,
	SL_TC_SET = 10,
	SL_TC_MAP = 11,
	SL_TC_STRUCT = 12
};

#define SL_TC_MAX_DEPTH 16

struct sl_tc {
	struct sl_buf *out;             /* borrowed */
	int16_t last[SL_TC_MAX_DEPTH];  /* last field id per open struct */
	int depth;
	enum sl_err err;
};

void sl_tc_init(struct sl_tc *t, struct sl_buf *out);

void sl_tc_varint(struct sl_tc *t, uint64_t v);
void sl_tc_field(struct sl_tc *t, int16_t id, int type);
void sl_tc_field_i32(struct sl_tc *t, int16_t id, int32_t v);
void sl_tc_field_i64(struct sl_tc *t, int16_t id, int64_t v);
void sl_tc_field_byte(struct sl_tc *t, int16_t id, int8_t v);
void sl_tc_field_bool(struct sl_tc *t, int16_t id, bool v);
void sl_tc_field_bin(struct sl_tc *t, int16_t id, const void *p, size_t n);
void sl_tc_field_str(struct sl_tc *t, int16_t id, const char *s);
/* Open a struct-typed field (or, with id 0, a struct element of a list or
 * the top-level struct); close with sl_tc_end(). */
void sl_tc_begin(struct sl_tc *t, int16_t id);
void sl_tc_end(struct sl_tc *t);
/* A list field header: n elements of compact type `elem` follow. */
void sl_tc_field_list(struct sl_tc *t, int16_t id, int elem, size_t n);
/* Bare elements, inside lists. */
void sl_tc_i32(struct sl_tc *t, int32_t v);
void sl_tc_bin(struct sl_tc *t, const void *p, size_t n);

#endif
