/* SPDX-License-Identifier: Apache-2.0
 *
 * rle.h -- Parquet's RLE / bit-packed hybrid, and LSB-first bit packing.
 *
 * Used for definition and repetition levels and for dictionary indices.
 * The encoder prefers RLE runs of 8 or more equal values and bit-packs the
 * rest in groups of 8 (the last group zero-padded; readers stop at the
 * value count they know).  Output is appended to a caller-owned sl_buf;
 * nothing is allocated elsewhere.
 */
#ifndef SL_PARQUET_RLE_H
#define SL_PARQUET_RLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

/* Bits needed for values 0..max (0 for max 0). */
int sl_pq_bit_width(uint64_t max);

/* Append n values of `bw` bits (0..64) LSB-first; n need not be a multiple
 * of 8 (the last byte is zero-padded). */
enum sl_err sl_pq_bitpack(struct sl_buf *out, const uint64_t *v, size_t n, int bw);

/* Append the hybrid encoding (no length prefix, no bit-width byte) of n
 * values of `bw` bits (0..32). */
enum sl_err sl_pq_rle_u8(struct sl_buf *out, const uint8_t *v, size_t n, int bw);
enum sl_err sl_pq_rle_u32(struct sl_buf *out, const uint32_t *v, size_t n, int bw);

#endif
