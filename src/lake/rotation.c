/* SPDX-License-Identifier: Apache-2.0
 *
 * rotation.c -- rotation decisions (rotation.h); pure functions.
 */
#include "lake/rotation.h"

bool sl_lake_rot_before(const struct sl_lake_rot *r, uint64_t count, int64_t first_ts, int64_t ts)
{
	if (r->interval_ms <= 0 || count == 0)
		return false;
	/* Saturating: a record far in the past never rotates by interval. */
	/* The difference in uint64: ts - first_ts overflows int64 when the
	 * two are far apart (record times come from the records). */
	return ts > first_ts && (uint64_t)ts - (uint64_t)first_ts >= (uint64_t)r->interval_ms;
}

bool sl_lake_rot_after(const struct sl_lake_rot *r, uint64_t count)
{
	return r->flush_size > 0 && count >= (uint64_t)r->flush_size;
}

int64_t sl_lake_rot_deadline(const struct sl_lake_rot *r, int64_t now_ms)
{
	if (r->schedule_ms <= 0 || now_ms < 0)
		return INT64_MAX;
	int64_t k = now_ms / r->schedule_ms + 1;
	return k > INT64_MAX / r->schedule_ms ? INT64_MAX : k * r->schedule_ms;
}
