/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_json.c -- libFuzzer target for the archive's JSON parser and the
 * Debezium envelope decoder behind it.
 *
 * The input is one Kafka record value, handled as the archive handles it:
 * parse, split into schema and payload, compile a layout (from the schema
 * block when there is one, and also the schema-less layout that turns
 * before/after/source into JSON text), and stage one Parquet row per
 * layout into a writer whose bytes are discarded, then close the writer so
 * the encoder sees what was staged.  Every node is also read back through
 * the accessors (integer, double, timestamp text, re-serialisation, dotted
 * paths) so their bounds are exercised on hostile documents, and the payload
 * goes through a Field partitioner (op, after.id) and a TimeBased one fed
 * the payload's ts_ms, as untrusted as the rest.
 *
 * The input is copied to an exact-size allocation so ASan sees any read past
 * its end.  Decoders may return SL_OK, SL_ERR_PROTO (bad input) or, for the
 * Parquet writer, SL_ERR_ARG (a value the column cannot hold); anything
 * else is a bug and aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lake/envelope.h"
#include "core/jsonr.h"
#include "lake/partitioner.h"
#include "core/buf.h"
#include "parquet/parquet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum sl_err discard(void *ctx, const void *p, size_t n, struct sl_errbuf *eb)
{
	(void)p;
	(void)eb;
	*(size_t *)ctx += n;
	return SL_OK;
}

static void expect(enum sl_err e, bool arg_ok)
{
	if (e != SL_OK && e != SL_ERR_PROTO && !(arg_ok && e == SL_ERR_ARG))
		abort();
}

/* One layout, one row, one closed file. */
static void row(const struct sl_jsonr *j, uint32_t schema, uint32_t payload)
{
	struct sl_errbuf eb;
	struct sl_lake_env *env;
	struct sl_pq_schema *pq;
	enum sl_err e = sl_lake_env_build(j, schema, &env, &pq, &eb);
	/* A schema Parquet cannot express (duplicate or empty names, too deep)
	 * is a bad record (SL_ERR_PROTO); a layout that was built must open. */
	expect(e, false);
	if (e)
		return;
	struct sl_pq_options o;
	sl_pq_options_default(&o);
	o.codec = SL_PQ_UNCOMPRESSED;
	size_t bytes = 0;
	struct sl_pq_writer *w = NULL;
	if (sl_pq_writer_open(&w, pq, &o, discard, &bytes, &eb) != SL_OK)
		abort();
	e = sl_lake_env_row(env, w, j, payload, "t.public.x", 3, 42, &eb);
	expect(e, false);
	/* A rejected row leaves the writer usable: an all-null row must fit. */
	if (e)
		expect(sl_lake_env_row(env, w, j, SL_ARC_JSON_NONE, "t", 0, 0, &eb), false);
	if (sl_pq_writer_close(w, &eb) != SL_OK)
		abort();
	sl_pq_writer_free(w);
	sl_lake_env_free(env);
}

static void accessors(const struct sl_jsonr *j)
{
	struct sl_buf b;
	sl_buf_init(&b, 0);
	for (uint32_t i = 0; i < j->nv; i++) {
		int64_t iv;
		double dv;
		(void)sl_jsonr_i64(j, i, &iv);
		(void)sl_jsonr_f64(j, i, &dv);
		if (j->v[i].type == SL_ARC_JSON_STRING)
			(void)sl_lake_parse_iso_us(sl_jsonr_text(j, i), &iv);
	}
	if (sl_jsonr_write(j, 0, &b) != SL_OK)
		abort();
	/* Re-serialised output is valid JSON that parses to the same text. */
	struct sl_jsonr again;
	struct sl_errbuf eb;
	sl_jsonr_init(&again);
	if (sl_jsonr_parse(&again, b.data, b.len, &eb) != SL_OK || again.nv != j->nv)
		abort();
	struct sl_buf b2;
	sl_buf_init(&b2, 0);
	if (sl_jsonr_write(&again, 0, &b2) != SL_OK || b2.len != b.len ||
	    memcmp(b.data, b2.data, b.len))
		abort();
	sl_buf_free(&b2);
	sl_jsonr_free(&again);
	(void)sl_jsonr_path(j, 0, "after.id");
	(void)sl_jsonr_path(j, 0, "payload.source.lsn");
	sl_buf_free(&b);
}

/* Partitioners are built once (they are configuration, not input). */
static void partition(const struct sl_jsonr *j, uint32_t payload)
{
	static struct sl_lake_part *field, *timed;
	struct sl_errbuf eb;
	if (!field) {
		struct sl_lake_part_opts f = {.cls = "Field", .fields = "op,after.id"};
		struct sl_lake_part_opts t = {.cls = "TimeBased",
					     .path_format = "'dt'=YYYY-MM-dd/'t'=HHmmss.SSS",
					     .duration_ms = 900000,
					     .timezone = "+05:30"};
		if (sl_lake_part_new(&f, &field, &eb) || sl_lake_part_new(&t, &timed, &eb))
			abort();
	}
	struct sl_buf b;
	sl_buf_init(&b, 0);
	expect(sl_lake_part_encode(field, 0, 0, j, payload, &b, &eb), false);
	int64_t ts = 0;
	if (sl_jsonr_i64(j, sl_jsonr_get(j, payload, "ts_ms"), &ts)) {
		sl_buf_reset(&b);
		expect(sl_lake_part_encode(timed, 0, ts, j, payload, &b, &eb), false);
	}
	sl_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	struct sl_jsonr j;
	struct sl_errbuf eb;
	sl_jsonr_init(&j);
	enum sl_err e = sl_jsonr_parse(&j, copy, size, &eb);
	expect(e, false);
	if (e == SL_OK) {
		accessors(&j);
		struct sl_lake_msg m;
		e = sl_lake_msg_split(&j, &m, &eb);
		expect(e, false);
		if (e == SL_OK) {
			partition(&j, m.payload);
			if (m.schema != SL_ARC_JSON_NONE)
				row(&j, m.schema, m.payload);
			row(&j, SL_ARC_JSON_NONE, m.payload);
		}
	}
	sl_jsonr_free(&j);
	free(copy);
	return 0;
}
