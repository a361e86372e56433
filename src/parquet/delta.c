/* SPDX-License-Identifier: Apache-2.0
 *
 * delta.c -- DELTA_BINARY_PACKED encoder (see delta.h).
 *
 * Header: <block size 128> <miniblocks 4> <total count> <first value,
 * zigzag>, all ULEB128.  Each block: <min delta, zigzag> <4 bit-width
 * bytes> then the miniblocks, each 32 values of (delta - min delta)
 * bit-packed; miniblocks after the last value are not written (their
 * width bytes are 0), the last written one is zero-padded to 32 values.
 */
#include "parquet/delta.h"

#include <string.h>

#include "parquet/rle.h"

#define BLOCK 128
#define MINI 32

static inline uint64_t load(const void *v, size_t i, bool is64)
{
	if (is64) {
		int64_t x;
		memcpy(&x, (const char *)v + 8 * i, 8);
		return (uint64_t)x;
	}
	int32_t x;
	memcpy(&x, (const char *)v + 4 * i, 4);
	return (uint64_t)(uint32_t)x;
}

/* Deltas of block [start, start+cnt) (cnt <= 128), reduced by the block
 * minimum, in `d`; returns the minimum as a signed value. */
static int64_t block_deltas(const void *v, size_t start, size_t cnt, bool is64, uint64_t *d)
{
	int64_t min = 0;
	for (size_t i = 0; i < cnt; i++) {
		uint64_t cur = load(v, start + i, is64), prev = load(v, start + i - 1, is64);
		int64_t delta = is64 ? (int64_t)(cur - prev) : (int64_t)(int32_t)(uint32_t)(cur - prev);
		d[i] = (uint64_t)delta;
		if (i == 0 || delta < min)
			min = delta;
	}
	uint64_t mask = is64 ? UINT64_MAX : UINT32_MAX;
	for (size_t i = 0; i < cnt; i++)
		d[i] = (d[i] - (uint64_t)min) & mask;
	return min;
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static uint64_t zz(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t first_value(const void *v, bool is64)
{
	uint64_t f = load(v, 0, is64);
	return is64 ? (int64_t)f : (int64_t)(int32_t)(uint32_t)f;
}

/* Walk the blocks; with out NULL only count bytes. */
static enum sl_err run(struct sl_buf *out, const void *v, size_t n, bool is64, size_t *size)
{
	uint8_t hdr[40];
	size_t h = 0;
	uint64_t fields[4] = {BLOCK, BLOCK / MINI, n, n ? zz(first_value(v, is64)) : 0};
	for (int f = 0; f < 4; f++) {
		uint64_t x = fields[f];
		while (x >= 0x80) {
			hdr[h++] = (uint8_t)(x | 0x80);
			x >>= 7;
		}
		hdr[h++] = (uint8_t)x;
	}
	enum sl_err e;
	size_t total = h;
	if (out && (e = sl_buf_append(out, hdr, h)))
		return e;
	uint64_t d[BLOCK];
	for (size_t start = 1; start < n; start += BLOCK) {
		size_t cnt = n - start < BLOCK ? n - start : BLOCK;
		int64_t min = block_deltas(v, start, cnt, is64, d);
		uint8_t widths[BLOCK / MINI] = {0};
		size_t nmini = (cnt + MINI - 1) / MINI;
		for (size_t m = 0; m < nmini; m++) {
			uint64_t mx = 0;
			for (size_t i = m * MINI; i < cnt && i < (m + 1) * MINI; i++)
				mx |= d[i];
			widths[m] = (uint8_t)sl_pq_bit_width(mx);
		}
		total += varint_len(zz(min)) + sizeof widths;
		for (size_t m = 0; m < nmini; m++)
			total += (size_t)widths[m] * MINI / 8;
		if (!out)
			continue;
		uint8_t mb[10];
		size_t k = 0;
		uint64_t x = zz(min);
		while (x >= 0x80) {
			mb[k++] = (uint8_t)(x | 0x80);
			x >>= 7;
		}
		mb[k++] = (uint8_t)x;
		if ((e = sl_buf_append(out, mb, k)) || (e = sl_buf_append(out, widths, sizeof widths)))
			return e;
		for (size_t m = 0; m < nmini; m++) {
			uint64_t tmp[MINI];
			for (size_t i = 0; i < MINI; i++) {
				size_t j = m * MINI + i;
				tmp[i] = j < cnt ? d[j] : 0;
			}
			if ((e = sl_pq_bitpack(out, tmp, MINI, widths[m])))
				return e;
		}
	}
	if (size)
		*size = total;
	return SL_OK;
}

enum sl_err sl_pq_delta_encode(struct sl_buf *out, const void *v, size_t n, bool is64)
{
	return run(out, v, n, is64, NULL);
}

size_t sl_pq_delta_size(const void *v, size_t n, bool is64)
{
	size_t s = 0;
	run(NULL, v, n, is64, &s);
	return s;
}
