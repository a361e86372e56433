/* SPDX-License-Identifier: Apache-2.0
 *
 * civil.h -- proleptic Gregorian calendar arithmetic: dates <-> days since
 * 1970-01-01, for any year an int64 holds (year 0 is 1 BC, -1 is 2 BC).
 *
 * The one copy of this math: PostgreSQL text parsing (event/pgtypes),
 * java.time-style rendering (event/debezium) and ISO-8601 parsing of
 * record fields (lake/envelope) all use it.
 */
#ifndef SL_CORE_CIVIL_H
#define SL_CORE_CIVIL_H

#include <stdint.h>

/* Days since 1970-01-01 of y-m-d (m 1..12, d 1..31; not range-checked). */
int64_t sl_civil_days_from(int64_t y, int m, int d);

/* The date of `days` since 1970-01-01: *m 1..12, *d 1..31. */
void sl_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

#endif
