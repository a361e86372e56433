/* SPDX-License-Identifier: Apache-2.0
 *
 * test_encoding.c -- the Parquet writer's encoders against hand-worked
 * bytes: Thrift compact structs, the RLE/bit-packed hybrid, bit packing,
 * DELTA_BINARY_PACKED, and a column chunk whose dictionary overflows
 * (dictionary page, an RLE_DICTIONARY page, then a PLAIN page).
 */
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "parquet/column.h"
#include "parquet/delta.h"
#include "parquet/rle.h"
#include "parquet/thrift.h"
#include "lib/test.h"

static void test_thrift(void)
{
	struct sl_buf b;
	sl_buf_init(&b, 0);
	struct sl_tc t;
	sl_tc_init(&t, &b);
	sl_tc_begin(&t, 0);
	sl_tc_field_i32(&t, 1, 1);
	sl_tc_field_str(&t, 4, "ab");
	sl_tc_field_i64(&t, 20, -1);
	sl_tc_field_bool(&t, 21, true);
	sl_tc_end(&t);
	static const uint8_t want1[] = {0x15, 0x02, 0x38, 0x02, 'a', 'b', 0x06, 0x28, 0x01, 0x11, 0x00};
	is_int(t.err, SL_OK, "thrift: no error");
	is_mem(b.data, b.len, want1, sizeof want1, "thrift: short and long field headers, bool in header");

	sl_buf_reset(&b);
	sl_tc_init(&t, &b);
	sl_tc_begin(&t, 0);
	sl_tc_begin(&t, 5);
	sl_tc_field_i32(&t, 1, 300);
	sl_tc_end(&t);
	sl_tc_field_i32(&t, 6, -2);
	sl_tc_field_byte(&t, 7, -1);
	sl_tc_end(&t);
	static const uint8_t want2[] = {0x5c, 0x15, 0xd8, 0x04, 0x00, 0x15, 0x03, 0x13, 0xff, 0x00};
	is_mem(b.data, b.len, want2, sizeof want2, "thrift: nested struct restores the field-id scope");

	sl_buf_reset(&b);
	sl_tc_init(&t, &b);
	sl_tc_begin(&t, 0);
	sl_tc_field_list(&t, 1, SL_TC_I32, 3);
	for (int i = 1; i <= 3; i++)
		sl_tc_i32(&t, i);
	sl_tc_field_list(&t, 2, SL_TC_BINARY, 20);
	for (int i = 0; i < 20; i++)
		sl_tc_bin(&t, "", 0);
	sl_tc_end(&t);
	static const uint8_t want3[] = {0x19, 0x35, 0x02, 0x04, 0x06, 0x19, 0xf8, 0x14,
					0,    0,    0,    0,    0,    0,    0,    0,
					0,    0,    0,    0,    0,    0,    0,    0,
					0,    0,    0,    0,    0x00};
	is_mem(b.data, b.len, want3, sizeof want3, "thrift: short and long list headers");
	sl_buf_free(&b);
}

static void test_rle(void)
{
	struct sl_buf b;
	sl_buf_init(&b, 0);
	uint8_t ones[10];
	memset(ones, 1, sizeof ones);
	sl_pq_rle_u8(&b, ones, 10, 1);
	static const uint8_t w1[] = {0x14, 0x01};
	is_mem(b.data, b.len, w1, sizeof w1, "rle: one run");

	sl_buf_reset(&b);
	uint8_t alt[] = {0, 1, 0, 1, 0, 1, 0, 1, 1, 1};
	sl_pq_rle_u8(&b, alt, 10, 1);
	static const uint8_t w2[] = {0x05, 0xaa, 0x03};
	is_mem(b.data, b.len, w2, sizeof w2, "rle: bit-packed, last group padded");

	sl_buf_reset(&b);
	uint32_t mix[] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 1, 0};
	sl_pq_rle_u32(&b, mix, 15, 2);
	static const uint8_t w3[] = {0x18, 0x02, 0x03, 0x07, 0x00};
	is_mem(b.data, b.len, w3, sizeof w3, "rle: run then literal");

	sl_buf_reset(&b);
	uint32_t noalign[13] = {1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4};
	sl_pq_rle_u32(&b, noalign, 13, 3);
	static const uint8_t w4[] = {0x05, 0xd1, 0x48, 0x92, 0x24, 0x49, 0x00};
	is_mem(b.data, b.len, w4, sizeof w4, "rle: a run too short to align stays literal");

	sl_buf_reset(&b);
	uint32_t align[16] = {1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4};
	sl_pq_rle_u32(&b, align, 16, 3);
	static const uint8_t w5[] = {0x03, 0xd1, 0x48, 0x92, 0x10, 0x04};
	is_mem(b.data, b.len, w5, sizeof w5, "rle: literal padded from the run, then the run");

	/* 1000 alternating values: literal chunks of 63 groups (504 values). */
	sl_buf_reset(&b);
	uint8_t many[1000];
	for (int i = 0; i < 1000; i++)
		many[i] = (uint8_t)(i & 1);
	sl_pq_rle_u8(&b, many, 1000, 1);
	is_int(b.len, 1 + 63 + 1 + 62, "rle: long literal split in one-byte-header chunks");
	is_int((uint8_t)b.data[0], 63 << 1 | 1, "rle: first chunk header");
	is_int((uint8_t)b.data[64], 62 << 1 | 1, "rle: second chunk header");

	is_int(sl_pq_bit_width(0), 0, "bit width 0");
	is_int(sl_pq_bit_width(1), 1, "bit width 1");
	is_int(sl_pq_bit_width(255), 8, "bit width 255");
	is_int(sl_pq_bit_width(256), 9, "bit width 256");
	is_int(sl_pq_bit_width(UINT64_MAX), 64, "bit width max");

	sl_buf_reset(&b);
	uint64_t v64[2] = {UINT64_MAX, 1};
	sl_pq_bitpack(&b, v64, 2, 64);
	static const uint8_t w6[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 0, 0, 0, 0};
	is_mem(b.data, b.len, w6, sizeof w6, "bitpack: 64-bit values");
	sl_buf_free(&b);
}

static void test_delta(void)
{
	struct sl_buf b;
	sl_buf_init(&b, 0);
	int64_t a[] = {1, 2, 3, 4, 5};
	sl_pq_delta_encode(&b, a, 5, true);
	static const uint8_t w1[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0};
	is_mem(b.data, b.len, w1, sizeof w1, "delta: constant step packs to width 0");
	is_int(sl_pq_delta_size(a, 5, true), sizeof w1, "delta: size prediction");

	sl_buf_reset(&b);
	int32_t c[] = {7, 5, 3, 1, 2};
	sl_pq_delta_encode(&b, c, 5, false);
	static const uint8_t w2[] = {0x80, 0x01, 0x04, 0x05, 0x0e, 0x03, 0x02, 0, 0, 0,
				     0xc0, 0,    0,    0,    0,    0,    0,    0};
	is_mem(b.data, b.len, w2, sizeof w2, "delta: negative min delta, one miniblock");
	is_int(sl_pq_delta_size(c, 5, false), sizeof w2, "delta: size prediction 2");

	sl_buf_reset(&b);
	int64_t x[] = {INT64_MAX, INT64_MIN};
	sl_pq_delta_encode(&b, x, 2, true);
	static const uint8_t w3[] = {0x80, 0x01, 0x04, 0x02, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff,
				     0xff, 0xff, 0xff, 0x01, 0x02, 0,    0,    0,    0};
	is_mem(b.data, b.len, w3, sizeof w3, "delta: wrapping delta between extremes");

	sl_buf_reset(&b);
	sl_pq_delta_encode(&b, x, 0, true);
	static const uint8_t w4[] = {0x80, 0x01, 0x04, 0x00, 0x00};
	is_mem(b.data, b.len, w4, sizeof w4, "delta: no values");
	sl_buf_free(&b);
}

static enum sl_err to_buf(void *ctx, const void *p, size_t n, struct sl_errbuf *eb)
{
	(void)eb;
	return sl_buf_append(ctx, p, n);
}

static void test_dict_fallback(void)
{
	struct sl_pq_leaf leaf = {0};
	leaf.ptype = SL_PT_INT32;
	leaf.npath = 1;
	leaf.path[0] = "x";
	struct sl_pq_type ty = {.kind = SL_PQ_INT32};
	struct sl_pq_options o;
	sl_pq_options_default(&o);
	o.page_bytes = 1 << 20;
	o.dict_max_bytes = 8; /* the third distinct value overflows it */
	struct sl_pq_col c;
	sl_pq_col_init(&c, &leaf, &ty, &o);
	struct sl_pq_codec_ctx z;
	struct sl_errbuf eb;
	sl_pq_codec_init(&z, SL_PQ_UNCOMPRESSED, 0, &eb);
	struct sl_buf scratch[2], file;
	sl_buf_init(&scratch[0], 0);
	sl_buf_init(&scratch[1], 0);
	sl_buf_init(&file, 0);
	int32_t vals[] = {1, 1, 2, 2, 1, 3, 3, 3};
	bool closed = false;
	enum sl_err e = SL_OK;
	for (int i = 0; i < 8 && !e; i++) {
		e = sl_pq_col_levels(&c, 0, 0);
		if (!e)
			e = sl_pq_col_put(&c, &vals[i], 4);
		if (!e)
			e = sl_pq_col_row_done(&c, &z, scratch, &closed, &eb);
	}
	is_int(e, SL_OK, "dict: rows buffered");
	struct sl_pq_out out = {to_buf, &file, 0};
	is_int(sl_pq_col_write(&c, &z, scratch, &out, &eb), SL_OK, "dict: chunk written");
	static const uint8_t want[] = {
		/* dictionary page: header, then 1, 2, 3 PLAIN */
		0x15, 0x04, 0x15, 0x18, 0x15, 0x18, 0x4c, 0x15, 0x06, 0x15, 0x00, 0x00, 0x00,
		1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0,
		/* data page 1: RLE_DICTIONARY, 6 values, bit width 2 */
		0x15, 0x00, 0x15, 0x08, 0x15, 0x08, 0x2c, 0x15, 0x0c, 0x15, 0x10, 0x15, 0x06, 0x15,
		0x06, 0x00, 0x00,
		0x02, 0x03, 0x50, 0x08,
		/* data page 2: PLAIN after the fallback, 2 values */
		0x15, 0x00, 0x15, 0x10, 0x15, 0x10, 0x2c, 0x15, 0x04, 0x15, 0x00, 0x15, 0x06, 0x15,
		0x06, 0x00, 0x00,
		3, 0, 0, 0, 3, 0, 0, 0};
	is_mem(file.data, file.len, want, sizeof want, "dict: dictionary page, dict page, plain page");
	is_int(c.dict_off, 0, "dict: dictionary page offset");
	is_int(c.data_off, 25, "dict: first data page offset");
	ok(c.has_minmax, "dict: statistics collected");
	int32_t mn, mx;
	memcpy(&mn, c.min.data, 4);
	memcpy(&mx, c.max.data, 4);
	is_int(mn, 1, "dict: min");
	is_int(mx, 3, "dict: max");

	/* A dictionary that does not pay on its first page is dropped. */
	struct sl_pq_col u;
	o.dict_max_bytes = 1 << 20;
	sl_pq_col_init(&u, &leaf, &ty, &o);
	static const int32_t uniq[4] = {17, -1000000, 5, 123456789}; /* delta does not pay */
	for (int i = 0; i < 4; i++) {
		int32_t v = uniq[i];
		sl_pq_col_levels(&u, 0, 0);
		sl_pq_col_put(&u, &v, 4);
		sl_pq_col_row_done(&u, &z, scratch, &closed, &eb);
	}
	sl_buf_reset(&file);
	out.off = 0;
	is_int(sl_pq_col_write(&u, &z, scratch, &out, &eb), SL_OK, "no dict: chunk written");
	ok(!u.wrote_dict, "no dict: no dictionary page for unique values");
	static const uint8_t want2[] = {0x15, 0x00, 0x15, 0x20, 0x15, 0x20, 0x2c, 0x15, 0x08,
					0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00};
	ok(file.len == sizeof want2 + 16 && memcmp(file.data, want2, sizeof want2) == 0,
	   "no dict: one PLAIN page of 4 values");
	sl_pq_col_free(&u);

	sl_pq_col_free(&c);
	sl_pq_codec_free(&z);
	sl_buf_free(&scratch[0]);
	sl_buf_free(&scratch[1]);
	sl_buf_free(&file);
}

int main(void)
{
	test_thrift();
	test_rle();
	test_delta();
	test_dict_fallback();
	return t_done();
}
