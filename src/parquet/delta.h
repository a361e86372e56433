/* SPDX-License-Identifier: Apache-2.0
 *
 * delta.h -- DELTA_BINARY_PACKED for INT32 and INT64 values.
 *
 * Blocks of 128 values in 4 miniblocks of 32.  Deltas wrap in the
 * column's own width (32 or 64 bits), as readers decode them, so any
 * sequence -- including INT64_MIN next to INT64_MAX -- round-trips.
 * sl_pq_delta_size() predicts the encoded size without writing, so the
 * writer can pick DELTA only when it beats PLAIN.
 */
#ifndef SL_PARQUET_DELTA_H
#define SL_PARQUET_DELTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

/* `v` holds n little-endian INT32 (is64 false) or INT64 values, as PLAIN
 * lays them out. */
enum sl_err sl_pq_delta_encode(struct sl_buf *out, const void *v, size_t n, bool is64);
size_t sl_pq_delta_size(const void *v, size_t n, bool is64);

#endif
