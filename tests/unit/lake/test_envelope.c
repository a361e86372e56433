/* SPDX-License-Identifier: Apache-2.0
 *
 * test_envelope.c -- Debezium change events (JSON) as Parquet rows
 * (archive/envelope.h), read back by DuckDB.
 *
 * Events with a Kafka Connect schema block and without one are turned into
 * rows with sl_lake_env_build / sl_lake_env_row, written to Parquet files in
 * a scratch directory, and queried with DuckDB (tools/js/lake-query.mjs, the
 * @duckdb/node-api the project installs): the column types DuckDB sees
 * (DECIMAL(p,s), DATE, TIMESTAMP, TIMESTAMP WITH TIME ZONE, UUID, LIST,
 * JSON text) and the values, computed by hand from the Debezium encodings
 * (Decimal = base64 big-endian unscaled bytes; Date = days; MicroTimestamp
 * = micros; ZonedTimestamp = ISO-8601 text; ...).  Malformed envelopes must
 * be SL_ERR_PROTO with a message naming the field and the problem, and
 * must leave the writer usable.  The tests run from the repository root
 * (tests/run.sh does that).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lake/envelope.h"
#include "core/jsonr.h"
#include "core/buf.h"
#include "lib/test.h"
#include "parquet/parquet.h"

static struct sl_errbuf EB;
static char DIR_[256];

static enum sl_err to_file(void *ctx, const void *p, size_t n, struct sl_errbuf *eb)
{
	if (fwrite(p, 1, n, ctx) != n)
		return sl_err_set(eb, SL_ERR_IO, "could not write the test file");
	return SL_OK;
}

/* An open Parquet file for one layout. */
struct out {
	FILE *f;
	struct sl_lake_env *env;
	struct sl_pq_writer *w;
};

static bool out_open(struct out *o, const char *name, const struct sl_jsonr *j, uint32_t schema)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", DIR_, name);
	memset(o, 0, sizeof *o);
	struct sl_pq_schema *pq;
	enum sl_err e = sl_lake_env_build(j, schema, &o->env, &pq, &EB);
	is_int(e, SL_OK, "%s: layout (%s)", name, e ? EB.msg : "ok");
	if (e)
		return false;
	o->f = fopen(path, "wb");
	ok(o->f != NULL, "%s: create", path);
	if (!o->f) {
		sl_pq_schema_free(pq);
		return false;
	}
	e = sl_pq_writer_open(&o->w, pq, NULL, to_file, o->f, &EB);
	is_int(e, SL_OK, "%s: writer (%s)", name, e ? EB.msg : "ok");
	return e == SL_OK;
}

static void out_close(struct out *o)
{
	if (o->w)
		is_int(sl_pq_writer_close(o->w, &EB), SL_OK, "close (%s)", EB.msg);
	sl_pq_writer_free(o->w);
	sl_lake_env_free(o->env);
	if (o->f)
		fclose(o->f);
}

static enum sl_err parse_split(struct sl_jsonr *j, const char *doc, struct sl_lake_msg *m)
{
	enum sl_err e = sl_jsonr_parse(j, doc, strlen(doc), &EB);
	return e ? e : sl_lake_msg_split(j, m, &EB);
}

/* DuckDB is the test readers' npm package (scripts/deps.sh installs it):
 * without it, the reads are skipped with a "# skip" line, so `make unit`
 * runs in a fresh clone; `make test` always installs it first. */
static bool have_duck(const char *what)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/tools/js/node_modules/@duckdb/node-api/package.json",
		 t_src_root());
	if (access(path, R_OK) == 0)
		return true;
	printf("# skip %s: tools/js/node_modules is not installed (run scripts/deps.sh)\n", what);
	return false;
}

/* Run SQL queries in DuckDB; each must yield one row with one column.
 * The values are returned in vals (each at most 1 KiB). */
static bool duck(const char *const *sql, int n, char vals[][1024])
{
	int fd[2];
	if (pipe(fd))
		return false;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		close(fd[0]);
		close(fd[1]);
		char script[4096];
		snprintf(script, sizeof script, "%s/tools/js/lake-query.mjs", t_src_root());
		const char *argv[24] = {"node", script};
		for (int i = 0; i < n && i < 20; i++)
			argv[2 + i] = sql[i];
		execvp("node", (char *const *)argv);
		_exit(127);
	}
	close(fd[1]);
	struct sl_buf b;
	sl_buf_init(&b, 0);
	char chunk[4096];
	ssize_t r;
	while ((r = read(fd[0], chunk, sizeof chunk)) > 0)
		sl_buf_append(&b, chunk, (size_t)r);
	close(fd[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	sl_buf_putc(&b, 0);
	bool good = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	if (!good)
		printf("# duckdb failed:\n%s\n", b.data);
	/* Each result: header line, dashes, one value line, "(1 row)", blank. */
	char *p = b.data;
	for (int i = 0; good && i < n; i++) {
		char *lines[3];
		for (int k = 0; k < 3; k++) {
			lines[k] = p;
			char *nl = strchr(p, '\n');
			if (!nl) {
				good = false;
				break;
			}
			*nl = 0;
			p = nl + 1;
		}
		if (!good)
			break;
		size_t l = strlen(lines[2]);
		while (l && lines[2][l - 1] == ' ')
			lines[2][--l] = 0;
		snprintf(vals[i], 1024, "%s", lines[2]);
		char *end = strstr(p, "\n\n");
		p = end ? end + 2 : p + strlen(p);
	}
	sl_buf_free(&b);
	return good;
}

#define TYPED_SCHEMA                                                                                  \
	"{\"type\":\"struct\",\"name\":\"srv.public.t.Envelope\",\"fields\":["                       \
	"{\"type\":\"struct\",\"optional\":true,\"field\":\"before\",\"fields\":" AFTER "},"              \
	"{\"type\":\"struct\",\"optional\":true,\"field\":\"after\",\"fields\":" AFTER "},"               \
	"{\"type\":\"struct\",\"optional\":false,\"field\":\"source\",\"fields\":["                   \
	"{\"type\":\"string\",\"optional\":false,\"field\":\"connector\"},"                            \
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"lsn\"}]},"                                   \
	"{\"type\":\"string\",\"optional\":false,\"field\":\"op\"},"                                   \
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"}]}"

#define AFTER                                                                                          \
	"[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"                                   \
	"{\"type\":\"bytes\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data.Decimal\","    \
	"\"parameters\":{\"scale\":\"2\",\"connect.decimal.precision\":\"10\"},\"field\":\"price\"},"  \
	"{\"type\":\"bytes\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data.Decimal\","    \
	"\"parameters\":{\"scale\":\"3\",\"connect.decimal.precision\":\"40\"},\"field\":\"wide\"},"   \
	"{\"type\":\"struct\",\"optional\":true,\"name\":\"io.debezium.data.VariableScaleDecimal\","   \
	"\"fields\":[{\"type\":\"int32\",\"field\":\"scale\"},{\"type\":\"bytes\",\"field\":\"value\"}],"\
	"\"field\":\"vs\"},"                                                                            \
	"{\"type\":\"int32\",\"optional\":true,\"name\":\"io.debezium.time.Date\",\"field\":\"d\"},"   \
	"{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroTimestamp\","          \
	"\"field\":\"ts\"},"                                                                            \
	"{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.Timestamp\",\"field\":\"ms\"},"\
	"{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.NanoTimestamp\","           \
	"\"field\":\"ns\"},"                                                                            \
	"{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.time.ZonedTimestamp\","         \
	"\"field\":\"tz\"},"                                                                            \
	"{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroTime\",\"field\":\"t\"},"\
	"{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Uuid\",\"field\":\"u\"},"  \
	"{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Json\",\"field\":\"j\"},"  \
	"{\"type\":\"array\",\"optional\":true,\"items\":{\"type\":\"string\",\"optional\":true},"      \
	"\"field\":\"tags\"},"                                                                          \
	"{\"type\":\"array\",\"optional\":true,\"items\":{\"type\":\"struct\",\"fields\":["             \
	"{\"type\":\"int32\",\"field\":\"x\"}]},\"field\":\"objs\"},"                                   \
	"{\"type\":\"bytes\",\"optional\":true,\"field\":\"raw\"},"                                     \
	"{\"type\":\"boolean\",\"optional\":true,\"field\":\"flag\"},"                                  \
	"{\"type\":\"double\",\"optional\":true,\"field\":\"dbl\"},"                                    \
	"{\"type\":\"struct\",\"optional\":true,\"field\":\"nested\",\"fields\":["                      \
	"{\"type\":\"int16\",\"field\":\"small\"}]}]"

static const char *const typed_payloads[] = {
	/* 0: a create with every type */
	"{\"before\":null,\"after\":{\"id\":1,\"price\":\"MDk=\",\"wide\":\"AQID\","
	"\"vs\":{\"scale\":4,\"value\":\"A2QO\"},\"d\":19000,\"ts\":1700000000123456,"
	"\"ms\":1478267490123,\"ns\":-1,\"tz\":\"2024-03-10T02:30:00.5-05:00\","
	"\"t\":49890000000,\"u\":\"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11\","
	"\"j\":\"{\\\"k\\\": [1]}\",\"tags\":[\"a b\",null,\"c\\\"d\"],\"objs\":[{\"x\":1}],"
	"\"raw\":\"AQID\",\"flag\":true,\"dbl\":\"NaN\",\"nested\":{\"small\":-7}},"
	"\"source\":{\"connector\":\"postgresql\",\"lsn\":123},\"op\":\"c\",\"ts_ms\":1700000000999}",
	/* 1: negative decimals, a delete (after null) */
	"{\"before\":{\"id\":2,\"price\":\"/w==\",\"vs\":{\"scale\":0,\"value\":\"+KQy6w==\"},"
	"\"tags\":[],\"nested\":null},\"after\":null,"
	"\"source\":{\"connector\":\"postgresql\",\"lsn\":124},\"op\":\"d\",\"ts_ms\":1}",
};

static void test_typed(void)
{
	struct sl_jsonr j;
	sl_jsonr_init(&j);
	struct out o;
	char doc[8192];
	struct sl_lake_msg m;
	snprintf(doc, sizeof doc, "{\"schema\":%s,\"payload\":%s}", TYPED_SCHEMA, typed_payloads[0]);
	is_int(parse_split(&j, doc, &m), SL_OK, "typed envelope parses (%s)", EB.msg);
	ok(m.schema != SL_ARC_JSON_NONE, "schema block found");
	if (!out_open(&o, "typed.parquet", &j, m.schema)) {
		sl_jsonr_free(&j);
		return;
	}
	for (int i = 0; i < 2; i++) {
		snprintf(doc, sizeof doc, "{\"schema\":%s,\"payload\":%s}", TYPED_SCHEMA,
			 typed_payloads[i]);
		enum sl_err e = parse_split(&j, doc, &m);
		if (!e)
			e = sl_lake_env_row(o.env, o.w, &j, m.payload, "srv.public.t", 2, 100 + i, &EB);
		is_int(e, SL_OK, "typed row %d (%s)", i, e ? EB.msg : "ok");
	}
	/* A bad row in between is refused and leaves the writer usable. */
	snprintf(doc, sizeof doc,
		 "{\"schema\":%s,\"payload\":{\"after\":{\"id\":3,\"u\":\"not-a-uuid\"},\"op\":\"c\"}}",
		 TYPED_SCHEMA);
	is_int(parse_split(&j, doc, &m), SL_OK, "bad-uuid event parses");
	is_int(sl_lake_env_row(o.env, o.w, &j, m.payload, "srv.public.t", 2, 102, &EB), SL_ERR_PROTO,
	       "bad UUID refused");
	ok(strstr(EB.msg, "\"u\"") && strstr(EB.msg, "UUID"), "message names u and UUID: %s",
	   EB.msg);
	is_int(sl_pq_writer_rows(o.w), 2, "two rows committed, the bad one discarded");
	out_close(&o);
	sl_jsonr_free(&j);

	static const char *const q[] = {
		"SELECT concat_ws(',', typeof(after.id), typeof(after.price), typeof(after.wide), "
		"typeof(after.vs), typeof(after.d), typeof(after.ts), typeof(after.ms), typeof(after.ns), "
		"typeof(after.tz), typeof(after.t), typeof(after.u), typeof(after.tags), "
		"typeof(after.objs), typeof(after.raw), typeof(after.flag), typeof(after.nested.small), "
		"typeof(op), typeof(ts_ms), typeof(_topic), typeof(_partition), typeof(_offset)) "
		"FROM 'DIR/typed.parquet' LIMIT 1",
		"SELECT concat_ws('|', after.id, after.price, after.wide, after.vs, after.d, "
		"strftime(after.ts, '%Y-%m-%d %H:%M:%S.%f'), strftime(after.ms, '%Y-%m-%d %H:%M:%S.%f'), "
		"strftime(after.ns, '%Y-%m-%d %H:%M:%S.%f'), "
		"strftime(after.tz AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f'), after.t, after.u, "
		"after.j, to_json(after.tags), after.objs, hex(after.raw), after.flag, isnan(after.dbl), "
		"after.nested.small, source.connector, source.lsn, op, ts_ms, _topic, _partition, _offset) "
		"FROM 'DIR/typed.parquet' WHERE _offset = 100",
		"SELECT concat_ws('|', after IS NULL, before.id, before.price, before.vs, "
		"len(before.tags), before.nested IS NULL, op, ts_ms) FROM 'DIR/typed.parquet' "
		"WHERE _offset = 101",
		"SELECT count(*) FROM 'DIR/typed.parquet'",
	};
	char sql[4][2048], vals[4][1024];
	const char *qs[4];
	for (int i = 0; i < 4; i++) {
		/* DIR -> the scratch directory */
		const char *d = strstr(q[i], "DIR");
		snprintf(sql[i], sizeof sql[i], "%.*s%s%s", (int)(d - q[i]), q[i], DIR_, d + 3);
		qs[i] = sql[i];
	}
	if (!have_duck("DuckDB reads the typed file"))
		return;
	if (!ok(duck(qs, 4, vals), "DuckDB reads the typed file"))
		return;
	is_str(vals[0],
	       "INTEGER,DECIMAL(10,2),VARCHAR,VARCHAR,DATE,TIMESTAMP,TIMESTAMP,TIMESTAMP,"
	       "TIMESTAMP WITH TIME ZONE,TIME,UUID,VARCHAR[],JSON,BLOB,BOOLEAN,SMALLINT,VARCHAR,"
	       "BIGINT,VARCHAR,INTEGER,BIGINT",
	       "DuckDB column types (Decimal, Date, timestamps, zoned, UUID, LIST, JSON)");
	is_str(vals[1],
	       "1|123.45|66.051|22.2222|2022-01-08|2023-11-14 22:13:20.123456|"
	       "2016-11-04 13:51:30.123000|1969-12-31 23:59:59.999999|2024-03-10 07:30:00.500000|"
	       "13:51:30|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|{\"k\": [1]}|[\"a b\",null,\"c\\\"d\"]|"
	       "[{\"x\":1}]|010203|true|true|-7|postgresql|123|c|1700000000999|srv.public.t|2|100",
	       "values of the create");
	is_str(vals[2], "true|2|-0.01|-123456789|0|true|d|1", "values of the delete");
	is_str(vals[3], "2", "row count");
}

static void test_schemaless(void)
{
	struct sl_jsonr j;
	sl_jsonr_init(&j);
	struct sl_lake_msg m;
	const char *ev = "{\"before\":null,\"after\":{\"id\":1,\"s\":\"h\\u00e9\",\"n\":1.50,"
			 "\"a\":[1,{\"b\":null}]},\"source\":{\"lsn\":7},\"op\":\"u\",\"ts_ms\":5,"
			 "\"transaction\":null}";
	is_int(parse_split(&j, ev, &m), SL_OK, "schema-less event");
	ok(m.schema == SL_ARC_JSON_NONE && m.payload == 0, "no schema: the whole value is the payload");
	struct out o;
	if (!out_open(&o, "plain.parquet", &j, SL_ARC_JSON_NONE)) {
		sl_jsonr_free(&j);
		return;
	}
	is_int(sl_lake_env_row(o.env, o.w, &j, m.payload, "t", 0, 9, &EB), SL_OK, "plain row");
	/* {"schema":null,...} and {"schema":..} with extra members are bare
	 * payloads or schema-less envelopes. */
	is_int(parse_split(&j, "{\"schema\":null,\"payload\":{\"op\":\"r\",\"after\":{\"id\":2}}}", &m),
	       SL_OK, "schema null");
	ok(m.schema == SL_ARC_JSON_NONE && m.payload != 0, "schema null: payload is the member");
	is_int(sl_lake_env_row(o.env, o.w, &j, m.payload, "t", 0, 10, &EB), SL_OK, "row from it");
	/* An all-null row (no payload at all) still carries the coordinates. */
	is_int(sl_lake_env_row(o.env, o.w, &j, SL_ARC_JSON_NONE, "t", 1, 11, &EB), SL_OK,
	       "empty row");
	out_close(&o);
	sl_jsonr_free(&j);

	char sql[3][512], vals[3][1024];
	snprintf(sql[0], sizeof sql[0],
		 "SELECT concat_ws(',', typeof(before), typeof(after), typeof(source), typeof(op), "
		 "typeof(ts_ms)) FROM '%s/plain.parquet' LIMIT 1", DIR_);
	snprintf(sql[1], sizeof sql[1],
		 "SELECT concat_ws('|', before IS NULL, after, source, op, ts_ms, _offset) "
		 "FROM '%s/plain.parquet' WHERE _offset = 9", DIR_);
	snprintf(sql[2], sizeof sql[2],
		 "SELECT string_agg(concat_ws('/', coalesce(op, 'NULL'), coalesce(after::VARCHAR, 'NULL'), "
		 "_partition), ';' ORDER BY _offset) FROM '%s/plain.parquet' WHERE _offset > 9", DIR_);
	const char *qs[3] = {sql[0], sql[1], sql[2]};
	if (!have_duck("DuckDB reads the schema-less file"))
		return;
	if (!ok(duck(qs, 3, vals), "DuckDB reads the schema-less file"))
		return;
	is_str(vals[0], "JSON,JSON,JSON,VARCHAR,BIGINT", "schema-less types: JSON text columns");
	is_str(vals[1],
	       "true|{\"id\":1,\"s\":\"h\xc3\xa9\",\"n\":1.50,\"a\":[1,{\"b\":null}]}|{\"lsn\":7}|u|5|9",
	       "JSON text kept (numbers verbatim), null before is NULL");
	is_str(vals[2], "r/{\"id\":2}/0;NULL/NULL/1", "schema null envelope and an all-null row");
}

/* One event against a one-field schema; returns the row's result. */
static enum sl_err one(const char *field_schema, const char *after, const char *msg_frag,
		       const char *why)
{
	struct sl_jsonr j;
	sl_jsonr_init(&j);
	char doc[4096];
	snprintf(doc, sizeof doc,
		 "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"struct\",\"field\":\"after\","
		 "\"optional\":true,\"fields\":[%s]}]},\"payload\":{\"op\":\"c\",\"after\":%s}}",
		 field_schema, after);
	struct sl_lake_msg m;
	enum sl_err e = parse_split(&j, doc, &m);
	struct out o = {0};
	if (!e) {
		struct sl_pq_schema *pq;
		e = sl_lake_env_build(&j, m.schema, &o.env, &pq, &EB);
		if (!e) {
			o.f = fopen("/dev/null", "wb");
			e = sl_pq_writer_open(&o.w, pq, NULL, to_file, o.f, &EB);
		}
		if (!e)
			e = sl_lake_env_row(o.env, o.w, &j, m.payload, "t", 0, 0, &EB);
	}
	if (msg_frag) {
		is_int(e, SL_ERR_PROTO, "%s: refused", why);
		ok(e && strstr(EB.msg, msg_frag), "%s: message \"%s\" says \"%s\"", why, e ? EB.msg : "",
		   msg_frag);
	} else {
		is_int(e, SL_OK, "%s (%s)", why, e ? EB.msg : "ok");
	}
	if (o.w) {
		sl_pq_writer_close(o.w, &EB);
		sl_pq_writer_free(o.w);
	}
	sl_lake_env_free(o.env);
	if (o.f)
		fclose(o.f);
	sl_jsonr_free(&j);
	return e;
}

#define F(type, extra) "{\"type\":\"" type "\",\"optional\":true,\"field\":\"x\"" extra "}"
#define DEC(scale, prec)                                                                      \
	F("bytes", ",\"name\":\"org.apache.kafka.connect.data.Decimal\",\"parameters\":{\"scale\":\"" \
		   scale "\",\"connect.decimal.precision\":\"" prec "\"}")

static void test_malformed(void)
{
	one(F("int32", ""), "{\"x\":\"1\"}", "\"x\": expected an integer", "string for int32");
	one(F("int32", ""), "{\"x\":1.5}", "\"x\": expected an integer", "fraction for int32");
	one(F("int8", ""), "{\"x\":128}", "range", "128 for int8");
	one(F("int8", ""), "{\"x\":-128}", NULL, "-128 for int8");
	one(F("boolean", ""), "{\"x\":0}", "\"x\": expected a boolean", "0 for boolean");
	one(F("string", ""), "{\"x\":1}", "\"x\": expected a string", "number for string");
	one(F("bytes", ""), "{\"x\":\"A\"}", "\"x\": invalid base64", "bad base64 length");
	one(F("bytes", ""), "{\"x\":\"AB*=\"}", "\"x\": invalid base64", "bad base64 character");
	one(DEC("2", "4"), "{\"x\":\"AQIDBAUGBwgJCgsMDQ4PEBES\"}", "\"x\": invalid base64 decimal",
	    "decimal wider than 16 bytes");
	one(DEC("2", "4"), "{\"x\":\"\"}", "\"x\": invalid base64 decimal", "empty decimal");
	one(DEC("2", "4"), "{\"x\":\"AYag\"}", "numeric(4,2)", "decimal beyond its precision");
	one(DEC("2", "4"), "{\"x\":\"Jw8=\"}", NULL, "99.99 fits numeric(4,2)");
	one(F("string", ",\"name\":\"io.debezium.time.ZonedTimestamp\""),
	    "{\"x\":\"2024-01-02 03:04:05\"}", "\"x\": expected an ISO-8601 timestamp with a zone",
	    "zoned timestamp without a zone");
	one(F("string", ",\"name\":\"io.debezium.time.ZonedTimestamp\""),
	    "{\"x\":\"999999999-01-01T00:00:00Z\"}", "ISO-8601", "zoned timestamp out of range");
	one(F("int64", ",\"name\":\"io.debezium.time.NanoTimestamp\""),
	    "{\"x\":-9223372036854775808}", NULL, "INT64_MIN nanoseconds");
	one(F("int64", ",\"name\":\"io.debezium.time.Timestamp\""), "{\"x\":9223372036854775807}",
	    "milliseconds", "milliseconds that overflow micros");
	one(F("string", ",\"name\":\"io.debezium.data.Uuid\""), "{\"x\":\"a0eebc99\"}",
	    "expected a UUID", "short UUID");
	one(F("array", ",\"items\":{\"type\":\"int32\"}"), "{\"x\":{\"a\":1}}",
	    "\"x\": expected an array", "object for an array");
	one(F("array", ",\"items\":{\"type\":\"int32\"}"), "{\"x\":[1,\"2\"]}",
	    "\"x\": expected an integer", "bad array element");
	one(F("struct", ",\"fields\":[{\"type\":\"int32\",\"field\":\"y\"}]"), "{\"x\":[1]}",
	    "\"x\": expected an object", "array for a struct");
	one(F("struct", ",\"name\":\"io.debezium.data.VariableScaleDecimal\""),
	    "{\"x\":{\"scale\":-1,\"value\":\"AQ==\"}}", "\"x\": expected {scale, value}",
	    "negative variable scale");
	one(F("struct", ",\"name\":\"io.debezium.data.VariableScaleDecimal\""),
	    "{\"x\":{\"scale\":4000,\"value\":\"AQ==\"}}", NULL, "variable scale 4000 (long padding)");
	one(F("struct", ",\"fields\":[]"), "{\"x\":{}}", NULL, "struct without fields");
	one("{\"type\":\"int32\"}", "{}", "without a \"field\" name", "schema field without a name");
	one(F("int32", "") "," F("string", ""), "{\"x\":1}", "unusable value schema",
	    "duplicate field names");
	one("{\"type\":\"int32\",\"field\":\"\"}", "{}", "unusable value schema", "empty field name");
	one(F("int32", ""), "5", "\"after\": expected an object", "after is a number");
	one(F("int32", ""), "{\"x\":null}", NULL, "null value is a null");
	one(F("int32", ""), "{}", NULL, "absent value is a null");

	/* Deeply nested schemas are bad records, not writer errors. */
	char deep[8192] = "{\"type\":\"int32\",\"field\":\"leaf\"}";
	for (int k = 0; k < 26; k++) {
		char head[64];
		int hl = snprintf(head, sizeof head, "{\"type\":\"struct\",\"field\":\"n%d\",\"fields\":[", k);
		size_t dl = strlen(deep);
		if (dl + (size_t)hl + 3 > sizeof deep)
			break;
		memmove(deep + hl, deep, dl + 1);
		memcpy(deep, head, (size_t)hl);
		strcat(deep, "]}");
	}
	one(deep, "{}", "nested too deeply", "26 nested structs");

	struct sl_jsonr j;
	sl_jsonr_init(&j);
	struct sl_lake_msg m;
	is_int(parse_split(&j, "null", &m), SL_ERR_PROTO, "a JSON null value (tombstone text)");
	ok(strstr(EB.msg, "not a JSON object") != NULL, "message: %s", EB.msg);
	is_int(parse_split(&j, "[1]", &m), SL_ERR_PROTO, "an array value");
	is_int(parse_split(&j, "{\"schema\":{},\"payload\":7}", &m), SL_ERR_PROTO,
	       "payload not an object");
	ok(strstr(EB.msg, "payload is not a JSON object") != NULL, "message: %s", EB.msg);
	is_int(parse_split(&j, "{\"schema\":{},\"payload\":{},\"x\":1}", &m), SL_OK,
	       "three members: a bare payload");
	ok(m.schema == SL_ARC_JSON_NONE && m.payload == 0, "... the whole value");
	sl_jsonr_free(&j);
}

static void test_iso(void)
{
	static const struct {
		const char *s;
		int64_t us;
	} good[] = {
		{"2024-01-02T03:04:05.123456Z", INT64_C(1704164645123456)},
		{"2024-01-02T03:04:05Z", INT64_C(1704164645000000)},
		{"2024-01-02T03:04Z", INT64_C(1704164640000000)},
		{"2024-01-02 03:04:05.5Z", INT64_C(1704164645500000)},
		{"2024-01-02T05:04:05.123456+02:00", INT64_C(1704164645123456)},
		{"2024-01-01T21:34:05-05:30", INT64_C(1704164645000000)},
		{"2024-01-02T05:04:05+0200", INT64_C(1704164645000000)},
		{"2024-01-02T05:04:05+02", INT64_C(1704164645000000)},
		{"2024-01-02T03:04:05.1234567891Z", INT64_C(1704164645123456)},
		{"1969-12-31T23:59:59.999999Z", -1},
		{"0001-01-01T00:00:00Z", INT64_C(-62135596800000000)},
		{"-0001-01-01T00:00:00Z", INT64_C(-62198755200000000)},
		{"+10000-01-01T00:00:00Z", INT64_C(253402300800000000)},
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		int64_t us = 0;
		ok(sl_lake_parse_iso_us(good[i].s, &us), "parses %s", good[i].s);
		is_int(us, good[i].us, "value of %s", good[i].s);
	}
	static const char *const bad[] = {
		"", "2024-01-02T03:04:05", "2024-01-02", "2024-13-02T00:00Z", "2024-01-32T00:00Z",
		"2024-01-02T24:00Z", "2024-01-02T03:60Z", "2024-1-02T03:04Z", "24-01-02T03:04Z",
		"2024-01-02T03:04:05.Z", "2024-01-02T03:04:05Zjunk", "2024-01-02X03:04Z",
		"2024-01-02T03:04:05+2", "999999999-01-01T00:00:00Z", "-999999999-01-01T00:00:00Z",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t us = 0;
		ok(!sl_lake_parse_iso_us(bad[i], &us), "refuses \"%s\"", bad[i]);
	}
}

int main(void)
{
	snprintf(DIR_, sizeof DIR_, "%s/sl-envelope-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(DIR_)) {
		ok(0, "scratch directory");
		return t_done();
	}
	test_iso();
	test_malformed();
	test_typed();
	test_schemaless();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", DIR_);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", DIR_);
	return t_done();
}
