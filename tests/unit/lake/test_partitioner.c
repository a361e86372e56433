/* SPDX-License-Identifier: Apache-2.0
 *
 * test_partitioner.c -- directory names of the archive's partitioners
 * (archive/partitioner.h) against Confluent's documented layouts.
 *
 * Partitioners are built the way `sluice archive` builds them: from a
 * loaded configuration, so Confluent's io.confluent.* class names go
 * through the config aliases.  Expected directories were worked out by
 * hand from the Confluent storage partitioner rules (local time = UTC +
 * the zone's offset at that instant; bucket = local time floored to
 * partition.duration.ms; the Joda pattern formats the bucket start) and
 * the tz database (America/New_York: EST -5 / EDT -4, changes on
 * 2024-03-10 07:00Z and 2024-11-03 06:00Z; Asia/Kolkata: +5:30, no DST).
 *
 * Named zones set the process TZ, so each zone's checks run with only that
 * partitioner alive (the header's one-zone-per-process rule).
 */
#include <stdlib.h>
#include <string.h>

#include "lake/partitioner.h"
#include "config/config.h"
#include "lib/test.h"

#define ARCHIVE_MIN "topics=a.b.c\nkafka.bootstrap.servers=127.0.0.1:9092\ns3.bucket.name=lake\n"

static struct sl_errbuf EB;

/* A partitioner from config text (ARCHIVE_MIN + extra), as setup.c does. */
static enum sl_err part_from(const char *extra, struct sl_lake_part **out)
{
	char text[2048];
	snprintf(text, sizeof text, "%s%s", ARCHIVE_MIN, extra);
	struct sl_config *cfg = NULL;
	*out = NULL;
	memset(&EB, 0, sizeof EB);
	enum sl_err e = sl_config_load_string(text, strlen(text), SL_ROLE_ARCHIVE, &cfg, &EB);
	if (e)
		return e;
	struct sl_lake_part_opts o = {
		.cls = sl_config_get(cfg, "partitioner.class"),
		.path_format = sl_config_get(cfg, "path.format"),
		.duration_ms = sl_config_get_int(cfg, "partition.duration.ms"),
		.fields = sl_config_get(cfg, "partition.field.name"),
		.timezone = sl_config_get(cfg, "timezone"),
	};
	e = sl_lake_part_new(&o, out, &EB);
	sl_config_free(cfg);
	return e;
}

/* The encoded partition of a record at ts_ms in Kafka partition 3. */
static const char *enc(const struct sl_lake_part *p, int64_t ts_ms, const struct sl_jsonr *j,
		       uint32_t payload)
{
	static char out[sizeof EB.msg + 64];
	struct sl_buf b;
	sl_buf_init(&b, 0);
	enum sl_err e = sl_lake_part_encode(p, 3, ts_ms, j, payload, &b, &EB);
	if (e)
		snprintf(out, sizeof out, "error %d: %s", (int)e, EB.msg);
	else
		snprintf(out, sizeof out, "%.*s", (int)b.len, b.data ? b.data : "");
	sl_buf_free(&b);
	return out;
}

struct tcase {
	int64_t ts;
	const char *want;
	const char *why;
};

/* Build from extra, check every case, free. */
static void check(const char *extra, const struct tcase *c, size_t n)
{
	struct sl_lake_part *p;
	enum sl_err e = part_from(extra, &p);
	is_int(e, SL_OK, "config [%s] (%s)", extra, e ? EB.msg : "ok");
	if (e)
		return;
	for (size_t i = 0; i < n; i++)
		is_str(enc(p, c[i].ts, NULL, SL_ARC_JSON_NONE), c[i].want, "%s", c[i].why);
	sl_lake_part_free(p);
}

#define CHECK(extra, ...)                                                       \
	do {                                                                    \
		static const struct tcase cs_[] = {__VA_ARGS__};                \
		check(extra, cs_, sizeof cs_ / sizeof cs_[0]);                  \
	} while (0)

/* Config that must be refused, with a message naming `key`. */
static void refused(const char *extra, enum sl_err code, const char *key, const char *why)
{
	struct sl_lake_part *p;
	enum sl_err e = part_from(extra, &p);
	is_int(e, code, "%s: refused", why);
	ok(e && strstr(EB.msg, key) != NULL, "%s: message \"%s\" names %s", why, e ? EB.msg : "",
	   key);
	sl_lake_part_free(p);
}

/* 2023-11-14T22:13:20Z */
#define T0 INT64_C(1700000000000)

static void test_utc(void)
{
	struct sl_lake_part *p;
	is_int(part_from("", &p), SL_OK, "default partitioner");
	if (p) {
		ok(!sl_lake_part_uses_time(p), "Default does not need the record time");
		is_str(enc(p, T0, NULL, SL_ARC_JSON_NONE), "partition=3", "Default: partition=<n>");
		sl_lake_part_free(p);
	}
	is_int(part_from("partitioner.class=io.confluent.connect.storage.partitioner."
			 "DefaultPartitioner\n", &p),
	       SL_OK, "Confluent DefaultPartitioner");
	if (p) {
		is_str(enc(p, T0, NULL, SL_ARC_JSON_NONE), "partition=3", "DefaultPartitioner");
		sl_lake_part_free(p);
	}

	CHECK("partitioner.class=io.confluent.connect.storage.partitioner.DailyPartitioner\n",
	      {T0, "year=2023/month=11/day=14", "DailyPartitioner, UTC by default"},
	      {INT64_C(1700006399999), "year=2023/month=11/day=14", "Daily: last ms of the day"},
	      {INT64_C(1700006400000), "year=2023/month=11/day=15", "Daily: midnight UTC"},
	      {-1, "year=1969/month=12/day=31", "Daily: before the epoch floors down"},
	      {INT64_C(951782400000), "year=2000/month=02/day=29", "Daily: leap day"});
	CHECK("partitioner.class=io.confluent.connect.storage.partitioner.HourlyPartitioner\n"
	      "timezone=UTC\n",
	      {T0, "year=2023/month=11/day=14/hour=22", "HourlyPartitioner"},
	      {INT64_C(1700002799999), "year=2023/month=11/day=14/hour=22", "Hourly: end of hour"},
	      {INT64_C(1700002800000), "year=2023/month=11/day=14/hour=23", "Hourly: next hour"});
	CHECK("partitioner.class=io.confluent.connect.storage.partitioner.TimeBasedPartitioner\n"
	      "path.format='dt'=YYYY-MM-dd\npartition.duration.ms=86400000\ntimezone=UTC\n",
	      {T0, "dt=2023-11-14", "TimeBased 'dt'=YYYY-MM-dd"});
	CHECK("partitioner.class=TimeBased\n"
	      "path.format='year'=YYYY/'month'=MM/'day'=dd/'hour'=HH\n"
	      "partition.duration.ms=3600000\n",
	      {T0, "year=2023/month=11/day=14/hour=22", "TimeBased Hive-style hourly"},
	      {INT64_C(946684800000), "year=2000/month=01/day=01/hour=00", "zero-padded fields"});
	/* partition.duration.ms smaller than the pattern's resolution: the
	 * bucket start is what is formatted. */
	CHECK("partitioner.class=TimeBased\npath.format='hour'=HH/'minute'=mm\n"
	      "partition.duration.ms=900000\n",
	      {T0, "hour=22/minute=00", "15-minute buckets: 22:13:20 -> 22:00"},
	      {INT64_C(1700000160000), "hour=22/minute=15", "22:16:00 -> 22:15"},
	      {INT64_C(1700000099999), "hour=22/minute=00", "22:14:59.999 -> 22:00"});
	CHECK("partitioner.class=TimeBased\npath.format=YYYY-MM-dd'T'HH\n"
	      "partition.duration.ms=21600000\n",
	      {T0, "2023-11-14T18", "6-hour buckets, quoted T between fields"});
	/* Literals: '' is a quote inside and outside quoted text; non-letters
	 * are copied; YY is the two-digit year; D the day of the year. */
	CHECK("partitioner.class=TimeBased\npath.format='it''s'/YY''D/'a-b'_dd\n"
	      "partition.duration.ms=86400000\n",
	      {T0, "it's/23'318/a-b_14", "quoted literals, '' escapes, YY, D"});
	CHECK("partitioner.class=TimeBased\npath.format=HH-mm-ss.SSS/S/SS/SSSS\n"
	      "partition.duration.ms=1\n",
	      {T0 + 123, "22-13-20.123/1/12/1230", "S is a fraction of the second (Joda)"},
	      {T0 + 7, "22-13-20.007/0/00/0070", "milliseconds zero-padded"});
}

static void test_zones(void)
{
	/* America/New_York across both DST changes of 2024. */
	CHECK("partitioner.class=Hourly\ntimezone=America/New_York\n",
	      {INT64_C(1710053999000), "year=2024/month=03/day=10/hour=01",
	       "spring forward: 06:59:59Z is 01:59:59 EST"},
	      {INT64_C(1710054000000), "year=2024/month=03/day=10/hour=03",
	       "spring forward: 07:00Z is 03:00 EDT (02 never exists)"},
	      {INT64_C(1730608200000), "year=2024/month=11/day=03/hour=00",
	       "fall back: 04:30Z is 00:30 EDT"},
	      {INT64_C(1730611800000), "year=2024/month=11/day=03/hour=01",
	       "fall back: 05:30Z is 01:30 EDT"},
	      {INT64_C(1730615400000), "year=2024/month=11/day=03/hour=01",
	       "fall back: 06:30Z is 01:30 EST, the same directory"});
	CHECK("partitioner.class=io.confluent.connect.storage.partitioner.DailyPartitioner\n"
	      "timezone=America/New_York\n",
	      {INT64_C(1710046799000), "year=2024/month=03/day=09",
	       "04:59:59Z on 03-10 is still 03-09 in New York (EST)"},
	      {INT64_C(1710046800000), "year=2024/month=03/day=10", "05:00Z is local midnight"},
	      {INT64_C(1730606340000), "year=2024/month=11/day=02",
	       "03:59Z on 11-03 is 11-02 23:59 EDT"},
	      {INT64_C(1730606400000), "year=2024/month=11/day=03",
	       "04:00Z is local midnight in EDT"});
	/* Asia/Kolkata: +05:30, so hour buckets start at :00 local time. */
	CHECK("partitioner.class=TimeBased\n"
	      "path.format='dt'=YYYY-MM-dd/'hm'=HHmm\npartition.duration.ms=3600000\n"
	      "timezone=Asia/Kolkata\n",
	      {T0, "dt=2023-11-15/hm=0300", "22:13:20Z is 03:43:20 IST the next day"},
	      {INT64_C(1699986599000), "dt=2023-11-14/hm=2300", "18:29:59Z is 23:59:59 IST"},
	      {INT64_C(1699986600000), "dt=2023-11-15/hm=0000", "18:30Z is IST midnight"});
	CHECK("partitioner.class=TimeBased\npath.format=HH:mm\npartition.duration.ms=1800000\n"
	      "timezone=Asia/Kolkata\n",
	      {T0, "03:30", "30-minute buckets in a half-hour zone"});
	/* A fixed offset gives the same answers as the zone without DST. */
	CHECK("partitioner.class=TimeBased\n"
	      "path.format='dt'=YYYY-MM-dd/'hm'=HHmm\npartition.duration.ms=3600000\n"
	      "timezone=+05:30\n",
	      {T0, "dt=2023-11-15/hm=0300", "fixed +05:30"},
	      {INT64_C(1699986599000), "dt=2023-11-14/hm=2300", "fixed +05:30 before midnight"});
	CHECK("partitioner.class=Hourly\ntimezone=-0300\n",
	      {T0, "year=2023/month=11/day=14/hour=19", "fixed -0300"});
	/* Back to UTC after a named zone was used. */
	CHECK("partitioner.class=Hourly\ntimezone=UTC\n",
	      {T0, "year=2023/month=11/day=14/hour=22", "UTC after a named zone"});
}

static void test_field(void)
{
	struct sl_jsonr j;
	sl_jsonr_init(&j);
	const char *doc = "{\"op\":\"c\",\"n\":42,\"b\":true,\"z\":null,"
			  "\"after\":{\"status\":\"paid\",\"region\":\"eu-1\"},"
			  "\"slash\":\"a/b\",\"dot\":\"..\",\"empty\":\"\",\"obj\":{},"
			  "\"nul\":\"a\\u0000b\"}";
	is_int(sl_jsonr_parse(&j, doc, strlen(doc), &EB), SL_OK, "field document");
	struct sl_lake_part *p;
	is_int(part_from("partitioner.class=io.confluent.connect.storage.partitioner."
			 "FieldPartitioner\npartition.field.name=op,after.status\n",
			 &p),
	       SL_OK, "FieldPartitioner");
	if (p) {
		ok(!sl_lake_part_uses_time(p), "Field does not need the record time");
		is_str(enc(p, T0, &j, 0), "op=c/after.status=paid", "two fields, one nested");
		is_str(enc(p, T0, NULL, SL_ARC_JSON_NONE), "op=null/after.status=null",
		       "no payload: null values");
		sl_lake_part_free(p);
	}
	is_int(part_from("partitioner.class=Field\npartition.field.name=n,b,z,missing\n", &p),
	       SL_OK, "scalar fields");
	if (p) {
		is_str(enc(p, T0, &j, 0), "n=42/b=true/z=null/missing=null",
		       "number, boolean, null, missing");
		sl_lake_part_free(p);
	}
	static const char *const bad[] = {"slash", "dot", "empty", "obj", "nul"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char extra[128];
		snprintf(extra, sizeof extra, "partitioner.class=Field\npartition.field.name=%s\n",
			 bad[i]);
		if (part_from(extra, &p) != SL_OK) {
			ok(0, "config for %s", bad[i]);
			continue;
		}
		struct sl_buf b;
		sl_buf_init(&b, 0);
		enum sl_err e = sl_lake_part_encode(p, 0, 0, &j, 0, &b, &EB);
		is_int(e, SL_ERR_PROTO, "field %s cannot name a directory", bad[i]);
		ok(e && strstr(EB.msg, bad[i]) != NULL, "message names the field: %s", EB.msg);
		sl_buf_free(&b);
		sl_lake_part_free(p);
	}
	sl_jsonr_free(&j);
}

static void test_bad_config(void)
{
	refused("partitioner.class=Field\n", SL_ERR_CONFIG, "partition.field.name",
		"Field without fields");
	refused("partitioner.class=TimeBased\npartition.duration.ms=3600000\n", SL_ERR_CONFIG,
		"path.format", "TimeBased without path.format");
	refused("partitioner.class=TimeBased\npath.format=YYYY\n", SL_ERR_CONFIG,
		"partition.duration.ms", "TimeBased without partition.duration.ms");
	refused("partitioner.class=Weekly\n", SL_ERR_CONFIG, "partitioner.class",
		"unknown class");
	refused("partitioner.class=io.confluent.connect.storage.partitioner.WeeklyPartitioner\n",
		SL_ERR_CONFIG, "partitioner.class", "unknown Confluent class");
	refused("partitioner.class=Daily\ntimezone=Mars/Olympus_Mons\n", SL_ERR_CONFIG,
		"timezone", "unknown zone");
	refused("partitioner.class=Daily\ntimezone=../../etc/passwd\n", SL_ERR_CONFIG,
		"timezone", "a path is not a zone");
	refused("partitioner.class=Daily\ntimezone=+5:30\n", SL_ERR_CONFIG, "timezone",
		"one-digit offset hour");
	refused("partitioner.class=Daily\ntimezone=+19:00\n", SL_ERR_CONFIG, "timezone",
		"offset beyond 18 hours");
	/* Pattern letters are checked when the partitioner is built, not on
	 * the first record. */
	refused("partitioner.class=TimeBased\npath.format='w'=ww\npartition.duration.ms=1000\n",
		SL_ERR_CONFIG, "path.format", "unsupported letter (week of year)");
	refused("partitioner.class=TimeBased\npath.format=hh\npartition.duration.ms=1000\n",
		SL_ERR_CONFIG, "path.format", "unsupported letter (clock hour)");
	refused("partitioner.class=TimeBased\npath.format=YYYY/MMM\npartition.duration.ms=1000\n",
		SL_ERR_CONFIG, "path.format", "month names");

	struct sl_lake_part *p;
	is_int(part_from("partitioner.class=Daily\n", &p), SL_OK, "Daily for range checks");
	if (p) {
		struct sl_buf b;
		sl_buf_init(&b, 0);
		is_int(sl_lake_part_encode(p, 0, INT64_MAX, NULL, SL_ARC_JSON_NONE, &b, &EB),
		       SL_ERR_PROTO, "INT64_MAX record time is out of range");
		is_int(sl_lake_part_encode(p, 0, INT64_MIN, NULL, SL_ARC_JSON_NONE, &b, &EB),
		       SL_ERR_PROTO, "INT64_MIN record time is out of range");
		ok(strstr(EB.msg, "out of range") != NULL, "range message: %s", EB.msg);
		is_str(enc(p, INT64_C(253402300799999), NULL, SL_ARC_JSON_NONE),
		       "year=9999/month=12/day=31", "year 9999");
		sl_buf_free(&b);
		sl_lake_part_free(p);
	}
}

int main(void)
{
	test_utc();
	test_zones();
	test_field();
	test_bad_config();
	return t_done();
}
