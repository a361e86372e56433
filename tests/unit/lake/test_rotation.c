/* SPDX-License-Identifier: Apache-2.0
 *
 * test_rotation.c -- when an archive file is committed (archive/rotation.h),
 * checked against the Confluent S3 sink rules:
 *   flush.size: commit once the file holds exactly flush.size records;
 *   rotate.interval.ms: before adding a record whose time is at least the
 *     interval past the file's first record time (record time, not wall
 *     time; a record older than the first never rotates);
 *   rotate.schedule.interval.ms: a wall-clock deadline at the next multiple
 *     of the interval (UTC epoch), strictly after the file was opened.
 * A small simulation then cuts a stream of records into files with the
 * same calls the writer makes and checks the file boundaries.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lake/rotation.h"
#include "lib/test.h"

static void test_flush_size(void)
{
	struct sl_lake_rot r = {.flush_size = 3, .interval_ms = 0, .schedule_ms = 0};
	ok(!sl_lake_rot_after(&r, 1), "1 of 3: keep");
	ok(!sl_lake_rot_after(&r, 2), "2 of 3: keep");
	ok(sl_lake_rot_after(&r, 3), "3 of 3: commit at exactly flush.size");
	ok(sl_lake_rot_after(&r, 4), "past flush.size (after a restart): commit");
	r.flush_size = 1;
	ok(sl_lake_rot_after(&r, 1), "flush.size=1 commits every record");
	r.flush_size = INT64_MAX;
	ok(!sl_lake_rot_after(&r, UINT64_C(1) << 62), "huge flush.size");
	ok(!sl_lake_rot_before(&r, 5, 0, INT64_MAX), "interval off: never rotates before");
}

static void test_interval(void)
{
	struct sl_lake_rot r = {.flush_size = 1000, .interval_ms = 60000, .schedule_ms = 0};
	int64_t first = INT64_C(1700000000000);
	ok(!sl_lake_rot_before(&r, 0, first, first + 600000), "empty file never rotates");
	ok(!sl_lake_rot_before(&r, 1, first, first), "same time");
	ok(!sl_lake_rot_before(&r, 1, first, first + 59999), "interval - 1 ms: keep");
	ok(sl_lake_rot_before(&r, 1, first, first + 60000), "exactly the interval: rotate");
	ok(sl_lake_rot_before(&r, 7, first, first + 3600000), "an hour later: rotate");
	ok(!sl_lake_rot_before(&r, 7, first, first - 1), "out of order, 1 ms older: keep");
	ok(!sl_lake_rot_before(&r, 7, first, first - 3600000), "out of order, an hour older: keep");
	ok(!sl_lake_rot_before(&r, 7, first, INT64_MIN), "INT64_MIN record time: keep");
	ok(sl_lake_rot_before(&r, 7, -1, INT64_MAX), "far apart (difference beyond int64): rotate");
	ok(sl_lake_rot_before(&r, 7, INT64_MIN, INT64_MAX), "extremes: rotate");
	ok(!sl_lake_rot_before(&r, 7, -30000, 29999), "across zero, 59999 ms: keep");
	ok(sl_lake_rot_before(&r, 7, -30000, 30000), "across zero, 60000 ms: rotate");
	r.interval_ms = -1;
	ok(!sl_lake_rot_before(&r, 7, first, first + 3600000), "interval -1: off");
	r.interval_ms = 0;
	ok(!sl_lake_rot_before(&r, 7, first, first + 3600000), "interval 0: off");
}

static void test_schedule(void)
{
	struct sl_lake_rot r = {.flush_size = 1000, .interval_ms = 0, .schedule_ms = 3600000};
	int64_t h = 3600000;
	int64_t t = INT64_C(1700000000000); /* 22:13:20Z */
	is_int(sl_lake_rot_deadline(&r, t), INT64_C(1700002800000), "next full hour (23:00Z)");
	is_int(sl_lake_rot_deadline(&r, 472222 * h), 472223 * h, "on a boundary: the next one");
	is_int(sl_lake_rot_deadline(&r, 472222 * h - 1), 472222 * h, "1 ms before a boundary");
	is_int(sl_lake_rot_deadline(&r, 0), h, "epoch");
	r.schedule_ms = 600000;
	is_int(sl_lake_rot_deadline(&r, t), INT64_C(1700000400000), "10-minute schedule: 22:20Z");
	is_int(sl_lake_rot_deadline(&r, INT64_MAX - 5), INT64_MAX, "no overflow near INT64_MAX");
	r.schedule_ms = -1;
	is_int(sl_lake_rot_deadline(&r, t), INT64_MAX, "schedule -1: no deadline");
	r.schedule_ms = 0;
	is_int(sl_lake_rot_deadline(&r, t), INT64_MAX, "schedule 0: no deadline");
	r.schedule_ms = h;
	is_int(sl_lake_rot_deadline(&r, -5), INT64_MAX, "a clock before 1970: no deadline");
}

/* Cut records with times ts[0..n) into files the way the writer does:
 * rotate-before, add, rotate-after.  Writes each file's first index to
 * starts and returns the number of files. */
static int cut(const struct sl_lake_rot *r, const int64_t *ts, int n, int *starts)
{
	int files = 0;
	uint64_t count = 0;
	int64_t first = 0;
	for (int i = 0; i < n; i++) {
		if (sl_lake_rot_before(r, count, first, ts[i]))
			count = 0;
		if (count == 0) {
			starts[files++] = i;
			first = ts[i];
		}
		count++;
		if (sl_lake_rot_after(r, count))
			count = 0;
	}
	return files;
}

static void test_stream(void)
{
	/* flush.size=3, rotate.interval.ms=10000, times in seconds below. */
	struct sl_lake_rot r = {.flush_size = 3, .interval_ms = 10000, .schedule_ms = 0};
	static const int64_t sec[] = {0, 1, 2, 3, 9, 14, 4, 15, 30, 31, 25, 60};
	int64_t ts[12];
	for (int i = 0; i < 12; i++)
		ts[i] = INT64_C(1700000000000) + sec[i] * 1000;
	int starts[12];
	int n = cut(&r, ts, 12, starts);
	/* [0 1 2] full; [3 9] then 14 is 11 s past 3: rotate; [14 4 15] full
	 * (4 is older: no rotation; 15 is 1 s past 14); [30 31 25] full (25
	 * older than 30); [60]. */
	static const int want[] = {0, 3, 5, 8, 11};
	is_int(n, 5, "five files");
	for (int i = 0; i < 5 && i < n; i++)
		is_int(starts[i], want[i], "file %d starts at record %d", i, want[i]);
	/* The same records always cut the same files (replay determinism). */
	int again[12];
	int n2 = cut(&r, ts, 12, again);
	ok(n2 == n && !memcmp(again, starts, (size_t)n * sizeof *starts), "a replay cuts the same files");
}

int main(void)
{
	test_flush_size();
	test_interval();
	test_schedule();
	test_stream();
	return t_done();
}
