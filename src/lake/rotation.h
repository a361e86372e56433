/* SPDX-License-Identifier: Apache-2.0
 *
 * rotation.h -- when an open archive file is committed (Confluent S3 sink
 * semantics):
 *   flush.size                  after the file holds this many records;
 *   rotate.interval.ms          before adding a record whose time (the
 *                               timestamp extractor's) is this far past the
 *                               file's first record time;
 *   rotate.schedule.interval.ms at wall-clock boundaries that are multiples
 *                               of the interval (UTC), for quiet topics.
 * The first two depend on the records only, so a replay from the same
 * offset cuts identical files; the schedule does not (see docs).
 */
#ifndef SL_LAKE_ROTATION_H
#define SL_LAKE_ROTATION_H

#include <stdbool.h>
#include <stdint.h>

struct sl_lake_rot {
	int64_t flush_size;  /* >= 1 */
	int64_t interval_ms; /* <= 0: off */
	int64_t schedule_ms; /* <= 0: off */
};

/* Before adding a record with time ts to a file of count records whose
 * first record time is first_ts: commit the file first? */
bool sl_lake_rot_before(const struct sl_lake_rot *r, uint64_t count, int64_t first_ts, int64_t ts);
/* After adding: commit now? */
bool sl_lake_rot_after(const struct sl_lake_rot *r, uint64_t count);
/* Wall-clock deadline for a file opened at now_ms (INT64_MAX when off). */
int64_t sl_lake_rot_deadline(const struct sl_lake_rot *r, int64_t now_ms);

#endif
