/* SPDX-License-Identifier: Apache-2.0
 *
 * rle.c -- RLE / bit-packed hybrid encoder (see rle.h).
 *
 * Scan for runs.  A run of >= 8 equal values becomes an RLE run once the
 * pending literal values are a multiple of 8 (values are borrowed from
 * the run's head to pad them); shorter runs join the literal (bit-packed)
 * section.  Literal sections are emitted in chunks of at most 63 groups so
 * every header fits one byte, as most writers do.
 */
#include "parquet/rle.h"

#include <string.h>

int sl_pq_bit_width(uint64_t max)
{
	int w = 0;
	while (max) {
		w++;
		max >>= 1;
	}
	return w;
}

enum sl_err sl_pq_bitpack(struct sl_buf *out, const uint64_t *v, size_t n, int bw)
{
	size_t nbytes = (n * (size_t)bw + 7) / 8;
	enum sl_err e = sl_buf_reserve(out, nbytes);
	if (e)
		return e;
	uint8_t *p = (uint8_t *)out->data + out->len;
	if (bw <= 56) {
		/* Accumulate in 64 bits: fewer than 8 pending bits plus a value
		 * of at most 56 bits always fit. */
		uint64_t mask = bw == 0 ? 0 : (UINT64_C(1) << bw) - 1, acc = 0;
		int bits = 0;
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			acc |= (v[i] & mask) << bits;
			bits += bw;
			while (bits >= 8) {
				p[k++] = (uint8_t)acc;
				acc >>= 8;
				bits -= 8;
			}
		}
		if (bits > 0)
			p[k++] = (uint8_t)acc;
	} else {
		memset(p, 0, nbytes);
		size_t bit = 0;
		for (size_t i = 0; i < n; i++) {
			uint64_t x = bw == 64 ? v[i] : v[i] & ((UINT64_C(1) << bw) - 1);
			int left = bw;
			while (left > 0) {
				size_t byte = bit >> 3;
				int off = (int)(bit & 7);
				int take = 8 - off < left ? 8 - off : left;
				p[byte] |= (uint8_t)((x & ((1u << take) - 1)) << off);
				x >>= take;
				left -= take;
				bit += (size_t)take;
			}
		}
	}
	out->len += nbytes;
	out->data[out->len] = 0;
	return SL_OK;
}

static enum sl_err put_varint(struct sl_buf *out, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;
	while (v >= 0x80) {
		b[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (uint8_t)v;
	return sl_buf_append(out, b, n);
}

static inline uint32_t get(const void *v, int u8, size_t i)
{
	return u8 ? ((const uint8_t *)v)[i] : ((const uint32_t *)v)[i];
}

/* Bit-pack values [from, from+n) in chunks of <= 504 (63 groups), padding
 * the last group with zeros: only the stream's final literal may be
 * padded, so callers pass multiples of 8 except at the end. */
static enum sl_err emit_literal(struct sl_buf *out, const void *v, int u8, size_t from,
				size_t n, int bw)
{
	uint64_t tmp[504];
	enum sl_err e;
	while (n > 0) {
		size_t take = n > 504 ? 504 : n;
		size_t groups = (take + 7) / 8;
		if ((e = put_varint(out, groups << 1 | 1)))
			return e;
		for (size_t i = 0; i < groups * 8; i++)
			tmp[i] = i < take ? get(v, u8, from + i) : 0;
		if ((e = sl_pq_bitpack(out, tmp, groups * 8, bw)))
			return e;
		from += take;
		n -= take;
	}
	return SL_OK;
}

static enum sl_err emit_run(struct sl_buf *out, uint32_t value, size_t count, int bw)
{
	enum sl_err e = put_varint(out, (uint64_t)count << 1);
	if (e)
		return e;
	uint8_t b[4];
	int nb = (bw + 7) / 8;
	for (int i = 0; i < nb; i++)
		b[i] = (uint8_t)(value >> (8 * i));
	return sl_buf_append(out, b, (size_t)nb);
}

static enum sl_err rle(struct sl_buf *out, const void *v, int u8, size_t n, int bw)
{
	size_t lit = 0; /* start of pending literal values */
	size_t i = 0;
	enum sl_err e;
	while (i < n) {
		uint32_t x = get(v, u8, i);
		size_t r = 1;
		while (i + r < n && get(v, u8, i + r) == x)
			r++;
		if (r >= 8) {
			size_t pending = i - lit;
			size_t pad = (8 - pending % 8) % 8;
			if (pending && r - pad < 8) {
				i += r; /* the run cannot be aligned: keep it literal */
				continue;
			}
			if (pending) {
				i += pad;
				r -= pad;
				if ((e = emit_literal(out, v, u8, lit, i - lit, bw)))
					return e;
			}
			if ((e = emit_run(out, x, r, bw)))
				return e;
			i += r;
			lit = i;
		} else {
			i += r;
		}
	}
	if (lit < n)
		return emit_literal(out, v, u8, lit, n - lit, bw);
	return SL_OK;
}

enum sl_err sl_pq_rle_u32(struct sl_buf *out, const uint32_t *v, size_t n, int bw)
{
	return rle(out, v, 0, n, bw);
}

enum sl_err sl_pq_rle_u8(struct sl_buf *out, const uint8_t *v, size_t n, int bw)
{
	return rle(out, v, 1, n, bw);
}
