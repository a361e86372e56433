/* SPDX-License-Identifier: Apache-2.0
 *
 * value.h -- turning caller values into what a Parquet column stores:
 * DECIMAL text to an unscaled 128-bit integer and its big-endian bytes,
 * range checks, and UTF-8 validation for STRING/JSON/ENUM.
 *
 * Pure functions over caller memory; nothing is allocated.
 */
#ifndef SL_PARQUET_VALUE_H
#define SL_PARQUET_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

__extension__ typedef __int128 sl_pq_i128;

/* Parse "[-+]digits[.digits]" (PostgreSQL numeric output, also "1e3"
 * style exponents) as an unscaled integer at `scale`; refuse values that
 * would need rounding or more than `precision` digits. */
enum sl_err sl_pq_decimal_parse(const char *s, size_t n, int precision, int scale,
				sl_pq_i128 *out, struct sl_errbuf *eb);
/* |v| < 10^precision */
bool sl_pq_decimal_fits(sl_pq_i128 v, int precision);
/* Two's-complement big-endian in `nbytes` (1..16). */
void sl_pq_decimal_be(sl_pq_i128 v, int nbytes, uint8_t *out);
bool sl_pq_utf8_valid(const void *p, size_t n);

#endif
