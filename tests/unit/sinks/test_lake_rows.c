/* Unit tests: sinks/lake_rows -- typed rows against the JSON path.
 *
 * The lake writes a change either as a typed row (sl_lake_fill) or through
 * its Debezium JSON (sl_dbz_value, parsed, sl_lake_env_row).  The two must
 * store the same values: every change below is written both ways into
 * Parquet files of one row each, and once more into one file of all rows,
 * and the files must be byte for byte equal.  Values are random text as
 * PostgreSQL prints it (capture session settings), with NULLs, the edges
 * of each type, infinities, unchanged-TOAST placeholders and absent
 * columns; the last two have no typed form and must fall back to JSON.
 */
#include "lake/envelope.h"
#include "core/jsonr.h"
#include "event/debezium.h"
#include "event/pgtype_oids.h"
#include "lib/test.h"
#include "sinks/lake_rows.h"

#include <math.h>
#include <stdlib.h>

#define NUMERIC_TM(p, s) ((((p) << 16) | (s)) + 4)
/* A type sluice has no mapping for (include.unknown.datatypes). */
#define UNKNOWN_OID 16407

struct coldef {
	const char *name;
	uint32_t oid;
	int32_t typmod;
	bool optional;
};

/* Every type with a typed form under the default modes. */
static const struct coldef typed_cols[] = {
	{"id", SL_PG_INT8, -1, false},
	{"i4", SL_PG_INT4, -1, true},
	{"i2", SL_PG_INT2, -1, true},
	{"b", SL_PG_BOOL, -1, true},
	{"f4", SL_PG_FLOAT4, -1, true},
	{"f8", SL_PG_FLOAT8, -1, true},
	{"n12_2", SL_PG_NUMERIC, NUMERIC_TM(12, 2), true},
	{"n38_6", SL_PG_NUMERIC, NUMERIC_TM(38, 6), true},
	{"n5_0", SL_PG_NUMERIC, NUMERIC_TM(5, 0), true},
	{"t", SL_PG_TEXT, -1, true},
	{"vc", SL_PG_VARCHAR, 24, true},
	{"bp", SL_PG_BPCHAR, 9, true},
	{"js", SL_PG_JSON, -1, true},
	{"jb", SL_PG_JSONB, -1, true},
	{"u", SL_PG_UUID, -1, true},
	{"d", SL_PG_DATE, -1, true},
	{"ts", SL_PG_TIMESTAMP, -1, true},
	{"ts3", SL_PG_TIMESTAMP, 3, true},
	{"tz", SL_PG_TIMESTAMPTZ, -1, true},
	{"tm", SL_PG_TIME, -1, true},
	{"tm3", SL_PG_TIME, 3, true},
	{"iv", SL_PG_INTERVAL, -1, true},
	{"by", SL_PG_BYTEA, -1, true},
	{"ip", SL_PG_INET, -1, true},
	{"nn", SL_PG_TEXT, -1, false}, /* NOT NULL: absent in an old key tuple */
};
#define NTYPED (sizeof typed_cols / sizeof typed_cols[0])

static unsigned long long rng = 88172645463325252ULL;
static unsigned long long rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}
static long long rnd_range(long long lo, long long hi)
{
	return lo + (long long)(rnd() % (unsigned long long)(hi - lo + 1));
}

/* Random PostgreSQL text for a column type into buf; NULL for a NULL. */
static const char *value_text(const struct coldef *c, char *buf, size_t cap)
{
	if (c->optional && rnd() % 7 == 0)
		return NULL;
	int pick = (int)(rnd() % 10);
	switch (c->oid) {
	case SL_PG_INT8: {
		static const char *const edge[] = {"9223372036854775807", "-9223372036854775808", "0"};
		if (pick == 0)
			return edge[rnd() % 3];
		snprintf(buf, cap, "%lld", rnd_range(-5000000000LL, 5000000000LL));
		return buf;
	}
	case SL_PG_INT4:
		if (pick == 0)
			return rnd() % 2 ? "2147483647" : "-2147483648";
		snprintf(buf, cap, "%lld", rnd_range(-100000, 100000));
		return buf;
	case SL_PG_INT2:
		if (pick == 0)
			return rnd() % 2 ? "32767" : "-32768";
		snprintf(buf, cap, "%lld", rnd_range(-500, 500));
		return buf;
	case SL_PG_BOOL: return rnd() % 2 ? "t" : "f";
	case SL_PG_FLOAT4:
	case SL_PG_FLOAT8: {
		static const char *const special[] = {"NaN", "Infinity", "-Infinity", "-0", "0",
						      "1e-310", "1.7976931348623157e+308"};
		if (pick == 0)
			return special[rnd() % (c->oid == SL_PG_FLOAT4 ? 5 : 7)];
		double d;
		if (pick < 4) {
			uint64_t bits = rnd();
			memcpy(&d, &bits, sizeof d);
			if (!isfinite(d))
				d = 1.5;
		} else {
			d = (double)rnd_range(-1000000, 1000000) / 7.0;
		}
		if (c->oid == SL_PG_FLOAT4) {
			float f = (float)d;
			if (!isfinite(f))
				f = 0.25f;
			snprintf(buf, cap, "%.9g", (double)f);
		} else {
			snprintf(buf, cap, "%.17g", d);
		}
		return buf;
	}
	case SL_PG_NUMERIC: {
		int p = ((c->typmod - 4) >> 16) & 0xffff, s = (c->typmod - 4) & 0xffff;
		if (c->typmod < 0) { /* unconstrained: any scale */
			s = (int)rnd_range(0, 8);
			p = s + (int)rnd_range(1, 20);
		}
		char ip[64], fp[64];
		int ni = (int)rnd_range(1, p - s > 0 ? p - s : 1);
		for (int k = 0; k < ni; k++)
			ip[k] = (char)('0' + rnd() % 10);
		ip[ni] = 0;
		/* PostgreSQL never prints leading zeros */
		char *q = ip;
		while (q[0] == '0' && q[1])
			q++;
		if (p - s == 0)
			q = "0";
		for (int k = 0; k < s; k++)
			fp[k] = (char)('0' + rnd() % 10);
		fp[s] = 0;
		/* PostgreSQL prints no sign on zero */
		bool zero = strspn(q, "0") == strlen(q) && strspn(fp, "0") == strlen(fp);
		snprintf(buf, cap, "%s%.40s%s%.40s", !zero && rnd() % 3 == 0 ? "-" : "", q, s ? "." : "",
			 fp);
		return buf;
	}
	case SL_PG_TEXT:
	case SL_PG_VARCHAR: {
		static const char *const texts[] = {"", "plain", "quote \" and \\ backslash",
						    "tab\tnewline\n", "caf\xc3\xa9 \xe2\x82\xac",
						    "\xf0\x9f\x98\x80 emoji", "ctl \x01\x1f"};
		return texts[rnd() % 7];
	}
	case SL_PG_BPCHAR: return rnd() % 2 ? "ab   " : "abcde";
	case SL_PG_JSON: return rnd() % 2 ? "{\"a\": [1, 2.5, \"x\"]}" : "[]";
	case SL_PG_JSONB: return rnd() % 2 ? "{\"k\": null, \"z\": \"\\u00e9\"}" : "1";
	case SL_PG_UUID:
		snprintf(buf, cap, "%08llx-%04llx-4%03llx-8%03llx-%012llx", rnd() & 0xffffffffULL,
			 rnd() & 0xffff, rnd() & 0xfff, rnd() & 0xfff, rnd() & 0xffffffffffffULL);
		return buf;
	case SL_PG_DATE:
		if (pick == 0)
			return rnd() % 2 ? "infinity" : "-infinity";
		snprintf(buf, cap, "%04lld-%02lld-%02lld%s", rnd_range(1, 9999), rnd_range(1, 12),
			 rnd_range(1, 28), rnd() % 9 == 0 ? " BC" : "");
		return buf;
	case SL_PG_TIMESTAMP:
	case SL_PG_TIMESTAMPTZ: {
		if (pick == 0 && c->oid == SL_PG_TIMESTAMP)
			return rnd() % 2 ? "infinity" : "-infinity";
		char frac[16] = "";
		int nf = (int)rnd_range(0, c->typmod >= 0 ? c->typmod : 6);
		if (nf) {
			frac[0] = '.';
			for (int k = 1; k <= nf; k++)
				frac[k] = (char)('0' + rnd() % 10);
			frac[nf + 1] = 0;
			if (frac[nf] == '0') /* no trailing zeros in PostgreSQL's output */
				frac[nf] = '5';
		}
		snprintf(buf, cap, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld%s%s%s",
			 rnd_range(1, 4000), rnd_range(1, 12), rnd_range(1, 28), rnd_range(0, 23),
			 rnd_range(0, 59), rnd_range(0, 59), frac,
			 c->oid == SL_PG_TIMESTAMPTZ ? "+00" : "", rnd() % 11 == 0 ? " BC" : "");
		return buf;
	}
	case SL_PG_TIME:
		if (pick == 0)
			return "24:00:00";
		snprintf(buf, cap, "%02lld:%02lld:%02lld.%03lld", rnd_range(0, 23), rnd_range(0, 59),
			 rnd_range(0, 59), rnd_range(1, 999));
		return buf;
	case SL_PG_INTERVAL:
		snprintf(buf, cap, "P%lldY%lldM%lldDT%lldH%lldM%lld.%06lldS", rnd_range(0, 5),
			 rnd_range(0, 11), rnd_range(-30, 30), rnd_range(0, 23), rnd_range(0, 59),
			 rnd_range(0, 59), rnd_range(0, 999999));
		return buf;
	case SL_PG_BYTEA: {
		size_t n = (size_t)rnd_range(0, 20), o = 0;
		buf[o++] = '\\';
		buf[o++] = 'x';
		for (size_t k = 0; k < n; k++)
			o += (size_t)snprintf(buf + o, cap - o, "%02x", (unsigned)(rnd() & 0xff));
		buf[o] = 0;
		return buf;
	}
	case SL_PG_INET: return rnd() % 2 ? "192.168.0.1/24" : "::1";
	case UNKNOWN_OID: /* a type without a mapping (cube-like text) */
		snprintf(buf, cap, "(%lld, %lld),(\xc3\xa9%lld)", rnd_range(-99, 99), rnd_range(-99, 99),
			 rnd_range(0, 9));
		return buf;
	}
	return "?";
}

struct table {
	struct sl_relation rel;
	struct sl_column cols[64];
};

static void table_init(struct table *t, const struct coldef *defs, int n, char replident)
{
	memset(t, 0, sizeof *t);
	for (int i = 0; i < n; i++)
		t->cols[i] = (struct sl_column){.name = (char *)defs[i].name,
						.type_oid = defs[i].oid,
						.typmod = defs[i].typmod,
						.base_oid = defs[i].oid,
						.base_typmod = defs[i].typmod,
						.is_key = i == 0,
						.optional = defs[i].optional};
	t->rel = (struct sl_relation){.oid = 77, .schema = "public", .table = "bench",
				      .replident = replident, .ncols = n, .cols = t->cols,
				      .has_key = true, .topic = "b.public.bench"};
}

static void table_free(struct table *t)
{
	if (t->rel.enc_cache)
		t->rel.enc_cache_free(t->rel.enc_cache);
	if (t->rel.sink_cache)
		t->rel.sink_cache_free(t->rel.sink_cache);
	t->rel.enc_cache = t->rel.sink_cache = NULL;
}

/* A Parquet file in memory. */
struct out {
	struct sl_buf b;
	struct sl_pq_writer *w;
	struct sl_lake_env *env;
};

static enum sl_err out_write(void *ctx, const void *p, size_t n, struct sl_errbuf *eb)
{
	(void)eb;
	return sl_buf_append(&((struct out *)ctx)->b, p, n);
}

static bool out_open(struct out *o, const char *schema, size_t len)
{
	memset(o, 0, sizeof *o);
	struct sl_jsonr j;
	sl_jsonr_init(&j);
	struct sl_errbuf eb;
	struct sl_pq_schema *pq = NULL;
	bool good = !sl_jsonr_parse(&j, schema, len, &eb) &&
		    !sl_lake_env_build(&j, 0, &o->env, &pq, &eb);
	sl_jsonr_free(&j);
	struct sl_pq_options po;
	sl_pq_options_default(&po);
	po.codec = SL_PQ_SNAPPY;
	if (good && sl_pq_writer_open(&o->w, pq, &po, out_write, o, &eb))
		good = false;
	if (!good)
		printf("# out_open: %s\n", eb.msg);
	return good;
}

static void out_close(struct out *o)
{
	struct sl_errbuf eb;
	if (o->w && sl_pq_writer_close(o->w, &eb))
		printf("# close: %s\n", eb.msg);
	sl_pq_writer_free(o->w);
	sl_lake_env_free(o->env);
	o->w = NULL;
	o->env = NULL;
}

/* The JSON path: encode, parse, sl_lake_env_row. */
static enum sl_err via_json(struct out *o, const struct sl_dbz_opts *opt, const struct sl_change *ch,
			    int64_t now_ns, int64_t offset, struct sl_buf *json)
{
	struct sl_errbuf eb;
	struct sl_jsonr j;
	sl_jsonr_init(&j);
	sl_buf_reset(json);
	enum sl_err err = sl_dbz_value(opt, ch, now_ns, json, &eb);
	struct sl_lake_msg m;
	if (!err)
		err = sl_jsonr_parse(&j, json->data, json->len, &eb);
	if (!err)
		err = sl_lake_msg_split(&j, &m, &eb);
	if (!err)
		err = sl_lake_env_row(o->env, o->w, &j, m.payload, ch->rel->topic, 0, offset, &eb);
	if (err)
		printf("# json path: %s\n", eb.msg);
	sl_jsonr_free(&j);
	return err;
}

static int typed_rows, json_rows;
static struct sl_lake_row lake_row; /* reused from row to row, as in the lake */

/* The typed path, falling back to JSON as the lake does. */
static enum sl_err via_typed(struct out *o, const struct sl_dbz_opts *opt,
			     const struct sl_change *ch, int64_t now_ns, int64_t offset,
			     struct sl_buf *json)
{
	struct sl_errbuf eb;
	struct sl_lake_plan *plan;
	enum sl_err err = sl_lake_plan_get(opt, ch->rel, &plan, &eb);
	if (err)
		return err;
	/* As the lake does: decide before touching the writer; once
	 * prepared, a row is written typed or not at all. */
	if (plan && !sl_lake_prepare(&lake_row, plan, opt, ch, now_ns, &eb)) {
		err = sl_lake_fill(&lake_row, o->env, o->w, &eb);
		if (!err)
			err = sl_lake_env_finish(o->env, o->w, ch->rel->topic, 0, offset, &eb);
		else
			sl_pq_row_discard(o->w);
		if (err)
			printf("# typed path: %s\n", eb.msg);
		typed_rows += !err;
		return err;
	}
	json_rows++;
	return via_json(o, opt, ch, now_ns, offset, json);
}

struct ev {
	struct sl_value before[64], after[64];
	struct sl_row brow, arow;
	char text[2][64][96];
	struct sl_change ch;
};

/* A random change of table t. */
static void make_change(struct ev *e, struct table *t, const struct coldef *defs, int n, int k)
{
	memset(e, 0, sizeof *e);
	int kind = (int)(rnd() % 10);
	enum sl_op op = kind < 5 ? SL_OP_CREATE : kind < 8 ? SL_OP_UPDATE : kind < 9 ? SL_OP_DELETE
									     : SL_OP_READ;
	for (int side = 0; side < 2; side++) {
		struct sl_value *v = side ? e->after : e->before;
		for (int i = 0; i < n; i++) {
			const char *s = value_text(&defs[i], e->text[side][i], sizeof e->text[side][i]);
			if (s && s != e->text[side][i])
				snprintf(e->text[side][i], sizeof e->text[side][i], "%s", s);
			v[i] = s ? (struct sl_value){SL_VAL_TEXT, (uint32_t)strlen(s), e->text[side][i]}
				 : (struct sl_value){SL_VAL_NULL, 0, NULL};
		}
	}
	/* Now and then: an unchanged TOAST value, or an old key tuple. */
	if (op == SL_OP_UPDATE && rnd() % 4 == 0)
		e->after[9] = (struct sl_value){SL_VAL_TOAST, 0, NULL};
	bool key_only = (op == SL_OP_DELETE || op == SL_OP_UPDATE) && rnd() % 3 == 0;
	if (key_only)
		for (int i = 1; i < n; i++)
			e->before[i] = (struct sl_value){SL_VAL_ABSENT, 0, NULL};
	e->brow = (struct sl_row){n, e->before};
	e->arow = (struct sl_row){n, e->after};
	static char txid[32];
	snprintf(txid, sizeof txid, "%d:%d", 700 + k / 3, 5000 + k);
	e->ch = (struct sl_change){
		.op = op,
		.rel = &t->rel,
		.before = op == SL_OP_UPDATE || op == SL_OP_DELETE ? &e->brow : NULL,
		.after = op == SL_OP_DELETE ? NULL : &e->arow,
		.src = {.lsn = 26619888ULL + (uint64_t)k * 40, .last_commit_lsn = k % 5 ? 26619800ULL : 0,
			.commit_ts_us = 1754816578832901LL + k * 1000003LL - (k % 4 == 0 ? 1754816578832901LL * 2 : 0),
			.xid = k % 6 ? (uint32_t)(759 + k) : 0,
			.snapshot = op == SL_OP_READ ? (k % 2 ? "true" : "last") : NULL},
		.txn = {.id = k % 2 ? txid : NULL, .total_order = (uint64_t)k + 1,
			.data_collection_order = (uint64_t)k / 2 + 1},
	};
}

/* expect_typed: 1 most rows typed, 0 none, -1 either */
static void run_table(const char *label, struct sl_dbz_opts *opt, const struct coldef *defs,
		      int n, int nchanges, int expect_typed)
{
	struct table t;
	table_init(&t, defs, n, 'f');
	struct sl_buf json = {0};
	const char *schema;
	size_t slen;
	struct sl_errbuf eb;
	if (!ok(!sl_dbz_value_schema(opt, &t.rel, &schema, &slen, &eb), "%s: value schema", label))
		return;
	struct out all_json, all_typed;
	if (!ok(out_open(&all_json, schema, slen) && out_open(&all_typed, schema, slen),
		"%s: writers open", label))
		return;
	int typed0 = typed_rows, diffs = 0;
	struct ev *e = malloc(sizeof *e);
	for (int k = 0; k < nchanges; k++) {
		make_change(e, &t, defs, n, k);
		int64_t now_ns = 1754816579296122309LL + (int64_t)k * 977 - (k % 9 == 0 ? 3000000000000000000LL : 0);
		struct out a, b;
		if (!out_open(&a, schema, slen) || !out_open(&b, schema, slen))
			break;
		enum sl_err ea = via_json(&a, opt, &e->ch, now_ns, k, &json);
		enum sl_err eb2 = via_typed(&b, opt, &e->ch, now_ns, k, &json);
		out_close(&a);
		out_close(&b);
		bool same = ea == eb2 && a.b.len == b.b.len && !memcmp(a.b.data, b.b.data, a.b.len);
		if (!same && diffs++ < 3) {
			ok(false, "%s: change %d stored alike both ways (errors %d/%d, %zu/%zu bytes)",
			   label, k, ea, eb2, a.b.len, b.b.len);
			sl_buf_reset(&json);
			sl_dbz_value(opt, &e->ch, now_ns, &json, NULL);
			printf("#   event: %.*s\n", (int)(json.len > 3000 ? 3000 : json.len), json.data);
		}
		sl_buf_free(&a.b);
		sl_buf_free(&b.b);
		if (ea || eb2)
			continue;
		via_json(&all_json, opt, &e->ch, now_ns, k, &json);
		via_typed(&all_typed, opt, &e->ch, now_ns, k, &json);
	}
	free(e);
	ok(diffs == 0, "%s: %d changes, one-row files equal both ways (%d differ)", label, nchanges,
	   diffs);
	out_close(&all_json);
	out_close(&all_typed);
	ok(all_json.b.len > 0 && all_json.b.len == all_typed.b.len &&
		   !memcmp(all_json.b.data, all_typed.b.data, all_json.b.len),
	   "%s: the file of all changes is byte for byte equal (%zu bytes)", label, all_json.b.len);
	if (expect_typed == 1)
		ok(typed_rows - typed0 > nchanges / 2, "%s: most rows typed (%d typed of %d)", label,
		   typed_rows - typed0, 2 * nchanges);
	else if (expect_typed == 0)
		ok(typed_rows == typed0, "%s: no typed rows (%d)", label, typed_rows - typed0);
	sl_buf_free(&all_json.b);
	sl_buf_free(&all_typed.b);
	sl_buf_free(&json);
	table_free(&t);
}

int main(void)
{
	sl_lake_row_init(&lake_row);
	struct sl_dbz_opts o;
	sl_dbz_opts_init(&o);
	o.topic_prefix = "b";
	o.db_name = "appdb";
	o.version = "3.1.3.Final";
	o.value_schemas = true;
	o.provide_txn_metadata = true;

	run_table("default modes", &o, typed_cols, (int)NTYPED, 800, 1);
	int json0 = json_rows;
	ok(json0 > 0, "TOAST and absent columns went through JSON (%d rows)", json0);

	/* Other modes: the values change shape (string decimals, millisecond
	 * times, base64 text); whatever has no typed form goes through JSON. */
	struct sl_dbz_opts m = o;
	sl_dbz_opts_set_mode(&m, "decimal.handling.mode", "string", NULL);
	sl_dbz_opts_set_mode(&m, "time.precision.mode", "connect", NULL);
	sl_dbz_opts_set_mode(&m, "binary.handling.mode", "base64", NULL);
	run_table("string/connect/base64", &m, typed_cols, (int)NTYPED, 300, -1);
	struct sl_dbz_opts dbl = o;
	sl_dbz_opts_set_mode(&dbl, "decimal.handling.mode", "double", NULL);
	sl_dbz_opts_set_mode(&dbl, "time.precision.mode", "adaptive_time_microseconds", NULL);
	run_table("double/adaptive_time_microseconds", &dbl, typed_cols, (int)NTYPED, 300, 1);
	struct sl_dbz_opts legacy = o;
	legacy.legacy_txn_last = true;
	legacy.provide_txn_metadata = false;
	run_table("legacy order, no transaction block", &legacy, typed_cols, (int)NTYPED, 300, 1);

	/* A numeric without a declared scale (VariableScaleDecimal) has no
	 * typed form: the relation is never typed, and still stored alike. */
	static const struct coldef var_cols[] = {{"id", SL_PG_INT8, -1, false},
						 {"n", SL_PG_NUMERIC, -1, true}};
	run_table("numeric without scale", &o, var_cols, 2, 50, 0);

	/* include.unknown.datatypes: a bytes column of the text's bytes,
	 * typed in bytes mode, through JSON in the text modes. */
	static const struct coldef unk_cols[] = {{"id", SL_PG_INT8, -1, false},
						 {"cu", UNKNOWN_OID, -1, true},
						 {"cnn", UNKNOWN_OID, -1, false},
						 {"t", SL_PG_TEXT, -1, true}};
	struct sl_dbz_opts unk = o;
	unk.include_unknown = true;
	run_table("include.unknown.datatypes", &unk, unk_cols, 4, 200, 1);
	sl_dbz_opts_set_mode(&unk, "binary.handling.mode", "hex", NULL);
	run_table("include.unknown.datatypes, hex", &unk, unk_cols, 4, 100, -1);
	printf("# %d rows typed, %d through JSON\n", typed_rows, json_rows);
	sl_lake_row_free(&lake_row);
	return t_done();
}
