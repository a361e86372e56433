/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests: the encoder's per-relation caches (column name fragments,
 * pre-rendered `source` pieces, the op/ts tail) never change an event.
 * A long sequence of changes whose inputs vary the way a stream and a
 * snapshot vary them (LSN per row, commit time and xid per transaction,
 * snapshot marker, processing time, options swapped between events) is
 * encoded twice: on one relation whose cache stays warm, and on a relation
 * whose cache is dropped before every event (the uncached rendering).
 * Both must be byte-identical, and spot checks pin a few rendered fields.
 */
#include "event/debezium.h"
#include "event/pgtype_oids.h"
#include "lib/test.h"

#include <stdlib.h>

struct tbl {
	struct sl_relation rel;
	struct sl_column cols[4];
};

static void tbl_init(struct tbl *t)
{
	memset(t, 0, sizeof *t);
	t->cols[0] = (struct sl_column){.name = "id", .type_oid = SL_PG_INT8, .typmod = -1,
					.base_oid = SL_PG_INT8, .base_typmod = -1, .is_key = true};
	t->cols[1] = (struct sl_column){.name = "na\"me", .type_oid = SL_PG_TEXT, .typmod = -1,
					.base_oid = SL_PG_TEXT, .base_typmod = -1, .optional = true};
	t->cols[2] = (struct sl_column){.name = "amount", .type_oid = SL_PG_NUMERIC,
					.typmod = (12 << 16 | 2) + 4, .base_oid = SL_PG_NUMERIC,
					.base_typmod = (12 << 16 | 2) + 4, .optional = true};
	t->cols[3] = (struct sl_column){.name = "at", .type_oid = SL_PG_TIMESTAMPTZ, .typmod = -1,
					.base_oid = SL_PG_TIMESTAMPTZ, .base_typmod = -1,
					.optional = true};
	t->rel = (struct sl_relation){.oid = 7, .schema = "app", .table = "orders", .replident = 'd',
				      .ncols = 4, .cols = t->cols, .has_key = true};
}

static void drop_cache(struct sl_relation *rel)
{
	if (rel->enc_cache)
		rel->enc_cache_free(rel->enc_cache);
	rel->enc_cache = NULL;
	rel->enc_cache_free = NULL;
}

int main(void)
{
	struct sl_dbz_opts o;
	sl_dbz_opts_init(&o);
	o.topic_prefix = "srv";
	o.db_name = "appdb";
	o.version = "3.1.3.Final";
	static const char *prefixes[] = {"srv", "other"};
	static const char *snaps[] = {"first", "true", "true", "last", NULL, "incremental"};
	struct tbl warm, cold;
	tbl_init(&warm);
	tbl_init(&cold);
	struct sl_buf a, b, ka, kb;
	sl_buf_init(&a, 0);
	sl_buf_init(&b, 0);
	sl_buf_init(&ka, 0);
	sl_buf_init(&kb, 0);
	int mismatches = 0, n = 0;
	for (int i = 0; i < 400; i++) {
		char id[24], note[32], amount[24];
		snprintf(id, sizeof id, "%d", i * 37 - 100);
		snprintf(note, sizeof note, i % 5 ? "note %d" : "tab\there %d", i);
		snprintf(amount, sizeof amount, "%d.%02d", i * 13, i % 100);
		struct sl_value vals[4] = {
			{SL_VAL_TEXT, (uint32_t)strlen(id), id},
			{i % 7 ? SL_VAL_TEXT : SL_VAL_NULL, (uint32_t)strlen(note), note},
			{SL_VAL_TEXT, (uint32_t)strlen(amount), amount},
			{SL_VAL_TEXT, 22, "2026-01-01 10:00:00+00"},
		};
		struct sl_row row = {4, vals};
		int txn = i / 10; /* ten events per transaction */
		struct sl_change ch = {
			.op = (i / 6) % 3 == 0 ? SL_OP_CREATE : (i / 6) % 3 == 1 ? SL_OP_UPDATE : SL_OP_READ,
			.after = &row,
			.src = {.lsn = i % 50 == 49 ? 0 : 0x1000000ull + (uint64_t)i * 56,
				.last_commit_lsn = txn ? 0x1000000ull + (uint64_t)txn * 560 : 0,
				.commit_ts_us = 1767225600000000LL + txn * 1234567LL - (txn == 3) * 1767225600000000LL * 2,
				.xid = i / 7 == 5 ? 0 : 700u + (uint32_t)(i / 7), /* not aligned with txn */
				.snapshot = snaps[(i / 3) % 6]},
		};
		/* The clock is shared by batches of events, sometimes negative. */
		int64_t now_ns = 1767225600123456789LL + (int64_t)(i / 4) * 1000001LL;
		if (i == 200)
			now_ns = -1500000001LL;
		/* Swap option strings now and then: the cache must notice. */
		o.topic_prefix = prefixes[(i / 100) % 2];
		if (i == 250)
			o.version = "2.7.0";
		if (i == 300)
			o.db_name = "other_db";
		sl_buf_reset(&a);
		sl_buf_reset(&b);
		sl_buf_reset(&ka);
		sl_buf_reset(&kb);
		struct sl_errbuf eb;
		bool na, nb;
		ch.rel = &warm.rel;
		ok(sl_dbz_value(&o, &ch, now_ns, &a, &eb) == SL_OK, "warm value %d", i);
		sl_dbz_key(&o, &ch, &ka, &na, &eb);
		drop_cache(&cold.rel);
		ch.rel = &cold.rel;
		ok(sl_dbz_value(&o, &ch, now_ns, &b, &eb) == SL_OK, "cold value %d", i);
		sl_dbz_key(&o, &ch, &kb, &nb, &eb);
		if (strcmp(a.data, b.data) || strcmp(ka.data ? ka.data : "", kb.data ? kb.data : "")) {
			if (mismatches++ < 3) {
				is_str(a.data, b.data, "event %d: warm cache == cold cache", i);
				is_str(ka.data, kb.data, "key %d: warm cache == cold cache", i);
			}
		}
		n++;
		if (i == 0) {
			ok(strstr(a.data, "\"after\":{\"id\":-100,\"na\\\"me\":null,") != NULL,
			   "escaped column name fragment");
			ok(strstr(a.data, "\"source\":{\"version\":\"3.1.3.Final\",\"connector\":"
					  "\"postgresql\",\"name\":\"srv\",\"ts_ms\":1767225600000,"
					  "\"snapshot\":\"first\",\"db\":\"appdb\",\"sequence\":\"[null,"
					  "\\\"16777216\\\"]\",\"ts_us\":1767225600000000,"
					  "\"ts_ns\":1767225600000000000,\"schema\":\"app\",\"table\":"
					  "\"orders\",\"txId\":700,\"lsn\":16777216,\"xmin\":null}") != NULL,
			   "source block rendered in full");
			ok(strstr(a.data, "\"op\":\"c\",\"ts_ms\":1767225600123,"
					  "\"ts_us\":1767225600123456,\"ts_ns\":1767225600123456789") != NULL,
			   "op/ts tail");
		}
		if (i == 49)
			ok(strstr(a.data, "\"sequence\":\"[\\\"16779456\\\",null]\"") &&
				   strstr(a.data, "\"lsn\":null,"),
			   "null LSN after a cached one");
		if (i == 200)
			ok(strstr(a.data, "\"ts_ms\":-1501,\"ts_us\":-1500001,\"ts_ns\":-1500000001") != NULL,
			   "negative processing time floors");
		if (i == 150)
			ok(strstr(a.data, "\"name\":\"other\"") && strstr(a.data, "\"other.app.orders") == NULL,
			   "swapped topic.prefix is picked up");
		if (i == 250)
			ok(strstr(a.data, "\"version\":\"2.7.0\",\"connector\":\"postgresql\",\"name\":\"srv\""),
			   "swapped version is picked up");
	}
	is_int(mismatches, 0, "no warm/cold differences in %d events", n);
	drop_cache(&warm.rel);
	drop_cache(&cold.rel);
	sl_buf_free(&a);
	sl_buf_free(&b);
	sl_buf_free(&ka);
	sl_buf_free(&kb);
	return t_done();
}
