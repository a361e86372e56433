/* SPDX-License-Identifier: Apache-2.0
 *
 * test_writer.c -- the Parquet writer end to end.
 *
 * Without arguments: API misuse checks (wrong type, arity, range, state;
 * each must return an error and leave a valid file), then every fixture
 * file below is written to a scratch directory under ASan.
 *
 * With `--out DIR`: writes the fixture files and DIR/manifest.json, the
 * expected content of every file (schema, each row's values in a canonical
 * text form, codec, row-group expectations), for the independent readers
 * in tests/parquet/verify.mjs (run by tests/integration/20_parquet_roundtrip.sh).
 *
 * Canonical values: integers, DATE days, TIME/TIMESTAMP micros and the
 * unscaled DECIMAL as decimal text; FLOAT/DOUBLE as "f"/"d" + IEEE bits in
 * hex ("NaN" for any NaN); byte types (strings too) as hex; null as null;
 * lists as arrays, groups as objects.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/json.h"
#include "lib/test.h"
#include "parquet/parquet.h"

__extension__ typedef __int128 i128;

/* ---- deterministic pseudo-random values ---- */

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

static uint64_t rnd(uint64_t row, int field, int elem, int salt)
{
	return mix(row * 1000003u + (uint64_t)field * 7919u + (uint64_t)elem * 131u + (uint64_t)salt * 65537u + 1);
}

/* ---- schema description ---- */

#define GROUP (-1)

struct field {
	const char *name;
	int kind; /* enum sl_pq_kind, or GROUP */
	int precision, scale;
	bool utc;
	int enc;
	bool opt;
	bool list, elem_opt;
	int lowcard;           /* draw from this many distinct values (0 = wide) */
	bool seq;              /* integers: the row number (sorted, for pruning) */
	struct field *child;   /* groups */
	int nchild;
	int id;                /* column index or group id, set by declare() */
};

static enum sl_err declare(struct sl_pq_schema *s, int parent, struct field *f, int n,
			   struct sl_errbuf *eb)
{
	enum sl_err e;
	for (int i = 0; i < n; i++) {
		struct sl_pq_type t = {.kind = (enum sl_pq_kind)(f[i].kind < 0 ? 0 : f[i].kind),
				       .precision = f[i].precision,
				       .scale = f[i].scale,
				       .utc = f[i].utc,
				       .encoding = (enum sl_pq_encoding)f[i].enc};
		if (f[i].kind == GROUP) {
			if ((e = sl_pq_schema_add_group(s, parent, f[i].name, f[i].opt, &f[i].id, eb)) ||
			    (e = declare(s, f[i].id, f[i].child, f[i].nchild, eb)))
				return e;
		} else if (f[i].list) {
			if ((e = sl_pq_schema_add_list(s, parent, f[i].name, f[i].opt, &t, f[i].elem_opt,
						       &f[i].id, eb)))
				return e;
		} else if ((e = sl_pq_schema_add_column(s, parent, f[i].name, &t, f[i].opt, &f[i].id, eb))) {
			return e;
		}
	}
	return SL_OK;
}

static void schema_json(struct sl_buf *b, const struct field *f, int n)
{
	static const char *const kinds[] = {"boolean", "int8",    "int16", "int32", "int64", "float",
					    "double",  "string",  "json",  "enum",  "bytes", "uuid",
					    "decimal", "date",    "time",  "timestamp"};
	sl_buf_putc(b, '[');
	for (int i = 0; i < n; i++) {
		if (i)
			sl_buf_putc(b, ',');
		sl_buf_appendf(b, "{\"name\":\"%s\",\"opt\":%s", f[i].name, f[i].opt ? "true" : "false");
		if (f[i].kind == GROUP) {
			sl_buf_puts(b, ",\"kind\":\"group\",\"children\":");
			schema_json(b, f[i].child, f[i].nchild);
		} else {
			sl_buf_appendf(b, ",\"kind\":\"%s\",\"list\":%s,\"elem_opt\":%s,\"seq\":%s",
				       kinds[f[i].kind], f[i].list ? "true" : "false",
				       f[i].elem_opt ? "true" : "false", f[i].seq ? "true" : "false");
			if (f[i].kind == SL_PQ_DECIMAL)
				sl_buf_appendf(b, ",\"precision\":%d,\"scale\":%d", f[i].precision, f[i].scale);
			if (f[i].kind == SL_PQ_TIMESTAMP_MICROS)
				sl_buf_appendf(b, ",\"utc\":%s", f[i].utc ? "true" : "false");
		}
		sl_buf_putc(b, '}');
	}
	sl_buf_putc(b, ']');
}

/* ---- values ---- */

static const char *const enum_labels[] = {"new", "paid", "shipped", "cancelled"};
static const char *const utf8_bits[] = {"a", "Z", " ", "é", "漢", "😀", "\"", "\\", "0", "\n", "ß"};

static i128 pow10_(int n)
{
	i128 v = 1;
	while (n-- > 0)
		v *= 10;
	return v;
}

static void i128_text(char *out, i128 v)
{
	char tmp[64];
	int n = 0;
	bool neg = v < 0;
	unsigned __int128 u = neg ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
	do {
		tmp[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	int k = 0;
	if (neg)
		out[k++] = '-';
	while (n)
		out[k++] = tmp[--n];
	out[k] = 0;
}

/* Decimal text of an unscaled value at `scale`, e.g. -12345, 2 -> "-123.45". */
static void decimal_text(char *out, i128 v, int scale)
{
	char digits[64];
	i128_text(digits, v < 0 ? -v : v);
	size_t nd = strlen(digits);
	int k = 0;
	if (v < 0)
		out[k++] = '-';
	if ((int)nd <= scale) {
		out[k++] = '0';
		out[k++] = '.';
		for (int i = 0; i < scale - (int)nd; i++)
			out[k++] = '0';
		memcpy(out + k, digits, nd);
		k += (int)nd;
	} else {
		memcpy(out + k, digits, nd - (size_t)scale);
		k += (int)(nd - (size_t)scale);
		if (scale) {
			out[k++] = '.';
			memcpy(out + k, digits + nd - scale, (size_t)scale);
			k += scale;
		}
	}
	out[k] = 0;
}

struct ctx {
	struct sl_pq_writer *w;
	struct sl_buf *json; /* expected rows; NULL when not recording */
	struct sl_errbuf eb;
	enum sl_err err;
	int null_pct;        /* chance of null for optional things */
	size_t big_string;   /* row 0 of string columns gets this many bytes */
	uint64_t row;
};

#define TRY(c, x)                                 \
	do {                                      \
		if (!(c)->err)                    \
			(c)->err = (x);           \
	} while (0)

static void jput(struct ctx *c, const char *s)
{
	if (c->json)
		sl_buf_puts(c->json, s);
}

static void jint(struct ctx *c, i128 v)
{
	if (!c->json)
		return;
	char t[64];
	i128_text(t, v);
	sl_buf_putc(c->json, '"');
	sl_buf_puts(c->json, t);
	sl_buf_putc(c->json, '"');
}

static int64_t pick_int(uint64_t h, int64_t lo, int64_t hi)
{
	switch (h % 16) {
	case 0:
		return lo;
	case 1:
		return hi;
	case 2:
		return 0;
	case 3:
		return -1 >= lo ? -1 : lo;
	default: {
		uint64_t span = (uint64_t)hi - (uint64_t)lo;
		uint64_t r = mix(h);
		if (span != UINT64_MAX)
			r %= span + 1;
		return (int64_t)((uint64_t)lo + r);
	}
	}
}

/* Set one leaf value (not null) of field f and record it. */
static void leaf_value(struct ctx *c, const struct field *f, int fno, int elem)
{
	uint64_t h = rnd(c->row, fno, elem, 1);
	if (f->lowcard)
		h = mix(h % (uint64_t)f->lowcard + 77);
	struct sl_pq_writer *w = c->w;
	int col = f->id;
	switch (f->kind) {
	case SL_PQ_BOOLEAN:
		TRY(c, sl_pq_set_bool(w, col, h & 1, &c->eb));
		jput(c, h & 1 ? "\"true\"" : "\"false\"");
		return;
	case SL_PQ_INT8:
	case SL_PQ_INT16:
	case SL_PQ_INT32:
	case SL_PQ_INT64:
	case SL_PQ_DATE:
	case SL_PQ_TIME_MICROS:
	case SL_PQ_TIMESTAMP_MICROS: {
		int64_t lo, hi;
		switch (f->kind) {
		case SL_PQ_INT8:
			lo = INT8_MIN, hi = INT8_MAX;
			break;
		case SL_PQ_INT16:
			lo = INT16_MIN, hi = INT16_MAX;
			break;
		case SL_PQ_INT32:
			lo = INT32_MIN, hi = INT32_MAX;
			break;
		case SL_PQ_DATE:
			lo = -3000000, hi = 3000000; /* about 8000 years either side of 1970 */
			break;
		case SL_PQ_TIME_MICROS:
			lo = 0, hi = INT64_C(86399999999);
			break;
		case SL_PQ_TIMESTAMP_MICROS:
			lo = -INT64_C(9000000000000000), hi = INT64_C(9000000000000000);
			break;
		default:
			lo = INT64_MIN, hi = INT64_MAX;
		}
		int64_t v = pick_int(h, lo, hi);
		if (f->enc == SL_PQ_ENC_DELTA && (h >> 8) % 4)
			v = (int64_t)c->row * 3 + elem; /* mostly sorted, some jumps */
		if (f->seq)
			v = (int64_t)c->row;
		TRY(c, sl_pq_set_int(w, col, v, &c->eb));
		jint(c, v);
		return;
	}
	case SL_PQ_FLOAT:
	case SL_PQ_DOUBLE: {
		static const double special[] = {0.0, -0.0, 1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0, 1.5, -2.25, 1e-310};
		double d;
		uint64_t bits = mix(h);
		if (h % 4 == 0) {
			d = special[(h >> 4) % 8];
		} else if (f->kind == SL_PQ_FLOAT) {
			uint32_t b32 = (uint32_t)bits;
			float fv;
			memcpy(&fv, &b32, 4);
			d = fv;
		} else {
			memcpy(&d, &bits, 8);
		}
		char t[32];
		if (f->kind == SL_PQ_FLOAT) {
			float fv = (float)d;
			if (h % 4 != 0) {
				uint32_t b32 = (uint32_t)bits;
				memcpy(&fv, &b32, 4);
			}
			TRY(c, sl_pq_set_float(w, col, fv, &c->eb));
			uint32_t b;
			memcpy(&b, &fv, 4);
			snprintf(t, sizeof t, fv != fv ? "\"NaN\"" : "\"f%08x\"", b);
		} else {
			TRY(c, sl_pq_set_double(w, col, d, &c->eb));
			uint64_t b;
			memcpy(&b, &d, 8);
			snprintf(t, sizeof t, d != d ? "\"NaN\"" : "\"d%016llx\"", (unsigned long long)b);
		}
		jput(c, t);
		return;
	}
	case SL_PQ_STRING:
	case SL_PQ_JSON:
	case SL_PQ_ENUM:
	case SL_PQ_BYTES:
	case SL_PQ_UUID: {
		char buf[512];
		size_t n = 0;
		const char *p = buf;
		char *heap = NULL;
		if (f->kind == SL_PQ_ENUM) {
			p = enum_labels[h % 4];
			n = strlen(p);
		} else if (f->kind == SL_PQ_JSON) {
			n = (size_t)snprintf(buf, sizeof buf, "{\"k\":%d,\"s\":\"x%u\"}", (int)(h % 1000),
					     (unsigned)(h >> 40));
		} else if (f->kind == SL_PQ_UUID) {
			for (int i = 0; i < 16; i++)
				buf[i] = (char)(mix(h + (uint64_t)i) & 0xff);
			n = 16;
		} else if (f->kind == SL_PQ_BYTES) {
			n = h % 7 == 0 ? 0 : (h >> 8) % 40;
			for (size_t i = 0; i < n; i++)
				buf[i] = (char)(mix(h + i) & 0xff);
		} else if (c->big_string && c->row == 0 && elem == 0) {
			heap = malloc(c->big_string);
			for (size_t i = 0; heap && i < c->big_string; i++)
				heap[i] = (char)('a' + (i * 7) % 26);
			p = heap;
			n = heap ? c->big_string : 0;
		} else {
			int parts = h % 5 == 0 ? 0 : (int)((h >> 8) % 12);
			for (int i = 0; i < parts; i++) {
				const char *s = utf8_bits[mix(h + (uint64_t)i) % 11];
				size_t l = strlen(s);
				memcpy(buf + n, s, l);
				n += l;
			}
		}
		TRY(c, sl_pq_set_bytes(w, col, p, n, &c->eb));
		if (c->json)
			sl_json_hex(c->json, p, n);
		free(heap);
		return;
	}
	case SL_PQ_DECIMAL: {
		i128 lim = pow10_(f->precision) - 1;
		i128 v;
		switch (h % 8) {
		case 0:
			v = lim;
			break;
		case 1:
			v = -lim;
			break;
		case 2:
			v = 0;
			break;
		default: {
			int digits = (int)(mix(h) % (uint64_t)f->precision) + 1;
			v = 0;
			for (int i = 0; i < digits; i++)
				v = v * 10 + (i128)(mix(h + (uint64_t)i * 31) % 10);
			if ((h >> 20) & 1)
				v = -v;
		}
		}
		char t[80];
		switch ((h >> 30) % 3) {
		case 0:
			decimal_text(t, v, f->scale);
			TRY(c, sl_pq_set_decimal_text(w, col, t, strlen(t), &c->eb));
			break;
		case 1:
			TRY(c, sl_pq_set_decimal128(w, col, (int64_t)(v >> 64), (uint64_t)v, &c->eb));
			break;
		default:
			if (f->precision <= 18)
				TRY(c, sl_pq_set_int(w, col, (int64_t)v, &c->eb));
			else
				TRY(c, sl_pq_set_decimal128(w, col, (int64_t)(v >> 64), (uint64_t)v, &c->eb));
		}
		jint(c, v);
		return;
	}
	}
}

static bool chance_null(struct ctx *c, int fno, int elem, int salt)
{
	return c->null_pct > 0 && (int)(rnd(c->row, fno, elem, salt) % 100) < c->null_pct;
}

static void row_fields(struct ctx *c, const struct field *f, int n, int *fno)
{
	jput(c, "{");
	for (int i = 0; i < n; i++) {
		int me = (*fno)++;
		if (c->json)
			sl_buf_appendf(c->json, "%s\"%s\":", i ? "," : "", f[i].name);
		if (f[i].kind == GROUP) {
			if (f[i].opt && chance_null(c, me, 0, 2)) {
				TRY(c, sl_pq_set_group_null(c->w, f[i].id, &c->eb));
				jput(c, "null");
				/* Count the skipped descendants so field numbers stay stable. */
				int skip = 0;
				struct field *stack[16];
				int ns[16], sp = 0;
				stack[sp] = f[i].child;
				ns[sp++] = f[i].nchild;
				while (sp) {
					struct field *cf = stack[--sp];
					int cn = ns[sp];
					for (int k = 0; k < cn; k++) {
						skip++;
						if (cf[k].kind == GROUP) {
							stack[sp] = cf[k].child;
							ns[sp++] = cf[k].nchild;
						}
					}
				}
				*fno += skip;
			} else {
				row_fields(c, f[i].child, f[i].nchild, fno);
			}
		} else if (f[i].list) {
			if (f[i].opt && chance_null(c, me, 0, 3)) {
				TRY(c, sl_pq_set_null(c->w, f[i].id, &c->eb));
				jput(c, "null");
				continue;
			}
			TRY(c, sl_pq_list_begin(c->w, f[i].id, &c->eb));
			int ne = (int)(rnd(c->row, me, 0, 4) % 5);
			jput(c, "[");
			for (int e = 0; e < ne; e++) {
				jput(c, e ? "," : "");
				if (f[i].elem_opt && chance_null(c, me, e + 1, 5)) {
					TRY(c, sl_pq_set_null(c->w, f[i].id, &c->eb));
					jput(c, "null");
				} else {
					leaf_value(c, &f[i], me, e + 1);
				}
			}
			jput(c, "]");
		} else if (f[i].opt && chance_null(c, me, 0, 6)) {
			TRY(c, sl_pq_set_null(c->w, f[i].id, &c->eb));
			jput(c, "null");
		} else {
			leaf_value(c, &f[i], me, 0);
		}
	}
	jput(c, "}");
}

/* ---- fixture files ---- */

static struct field g_inner[] = {
	{.name = "y", .kind = SL_PQ_INT64, .opt = true},
	{.name = "t", .kind = SL_PQ_STRING, .opt = false},
};
static struct field g_grp[] = {
	{.name = "x", .kind = SL_PQ_INT32, .opt = true},
	{.name = "s", .kind = SL_PQ_STRING, .opt = true, .lowcard = 5},
	{.name = "inner", .kind = GROUP, .opt = true, .child = g_inner, .nchild = 2},
	{.name = "tags", .kind = SL_PQ_STRING, .opt = true, .list = true, .elem_opt = true},
};
static struct field g_req[] = {
	{.name = "a", .kind = SL_PQ_INT16, .opt = false},
	{.name = "b", .kind = SL_PQ_BOOLEAN, .opt = true},
};

/* Every type, optional and required, groups and lists. */
static struct field all_types[] = {
	{.name = "id", .kind = SL_PQ_INT64, .opt = false, .enc = SL_PQ_ENC_DELTA},
	{.name = "b", .kind = SL_PQ_BOOLEAN, .opt = true},
	{.name = "i8", .kind = SL_PQ_INT8, .opt = true},
	{.name = "i16", .kind = SL_PQ_INT16, .opt = false},
	{.name = "i32", .kind = SL_PQ_INT32, .opt = true},
	{.name = "i64", .kind = SL_PQ_INT64, .opt = true},
	{.name = "i32_delta", .kind = SL_PQ_INT32, .opt = true, .enc = SL_PQ_ENC_DELTA},
	{.name = "i64_plain", .kind = SL_PQ_INT64, .opt = true, .enc = SL_PQ_ENC_PLAIN},
	{.name = "f32", .kind = SL_PQ_FLOAT, .opt = true},
	{.name = "f64", .kind = SL_PQ_DOUBLE, .opt = true},
	{.name = "f64_low", .kind = SL_PQ_DOUBLE, .opt = true, .lowcard = 9},
	{.name = "s", .kind = SL_PQ_STRING, .opt = true},
	{.name = "s_low", .kind = SL_PQ_STRING, .opt = true, .lowcard = 6},
	{.name = "s_plain", .kind = SL_PQ_STRING, .opt = true, .enc = SL_PQ_ENC_PLAIN},
	{.name = "j", .kind = SL_PQ_JSON, .opt = true},
	{.name = "e", .kind = SL_PQ_ENUM, .opt = true},
	{.name = "by", .kind = SL_PQ_BYTES, .opt = true},
	{.name = "u", .kind = SL_PQ_UUID, .opt = true},
	{.name = "dec4", .kind = SL_PQ_DECIMAL, .precision = 4, .scale = 4, .opt = true},
	{.name = "dec9", .kind = SL_PQ_DECIMAL, .precision = 9, .scale = 2, .opt = true},
	{.name = "dec18", .kind = SL_PQ_DECIMAL, .precision = 18, .scale = 6, .opt = true},
	{.name = "dec12", .kind = SL_PQ_DECIMAL, .precision = 12, .scale = 2, .opt = false, .lowcard = 50},
	{.name = "dec20", .kind = SL_PQ_DECIMAL, .precision = 20, .scale = 0, .opt = true},
	{.name = "dec38", .kind = SL_PQ_DECIMAL, .precision = 38, .scale = 10, .opt = true},
	{.name = "dt", .kind = SL_PQ_DATE, .opt = true},
	{.name = "tm", .kind = SL_PQ_TIME_MICROS, .opt = true},
	{.name = "ts", .kind = SL_PQ_TIMESTAMP_MICROS, .utc = true, .opt = true},
	{.name = "tsl", .kind = SL_PQ_TIMESTAMP_MICROS, .utc = false, .opt = true},
	{.name = "grp", .kind = GROUP, .opt = true, .child = g_grp, .nchild = 4},
	{.name = "req", .kind = GROUP, .opt = false, .child = g_req, .nchild = 2},
	{.name = "arr", .kind = SL_PQ_INT32, .opt = true, .list = true, .elem_opt = true},
	{.name = "darr", .kind = SL_PQ_DECIMAL, .precision = 30, .scale = 5, .opt = false, .list = true, .elem_opt = false},
	{.name = "barr", .kind = SL_PQ_BOOLEAN, .opt = true, .list = true, .elem_opt = true},
};

static struct field small[] = {
	{.name = "id", .kind = SL_PQ_INT64, .opt = false, .seq = true},
	{.name = "s", .kind = SL_PQ_STRING, .opt = true},
	{.name = "ts", .kind = SL_PQ_TIMESTAMP_MICROS, .utc = true, .opt = true},
	{.name = "d", .kind = SL_PQ_DOUBLE, .opt = true},
	{.name = "g", .kind = GROUP, .opt = true, .child = g_req, .nchild = 2},
	{.name = "arr", .kind = SL_PQ_INT32, .opt = true, .list = true, .elem_opt = true},
};

struct fixture {
	const char *name;
	struct field *fields;
	int nfields;
	uint64_t rows;
	enum sl_pq_codec codec;
	int null_pct;
	size_t row_group_bytes, page_bytes, dict_max;
	size_t big_string;
	int min_row_groups;
};

static const struct fixture fixtures[] = {
	{"types_zstd", all_types, 33, 3000, SL_PQ_ZSTD, 15, 0, 0, 0, 0, 1},
	{"types_snappy", all_types, 33, 3000, SL_PQ_SNAPPY, 15, 0, 0, 0, 0, 1},
	{"types_gzip", all_types, 33, 3000, SL_PQ_GZIP, 15, 0, 0, 0, 0, 1},
	{"types_none", all_types, 33, 3000, SL_PQ_UNCOMPRESSED, 15, 0, 0, 0, 0, 1},
	{"types_nonull", all_types, 33, 1000, SL_PQ_ZSTD, 0, 0, 0, 0, 0, 1},
	{"types_small_pages", all_types, 33, 3000, SL_PQ_ZSTD, 30, 0, 2048, 512, 0, 1},
	{"empty", all_types, 33, 0, SL_PQ_ZSTD, 0, 0, 0, 0, 0, 0},
	{"all_null", all_types, 33, 200, SL_PQ_ZSTD, 100, 0, 0, 0, 0, 1},
	{"big_string", small, 6, 5, SL_PQ_ZSTD, 20, 0, 0, 0, 1u << 20, 1},
	{"many_row_groups", small, 6, 60000, SL_PQ_ZSTD, 10, 64 << 10, 8 << 10, 4 << 10, 0, 8},
};

static enum sl_err to_file(void *ctx, const void *p, size_t n, struct sl_errbuf *eb)
{
	if (fwrite(p, 1, n, ctx) != n)
		return sl_err_set(eb, SL_ERR_IO, "could not write: %s", strerror(errno));
	return SL_OK;
}

static bool write_fixture(const struct fixture *fx, const char *dir, struct sl_buf *man)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s.parquet", dir, fx->name);
	FILE *fp = fopen(path, "wb");
	if (!fp) {
		printf("# cannot create %s\n", path);
		return false;
	}
	struct ctx c = {0};
	struct sl_pq_schema *s = sl_pq_schema_new();
	enum sl_err e = declare(s, SL_PQ_ROOT, fx->fields, fx->nfields, &c.eb);
	struct sl_pq_options o;
	sl_pq_options_default(&o);
	o.codec = fx->codec;
	if (fx->row_group_bytes)
		o.row_group_bytes = fx->row_group_bytes;
	if (fx->page_bytes)
		o.page_bytes = fx->page_bytes;
	if (fx->dict_max)
		o.dict_max_bytes = fx->dict_max;
	if (!e)
		e = sl_pq_writer_open(&c.w, s, &o, to_file, fp, &c.eb);
	else
		sl_pq_schema_free(s);
	if (man) {
		if (man->len > 1)
			sl_buf_putc(man, ',');
		sl_buf_appendf(man, "{\"file\":\"%s.parquet\",\"rows\":%llu,\"codec\":%d,\"min_row_groups\":%d,\"schema\":",
			       fx->name, (unsigned long long)fx->rows, (int)fx->codec, fx->min_row_groups);
		schema_json(man, fx->fields, fx->nfields);
		sl_buf_puts(man, ",\"data\":[");
	}
	c.json = man;
	c.null_pct = fx->null_pct;
	c.big_string = fx->big_string;
	for (uint64_t r = 0; r < fx->rows && !e; r++) {
		c.row = r;
		int fno = 0;
		if (man && r)
			sl_buf_putc(man, ',');
		row_fields(&c, fx->fields, fx->nfields, &fno);
		e = c.err;
		if (!e)
			e = sl_pq_row_end(c.w, &c.eb);
	}
	if (man)
		sl_buf_puts(man, "]}");
	if (!e)
		e = sl_pq_writer_kv(c.w, "sluice.test", fx->name, &c.eb);
	if (!e)
		e = sl_pq_writer_close(c.w, &c.eb);
	sl_pq_writer_free(c.w);
	fclose(fp);
	if (!ok(e == SL_OK, "fixture %s written", fx->name))
		printf("#   %s: %s\n", sl_err_str(e), c.eb.msg);
	return e == SL_OK;
}

/* ---- API misuse ---- */

struct mem {
	struct sl_buf b;
};

static enum sl_err to_mem(void *ctx, const void *p, size_t n, struct sl_errbuf *eb)
{
	(void)eb;
	return sl_buf_append(&((struct mem *)ctx)->b, p, n);
}

static enum sl_err to_fail(void *ctx, const void *p, size_t n, struct sl_errbuf *eb)
{
	(void)ctx;
	(void)p;
	(void)n;
	return sl_err_set(eb, SL_ERR_IO, "disk full");
}

/* The misuse test's file is also checked by the readers: after all the
 * refused calls it must hold exactly the two good rows. */
static const char misuse_manifest[] =
	"{\"file\":\"misuse.parquet\",\"rows\":2,\"codec\":6,\"min_row_groups\":1,\"schema\":["
	"{\"name\":\"id\",\"opt\":false,\"kind\":\"int64\",\"list\":false,\"elem_opt\":false,\"seq\":false},"
	"{\"name\":\"s\",\"opt\":true,\"kind\":\"string\",\"list\":false,\"elem_opt\":false,\"seq\":false},"
	"{\"name\":\"d\",\"opt\":true,\"kind\":\"decimal\",\"list\":false,\"elem_opt\":false,\"seq\":false,\"precision\":5,\"scale\":2},"
	"{\"name\":\"g\",\"opt\":true,\"kind\":\"group\",\"children\":["
	"{\"name\":\"x\",\"opt\":false,\"kind\":\"int8\",\"list\":false,\"elem_opt\":false,\"seq\":false}]},"
	"{\"name\":\"l\",\"opt\":false,\"kind\":\"int64\",\"list\":true,\"elem_opt\":false,\"seq\":false},"
	"{\"name\":\"u\",\"opt\":true,\"kind\":\"uuid\",\"list\":false,\"elem_opt\":false,\"seq\":false},"
	"{\"name\":\"t\",\"opt\":true,\"kind\":\"time\",\"list\":false,\"elem_opt\":false,\"seq\":false}],"
	"\"data\":["
	"{\"id\":\"1\",\"s\":\"61\",\"d\":\"150\",\"g\":{\"x\":\"5\"},\"l\":[\"7\"],\"u\":null,\"t\":null},"
	"{\"id\":\"3\",\"s\":null,\"d\":\"-12345\",\"g\":null,\"l\":[],"
	"\"u\":\"30313233343536373839616263646566\",\"t\":\"86399999999\"}]}";

static void test_misuse(const char *outdir, struct sl_buf *man)
{
	struct sl_errbuf eb;
	struct sl_pq_schema *s = sl_pq_schema_new();
	int cid, cs, cd, g, gx, cl, cu, ct;
	struct sl_pq_type t64 = {.kind = SL_PQ_INT64}, ts = {.kind = SL_PQ_STRING},
			  td = {.kind = SL_PQ_DECIMAL, .precision = 5, .scale = 2},
			  ti8 = {.kind = SL_PQ_INT8}, tu = {.kind = SL_PQ_UUID}, tt = {.kind = SL_PQ_TIME_MICROS};
	is_int(sl_pq_schema_add_column(s, SL_PQ_ROOT, "id", &t64, false, &cid, &eb), SL_OK, "add id");
	is_int(sl_pq_schema_add_column(s, SL_PQ_ROOT, "id", &t64, false, &cid, &eb), SL_ERR_ARG,
	       "duplicate name refused");
	is_int(sl_pq_schema_add_column(s, SL_PQ_ROOT, "s", &ts, true, &cs, &eb), SL_OK, "add s");
	is_int(sl_pq_schema_add_column(s, SL_PQ_ROOT, "d", &td, true, &cd, &eb), SL_OK, "add d");
	struct sl_pq_type bad = {.kind = SL_PQ_DECIMAL, .precision = 39};
	int dummy;
	is_int(sl_pq_schema_add_column(s, SL_PQ_ROOT, "bad", &bad, true, &dummy, &eb), SL_ERR_ARG,
	       "decimal(39) refused");
	struct sl_pq_type baddelta = {.kind = SL_PQ_STRING, .encoding = SL_PQ_ENC_DELTA};
	is_int(sl_pq_schema_add_column(s, SL_PQ_ROOT, "bad2", &baddelta, true, &dummy, &eb), SL_ERR_ARG,
	       "delta on strings refused");
	is_int(sl_pq_schema_add_column(s, cid + 100, "x", &t64, true, &dummy, &eb), SL_ERR_ARG,
	       "unknown parent refused");
	is_int(sl_pq_schema_add_group(s, SL_PQ_ROOT, "g", true, &g, &eb), SL_OK, "add group");
	is_int(sl_pq_schema_add_column(s, g, "x", &ti8, false, &gx, &eb), SL_OK, "add g.x");
	is_int(sl_pq_schema_add_list(s, SL_PQ_ROOT, "l", false, &t64, false, &cl, &eb), SL_OK, "add list");
	is_int(sl_pq_schema_add_column(s, SL_PQ_ROOT, "u", &tu, true, &cu, &eb), SL_OK, "add uuid");
	is_int(sl_pq_schema_add_column(s, SL_PQ_ROOT, "t", &tt, true, &ct, &eb), SL_OK, "add time");

	struct mem m;
	sl_buf_init(&m.b, 0);
	struct sl_pq_writer *w;
	is_int(sl_pq_writer_open(&w, s, NULL, to_mem, &m, &eb), SL_OK, "open");

	/* A good row. */
	sl_pq_set_int(w, cid, 1, &eb);
	sl_pq_set_bytes(w, cs, "a", 1, &eb);
	sl_pq_set_decimal_text(w, cd, "1.5", 3, &eb);
	sl_pq_set_int(w, gx, 5, &eb);
	sl_pq_list_begin(w, cl, &eb);
	sl_pq_set_int(w, cl, 7, &eb);
	sl_pq_set_null(w, cu, &eb);
	sl_pq_set_null(w, ct, &eb);
	is_int(sl_pq_row_end(w, &eb), SL_OK, "good row");

	is_int(sl_pq_set_bytes(w, cid, "x", 1, &eb), SL_ERR_ARG, "bytes into int64");
	is_str(eb.msg, "parquet column \"id\" is int64, not bytes", "message names the column");
	is_int(sl_pq_set_double(w, cid, 1.0, &eb), SL_ERR_ARG, "double into int64");
	is_int(sl_pq_set_int(w, cs, 1, &eb), SL_ERR_ARG, "int into string");
	is_int(sl_pq_set_int(w, 99, 1, &eb), SL_ERR_ARG, "column out of range");
	is_int(sl_pq_set_int(w, -1, 1, &eb), SL_ERR_ARG, "negative column");
	is_int(sl_pq_set_int(w, gx, 300, &eb), SL_ERR_ARG, "int8 out of range");
	is_int(sl_pq_set_int(w, ct, -1, &eb), SL_ERR_ARG, "time out of range");
	is_int(sl_pq_set_null(w, cid, &eb), SL_ERR_ARG, "null into required column");
	is_int(sl_pq_set_bytes(w, cs, "\xff\xfe", 2, &eb), SL_ERR_ARG, "invalid UTF-8 refused");
	is_int(sl_pq_set_bytes(w, cu, "short", 5, &eb), SL_ERR_ARG, "uuid of 5 bytes refused");
	is_int(sl_pq_set_decimal_text(w, cd, "1.234", 5, &eb), SL_ERR_ARG, "decimal needing rounding");
	is_int(sl_pq_set_decimal_text(w, cd, "1000.00", 7, &eb), SL_ERR_ARG, "decimal too wide");
	is_int(sl_pq_set_decimal_text(w, cd, "NaN", 3, &eb), SL_ERR_ARG, "decimal NaN");
	is_int(sl_pq_set_decimal_text(w, cd, "12a", 3, &eb), SL_ERR_ARG, "decimal garbage");
	is_int(sl_pq_set_int(w, cd, 100000, &eb), SL_ERR_ARG, "unscaled decimal too wide");
	is_int(sl_pq_set_int(w, cl, 1, &eb), SL_ERR_ARG, "list element before list_begin");
	is_int(sl_pq_set_null(w, cl, &eb), SL_ERR_ARG, "null for a required list");
	is_int(sl_pq_set_group_null(w, cid, &eb), SL_ERR_ARG, "group_null on a column node");
	is_int(sl_pq_list_begin(w, cid, &eb), SL_ERR_ARG, "list_begin on a scalar");

	/* Arity: a missing column fails the row and leaves nothing behind. */
	sl_pq_set_int(w, cid, 2, &eb);
	is_int(sl_pq_set_int(w, cid, 3, &eb), SL_ERR_ARG, "column set twice");
	is_int(sl_pq_row_end(w, &eb), SL_ERR_ARG, "row with missing columns refused");
	ok(strstr(eb.msg, "is not set") != NULL, "message says what is missing: %s", eb.msg);
	/* Group null with a leaf set inside. */
	sl_pq_set_int(w, cid, 2, &eb);
	sl_pq_set_null(w, cs, &eb);
	sl_pq_set_null(w, cd, &eb);
	sl_pq_set_group_null(w, g, &eb);
	sl_pq_set_int(w, gx, 1, &eb);
	sl_pq_list_begin(w, cl, &eb);
	sl_pq_set_null(w, cu, &eb);
	sl_pq_set_null(w, ct, &eb);
	is_int(sl_pq_row_end(w, &eb), SL_ERR_ARG, "leaf set under a null group refused");
	/* Discarded row. */
	sl_pq_set_int(w, cid, 9, &eb);
	sl_pq_row_discard(w);
	/* A second good row with a null group and an empty list. */
	sl_pq_set_int(w, cid, 3, &eb);
	sl_pq_set_null(w, cs, &eb);
	sl_pq_set_decimal128(w, cd, -1, (uint64_t)-12345, &eb);
	sl_pq_set_group_null(w, g, &eb);
	sl_pq_list_begin(w, cl, &eb);
	sl_pq_set_bytes(w, cu, "0123456789abcdef", 16, &eb);
	sl_pq_set_int(w, ct, 86399999999, &eb);
	is_int(sl_pq_row_end(w, &eb), SL_OK, "second good row");
	is_int(sl_pq_writer_rows(w), 2, "two rows committed");
	is_int(sl_pq_writer_kv(w, "sluice.test", "misuse", &eb), SL_OK, "kv");

	is_int(sl_pq_writer_close(w, &eb), SL_OK, "close");
	is_int(sl_pq_set_int(w, cid, 1, &eb), SL_ERR_STATE, "set after close");
	is_int(sl_pq_row_end(w, &eb), SL_ERR_STATE, "row_end after close");
	is_int(sl_pq_writer_close(w, &eb), SL_ERR_STATE, "double close");
	is_int(sl_pq_writer_kv(w, "k", "v", &eb), SL_ERR_STATE, "kv after close");
	ok(m.b.len > 12 && memcmp(m.b.data, "PAR1", 4) == 0 && memcmp(m.b.data + m.b.len - 4, "PAR1", 4) == 0,
	   "file framed by PAR1");
	uint32_t flen;
	memcpy(&flen, m.b.data + m.b.len - 8, 4);
	ok(flen > 0 && flen < m.b.len - 12, "footer length %u within the file", flen);
	if (outdir) {
		char path[1024];
		snprintf(path, sizeof path, "%s/misuse.parquet", outdir);
		FILE *fp = fopen(path, "wb");
		ok(fp && fwrite(m.b.data, 1, m.b.len, fp) == m.b.len, "misuse.parquet saved");
		if (fp)
			fclose(fp);
		if (man->len > 1)
			sl_buf_putc(man, ',');
		sl_buf_puts(man, misuse_manifest);
	}
	sl_pq_writer_free(w);
	sl_buf_free(&m.b);

	/* Empty schema and a failing sink. */
	s = sl_pq_schema_new();
	is_int(sl_pq_writer_open(&w, s, NULL, to_mem, &m, &eb), SL_ERR_ARG, "schema without columns");
	ok(w == NULL, "no writer on failure");
	s = sl_pq_schema_new();
	sl_pq_schema_add_column(s, SL_PQ_ROOT, "id", &t64, false, &cid, &eb);
	is_int(sl_pq_writer_open(&w, s, NULL, to_fail, NULL, &eb), SL_OK, "open on failing sink");
	sl_pq_set_int(w, cid, 1, &eb);
	sl_pq_row_end(w, &eb);
	is_int(sl_pq_writer_close(w, &eb), SL_ERR_IO, "sink error surfaces");
	is_str(eb.msg, "disk full", "sink message kept");
	is_int(sl_pq_set_int(w, cid, 1, &eb), SL_ERR_STATE, "writer broken after sink error");
	sl_pq_writer_free(w);

	/* Options: a bad codec level. */
	s = sl_pq_schema_new();
	sl_pq_schema_add_column(s, SL_PQ_ROOT, "id", &t64, false, &cid, &eb);
	struct sl_pq_options o;
	sl_pq_options_default(&o);
	o.level = 99;
	is_int(sl_pq_writer_open(&w, s, &o, to_mem, &m, &eb), SL_ERR_ARG, "zstd level 99 refused");
}

/* Random API calls, right and wrong, on the `small` schema: every call
 * returns a known code, the committed rows are counted, and the file is
 * whole.  With an output directory it is kept for the readers (row count
 * only: the values are random). */
static void test_random_calls(const char *outdir, struct sl_buf *man)
{
	struct sl_errbuf eb;
	struct sl_pq_schema *s = sl_pq_schema_new();
	struct field f[6];
	memcpy(f, small, sizeof f);
	ok(declare(s, SL_PQ_ROOT, f, 6, &eb) == SL_OK, "random: schema");
	struct mem m;
	sl_buf_init(&m.b, 0);
	struct sl_pq_options o;
	sl_pq_options_default(&o);
	o.row_group_bytes = 16 << 10;
	o.page_bytes = 2048;
	struct sl_pq_writer *w;
	ok(sl_pq_writer_open(&w, s, &o, to_mem, &m, &eb) == SL_OK, "random: open");
	uint64_t committed = 0;
	int bad_code = 0;
	static const char *const texts[] = {"", "x", "\xc3", "12.5", "-0.01", "1e400", "abc", "\xe6\xbc\xa2"};
	struct ctx c = {0};
	c.w = w;
	c.null_pct = 20;
	for (uint64_t r = 0; r < 20000; r++) {
		uint64_t h = mix(r + 999);
		c.row = r;
		c.err = SL_OK;
		int fno = 0;
		if (h % 8 != 0)
			row_fields(&c, f, 6, &fno); /* a whole, correct row */
		if (c.err != SL_OK)
			bad_code++;
		/* Then some calls that may be wrong: wrong type, twice, range,
		 * unknown column, null into required, group null over set leaves. */
		int extra = (int)((h >> 8) % 4);
		for (int k = 0; k < extra; k++) {
			uint64_t g = mix(h + (uint64_t)k);
			int col = (int)(g % 9) - 1;
			enum sl_err e;
			switch ((g >> 8) % 8) {
			case 0:
				e = sl_pq_set_int(w, col, (int64_t)mix(g), &eb);
				break;
			case 1:
				e = sl_pq_set_null(w, col, &eb);
				break;
			case 2: {
				const char *t = texts[(g >> 16) % 8];
				e = sl_pq_set_bytes(w, col, t, strlen(t), &eb);
				break;
			}
			case 3:
				e = sl_pq_set_double(w, col, (double)(int64_t)mix(g) / 7.0, &eb);
				break;
			case 4:
				e = sl_pq_set_bool(w, col, g & 1, &eb);
				break;
			case 5:
				e = sl_pq_set_group_null(w, (int)((g >> 20) % 10) - 1, &eb);
				break;
			case 6:
				e = sl_pq_list_begin(w, col, &eb);
				break;
			default:
				e = sl_pq_set_decimal_text(w, col, "1.5", 3, &eb);
			}
			if (e != SL_OK && e != SL_ERR_ARG)
				bad_code++;
		}
		if ((h >> 16) % 50 == 0) {
			sl_pq_row_discard(w);
			continue;
		}
		enum sl_err e = sl_pq_row_end(w, &eb);
		if (e == SL_OK)
			committed++;
		else if (e != SL_ERR_ARG)
			bad_code++;
		if ((h >> 24) % 500 == 0 && sl_pq_writer_flush(w, &eb) != SL_OK)
			bad_code++;
	}
	is_int(bad_code, 0, "random: only SL_OK or SL_ERR_ARG while open");
	ok(committed > 1000 && committed < 20000, "random: %llu of 20000 rows committed", (unsigned long long)committed);
	is_int(sl_pq_writer_rows(w), committed, "random: writer counted the committed rows");
	ok(sl_pq_writer_kv(w, "sluice.test", "random_api", &eb) == SL_OK, "random: kv");
	is_int(sl_pq_writer_close(w, &eb), SL_OK, "random: close");
	ok(m.b.len > 12 && memcmp(m.b.data, "PAR1", 4) == 0 && memcmp(m.b.data + m.b.len - 4, "PAR1", 4) == 0,
	   "random: file framed by PAR1");
	sl_pq_writer_free(w);
	if (outdir) {
		char path[1024];
		snprintf(path, sizeof path, "%s/random_api.parquet", outdir);
		FILE *fp = fopen(path, "wb");
		ok(fp && fwrite(m.b.data, 1, m.b.len, fp) == m.b.len, "random_api.parquet saved");
		if (fp)
			fclose(fp);
		if (man->len > 1)
			sl_buf_putc(man, ',');
		sl_buf_appendf(man, "{\"file\":\"random_api.parquet\",\"rows\":%llu,\"codec\":6,\"min_row_groups\":2,\"schema\":",
			       (unsigned long long)committed);
		schema_json(man, small, 6);
		sl_buf_puts(man, ",\"data\":null}");
	}
	sl_buf_free(&m.b);
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	if (argc == 3 && strcmp(argv[1], "--out") == 0)
		out = argv[2];
	char tmpl[512];
	const char *td = getenv("TMPDIR");
	snprintf(tmpl, sizeof tmpl, "%s/sl_pq_XXXXXX", td && *td ? td : "/tmp");
	const char *dir = out;
	if (!dir && !(dir = mkdtemp(tmpl))) {
		ok(0, "mkdtemp");
		return t_done();
	}
	struct sl_buf man;
	sl_buf_init(&man, 0);
	sl_buf_puts(&man, "[");
	test_misuse(out, &man);
	test_random_calls(out, &man);
	for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++)
		write_fixture(&fixtures[i], dir, out ? &man : NULL);
	sl_buf_puts(&man, "]");
	if (out) {
		char path[1024];
		snprintf(path, sizeof path, "%s/manifest.json", out);
		FILE *fp = fopen(path, "wb");
		ok(fp && fwrite(man.data, 1, man.len, fp) == man.len, "manifest written");
		if (fp)
			fclose(fp);
	} else {
		for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
			char path[1024];
			snprintf(path, sizeof path, "%s/%s.parquet", dir, fixtures[i].name);
			struct stat st;
			ok(stat(path, &st) == 0 && st.st_size > 12, "%s has content", fixtures[i].name);
			unlink(path);
		}
		rmdir(dir);
	}
	sl_buf_free(&man);
	return t_done();
}
