/* SPDX-License-Identifier: Apache-2.0
 *
 * thrift.c -- Thrift compact protocol writer (see thrift.h).
 *
 * Integers are zigzag varints; a field header is one byte
 * (delta << 4 | type) when the id is 1..15 above the previous one, else
 * the type byte and the id as a zigzag varint.  Booleans live in the type
 * nibble of the header.  The top-level struct is opened with
 * sl_tc_begin(t, 0) like list elements: no header, just a new id scope.
 */
#include "parquet/thrift.h"

void sl_tc_init(struct sl_tc *t, struct sl_buf *out)
{
	t->out = out;
	t->depth = 0;
	t->last[0] = 0;
	t->err = SL_OK;
}

static void put(struct sl_tc *t, const void *p, size_t n)
{
	if (t->err)
		return;
	t->err = sl_buf_append(t->out, p, n);
}

void sl_tc_varint(struct sl_tc *t, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;
	while (v >= 0x80) {
		b[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (uint8_t)v;
	put(t, b, n);
}

static uint64_t zz(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

void sl_tc_field(struct sl_tc *t, int16_t id, int type)
{
	int16_t *last = &t->last[t->depth];
	int delta = id - *last;
	if (delta > 0 && delta <= 15) {
		uint8_t b = (uint8_t)(delta << 4 | type);
		put(t, &b, 1);
	} else {
		uint8_t b = (uint8_t)type;
		put(t, &b, 1);
		sl_tc_varint(t, zz(id));
	}
	*last = id;
}

void sl_tc_field_i32(struct sl_tc *t, int16_t id, int32_t v)
{
	sl_tc_field(t, id, SL_TC_I32);
	sl_tc_varint(t, zz(v));
}

void sl_tc_field_i64(struct sl_tc *t, int16_t id, int64_t v)
{
	sl_tc_field(t, id, SL_TC_I64);
	sl_tc_varint(t, zz(v));
}

void sl_tc_field_byte(struct sl_tc *t, int16_t id, int8_t v)
{
	sl_tc_field(t, id, SL_TC_BYTE);
	uint8_t b = (uint8_t)v;
	put(t, &b, 1);
}

void sl_tc_field_bool(struct sl_tc *t, int16_t id, bool v)
{
	sl_tc_field(t, id, v ? SL_TC_BOOL_TRUE : SL_TC_BOOL_FALSE);
}

void sl_tc_bin(struct sl_tc *t, const void *p, size_t n)
{
	sl_tc_varint(t, n);
	put(t, p, n);
}

void sl_tc_field_bin(struct sl_tc *t, int16_t id, const void *p, size_t n)
{
	sl_tc_field(t, id, SL_TC_BINARY);
	sl_tc_bin(t, p, n);
}

void sl_tc_field_str(struct sl_tc *t, int16_t id, const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	sl_tc_field_bin(t, id, s, n);
}

void sl_tc_begin(struct sl_tc *t, int16_t id)
{
	if (id)
		sl_tc_field(t, id, SL_TC_STRUCT);
	if (t->depth + 1 >= SL_TC_MAX_DEPTH) {
		if (!t->err)
			t->err = SL_ERR_TOO_LARGE;
		return;
	}
	t->last[++t->depth] = 0;
}

void sl_tc_end(struct sl_tc *t)
{
	uint8_t stop = 0;
	put(t, &stop, 1);
	if (t->depth > 0)
		t->depth--;
}

void sl_tc_field_list(struct sl_tc *t, int16_t id, int elem, size_t n)
{
	sl_tc_field(t, id, SL_TC_LIST);
	if (n < 15) {
		uint8_t b = (uint8_t)(n << 4 | (size_t)elem);
		put(t, &b, 1);
	} else {
		uint8_t b = (uint8_t)(0xf0 | elem);
		put(t, &b, 1);
		sl_tc_varint(t, n);
	}
}

void sl_tc_i32(struct sl_tc *t, int32_t v)
{
	sl_tc_varint(t, zz(v));
}
