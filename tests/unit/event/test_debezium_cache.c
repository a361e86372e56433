/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests: the encoder's per-relation caches (column name fragments,
 * pre-rendered `source` pieces, the op/ts tail) and its text fast paths
 * (canonical integers, UTC timestamptz) never change an event.
 * A long sequence of changes whose inputs vary the way a stream and a
 * snapshot vary them (LSN per row, commit time and xid per transaction,
 * snapshot marker, processing time, options swapped between events) is
 * encoded twice: on one relation whose cache stays warm, and on a relation
 * whose cache is dropped before every event (the uncached rendering).
 * Both must be byte-identical, and spot checks pin a few rendered fields.
 * Fast paths are checked differentially: the same value written in a form
 * the fast path declines ("+00:00" offset, leading zeros, a '+' sign) goes
 * through the general parse-and-format path and must give the same JSON.
 * Numeric unscaled bytes (int64 fast path and the limb path) are checked
 * against a 128-bit reference of BigInteger.toByteArray().
 */
#include "event/debezium.h"
#include "event/pgtype_oids.h"
#include "event/pgtypes.h"
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

/* JSON of column "c" (type oid, typmod) for one text value. */
static void enc1(uint32_t oid, int32_t typmod, const char *text, char *out, size_t cap)
{
	struct sl_column cols[1] = {{.name = "c", .type_oid = oid, .typmod = typmod, .base_oid = oid,
				     .base_typmod = typmod, .optional = true}};
	struct sl_relation rel = {.oid = 9, .schema = "s", .table = "t", .replident = 'd',
				  .ncols = 1, .cols = cols};
	struct sl_value v = {SL_VAL_TEXT, (uint32_t)strlen(text), text};
	struct sl_row row = {1, &v};
	struct sl_change ch = {.op = SL_OP_CREATE, .rel = &rel, .after = &row};
	struct sl_dbz_opts o;
	sl_dbz_opts_init(&o);
	struct sl_buf b;
	sl_buf_init(&b, 0);
	struct sl_errbuf eb;
	out[0] = '\0';
	if (sl_dbz_value(&o, &ch, 0, &b, &eb) == SL_OK) {
		const char *p = strstr(b.data, "\"after\":{\"c\":");
		const char *q = p ? strstr(p, "},\"source\"") : NULL;
		if (p && q)
			snprintf(out, cap, "%.*s", (int)(q - p - 13), p + 13);
	} else {
		snprintf(out, cap, "ERR");
	}
	sl_buf_free(&b);
	drop_cache(&rel);
}

static void test_fast_paths(void)
{
	char a[128], b[128], in[64], alt[64];
	int bad = 0, n = 0;
	/* timestamptz: many instants, every typmod, "+00" vs "+00:00". */
	unsigned seed = 12345;
	for (int i = 0; i < 3000; i++) {
		seed = seed * 1103515245u + 12345u;
		int y = 1 + (int)(seed >> 8) % 9999;
		seed = seed * 1103515245u + 12345u;
		int mo = 1 + (int)(seed >> 8) % 12, d = 1 + (int)(seed >> 16) % 31;
		seed = seed * 1103515245u + 12345u;
		int h = (int)(seed >> 8) % 24, mi = (int)(seed >> 14) % 60, se = (int)(seed >> 20) % 60;
		seed = seed * 1103515245u + 12345u;
		int fd = (int)(seed >> 8) % 7; /* fraction digits */
		int frac = (int)(seed >> 12) % 1000000;
		char fs[16] = "";
		if (fd) {
			snprintf(fs, sizeof fs, ".%06d", frac);
			fs[1 + fd] = '\0';
			while (fd && fs[fd] == '0') /* PostgreSQL trims trailing zeros */
				fs[fd--] = '\0';
			if (!fd)
				fs[0] = '\0';
		}
		if (i % 500 == 7)
			d = 31, mo = 2; /* invalid date: both paths must agree (reject) */
		snprintf(in, sizeof in, "%04d-%02d-%02d %02d:%02d:%02d%s+00", y, mo, d, h, mi, se, fs);
		snprintf(alt, sizeof alt, "%04d-%02d-%02d %02d:%02d:%02d%s+00:00", y, mo, d, h, mi, se, fs);
		int tm = i % 8 == 7 ? -1 : i % 8; /* timestamptz(0..6) and unconstrained */
		enc1(SL_PG_TIMESTAMPTZ, tm, in, a, sizeof a);
		enc1(SL_PG_TIMESTAMPTZ, tm, alt, b, sizeof b);
		n++;
		if (strcmp(a, b) && bad++ < 3)
			is_str(a, b, "timestamptz(%d) %s: fast path == general path", tm, in);
	}
	is_int(bad, 0, "timestamptz fast path agrees with the general path on %d values", n);
	enc1(SL_PG_TIMESTAMPTZ, 3, "2026-01-02 03:04:05.5+00", a, sizeof a);
	is_str(a, "\"2026-01-02T03:04:05.500Z\"", "timestamptz(3) rendering");
	enc1(SL_PG_TIMESTAMPTZ, -1, "0099-12-31 23:59:59+00", a, sizeof a);
	is_str(a, "\"0099-12-31T23:59:59.000000Z\"", "timestamptz early year");

	/* integers: canonical text vs the same value with leading zeros / '+'. */
	static const char *ints[] = {"0", "7", "-7", "32767", "-32768", "32768", "-32769",
				     "2147483647", "-2147483648", "2147483648", "-2147483649",
				     "123456789012345678", "-123456789012345678",
				     "1234567890123456789", "9223372036854775807",
				     "-9223372036854775808", "-0", "00", "12a"};
	static const uint32_t oids[] = {SL_PG_INT2, SL_PG_INT4, SL_PG_INT8};
	bad = n = 0;
	for (size_t t = 0; t < 3; t++) {
		for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
			const char *v = ints[i];
			if (v[0] == '-')
				snprintf(alt, sizeof alt, "-000%s", v + 1);
			else
				snprintf(alt, sizeof alt, "+000%s", v);
			enc1(oids[t], -1, v, a, sizeof a);
			enc1(oids[t], -1, alt, b, sizeof b);
			n++;
			if (strcmp(a, b) && bad++ < 3)
				is_str(a, b, "oid %u \"%s\": fast path == general path", oids[t], v);
		}
	}
	is_int(bad, 0, "integer fast path agrees with the general path on %d values", n);
	enc1(SL_PG_INT4, -1, "-", a, sizeof a);
	is_str(a, "ERR", "a lone minus is an error");
	enc1(SL_PG_INT4, -1, "", a, sizeof a);
	is_str(a, "ERR", "empty integer text is an error");
	enc1(SL_PG_INT2, -1, "32768", a, sizeof a);
	is_str(a, "ERR", "int2 out of range is still an error");
	enc1(SL_PG_INT8, -1, "-42", a, sizeof a);
	is_str(a, "-42", "int8 rendering");
}

/* Minimal big-endian two's complement of x (BigInteger.toByteArray()). */
static size_t ref_bytes(__int128 x, uint8_t *out)
{
	size_t len = 1;
	while (len < 16) {
		__int128 lim = (__int128)1 << (8 * len - 1);
		if (x >= -lim && x < lim)
			break;
		len++;
	}
	for (size_t k = 0; k < len; k++)
		out[k] = (uint8_t)((unsigned __int128)x >> (8 * (len - 1 - k)));
	return len;
}

static void test_numeric_unscaled(void)
{
	unsigned seed = 777;
	int bad = 0, n = 0;
	for (int i = 0; i < 4000; i++) {
		char txt[64];
		size_t o = 0;
		seed = seed * 1103515245u + 12345u;
		bool neg = (seed >> 9) & 1;
		int nip = 1 + (int)((seed >> 11) % 22), nfp = (int)((seed >> 17) % 12);
		if (i % 97 == 0)
			nip = 1, nfp = 2; /* zeros below */
		if (neg)
			txt[o++] = '-';
		for (int k = 0; k < nip; k++) {
			seed = seed * 1103515245u + 12345u;
			txt[o++] = (char)('0' + (i % 97 == 0 ? 0 : (k == 0 && nip > 1 ? 1 + (seed >> 12) % 9 : (seed >> 12) % 10)));
		}
		if (nfp) {
			txt[o++] = '.';
			for (int k = 0; k < nfp; k++) {
				seed = seed * 1103515245u + 12345u;
				txt[o++] = (char)('0' + (i % 97 == 0 ? 0 : (seed >> 12) % 10));
			}
		}
		txt[o] = '\0';
		int scale = (int)(seed >> 20) % 9 - 2; /* -2..6: cut, pad, drop integer digits */
		struct sl_pgtext_numeric num;
		if (!sl_pgtext_parse_numeric(txt, o, &num))
			continue;
		/* reference: the digit string at `scale`, if it fits 38 digits */
		char dig[80];
		size_t nd = 0, nipk = num.nip;
		if (scale < 0)
			nipk = nipk > (size_t)-scale ? nipk - (size_t)-scale : 0;
		for (size_t k = 0; k < nipk; k++)
			dig[nd++] = num.ip[k];
		for (int k = 0; k < scale; k++)
			dig[nd++] = (size_t)k < num.nfp ? num.fp[k] : '0';
		if (nd > 38)
			continue;
		__int128 v = 0;
		for (size_t k = 0; k < nd; k++)
			v = v * 10 + (dig[k] - '0');
		if (num.neg)
			v = -v;
		uint8_t want[20], got[40];
		size_t wl = ref_bytes(v, want);
		size_t gl = sl_pgtext_numeric_unscaled(&num, scale, got, sizeof got);
		n++;
		if ((gl != wl || memcmp(got, want, wl)) && bad++ < 3)
			ok(0, "numeric %s at scale %d: %zu bytes, want %zu", txt, scale, gl, wl);
	}
	/* Byte-length boundaries: 2^(8k-1) - 1, 2^(8k-1) and their negatives. */
	for (int k = 1; k <= 8; k++) {
		__int128 lim = (__int128)1 << (8 * k - 1);
		__int128 vals[4] = {lim - 1, lim, -lim, -lim - 1};
		for (int j = 0; j < 4; j++) {
			__int128 x = vals[j];
			unsigned __int128 ux = x < 0 ? (unsigned __int128)-x : (unsigned __int128)x;
			char txt[64], tmp[64];
			size_t tl = 0, o = 0;
			do {
				tmp[tl++] = (char)('0' + (int)(ux % 10));
				ux /= 10;
			} while (ux);
			if (x < 0)
				txt[o++] = '-';
			while (tl)
				txt[o++] = tmp[--tl];
			txt[o] = '\0';
			struct sl_pgtext_numeric num;
			uint8_t want[20], got[40];
			sl_pgtext_parse_numeric(txt, o, &num);
			size_t wl = ref_bytes(x, want);
			size_t gl = sl_pgtext_numeric_unscaled(&num, 0, got, sizeof got);
			n++;
			if ((gl != wl || memcmp(got, want, wl)) && bad++ < 6)
				ok(0, "numeric %s: %zu bytes, want %zu", txt, gl, wl);
		}
	}
	is_int(bad, 0, "numeric unscaled bytes match the 128-bit reference on %d values", n);
	ok(n > 3000, "enough numeric cases (%d)", n);
}

int main(void)
{
	test_numeric_unscaled();
	test_fast_paths();
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
