/* SPDX-License-Identifier: Apache-2.0
 *
 * pqbench.c -- encode N rows of an orders-like table with sluice's Parquet
 * writer and report time, size and peak RSS.
 *
 * Rows are computed from the row number with the same formulas as
 * bench/parquet/duck.mjs uses in SQL, so both writers encode identical
 * data.  Rows are made in small batches outside the timer (DuckDB's COPY
 * also starts from materialised rows); the timer covers the API calls,
 * encoding, compression, writing the file and closing it.
 *
 *   pqbench ROWS OUT.parquet
 * prints: rows=N seconds=S bytes=B maxrss_kb=K
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "parquet/parquet.h"

static enum sl_err to_file(void *ctx, const void *p, size_t n, struct sl_errbuf *eb)
{
	if (fwrite(p, 1, n, ctx) != n)
		return sl_err_set(eb, SL_ERR_IO, "could not write the output file");
	return SL_OK;
}

/* Append the decimal digits of v (>= 0); returns the new end.  Cheaper than
 * snprintf, so the benchmark measures the writer, not libc formatting. */
static char *put_u(char *p, long long v)
{
	char t[24];
	int n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = t[--n];
	return p;
}

#define CHECK(x)                                                                   \
	do {                                                                       \
		enum sl_err e_ = (x);                                              \
		if (e_) {                                                          \
			fprintf(stderr, "pqbench: %s: %s\n", sl_err_str(e_), eb.msg); \
			return 1;                                                  \
		}                                                                  \
	} while (0)

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: pqbench ROWS OUT.parquet\n");
		return 2;
	}
	long long rows = atoll(argv[1]);
	struct sl_errbuf eb = {{0}};
	FILE *fp = fopen(argv[2], "wb");
	if (!fp) {
		perror(argv[2]);
		return 1;
	}
	static char iobuf[1 << 20];
	setvbuf(fp, iobuf, _IOFBF, sizeof iobuf);

	struct sl_pq_schema *s = sl_pq_schema_new();
	int cid, cqty, cst, camt, cnote, cts;
	struct sl_pq_type t_id = {.kind = SL_PQ_INT64}, t_qty = {.kind = SL_PQ_INT32},
			  t_st = {.kind = SL_PQ_STRING}, t_amt = {.kind = SL_PQ_DECIMAL, .precision = 12, .scale = 2},
			  t_note = {.kind = SL_PQ_STRING}, t_ts = {.kind = SL_PQ_TIMESTAMP_MICROS, .utc = true};
	CHECK(sl_pq_schema_add_column(s, SL_PQ_ROOT, "id", &t_id, true, &cid, &eb));
	CHECK(sl_pq_schema_add_column(s, SL_PQ_ROOT, "qty", &t_qty, true, &cqty, &eb));
	CHECK(sl_pq_schema_add_column(s, SL_PQ_ROOT, "status", &t_st, true, &cst, &eb));
	CHECK(sl_pq_schema_add_column(s, SL_PQ_ROOT, "amount", &t_amt, true, &camt, &eb));
	CHECK(sl_pq_schema_add_column(s, SL_PQ_ROOT, "note", &t_note, true, &cnote, &eb));
	CHECK(sl_pq_schema_add_column(s, SL_PQ_ROOT, "created_at", &t_ts, true, &cts, &eb));
	struct sl_pq_writer *w;
	CHECK(sl_pq_writer_open(&w, s, NULL, to_file, fp, &eb));

	static const char *const status[] = {"pending", "paid", "shipped", "delivered", "cancelled"};
	/* Rows are generated in batches outside the timer, like DuckDB's COPY
	 * reading an already materialised table; the timer covers feeding the
	 * writer, encoding, compressing, writing and closing. */
	enum { BATCH = 4096 };
	static char notes[BATCH][48];
	static size_t note_len[BATCH];
	static const char *st[BATCH];
	static long long qty[BATCH], amt[BATCH], ts[BATCH];
	double secs = 0;
	struct timespec t0, t1;
	for (long long base = 0; base < rows; base += BATCH) {
		int nb = rows - base < BATCH ? (int)(rows - base) : BATCH;
		for (int k = 0; k < nb; k++) {
			long long i = base + k;
			char *e = notes[k];
			memcpy(e, "order ", 6);
			e = put_u(e + 6, i);
			memcpy(e, " for customer ", 14);
			e = put_u(e + 14, i * 13 % 50000);
			note_len[k] = (size_t)(e - notes[k]);
			st[k] = status[(i * 31 + i / 1000) % 5];
			qty[k] = (i * 7919) % 100 + 1;
			amt[k] = (i * 104729) % 10000000;
			ts[k] = INT64_C(1700000000000000) + i * 100000 + (i * 37) % 1000;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (int k = 0; k < nb; k++) {
			CHECK(sl_pq_set_int(w, cid, base + k + 1, &eb));
			CHECK(sl_pq_set_int(w, cqty, qty[k], &eb));
			CHECK(sl_pq_set_bytes(w, cst, st[k], strlen(st[k]), &eb));
			CHECK(sl_pq_set_int(w, camt, amt[k], &eb));
			CHECK(sl_pq_set_bytes(w, cnote, notes[k], note_len[k], &eb));
			CHECK(sl_pq_set_int(w, cts, ts[k], &eb));
			CHECK(sl_pq_row_end(w, &eb));
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(sl_pq_writer_close(w, &eb));
	if (fflush(fp) != 0) {
		perror("fflush");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	unsigned long long bytes = sl_pq_writer_offset(w);
	sl_pq_writer_free(w);
	fclose(fp);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	secs += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("rows=%lld seconds=%.3f bytes=%llu maxrss_kb=%ld\n", rows, secs, bytes, ru.ru_maxrss);
	return 0;
}
