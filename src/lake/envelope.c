/* SPDX-License-Identifier: Apache-2.0
 *
 * envelope.c -- compile a Kafka Connect value schema into a Parquet layout
 * and turn payloads into rows (see envelope.h).
 *
 * The layout is a flat array of fields; a group's children occupy a
 * contiguous index range (reserved before the children are compiled, so
 * grandchildren land after them).  Conversions are chosen once, at compile
 * time, from the Connect type and logical name; the row path only walks
 * the payload and converts.
 */
#include "core/civil.h"
#include "lake/envelope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/hex.h"

enum conv {
	CV_GROUP,
	CV_BOOL,
	CV_INT,        /* int8..int64 */
	CV_FLOAT,
	CV_DOUBLE,
	CV_STRING,
	CV_JSON,       /* a JSON text string (io.debezium.data.Json) */
	CV_JSONTEXT,   /* any JSON value, re-serialised */
	CV_BYTES_B64,  /* Connect bytes: base64 text */
	CV_DEC_B64,    /* Decimal as DECIMAL(p, s) */
	CV_DECTEXT_B64,/* Decimal wider than 38 digits, as text */
	CV_VARDEC,     /* VariableScaleDecimal {scale, value} as text */
	CV_DATE,
	CV_TS_MICRO,
	CV_TS_MILLI,
	CV_TS_NANO,
	CV_TSTZ,       /* ZonedTimestamp text */
	CV_TIME_MICRO,
	CV_TIME_MILLI,
	CV_TIME_NANO,
	CV_UUID
};

struct fld {
	char *name;
	size_t nlen;     /* strlen(name) */
	enum conv cv;
	bool list;       /* LIST of cv */
	int id;          /* leaf column index, or group id */
	int scale;       /* decimals */
	uint32_t first;  /* groups: children [first, first + n) */
	uint32_t n;
};

struct sl_lake_env {
	struct fld *f;
	uint32_t nf, capf;
	/* top-level: before, after, source, op, ts_ms, _topic, _partition, _offset */
	uint32_t top[5];
	int col_topic, col_part, col_off;
};

static enum sl_err add_fld(struct sl_lake_env *e, uint32_t n, uint32_t *first, struct sl_errbuf *eb)
{
	if (e->nf + n > e->capf) {
		uint32_t nc = e->capf ? e->capf : 32;
		while (nc < e->nf + n)
			nc *= 2;
		struct fld *nf = realloc(e->f, nc * sizeof *nf);
		if (!nf)
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		e->f = nf;
		e->capf = nc;
	}
	memset(e->f + e->nf, 0, n * sizeof *e->f);
	*first = e->nf;
	e->nf += n;
	return SL_OK;
}

void sl_lake_env_free(struct sl_lake_env *env)
{
	if (!env)
		return;
	for (uint32_t i = 0; i < env->nf; i++)
		free(env->f[i].name);
	free(env->f);
	free(env);
}

static const char *str_of(const struct sl_jsonr *j, uint32_t i)
{
	return i != SL_ARC_JSON_NONE && j->v[i].type == SL_ARC_JSON_STRING ? sl_jsonr_text(j, i)
									   : NULL;
}

/* A Connect parameter (schema.parameters.<name>) as an int, or def. */
static int param_int(const struct sl_jsonr *j, uint32_t sch, const char *name, int def)
{
	uint32_t p = sl_jsonr_get(j, sl_jsonr_get(j, sch, "parameters"), name);
	const char *s = str_of(j, p);
	if (!s)
		return def;
	char *end;
	long v = strtol(s, &end, 10);
	return *end || v < -1000 || v > 1000 ? def : (int)v;
}

/* Choose the conversion and Parquet type of a primitive (non-struct,
 * non-array) Connect schema. */
static void leaf_type(const struct sl_jsonr *j, uint32_t sch, enum conv *cv,
		      struct sl_pq_type *t, int *scale)
{
	const char *type = str_of(j, sl_jsonr_get(j, sch, "type"));
	const char *name = str_of(j, sl_jsonr_get(j, sch, "name"));
	memset(t, 0, sizeof *t);
	*scale = 0;
	if (!type)
		type = "";
	if (!name)
		name = "";
	if (!strcmp(name, "org.apache.kafka.connect.data.Decimal") && !strcmp(type, "bytes")) {
		int s = param_int(j, sch, "scale", 0);
		int p = param_int(j, sch, "connect.decimal.precision", 38);
		if (s < 0 || p < 1 || p > 38 || s > p) {
			*cv = CV_DECTEXT_B64;
			*scale = s;
			t->kind = SL_PQ_STRING;
			return;
		}
		/* Without a declared precision (money) allow the widest. */
		*cv = CV_DEC_B64;
		*scale = s;
		t->kind = SL_PQ_DECIMAL;
		t->precision = p;
		t->scale = s;
		return;
	}
	if (!strcmp(name, "io.debezium.time.Date") || !strcmp(name, "org.apache.kafka.connect.data.Date")) {
		*cv = CV_DATE, t->kind = SL_PQ_DATE;
		return;
	}
	if (!strcmp(name, "io.debezium.time.MicroTimestamp")) {
		*cv = CV_TS_MICRO, t->kind = SL_PQ_TIMESTAMP_MICROS;
		return;
	}
	if (!strcmp(name, "io.debezium.time.NanoTimestamp")) {
		*cv = CV_TS_NANO, t->kind = SL_PQ_TIMESTAMP_MICROS;
		return;
	}
	if (!strcmp(name, "io.debezium.time.Timestamp") ||
	    !strcmp(name, "org.apache.kafka.connect.data.Timestamp")) {
		*cv = CV_TS_MILLI, t->kind = SL_PQ_TIMESTAMP_MICROS;
		return;
	}
	if (!strcmp(name, "io.debezium.time.ZonedTimestamp") && !strcmp(type, "string")) {
		*cv = CV_TSTZ, t->kind = SL_PQ_TIMESTAMP_MICROS, t->utc = true;
		return;
	}
	if (!strcmp(name, "io.debezium.time.MicroTime") && !strcmp(type, "int64")) {
		*cv = CV_TIME_MICRO, t->kind = SL_PQ_TIME_MICROS;
		return;
	}
	if (!strcmp(name, "io.debezium.time.NanoTime") && !strcmp(type, "int64")) {
		*cv = CV_TIME_NANO, t->kind = SL_PQ_TIME_MICROS;
		return;
	}
	if ((!strcmp(name, "io.debezium.time.Time") ||
	     !strcmp(name, "org.apache.kafka.connect.data.Time")) && !strcmp(type, "int32")) {
		*cv = CV_TIME_MILLI, t->kind = SL_PQ_TIME_MICROS;
		return;
	}
	if (!strcmp(name, "io.debezium.data.Uuid") && !strcmp(type, "string")) {
		*cv = CV_UUID, t->kind = SL_PQ_UUID;
		return;
	}
	if (!strcmp(name, "io.debezium.data.Json") && !strcmp(type, "string")) {
		*cv = CV_JSON, t->kind = SL_PQ_JSON;
		return;
	}
	if (!strcmp(type, "boolean"))
		*cv = CV_BOOL, t->kind = SL_PQ_BOOLEAN;
	else if (!strcmp(type, "int8"))
		*cv = CV_INT, t->kind = SL_PQ_INT8;
	else if (!strcmp(type, "int16"))
		*cv = CV_INT, t->kind = SL_PQ_INT16;
	else if (!strcmp(type, "int32"))
		*cv = CV_INT, t->kind = SL_PQ_INT32;
	else if (!strcmp(type, "int64"))
		*cv = CV_INT, t->kind = SL_PQ_INT64;
	else if (!strcmp(type, "float"))
		*cv = CV_FLOAT, t->kind = SL_PQ_FLOAT;
	else if (!strcmp(type, "double"))
		*cv = CV_DOUBLE, t->kind = SL_PQ_DOUBLE;
	else if (!strcmp(type, "string"))
		*cv = CV_STRING, t->kind = SL_PQ_STRING;
	else if (!strcmp(type, "bytes"))
		*cv = CV_BYTES_B64, t->kind = SL_PQ_BYTES;
	else
		*cv = CV_JSONTEXT, t->kind = SL_PQ_JSON; /* map, unknown */
}

static enum sl_err compile(struct sl_lake_env *e, struct sl_pq_schema *pq, int parent,
			   const struct sl_jsonr *j, uint32_t sch, uint32_t fi, int depth,
			   struct sl_errbuf *eb);

static enum sl_err compile_struct(struct sl_lake_env *e, struct sl_pq_schema *pq, int gid,
				  const struct sl_jsonr *j, uint32_t sch, uint32_t fi,
				  int depth, struct sl_errbuf *eb)
{
	uint32_t fields = sl_jsonr_get(j, sch, "fields");
	uint32_t n = fields != SL_ARC_JSON_NONE && j->v[fields].type == SL_ARC_JSON_ARRAY
			     ? j->v[fields].len
			     : 0;
	uint32_t first;
	enum sl_err err = add_fld(e, n, &first, eb);
	if (err)
		return err;
	e->f[fi].first = first;
	e->f[fi].n = n;
	uint32_t k = 0;
	for (uint32_t c = n ? j->v[fields].first : SL_ARC_JSON_NONE; c != SL_ARC_JSON_NONE && k < n;
	     c = j->v[c].next, k++) {
		const char *fname = str_of(j, sl_jsonr_get(j, c, "field"));
		if (!fname)
			return sl_err_set(eb, SL_ERR_PROTO, "schema field without a \"field\" name");
		e->f[first + k].nlen = strlen(fname);
		if (!(e->f[first + k].name = strdup(fname)))
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		if ((err = compile(e, pq, gid, j, c, first + k, depth + 1, eb)))
			return err;
	}
	return SL_OK;
}

/* Compile schema node sch as field fi (name already set) under parent. */
static enum sl_err compile(struct sl_lake_env *e, struct sl_pq_schema *pq, int parent,
			   const struct sl_jsonr *j, uint32_t sch, uint32_t fi, int depth,
			   struct sl_errbuf *eb)
{
	/* Below Parquet's own nesting limit, so a deep schema is a bad record
	 * (SL_ERR_PROTO), not a writer error. */
	if (depth > 24)
		return sl_err_set(eb, SL_ERR_PROTO, "schema nested too deeply");
	const char *type = str_of(j, sl_jsonr_get(j, sch, "type"));
	const char *name = str_of(j, sl_jsonr_get(j, sch, "name"));
	struct fld *f = &e->f[fi];
	struct sl_pq_type t;
	enum sl_err err;
	uint32_t fields = sl_jsonr_get(j, sch, "fields");
	bool has_fields = fields != SL_ARC_JSON_NONE && j->v[fields].type == SL_ARC_JSON_ARRAY &&
			  j->v[fields].len > 0;
	/* A struct without fields (a table without columns) cannot be a
	 * Parquet group: it falls through to a JSON text column. */
	if (type && !strcmp(type, "struct") && has_fields &&
	    !(name && !strcmp(name, "io.debezium.data.VariableScaleDecimal"))) {
		int gid;
		if ((err = sl_pq_schema_add_group(pq, parent, f->name, true, &gid, eb)))
			return err;
		f->cv = CV_GROUP;
		f->id = gid;
		return compile_struct(e, pq, gid, j, sch, fi, depth, eb);
	}
	if (type && !strcmp(type, "struct") && name &&
	    !strcmp(name, "io.debezium.data.VariableScaleDecimal")) {
		memset(&t, 0, sizeof t);
		t.kind = SL_PQ_STRING;
		f->cv = CV_VARDEC;
		return sl_pq_schema_add_column(pq, parent, f->name, &t, true, &f->id, eb);
	}
	if (type && !strcmp(type, "array")) {
		uint32_t items = sl_jsonr_get(j, sch, "items");
		const char *it = str_of(j, sl_jsonr_get(j, items, "type"));
		if (it && strcmp(it, "struct") && strcmp(it, "array") && strcmp(it, "map")) {
			enum conv cv;
			int scale;
			leaf_type(j, items, &cv, &t, &scale);
			if (cv != CV_JSONTEXT) {
				f->cv = cv;
				f->list = true;
				f->scale = scale;
				return sl_pq_schema_add_list(pq, parent, f->name, true, &t, true,
							     &f->id, eb);
			}
		}
		memset(&t, 0, sizeof t);
		t.kind = SL_PQ_JSON;
		f->cv = CV_JSONTEXT;
		return sl_pq_schema_add_column(pq, parent, f->name, &t, true, &f->id, eb);
	}
	leaf_type(j, sch, &f->cv, &t, &f->scale);
	return sl_pq_schema_add_column(pq, parent, f->name, &t, true, &f->id, eb);
}

static uint32_t schema_field(const struct sl_jsonr *j, uint32_t schema, const char *name)
{
	uint32_t fields = sl_jsonr_get(j, schema, "fields");
	if (fields == SL_ARC_JSON_NONE || j->v[fields].type != SL_ARC_JSON_ARRAY)
		return SL_ARC_JSON_NONE;
	for (uint32_t c = j->v[fields].first; c != SL_ARC_JSON_NONE; c = j->v[c].next)
		if (sl_jsonr_is_str(j, sl_jsonr_get(j, c, "field"), name))
			return c;
	return SL_ARC_JSON_NONE;
}

enum sl_err sl_lake_env_build(const struct sl_jsonr *j, uint32_t schema,
			     struct sl_lake_env **envp, struct sl_pq_schema **pqp,
			     struct sl_errbuf *eb)
{
	*envp = NULL;
	*pqp = NULL;
	struct sl_lake_env *e = calloc(1, sizeof *e);
	struct sl_pq_schema *pq = sl_pq_schema_new();
	if (!e || !pq) {
		free(e);
		sl_pq_schema_free(pq);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	static const char *const names[5] = {"before", "after", "source", "op", "ts_ms"};
	uint32_t first;
	enum sl_err err = add_fld(e, 5, &first, eb);
	for (int i = 0; i < 5 && !err; i++) {
		e->top[i] = first + (uint32_t)i;
		e->f[first + i].nlen = strlen(names[i]);
		if (!(e->f[first + i].name = strdup(names[i]))) {
			err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
			break;
		}
		uint32_t fs = schema == SL_ARC_JSON_NONE ? SL_ARC_JSON_NONE
							 : schema_field(j, schema, names[i]);
		struct sl_pq_type t = {0};
		if (fs != SL_ARC_JSON_NONE && i < 3) {
			err = compile(e, pq, SL_PQ_ROOT, j, fs, first + i, 0, eb);
		} else if (i == 3) {
			t.kind = SL_PQ_STRING;
			e->f[first + i].cv = CV_STRING;
			err = sl_pq_schema_add_column(pq, SL_PQ_ROOT, names[i], &t, true,
						      &e->f[first + i].id, eb);
		} else if (i == 4) {
			t.kind = SL_PQ_INT64;
			e->f[first + i].cv = CV_INT;
			err = sl_pq_schema_add_column(pq, SL_PQ_ROOT, names[i], &t, true,
						      &e->f[first + i].id, eb);
		} else {
			t.kind = SL_PQ_JSON;
			e->f[first + i].cv = CV_JSONTEXT;
			err = sl_pq_schema_add_column(pq, SL_PQ_ROOT, names[i], &t, true,
						      &e->f[first + i].id, eb);
		}
	}
	struct sl_pq_type ts = {.kind = SL_PQ_STRING}, ti = {.kind = SL_PQ_INT32},
			  tl = {.kind = SL_PQ_INT64};
	if (!err)
		err = sl_pq_schema_add_column(pq, SL_PQ_ROOT, "_topic", &ts, false, &e->col_topic, eb);
	if (!err)
		err = sl_pq_schema_add_column(pq, SL_PQ_ROOT, "_partition", &ti, false, &e->col_part, eb);
	if (!err)
		err = sl_pq_schema_add_column(pq, SL_PQ_ROOT, "_offset", &tl, false, &e->col_off, eb);
	if (err) {
		sl_lake_env_free(e);
		sl_pq_schema_free(pq);
		/* The schema comes from the record: names Parquet refuses (empty,
		 * duplicated) make a bad record, not an API misuse. */
		if (err == SL_ERR_ARG) {
			char why[sizeof eb->msg];
			snprintf(why, sizeof why, "%s", eb->msg);
			err = sl_err_set(eb, SL_ERR_PROTO, "unusable value schema: %s", why);
		}
		return err;
	}
	*envp = e;
	*pqp = pq;
	return SL_OK;
}

enum sl_err sl_lake_msg_split(const struct sl_jsonr *j, struct sl_lake_msg *m,
			     struct sl_errbuf *eb)
{
	m->schema = SL_ARC_JSON_NONE;
	m->payload = 0;
	if (j->nv == 0 || j->v[0].type != SL_ARC_JSON_OBJECT)
		return sl_err_set(eb, SL_ERR_PROTO, "record value is not a JSON object");
	uint32_t s = sl_jsonr_get(j, 0, "schema"), p = sl_jsonr_get(j, 0, "payload");
	if (p != SL_ARC_JSON_NONE && j->v[0].len == 2 && s != SL_ARC_JSON_NONE) {
		if (j->v[p].type != SL_ARC_JSON_OBJECT)
			return sl_err_set(eb, SL_ERR_PROTO, "record payload is not a JSON object");
		m->payload = p;
		m->schema = j->v[s].type == SL_ARC_JSON_OBJECT ? s : SL_ARC_JSON_NONE;
	}
	return SL_OK;
}

/* --- value conversion ------------------------------------------------------ */

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Decode base64 (standard or URL-safe, padding optional) into out. */
static bool b64_decode(const char *s, size_t n, struct sl_buf *out)
{
	while (n && s[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return false;
	if (sl_buf_reserve(out, n / 4 * 3 + 3))
		return false;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64val((unsigned char)s[i]);
		if (v < 0)
			return false;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out->data[out->len++] = (char)(acc >> bits & 0xFF);
		}
	}
	out->data[out->len] = 0;
	return true;
}

/* Big-endian two's complement bytes with a scale as decimal text. */
static bool unscaled_text(const unsigned char *b, size_t n, int scale, struct sl_buf *out)
{
	if (n == 0 || n > 4096 || scale < 0 || scale > 4096)
		return false;
	bool neg = b[0] & 0x80;
	unsigned char *mag = malloc(n);
	/* Digits: about 2.41 per byte, then zero padding up to scale + 1. */
	char *dig = malloc((n * 3 > (size_t)scale ? n * 3 : (size_t)scale) + 8);
	if (!mag || !dig) {
		free(mag);
		free(dig);
		return false;
	}
	memcpy(mag, b, n);
	if (neg) { /* negate: invert and add one */
		int carry = 1;
		for (size_t i = n; i-- > 0;) {
			int v = (unsigned char)~mag[i] + carry;
			mag[i] = (unsigned char)v;
			carry = v >> 8;
		}
	}
	size_t nd = 0;
	for (;;) {
		bool zero = true;
		unsigned rem = 0;
		for (size_t i = 0; i < n; i++) {
			unsigned cur = rem << 8 | mag[i];
			mag[i] = (unsigned char)(cur / 10);
			rem = cur % 10;
			if (mag[i])
				zero = false;
		}
		dig[nd++] = (char)('0' + rem);
		if (zero)
			break;
	}
	while ((int)nd <= scale)
		dig[nd++] = '0';
	bool ok = !(neg && sl_buf_putc(out, '-'));
	for (size_t i = nd; ok && i-- > 0;) {
		if ((int)i == scale - 1 && scale > 0 && sl_buf_putc(out, '.'))
			ok = false;
		if (ok && sl_buf_putc(out, dig[i]))
			ok = false;
	}
	free(mag);
	free(dig);
	return ok;
}

static bool digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

bool sl_lake_parse_iso_us(const char *s, int64_t *us)
{
	const char *p = s;
	bool neg = false;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	int64_t year = 0;
	int nyd = 0;
	while (*p >= '0' && *p <= '9' && nyd < 9)
		year = year * 10 + (*p++ - '0'), nyd++;
	if (nyd < 4)
		return false;
	if (neg)
		year = -year;
	/* int64 microseconds reach about year 294000 either way. */
	if (year > 290000 || year < -290000)
		return false;
	int mo, d, h, mi, se;
	if (*p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' || !digits(&p, 2, &d))
		return false;
	if ((*p != 'T' && *p != ' ') || (p++, !digits(&p, 2, &h)) || *p++ != ':' ||
	    !digits(&p, 2, &mi))
		return false;
	se = 0;
	if (*p == ':' && (p++, !digits(&p, 2, &se)))
		return false;
	int64_t frac = 0;
	if (*p == '.') {
		p++;
		int nf = 0;
		while (*p >= '0' && *p <= '9') {
			if (nf < 6)
				frac = frac * 10 + (*p - '0');
			nf++, p++;
		}
		if (!nf)
			return false;
		for (; nf < 6; nf++)
			frac *= 10;
	}
	int64_t off = 0;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
		if (!digits(&p, 2, &oh))
			return false;
		if (*p == ':')
			p++;
		if (*p && !digits(&p, 2, &om))
			return false;
		off = sign * (oh * 3600 + om * 60);
	} else {
		return false;
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return false;
	int64_t days = sl_civil_days_from(year, mo, d);
	*us = ((days * 86400 + h * 3600 + mi * 60 + se) - off) * 1000000 + frac;
	return true;
}

bool sl_lake_parse_uuid(const char *s, size_t n, unsigned char out[16])
{
	/* The canonical 8-4-4-4-12 form (what PostgreSQL prints) in one pass. */
	if (n == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-') {
		static const unsigned char at[16] = {0, 2, 4, 6, 9, 11, 14, 16,
						     19, 21, 24, 26, 28, 30, 32, 34};
		int bad = 0;
		for (int b = 0; b < 16; b++) {
			int hi = sl_hex_digit((unsigned char)s[at[b]]), lo = sl_hex_digit((unsigned char)s[at[b] + 1]);
			bad |= hi | lo;
			out[b] = (unsigned char)(((unsigned)hi & 0xf) << 4 | ((unsigned)lo & 0xf));
		}
		return bad >= 0;
	}
	int k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '-')
			continue;
		int hv = -1;
		char c = s[i];
		if (c >= '0' && c <= '9')
			hv = c - '0';
		else if (c >= 'a' && c <= 'f')
			hv = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			hv = c - 'A' + 10;
		if (hv < 0 || k >= 32)
			return false;
		if (k % 2 == 0)
			out[k / 2] = (unsigned char)(hv << 4);
		else
			out[k / 2] |= (unsigned char)hv;
		k++;
	}
	return k == 32;
}

struct rowctx {
	struct sl_pq_writer *w;
	const struct sl_jsonr *j;
	struct sl_buf tmp;
	struct sl_errbuf *eb;
};

static enum sl_err bad_field(const struct fld *f, const char *why, struct sl_errbuf *eb)
{
	return sl_err_set(eb, SL_ERR_PROTO, "field \"%s\": %s", f->name, why);
}

/* What a field of this conversion must hold, for error messages. */
static const char *expected(enum conv cv)
{
	switch (cv) {
	case CV_BOOL: return "expected a boolean";
	case CV_INT:
	case CV_DATE:
	case CV_TS_MICRO:
	case CV_TIME_MICRO: return "expected an integer";
	case CV_TS_MILLI:
	case CV_TIME_MILLI: return "expected an integer of milliseconds";
	case CV_TS_NANO:
	case CV_TIME_NANO: return "expected an integer of nanoseconds";
	case CV_FLOAT:
	case CV_DOUBLE: return "expected a number";
	case CV_STRING:
	case CV_JSON: return "expected a string";
	case CV_BYTES_B64: return "expected base64 text";
	case CV_DEC_B64:
	case CV_DECTEXT_B64: return "expected a base64 decimal";
	case CV_TSTZ: return "expected an ISO-8601 timestamp with a zone";
	case CV_UUID: return "expected a UUID";
	case CV_VARDEC: return "expected {scale, value}";
	case CV_GROUP: return "expected an object";
	case CV_JSONTEXT: break;
	}
	return "unexpected value";
}

/* Set one non-null scalar of field f from its typed form (tvalue.h).  Both
 * row sources end here: JSON payloads (json_tv below) and typed rows
 * (sl_lake_env_set), so they store exactly the same values. */
static enum sl_err set_tv(struct sl_pq_writer *w, const struct fld *f, const struct sl_tvalue *v,
			  struct sl_buf *tmp, struct sl_errbuf *eb)
{
	int col = f->id;
	int64_t i = v->i;
	switch (f->cv) {
	case CV_BOOL:
		if (v->kind != SL_TV_BOOL)
			break;
		return sl_pq_set_bool(w, col, v->b, eb);
	case CV_INT:
	case CV_DATE:
	case CV_TS_MICRO:
	case CV_TIME_MICRO:
		if (v->kind != SL_TV_INT)
			break;
		return sl_pq_set_int(w, col, i, eb);
	case CV_TS_MILLI:
	case CV_TIME_MILLI:
		if (v->kind != SL_TV_INT || i > INT64_MAX / 1000 || i < INT64_MIN / 1000)
			break;
		return sl_pq_set_int(w, col, i * 1000, eb);
	case CV_TS_NANO:
	case CV_TIME_NANO:
		if (v->kind != SL_TV_INT)
			break;
		/* Floor division; negating i would overflow at INT64_MIN. */
		return sl_pq_set_int(w, col, i / 1000 - (i % 1000 < 0), eb);
	case CV_FLOAT:
		if (v->kind != SL_TV_DOUBLE)
			break;
		return sl_pq_set_float(w, col, (float)v->d, eb);
	case CV_DOUBLE:
		if (v->kind != SL_TV_DOUBLE)
			break;
		return sl_pq_set_double(w, col, v->d, eb);
	case CV_STRING:
	case CV_JSON:
		if (v->kind != SL_TV_STR)
			break;
		return sl_pq_set_bytes(w, col, v->n ? v->p : "", v->n, eb);
	case CV_BYTES_B64:
		if (v->kind != SL_TV_BIN)
			break;
		return sl_pq_set_bytes(w, col, v->n ? v->p : "", v->n, eb);
	case CV_DEC_B64: {
		if (v->kind != SL_TV_BIN)
			break;
		if (!v->n || v->n > 16)
			return bad_field(f, "invalid base64 decimal", eb);
		const unsigned char *b = v->p;
		uint64_t hi = b[0] & 0x80 ? UINT64_MAX : 0, lo = hi;
		for (size_t k = 0; k < v->n; k++) {
			hi = hi << 8 | lo >> 56;
			lo = lo << 8 | b[k];
		}
		return sl_pq_set_decimal128(w, col, (int64_t)hi, lo, eb);
	}
	case CV_DECTEXT_B64:
		if (v->kind != SL_TV_BIN)
			break;
		sl_buf_reset(tmp);
		if (!unscaled_text(v->p, v->n, f->scale, tmp))
			return bad_field(f, "invalid base64 decimal", eb);
		return sl_pq_set_bytes(w, col, tmp->data, tmp->len, eb);
	case CV_TSTZ:
		if (v->kind != SL_TV_TSTZ)
			break;
		return sl_pq_set_int(w, col, i, eb);
	case CV_UUID: {
		unsigned char u[16];
		if (v->kind != SL_TV_STR || !sl_lake_parse_uuid(v->p, v->n, u))
			break;
		return sl_pq_set_bytes(w, col, u, 16, eb);
	}
	case CV_VARDEC:
	case CV_JSONTEXT:
	case CV_GROUP: break;
	}
	return bad_field(f, expected(f->cv), eb);
}

/* JSON node v as the typed value field f takes (bytes decoded into tmp). */
static enum sl_err json_tv(const struct sl_jsonr *j, const struct fld *f, uint32_t v,
			   struct sl_buf *tmp, struct sl_tvalue *out, struct sl_errbuf *eb)
{
	const struct sl_jsonr_node *nd = &j->v[v];
	memset(out, 0, sizeof *out);
	switch (f->cv) {
	case CV_BOOL:
		if (nd->type == SL_ARC_JSON_TRUE || nd->type == SL_ARC_JSON_FALSE) {
			out->kind = SL_TV_BOOL;
			out->b = nd->type == SL_ARC_JSON_TRUE;
		}
		break;
	case CV_INT:
	case CV_DATE:
	case CV_TS_MICRO:
	case CV_TIME_MICRO:
	case CV_TS_MILLI:
	case CV_TIME_MILLI:
	case CV_TS_NANO:
	case CV_TIME_NANO:
		if (sl_jsonr_i64(j, v, &out->i))
			out->kind = SL_TV_INT;
		break;
	case CV_FLOAT:
	case CV_DOUBLE:
		if (sl_jsonr_f64(j, v, &out->d))
			out->kind = SL_TV_DOUBLE;
		break;
	case CV_STRING:
	case CV_JSON:
	case CV_UUID:
		if (nd->type == SL_ARC_JSON_STRING) {
			out->kind = SL_TV_STR;
			out->p = sl_jsonr_text(j, v);
			out->n = nd->len;
		}
		break;
	case CV_BYTES_B64:
	case CV_DEC_B64:
	case CV_DECTEXT_B64:
		if (nd->type != SL_ARC_JSON_STRING)
			break;
		sl_buf_reset(tmp);
		if (!b64_decode(sl_jsonr_text(j, v), nd->len, tmp))
			return bad_field(f, f->cv == CV_BYTES_B64 ? "invalid base64"
								  : "invalid base64 decimal", eb);
		out->kind = SL_TV_BIN;
		out->p = tmp->data ? tmp->data : "";
		out->n = tmp->len;
		break;
	case CV_TSTZ:
		if (nd->type == SL_ARC_JSON_STRING && sl_lake_parse_iso_us(sl_jsonr_text(j, v), &out->i))
			out->kind = SL_TV_TSTZ;
		break;
	case CV_VARDEC:
	case CV_JSONTEXT:
	case CV_GROUP: break;
	}
	if (out->kind == SL_TV_NONE)
		return bad_field(f, expected(f->cv), eb);
	return SL_OK;
}

/* Set one scalar value v (not null) of field f. */
static enum sl_err set_scalar(struct rowctx *r, const struct fld *f, uint32_t v)
{
	const struct sl_jsonr *j = r->j;
	struct sl_errbuf *eb = r->eb;
	int col = f->id;
	if (f->cv == CV_JSONTEXT) {
		sl_buf_reset(&r->tmp);
		if (sl_jsonr_write(j, v, &r->tmp))
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		return sl_pq_set_bytes(r->w, col, r->tmp.data, r->tmp.len, eb);
	}
	if (f->cv == CV_VARDEC) {
		int64_t sc;
		uint32_t vs = sl_jsonr_get(j, v, "scale"), vv = sl_jsonr_get(j, v, "value");
		if (!sl_jsonr_i64(j, vs, &sc) || sc < 0 || sc > 4096 ||
		    vv == SL_ARC_JSON_NONE || j->v[vv].type != SL_ARC_JSON_STRING)
			return bad_field(f, expected(f->cv), eb);
		struct sl_buf raw = {0};
		sl_buf_reset(&r->tmp);
		bool ok = b64_decode(sl_jsonr_text(j, vv), j->v[vv].len, &raw) &&
			  unscaled_text((const unsigned char *)raw.data, raw.len, (int)sc, &r->tmp);
		sl_buf_free(&raw);
		if (!ok)
			return bad_field(f, "invalid variable-scale decimal", eb);
		return sl_pq_set_bytes(r->w, col, r->tmp.data, r->tmp.len, eb);
	}
	struct sl_tvalue tv;
	enum sl_err err = json_tv(j, f, v, &r->tmp, &tv, eb);
	if (err)
		return err;
	/* The decimal text of a wide decimal needs its own buffer: tv may
	 * point into r->tmp. */
	if (f->cv == CV_DECTEXT_B64) {
		struct sl_buf txt = {0};
		err = set_tv(r->w, f, &tv, &txt, eb);
		sl_buf_free(&txt);
		return err;
	}
	return set_tv(r->w, f, &tv, NULL, eb);
}

static enum sl_err fill(struct rowctx *r, const struct sl_lake_env *e, const struct fld *f,
			uint32_t v)
{
	const struct sl_jsonr *j = r->j;
	bool null = v == SL_ARC_JSON_NONE || j->v[v].type == SL_ARC_JSON_NULL;
	if (f->cv == CV_GROUP) {
		if (null)
			return sl_pq_set_group_null(r->w, f->id, r->eb);
		if (j->v[v].type != SL_ARC_JSON_OBJECT)
			return bad_field(f, "expected an object", r->eb);
		/* Members usually come in schema order; field names are
		 * distinct (a schema repeating one is refused when built). */
		uint32_t hint = SL_ARC_JSON_NONE;
		for (uint32_t k = 0; k < f->n; k++) {
			const struct fld *c = &e->f[f->first + k];
			enum sl_err err =
				fill(r, e, c, sl_jsonr_get_hint(j, v, c->name, c->nlen, &hint));
			if (err)
				return err;
		}
		return SL_OK;
	}
	if (null)
		return sl_pq_set_null(r->w, f->id, r->eb);
	if (!f->list)
		return set_scalar(r, f, v);
	if (j->v[v].type != SL_ARC_JSON_ARRAY)
		return bad_field(f, "expected an array", r->eb);
	enum sl_err err = sl_pq_list_begin(r->w, f->id, r->eb);
	for (uint32_t c = j->v[v].first; !err && c != SL_ARC_JSON_NONE; c = j->v[c].next)
		err = j->v[c].type == SL_ARC_JSON_NULL ? sl_pq_set_null(r->w, f->id, r->eb)
						       : set_scalar(r, f, c);
	return err;
}

enum sl_err sl_lake_env_finish(const struct sl_lake_env *env, struct sl_pq_writer *w,
			      const char *topic, int32_t partition, int64_t offset,
			      struct sl_errbuf *eb)
{
	enum sl_err err = sl_pq_set_bytes(w, env->col_topic, topic, strlen(topic), eb);
	if (!err)
		err = sl_pq_set_int(w, env->col_part, partition, eb);
	if (!err)
		err = sl_pq_set_int(w, env->col_off, offset, eb);
	if (!err)
		err = sl_pq_row_end(w, eb);
	if (err) {
		sl_pq_row_discard(w);
		if (err == SL_ERR_ARG) /* a value the column cannot hold */
			err = SL_ERR_PROTO;
	}
	return err;
}

enum sl_err sl_lake_env_row(const struct sl_lake_env *env, struct sl_pq_writer *w,
			   const struct sl_jsonr *j, uint32_t payload, const char *topic,
			   int32_t partition, int64_t offset, struct sl_errbuf *eb)
{
	struct rowctx r = {.w = w, .j = j, .eb = eb};
	enum sl_err err = SL_OK;
	uint32_t hint = SL_ARC_JSON_NONE;
	for (int i = 0; i < 5 && !err; i++) {
		const struct fld *f = &env->f[env->top[i]];
		err = fill(&r, env, f, sl_jsonr_get_hint(j, payload, f->name, f->nlen, &hint));
	}
	sl_buf_free(&r.tmp);
	if (err) {
		sl_pq_row_discard(w);
		return err == SL_ERR_ARG ? SL_ERR_PROTO : err;
	}
	return sl_lake_env_finish(env, w, topic, partition, offset, eb);
}

/* ---- typed rows ------------------------------------------------------------ */

uint32_t sl_lake_env_top(const struct sl_lake_env *env, int which)
{
	return env->top[which];
}

const char *sl_lake_env_name(const struct sl_lake_env *env, uint32_t f)
{
	return env->f[f].name;
}

bool sl_lake_env_is_group(const struct sl_lake_env *env, uint32_t f)
{
	return env->f[f].cv == CV_GROUP;
}

uint32_t sl_lake_env_nchildren(const struct sl_lake_env *env, uint32_t f)
{
	return env->f[f].cv == CV_GROUP ? env->f[f].n : 0;
}

uint32_t sl_lake_env_child(const struct sl_lake_env *env, uint32_t f, uint32_t k)
{
	return env->f[f].first + k;
}

bool sl_lake_env_takes_typed(const struct sl_lake_env *env, uint32_t f)
{
	const struct fld *x = &env->f[f];
	return x->cv != CV_GROUP && x->cv != CV_JSONTEXT && x->cv != CV_VARDEC && !x->list;
}

enum sl_err sl_lake_env_set(const struct sl_lake_env *env, struct sl_pq_writer *w, uint32_t f,
			   const struct sl_tvalue *v, struct sl_buf *tmp, struct sl_errbuf *eb)
{
	const struct fld *x = &env->f[f];
	if (x->cv == CV_GROUP) {
		if (v->kind != SL_TV_NULL)
			return sl_err_set(eb, SL_ERR_ARG, "field \"%s\": a group is set through its fields",
					  x->name);
		return sl_pq_set_group_null(w, x->id, eb);
	}
	if (v->kind == SL_TV_NULL)
		return sl_pq_set_null(w, x->id, eb);
	if (!sl_lake_env_takes_typed(env, f))
		return sl_err_set(eb, SL_ERR_ARG, "field \"%s\" takes no typed values", x->name);
	enum sl_err err = set_tv(w, x, v, tmp, eb);
	return err == SL_ERR_ARG ? SL_ERR_PROTO : err;
}

uint32_t sl_jsonr_path(const struct sl_jsonr *j, uint32_t obj, const char *path)
{
	char part[256];
	const char *p = path;
	uint32_t cur = obj;
	while (cur != SL_ARC_JSON_NONE && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof part)
			return SL_ARC_JSON_NONE;
		memcpy(part, p, n);
		part[n] = 0;
		cur = sl_jsonr_get(j, cur, part);
		p = dot ? dot + 1 : p + n;
	}
	return cur;
}
