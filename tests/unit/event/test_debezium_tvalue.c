/* Unit tests: event/debezium typed values (sl_dbz_column_tvalue,
 * sl_dbz_meta_tvalue, sl_dbz_value_schema, sl_dbz_column_in_value).
 *
 * Differential: for many values of every type the encoder maps, under every
 * decimal / time / binary / interval / hstore mode, the event is encoded with
 * sl_dbz_value() (value_schemas on), parsed back with the archive's JSON
 * parser, and every field's JSON value is compared with its typed form:
 * INT == the JSON integer, DOUBLE bit-equal to strtod() of the JSON number
 * (strtof() for float4 columns, whose typed value is the float itself) or
 * the NaN/Infinity strings, STR the decoded JSON string byte for byte, BIN
 * base64-encoded (here, independently) equals the JSON string, TSTZ equals
 * the JSON ISO string as sl_lake_parse_iso_us() reads it, NULL is JSON null.
 * SL_TV_NONE is accepted only where the API documents it.  Values the JSON
 * encoder refuses must be refused with the same message.
 */
#include "lake/envelope.h"
#include "core/jsonr.h"
#include "core/buf.h"
#include "event/debezium.h"
#include "event/pgtype_oids.h"
#include "lib/test.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers -------------------------------------------------------------- */

/* ok() that formats its message only on failure: this file makes about a
 * million checks, and formatting every name was most of its run time. */
#define check(cond, ...) ((cond) ? (t_pass++, true) : ok(false, __VA_ARGS__))

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* A random int64 of random magnitude. */
static int64_t rnd_mag(void)
{
	int bits = (int)below(64);
	uint64_t v = bits ? rnd() >> (64 - bits) : 0;
	return (rnd() & 1) ? -(int64_t)v : (int64_t)v;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Howard Hinnant's civil calendar conversions (independent of the code
 * under test). */
static int64_t days_from(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static void b64(const unsigned char *p, size_t n, struct sl_buf *out)
{
	static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	sl_buf_reset(out);
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char q[4] = {A[v >> 18 & 63], A[v >> 12 & 63], i + 1 < n ? A[v >> 6 & 63] : '=',
			     i + 2 < n ? A[v & 63] : '='};
		sl_buf_append(out, q, 4);
	}
	if (!out->data)
		sl_buf_puts(out, "");
}

/* A list of value texts (with lengths: NUL and invalid UTF-8 allowed). */
struct vals {
	char **s;
	size_t *n;
	size_t count, cap;
};

static void vadd(struct vals *v, const char *s, size_t n)
{
	if (v->count == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 64;
		v->s = realloc(v->s, v->cap * sizeof *v->s);
		v->n = realloc(v->n, v->cap * sizeof *v->n);
	}
	v->s[v->count] = malloc(n + 1);
	memcpy(v->s[v->count], s, n);
	v->s[v->count][n] = '\0';
	v->n[v->count++] = n;
}

static void vaddz(struct vals *v, const char *s)
{
	vadd(v, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void vaddf(struct vals *v, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	vadd(v, tmp, (size_t)n);
}

static void vfree(struct vals *v)
{
	for (size_t i = 0; i < v->count; i++)
		free(v->s[i]);
	free(v->s);
	free(v->n);
	memset(v, 0, sizeof *v);
}

/* ---- column specs and value generators ------------------------------------ */

enum gen {
	G_BOOL, G_INT2, G_INT4, G_INT8, G_OID, G_FLOAT4, G_FLOAT8, G_NUMERIC, G_TEXT, G_WORD,
	G_JSON, G_UUID, G_TSTZ, G_TS, G_DATE, G_TIME, G_TIMETZ, G_INTERVAL, G_BYTEA, G_MONEY,
	G_BIT1, G_VARBIT, G_POINT, G_INTARR, G_TEXTARR, G_NUMARR, G_ENUM, G_HSTORE, G_HSTOREARR,
	G_LINE, G_BOX, G_POLYGON, G_GEOM, G_VEC, G_SPVEC, G_OMIT, G_UNKNOWN, G_UNKARR
};

struct spec {
	const char *name;
	uint32_t oid;
	int32_t typmod;
	bool array, is_enum, excluded;
	enum gen g;
	int p, s; /* numeric precision/scale; time precision in p */
	const char *tname; /* extension types: recognised by name, OID per database */
};

#define NUMTM(p, s) ((((p) << 16) | ((s) & 0x7ff)) + 4)

static const struct spec specs[] = {
	{"b", SL_PG_BOOL, -1, 0, 0, 0, G_BOOL, 0, 0, NULL},
	{"i2", SL_PG_INT2, -1, 0, 0, 0, G_INT2, 0, 0, NULL},
	{"i4", SL_PG_INT4, -1, 0, 0, 0, G_INT4, 0, 0, NULL},
	{"i8", SL_PG_INT8, -1, 0, 0, 0, G_INT8, 0, 0, NULL},
	{"oid", SL_PG_OID, -1, 0, 0, 0, G_OID, 0, 0, NULL},
	{"f4", SL_PG_FLOAT4, -1, 0, 0, 0, G_FLOAT4, 0, 0, NULL},
	{"f8", SL_PG_FLOAT8, -1, 0, 0, 0, G_FLOAT8, 0, 0, NULL},
	{"n3_2", SL_PG_NUMERIC, NUMTM(3, 2), 0, 0, 0, G_NUMERIC, 3, 2, NULL},
	{"n10_0", SL_PG_NUMERIC, NUMTM(10, 0), 0, 0, 0, G_NUMERIC, 10, 0, NULL},
	{"n18_4", SL_PG_NUMERIC, NUMTM(18, 4), 0, 0, 0, G_NUMERIC, 18, 4, NULL},
	{"n19_0", SL_PG_NUMERIC, NUMTM(19, 0), 0, 0, 0, G_NUMERIC, 19, 0, NULL},
	{"n38_10", SL_PG_NUMERIC, NUMTM(38, 10), 0, 0, 0, G_NUMERIC, 38, 10, NULL},
	{"n30_30", SL_PG_NUMERIC, NUMTM(30, 30), 0, 0, 0, G_NUMERIC, 30, 30, NULL},
	{"n5_m2", SL_PG_NUMERIC, NUMTM(5, -2), 0, 0, 0, G_NUMERIC, 5, -2, NULL},
	{"nv", SL_PG_NUMERIC, -1, 0, 0, 0, G_NUMERIC, -1, -1, NULL},
	{"t \"q\"\\", SL_PG_TEXT, -1, 0, 0, 0, G_TEXT, 0, 0, NULL},
	{"vc", SL_PG_VARCHAR, 24, 0, 0, 0, G_TEXT, 0, 0, NULL},
	{"bp", SL_PG_BPCHAR, 12, 0, 0, 0, G_WORD, 0, 0, NULL},
	{"nm", SL_PG_NAME, -1, 0, 0, 0, G_WORD, 0, 0, NULL},
	{"js", SL_PG_JSON, -1, 0, 0, 0, G_JSON, 0, 0, NULL},
	{"jb", SL_PG_JSONB, -1, 0, 0, 0, G_JSON, 0, 0, NULL},
	{"x", SL_PG_XML, -1, 0, 0, 0, G_WORD, 0, 0, NULL},
	{"u", SL_PG_UUID, -1, 0, 0, 0, G_UUID, 0, 0, NULL},
	{"en", 16400, -1, 0, 1, 0, G_ENUM, 0, 0, NULL},
	{"inet", SL_PG_INET, -1, 0, 0, 0, G_WORD, 0, 0, NULL},
	{"tstz", SL_PG_TIMESTAMPTZ, -1, 0, 0, 0, G_TSTZ, 6, 0, NULL},
	{"tstz0", SL_PG_TIMESTAMPTZ, 0, 0, 0, 0, G_TSTZ, 0, 0, NULL},
	{"tstz3", SL_PG_TIMESTAMPTZ, 3, 0, 0, 0, G_TSTZ, 3, 0, NULL},
	{"tstz5", SL_PG_TIMESTAMPTZ, 5, 0, 0, 0, G_TSTZ, 5, 0, NULL},
	{"ts", SL_PG_TIMESTAMP, -1, 0, 0, 0, G_TS, 6, 0, NULL},
	{"ts0", SL_PG_TIMESTAMP, 0, 0, 0, 0, G_TS, 0, 0, NULL},
	{"ts3", SL_PG_TIMESTAMP, 3, 0, 0, 0, G_TS, 3, 0, NULL},
	{"d", SL_PG_DATE, -1, 0, 0, 0, G_DATE, 0, 0, NULL},
	{"tm", SL_PG_TIME, -1, 0, 0, 0, G_TIME, 6, 0, NULL},
	{"tm0", SL_PG_TIME, 0, 0, 0, 0, G_TIME, 0, 0, NULL},
	{"tm3", SL_PG_TIME, 3, 0, 0, 0, G_TIME, 3, 0, NULL},
	{"ttz", SL_PG_TIMETZ, -1, 0, 0, 0, G_TIMETZ, 0, 0, NULL},
	{"iv", SL_PG_INTERVAL, -1, 0, 0, 0, G_INTERVAL, 0, 0, NULL},
	{"by", SL_PG_BYTEA, -1, 0, 0, 0, G_BYTEA, 0, 0, NULL},
	{"mo", SL_PG_MONEY, -1, 0, 0, 0, G_MONEY, 0, 0, NULL},
	{"bit1", SL_PG_BIT, 1, 0, 0, 0, G_BIT1, 0, 0, NULL},
	{"vb", SL_PG_VARBIT, -1, 0, 0, 0, G_VARBIT, 0, 0, NULL},
	{"pt", SL_PG_POINT, -1, 0, 0, 0, G_POINT, 0, 0, NULL},
	{"ia", SL_PG_INT4, -1, 1, 0, 0, G_INTARR, 0, 0, NULL},
	{"ta", SL_PG_TEXT, -1, 1, 0, 0, G_TEXTARR, 0, 0, NULL},
	{"na", SL_PG_NUMERIC, NUMTM(3, 2), 1, 0, 0, G_NUMARR, 0, 0, NULL},
	{"ci", 16401, -1, 0, 0, 0, G_TEXT, 0, 0, "citext"},
	{"cia", 16401, -1, 1, 0, 0, G_TEXTARR, 0, 0, "citext"},
	{"lt", 16402, -1, 0, 0, 0, G_WORD, 0, 0, "ltree"},
	{"hs", 16403, -1, 0, 0, 0, G_HSTORE, 0, 0, "hstore"},
	{"hsa", 16403, -1, 1, 0, 0, G_HSTOREARR, 0, 0, "hstore"},
	{"line", SL_PG_LINE, -1, 0, 0, 0, G_LINE, 0, 0, NULL},
	{"bx", SL_PG_BOX, -1, 0, 0, 0, G_BOX, 0, 0, "box"},
	{"pg", SL_PG_POLYGON, -1, 0, 0, 0, G_POLYGON, 0, 0, "polygon"},
	{"geo", 16404, -1, 0, 0, 0, G_GEOM, 0, 0, "geometry"},
	{"vec", 16405, -1, 0, 0, 0, G_VEC, 0, 0, "vector"},
	{"sv", 16406, -1, 0, 0, 0, G_SPVEC, 0, 0, "sparsevec"},
	{"linea", SL_PG_LINE, -1, 1, 0, 0, G_OMIT, 0, 0, NULL},
	/* no mapping: in the blocks only with include.unknown.datatypes */
	{"cu", 16407, -1, 0, 0, 0, G_UNKNOWN, 0, 0, "cube"},
	{"cua", 16407, -1, 1, 0, 0, G_UNKARR, 0, 0, "cube"},
	{"exc", SL_PG_TEXT, -1, 0, 0, 1, G_WORD, 0, 0, NULL},
};
#define NSPECS ((int)(sizeof specs / sizeof specs[0]))
#define NCOLS (NSPECS + 1) /* column 0 is the key "id" */

static void gen_int(struct vals *v, int64_t lo, int64_t hi, int nrand)
{
	vaddf(v, "%" PRId64, lo);
	vaddf(v, "%" PRId64, hi);
	vaddz(v, "0");
	vaddz(v, "-1");
	vaddz(v, "1");
	vaddf(v, "%" PRId64, lo + 1);
	vaddf(v, "%" PRId64, hi - 1);
	for (int i = 0; i < nrand; i++) {
		int64_t x = rnd_mag();
		if (x < lo || x > hi)
			x = (int64_t)((uint64_t)x % ((uint64_t)hi + 1));
		vaddf(v, "%" PRId64, x);
	}
}

static void gen_float4(struct vals *v)
{
	static const char *const fixed[] = {
		"0", "-0", "NaN", "Infinity", "-Infinity", "3.4028235e+38", "-3.4028235e+38",
		"1.1754944e-38", "1e-45", "1.4e-45", "-1.4e-45", "0.1", "1.1", "16777217",
		"1e+10", "123456.79", "0.001", "9.999999e-4", "1e7", "8388607.5"};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		vaddz(v, fixed[i]);
	for (int i = 0; i < 160; i++) {
		uint32_t bits = (uint32_t)rnd();
		if (i % 8 == 0)
			bits &= 0x807fffffu; /* denormals */
		float f;
		memcpy(&f, &bits, sizeof f);
		if (!isfinite(f))
			continue;
		vaddf(v, i % 3 == 0 ? "%.6g" : i % 3 == 1 ? "%.8g" : "%.9g", (double)f);
	}
}

static void gen_float8(struct vals *v)
{
	static const char *const fixed[] = {
		"0", "-0", "NaN", "Infinity", "-Infinity", "1e+308", "1.7976931348623157e+308",
		"-1.7976931348623157e+308", "2.2250738585072014e-308", "2.225073858507201e-308",
		"4.9406564584124654e-324", "5e-324", "-5e-324", "0.1", "100", "1e-05", "1e+100",
		"12345678.9", "-1.5", "123456789012345680000", "9007199254740993", "0.30000000000000004",
		"1e+23", "8.98846567431158e+307", "1e-300", "1e-301", "1.0000000000000002",
		"0.001", "0.00099999999999999999", "9999999.999999998", "10000000"};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		vaddz(v, fixed[i]);
	static const char *const fmts[] = {"%.17g", "%.15g", "%.16g", "%.3g", "%.12g", "%.1g"};
	for (int i = 0; i < 240; i++) {
		uint64_t bits = rnd();
		if (i % 10 == 0)
			bits &= 0x800fffffffffffffULL; /* denormals */
		else if (i % 10 == 1)
			bits = (bits & 0x800fffffffffffffULL) | ((uint64_t)(1023 - 20 + below(50)) << 52);
		double d;
		memcpy(&d, &bits, sizeof d);
		if (!isfinite(d))
			continue;
		vaddf(v, fmts[i % 6], d);
	}
}

static void digits(char *out, size_t n, bool lead_nonzero)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (char)('0' + below(10));
	if (n && lead_nonzero && out[0] == '0')
		out[0] = (char)('1' + below(9));
	out[n] = '\0';
}

static void gen_numeric(struct vals *v, int p, int s, bool precise)
{
	char ip[128], fp[128];
	if (p < 0) {
		static const char *const fixed[] = {
			"0", "0.000", "-0.5", "1.10", "100", "-100", "0.1", "127", "128", "-128", "-129",
			"123456789012345678901234567890", "-12345678901234567890.5",
			"3.14159265358979323846264338327950288", "999999999999999999",
			"1000000000000000000", "-9223372036854775808", "9223372036854775808",
			"0.000000000000000000000000000000000000000000000000000000000000000000000000000000001",
			"0.00001", "1.000000000000000000001"};
		for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
			vaddz(v, fixed[i]);
		for (int i = 0; i < 120; i++) {
			size_t ni = below(26), nf = below(26);
			digits(ip, ni, true);
			digits(fp, nf, false);
			vaddf(v, "%s%s%s%s", (rnd() & 1) ? "-" : "", ni ? ip : "0", nf ? "." : "", fp);
		}
	} else {
		int ni_max = s >= 0 ? p - s : p;
		int nf = s > 0 ? s : 0;
		char zeros[16] = "";
		for (int k = 0; k < -s; k++)
			zeros[k] = '0';
		/* zero, extremes, and two's complement byte boundaries */
		memset(fp, '0', (size_t)nf);
		fp[nf] = '\0';
		vaddf(v, "0%s%s", nf ? "." : "", fp);
		memset(ip, '9', (size_t)ni_max);
		ip[ni_max] = '\0';
		memset(fp, '9', (size_t)nf);
		vaddf(v, "%s%s%s%s", ni_max ? ip : "0", zeros[0] && ni_max ? zeros : "", nf ? "." : "", fp);
		vaddf(v, "-%s%s%s%s", ni_max ? ip : "0", zeros[0] && ni_max ? zeros : "", nf ? "." : "", fp);
		static const int64_t edges[] = {127, 128, -128, -129, 255, 256, 32767, 32768, -32768,
						-32769, 8388607, 8388608, 2147483647, 2147483648LL};
		for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
			/* as an unscaled value */
			char t[64];
			int64_t e = edges[i];
			snprintf(t, sizeof t, "%" PRId64, e < 0 ? -e : e);
			int len = (int)strlen(t);
			if (s >= 0 && len <= p) {
				if (len > nf)
					vaddf(v, "%s%.*s%s%s", e < 0 ? "-" : "", len - nf, t, nf ? "." : "",
					      t + len - nf);
				else
					vaddf(v, "%s0.%0*d%s", e < 0 ? "-" : "", nf - len, 0, t);
			}
		}
		for (int i = 0; i < 60; i++) {
			size_t ni = below((uint64_t)ni_max + 1);
			digits(ip, ni, true);
			digits(fp, (size_t)nf, false);
			vaddf(v, "%s%s%s%s%s", (rnd() & 1) ? "-" : "", ni ? ip : "0",
			      ni && zeros[0] ? zeros : "", nf ? "." : "", fp);
		}
	}
	if (!precise) {
		vaddz(v, "NaN");
		vaddz(v, "Infinity");
		vaddz(v, "-Infinity");
	}
}

static void gen_text(struct vals *v)
{
	static const char *const fixed[] = {
		"", "plain", "quote\"back\\slash/", "tab\tnl\ncr\rff\fbs\b", "\x01\x1f\x7f",
		"h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xf0\x9f\x98\x80", "\xff\xfe invalid",
		"\xc3", "x\xed\xa0\x80y", "\xf4\x90\x80\x80", "\xc0\xaf", "\xe2\x82", "\xe2\x82\xac",
		"\xf0\x9f\x98", "\xef\xbf\xbd", "\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf",
		"\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf", "\xf5\x80\x80\x80", "\\u0041", "</script>"};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		vaddz(v, fixed[i]);
	vadd(v, "nul\0inside", 10);
	static const char *const pieces[] = {"a", "Z", " ", "\"", "\\", "\n", "\x01", "\x1f",
					     "\xc3\xa9", "\xe2\x9c\x93", "\xf0\x9f\x98\x80",
					     "\x80", "\xff", "\xc3", "\xed\xbf\xbf", "{", "0"};
	for (int i = 0; i < 80; i++) {
		char t[256];
		size_t n = 0, k = below(24);
		for (size_t j = 0; j < k; j++) {
			const char *p = pieces[below(sizeof pieces / sizeof pieces[0])];
			size_t l = strlen(p);
			memcpy(t + n, p, l);
			n += l;
		}
		vadd(v, t, n);
	}
}

/* hstore's output: quoted keys and values, '"' and '\\' escaped. */
static void hs_quote(struct sl_buf *b, const char *s, size_t n)
{
	sl_buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			sl_buf_putc(b, '\\');
		sl_buf_putc(b, s[i]);
	}
	sl_buf_putc(b, '"');
}

static void gen_hstore(struct vals *v)
{
	static const char *const fixed[] = {
		"", "\"a\"=>\"1\"", "\"a\"=>NULL", "\"k\"=>\"\", \"q\\\"\"=>\"b\\\\s/\"",
		"\"\xc3\xa9\"=>\"\xf0\x9f\x98\x80\", \"\xe2\x82\xac\"=>NULL", "\"\xff\"=>\"\xc3\"",
		"\"t\"=>\"a\tb\x01\n\"", "\"\"=>\"\"", "\"Aa\"=>\"1\", \"BB\"=>\"2\""};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		vaddz(v, fixed[i]);
	static const char *const pieces[] = {"a", "Z", " ", "\"", "\\", "\n", "=>", ",", "NULL",
					     "\xc3\xa9", "\xf0\x9f\x98\x80", "\xff", "0"};
	struct sl_buf b;
	sl_buf_init(&b, 0);
	for (int i = 0; i < 40; i++) {
		sl_buf_reset(&b);
		/* random keys, some repeated, in no particular order */
		size_t pairs = below(i % 4 ? 8 : 60);
		for (size_t k = 0; k < pairs; k++) {
			char t[2][64];
			size_t n[2] = {0, 0};
			for (int w = 0; w < 2; w++)
				for (size_t j = below(4); j > 0; j--) {
					const char *p = pieces[below(sizeof pieces / sizeof pieces[0])];
					memcpy(t[w] + n[w], p, strlen(p));
					n[w] += strlen(p);
				}
			if (k)
				sl_buf_puts(&b, ", ");
			hs_quote(&b, t[0], n[0]);
			sl_buf_puts(&b, "=>");
			if (below(5) == 0)
				sl_buf_puts(&b, "NULL");
			else
				hs_quote(&b, t[1], n[1]);
		}
		vadd(v, b.data ? b.data : "", b.len);
	}
	sl_buf_free(&b);
}

/* PostgreSQL's timestamp[tz] output for us microseconds since 1970. */
static void fmt_ts(struct vals *v, int64_t us, bool tz)
{
	int64_t days = floor_div(us, 86400000000LL), tod = us - days * 86400000000LL;
	int64_t y;
	int m, d;
	civil(days, &y, &m, &d);
	int64_t sec = tod / 1000000, f = tod % 1000000;
	char frac[16] = "";
	if (f) {
		snprintf(frac, sizeof frac, ".%06" PRId64, f);
		size_t l = strlen(frac);
		while (frac[l - 1] == '0')
			frac[--l] = '\0';
	}
	bool bc = y <= 0;
	vaddf(v, "%04" PRId64 "-%02d-%02d %02d:%02d:%02d%s%s%s", bc ? 1 - y : y, m, d,
	      (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60), frac, tz ? "+00" : "",
	      bc ? " BC" : "");
}

static void gen_ts(struct vals *v, int prec, bool tz)
{
	int64_t unit = 1;
	for (int k = prec; k < 6; k++)
		unit *= 10;
	const int64_t D = 86400000000LL;
	int64_t fixed[] = {0, -1, 1, D - 1, -D, days_from(1, 1, 1) * D, days_from(0, 1, 1) * D,
			   days_from(0, 12, 31) * D + D - 1, days_from(-4712, 1, 1) * D,
			   days_from(9999, 12, 31) * D + D - 1, days_from(10000, 1, 1) * D,
			   days_from(2000, 2, 29) * D + 12345678901LL, days_from(1900, 3, 1) * D,
			   days_from(289999, 12, 31) * D + D - 1, days_from(-44, 3, 15) * D + D / 2,
			   1478267490123456LL, -1478267490123456LL};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		fmt_ts(v, floor_div(fixed[i], unit) * unit, tz);
	if (prec < 6) {
		/* more digits than the column's precision: the encoder cuts them */
		fmt_ts(v, 1478267490123456LL, tz);
		fmt_ts(v, -1478267490123456LL, tz);
		fmt_ts(v, days_from(-100, 6, 1) * D + 999999, tz);
	}
	vaddz(v, "infinity");
	vaddz(v, "-infinity");
	if (tz) {
		vaddz(v, "2016-11-04 11:51:30-02:30");
		vaddz(v, "2016-11-04 11:51:30.5+05:30");
		vaddz(v, "0001-01-01 00:00:00+01 BC");
		vaddz(v, "1970-01-01 00:00:00+14");
		vaddz(v, "2016-11-04 11:51:30+00:00:10");
	}
	int64_t lo = days_from(-4712, 1, 1) * D, hi = days_from(289999, 12, 31) * D;
	int64_t lo2 = days_from(1900, 1, 1) * D, hi2 = days_from(2100, 1, 1) * D;
	for (int i = 0; i < 90; i++) {
		int64_t us = i % 2 ? (int64_t)((uint64_t)lo + below((uint64_t)hi - (uint64_t)lo))
				   : lo2 + (int64_t)below((uint64_t)(hi2 - lo2));
		fmt_ts(v, floor_div(us, unit) * unit, tz);
	}
}

static void fmt_date(struct vals *v, int64_t days)
{
	int64_t y;
	int m, d;
	civil(days, &y, &m, &d);
	bool bc = y <= 0;
	vaddf(v, "%04" PRId64 "-%02d-%02d%s", bc ? 1 - y : y, m, d, bc ? " BC" : "");
}

static void gen_date(struct vals *v)
{
	int64_t fixed[] = {0, -1, 1, days_from(1, 1, 1), days_from(0, 12, 31), days_from(0, 1, 1),
			   days_from(-4712, 1, 1), days_from(9999, 12, 31), days_from(10000, 1, 1),
			   days_from(5874897, 12, 31), days_from(2000, 2, 29), days_from(1900, 2, 28)};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		fmt_date(v, fixed[i]);
	vaddz(v, "infinity");
	vaddz(v, "-infinity");
	int64_t lo = days_from(-4712, 1, 1), hi = days_from(5874897, 12, 31);
	for (int i = 0; i < 60; i++)
		fmt_date(v, i % 2 ? lo + (int64_t)below((uint64_t)(hi - lo))
				  : days_from(1900, 1, 1) + (int64_t)below(80000));
}

static void fmt_time(struct vals *v, int64_t us)
{
	int64_t sec = us / 1000000, f = us % 1000000;
	char frac[16] = "";
	if (f) {
		snprintf(frac, sizeof frac, ".%06" PRId64, f);
		size_t l = strlen(frac);
		while (frac[l - 1] == '0')
			frac[--l] = '\0';
	}
	vaddf(v, "%02d:%02d:%02d%s", (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60), frac);
}

static void gen_time(struct vals *v, int prec)
{
	int64_t unit = 1;
	for (int k = prec; k < 6; k++)
		unit *= 10;
	vaddz(v, "24:00:00");
	vaddz(v, "00:00:00");
	fmt_time(v, (86400000000LL - 1) / unit * unit);
	fmt_time(v, 1);
	fmt_time(v, 999);
	fmt_time(v, 1001);
	for (int i = 0; i < 50; i++)
		fmt_time(v, (int64_t)below(86400000000ULL) / unit * unit);
}

static void gen_interval(struct vals *v)
{
	static const char *const fixed[] = {"PT0S", "P1Y2M3DT4H5M6.78S", "P-1Y-2M3DT-4H-5M-6.5S",
					    "P7D", "PT-0.5S", "PT0.000001S", "P178000000Y",
					    "P-178000000Y", "PT2562047788H", "P1W", "PT-2562047788H-0.000001S"};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		vaddz(v, fixed[i]);
	for (int i = 0; i < 60; i++) {
		char t[256];
		size_t n = (size_t)snprintf(t, sizeof t, "P");
		bool any = false;
		static const char dunits[] = "YMD", tunits[] = "HM";
		for (int k = 0; k < 3; k++)
			if (rnd() & 1) {
				n += (size_t)snprintf(t + n, sizeof t - n, "%" PRId64 "%c",
						      (int64_t)below(2000) * ((rnd() & 1) ? -1 : 1),
						      dunits[k]);
				any = true;
			}
		bool in_t = false;
		for (int k = 0; k < 3; k++) {
			if (!(rnd() & 1))
				continue;
			if (!in_t)
				t[n++] = 'T', in_t = true;
			bool neg = rnd() & 1;
			int64_t val = (int64_t)below(100000);
			if (k < 2) {
				n += (size_t)snprintf(t + n, sizeof t - n, "%s%" PRId64 "%c",
						      neg && val ? "-" : "", val, tunits[k]);
			} else {
				int64_t f = (rnd() & 1) ? (int64_t)below(1000000) : 0;
				char fr[16] = "";
				if (f) {
					snprintf(fr, sizeof fr, ".%06" PRId64, f);
					size_t l = strlen(fr);
					while (fr[l - 1] == '0')
						fr[--l] = '\0';
				}
				n += (size_t)snprintf(t + n, sizeof t - n, "%s%" PRId64 "%sS",
						      neg && (val || f) ? "-" : "", val, fr);
			}
			any = true;
		}
		if (!any)
			n = (size_t)snprintf(t, sizeof t, "PT0S");
		vadd(v, t, n);
	}
}

static void gen_values(struct vals *v, const struct spec *sp, bool precise)
{
	switch (sp->g) {
	case G_BOOL: vaddz(v, "t"); vaddz(v, "f"); break;
	case G_INT2: gen_int(v, INT16_MIN, INT16_MAX, 30); break;
	case G_INT4: gen_int(v, INT32_MIN, INT32_MAX, 40); break;
	case G_INT8: gen_int(v, INT64_MIN, INT64_MAX, 60); break;
	case G_OID:
		vaddz(v, "0");
		vaddz(v, "4294967295");
		for (int i = 0; i < 20; i++)
			vaddf(v, "%" PRIu32, (uint32_t)rnd());
		break;
	case G_FLOAT4: gen_float4(v); break;
	case G_FLOAT8: gen_float8(v); break;
	case G_NUMERIC: gen_numeric(v, sp->p, sp->s, precise); break;
	case G_TEXT: gen_text(v); break;
	case G_WORD:
		vaddz(v, "abc");
		vaddz(v, "");
		vaddz(v, "x y \"z\"");
		vaddz(v, "192.168.0.1/24");
		break;
	case G_JSON:
		vaddz(v, "{\"a\": [1, 2.5, \"x\\\"y\"], \"b\": null}");
		vaddz(v, "[]");
		vaddz(v, "\"\\u00e9\\n\"");
		vaddz(v, "{\"k\": \"\xc3\xa9\\t\"}");
		break;
	case G_UUID:
		vaddz(v, "00000000-0000-0000-0000-000000000000");
		for (int i = 0; i < 10; i++)
			vaddf(v, "%08" PRIx32 "-%04x-%04x-%04x-%012" PRIx64, (uint32_t)rnd(),
			      (unsigned)(rnd() & 0xffff), (unsigned)(rnd() & 0xffff),
			      (unsigned)(rnd() & 0xffff), (uint64_t)(rnd() & 0xffffffffffffULL));
		break;
	case G_TSTZ: gen_ts(v, sp->p, true); break;
	case G_TS: gen_ts(v, sp->p, false); break;
	case G_DATE: gen_date(v); break;
	case G_TIME: gen_time(v, sp->p); break;
	case G_TIMETZ:
		vaddz(v, "13:51:30.123789+02");
		vaddz(v, "01:00:00-05:30");
		vaddz(v, "00:00:00+00");
		break;
	case G_INTERVAL: gen_interval(v); break;
	case G_BYTEA: {
		vaddz(v, "\\x");
		vaddz(v, "\\x00");
		vaddz(v, "\\xfbff");
		vaddz(v, "\\x01ABff");
		for (int i = 0; i < 40; i++) {
			char t[128] = "\\x";
			size_t k = below(48);
			for (size_t j = 0; j < k; j++)
				snprintf(t + 2 + 2 * j, 3, "%02x", (unsigned)(rnd() & 0xff));
			vaddz(v, t);
		}
		break;
	}
	case G_MONEY:
		vaddz(v, "$1,234.56");
		vaddz(v, "-$0.01");
		vaddz(v, "($5.00)");
		break;
	case G_BIT1: vaddz(v, "0"); vaddz(v, "1"); break;
	case G_VARBIT: vaddz(v, "10110"); vaddz(v, ""); vaddz(v, "1000000001"); break;
	case G_POINT: vaddz(v, "(1.5,-2)"); vaddz(v, "(0,0)"); vaddz(v, "(NaN,1e+300)"); break;
	case G_INTARR: vaddz(v, "{1,2,NULL}"); vaddz(v, "{}"); break;
	case G_TEXTARR: vaddz(v, "{a,\"b c\",NULL,\"\\\"\"}"); vaddz(v, "{}"); break;
	case G_NUMARR: vaddz(v, "{1.10,NULL,-9.99}"); break;
	case G_ENUM: vaddz(v, "a"); vaddz(v, "b c"); break;
	case G_HSTORE: gen_hstore(v); break;
	case G_HSTOREARR:
		vaddz(v, "{\"\\\"a\\\"=>\\\"1\\\"\",NULL,\"\"}");
		vaddz(v, "{}");
		break;
	case G_LINE: vaddz(v, "{1,2,3}"); vaddz(v, "{-0.5,0,1e+300}"); break;
	case G_BOX: vaddz(v, "(1,1),(0,0)"); vaddz(v, "(3.5,-1),(-2,-4)"); break;
	case G_POLYGON: vaddz(v, "((0,0),(0,1),(1,0))"); vaddz(v, "((2,2))"); break;
	case G_GEOM:
		vaddz(v, "0101000020E6100000000000000000F03F0000000000000040");
		vaddz(v, "010700000000000000");
		break;
	case G_VEC: vaddz(v, "[1,2.5,-3]"); vaddz(v, "[1e-05]"); break;
	case G_SPVEC: vaddz(v, "{1:1.5,17:2}/30"); vaddz(v, "{}/3"); break;
	case G_OMIT: vaddz(v, "{1,2,3}"); break;
	case G_UNKNOWN:
		vaddz(v, "(1, 2)");
		vaddz(v, "");
		vaddz(v, "\xc3\xa9>?~");
		vaddz(v, "x \"y\" \\z");
		break;
	case G_UNKARR: vaddz(v, "{\"(1, 2)\",NULL,(3)}"); vaddz(v, "{}"); break;
	}
}

/* ---- the relation --------------------------------------------------------- */

static char *enum_labels[] = {"a", "b c"};

struct table {
	struct sl_relation rel;
	struct sl_column cols[NCOLS];
	struct vals vals[NCOLS];
};

static void table_init(struct table *t, bool precise)
{
	memset(t, 0, sizeof *t);
	t->cols[0] = (struct sl_column){.name = "id", .type_oid = SL_PG_INT4, .typmod = -1,
					.base_oid = SL_PG_INT4, .base_typmod = -1, .is_key = true};
	vaddz(&t->vals[0], "1");
	vaddz(&t->vals[0], "-7");
	for (int k = 0; k < NSPECS; k++) {
		const struct spec *sp = &specs[k];
		struct sl_column *c = &t->cols[k + 1];
		*c = (struct sl_column){.name = (char *)sp->name, .type_oid = sp->oid,
					.typmod = sp->typmod, .base_oid = sp->oid,
					.base_typmod = sp->typmod, .is_array = sp->array,
					.is_enum = sp->is_enum, .optional = k % 3 != 1,
					.excluded = sp->excluded, .is_key = k == 2,
					.type_name = (char *)sp->tname};
		if (sp->is_enum) {
			c->enum_labels = enum_labels;
			c->n_enum_labels = 2;
		}
		gen_values(&t->vals[k + 1], sp, precise);
	}
	t->rel = (struct sl_relation){.oid = 1, .schema = "public", .table = "t\xc3\xa9",
				      .replident = 'd', .ncols = NCOLS, .cols = t->cols,
				      .has_key = true};
}

static void table_free(struct table *t)
{
	if (t->rel.enc_cache)
		t->rel.enc_cache_free(t->rel.enc_cache);
	t->rel.enc_cache = NULL;
	for (int k = 0; k < NCOLS; k++)
		vfree(&t->vals[k]);
}

/* ---- comparison ------------------------------------------------------------ */

static struct sl_buf b64buf;

/* Whether typed value tv is what JSON node `node` reads as. */
static bool tv_matches(const struct sl_tvalue *tv, const struct sl_jsonr *j, uint32_t node,
		       bool f4)
{
	if (node == SL_ARC_JSON_NONE)
		return false;
	const struct sl_jsonr_node *nd = &j->v[node];
	const char *text = (nd->type == SL_ARC_JSON_STRING || nd->type == SL_ARC_JSON_NUMBER)
				   ? sl_jsonr_text(j, node)
				   : NULL;
	switch (tv->kind) {
	case SL_TV_NONE: return false;
	case SL_TV_NULL: return nd->type == SL_ARC_JSON_NULL;
	case SL_TV_BOOL:
		return (nd->type == SL_ARC_JSON_TRUE && tv->b) || (nd->type == SL_ARC_JSON_FALSE && !tv->b);
	case SL_TV_INT: {
		int64_t x;
		return nd->type == SL_ARC_JSON_NUMBER && sl_jsonr_i64(j, node, &x) && x == tv->i;
	}
	case SL_TV_DOUBLE:
		if (nd->type == SL_ARC_JSON_STRING) {
			if (!strcmp(text, "NaN"))
				return isnan(tv->d);
			if (!strcmp(text, "Infinity"))
				return isinf(tv->d) && tv->d > 0;
			if (!strcmp(text, "-Infinity"))
				return isinf(tv->d) && tv->d < 0;
			return false;
		}
		if (nd->type != SL_ARC_JSON_NUMBER)
			return false;
		if (f4) {
			/* the typed value is the float; the JSON its shortest digits */
			float g = strtof(text, NULL), h = (float)tv->d;
			return memcmp(&g, &h, sizeof g) == 0 && (double)h == tv->d;
		} else {
			double g = strtod(text, NULL);
			return memcmp(&g, &tv->d, sizeof g) == 0;
		}
	case SL_TV_STR:
		return nd->type == SL_ARC_JSON_STRING && nd->len == tv->n &&
		       (tv->n == 0 || memcmp(text, tv->p, tv->n) == 0);
	case SL_TV_BIN:
		if (nd->type != SL_ARC_JSON_STRING)
			return false;
		b64(tv->p, tv->n, &b64buf);
		return nd->len == b64buf.len && memcmp(text, b64buf.data, b64buf.len) == 0;
	case SL_TV_TSTZ: {
		int64_t us;
		return nd->type == SL_ARC_JSON_STRING && sl_lake_parse_iso_us(text, &us) && us == tv->i;
	}
	}
	return false;
}

static void show(const struct sl_tvalue *tv, const struct sl_jsonr *j, uint32_t node)
{
	printf("#   typed kind %d i=%" PRId64 " d=%.17g b=%d n=%zu", (int)tv->kind, tv->i, tv->d,
	       (int)tv->b, tv->n);
	if (tv->kind == SL_TV_STR)
		printf(" s=\"%.*s\"", (int)(tv->n > 80 ? 80 : tv->n), (const char *)tv->p);
	printf("\n");
	if (node == SL_ARC_JSON_NONE) {
		printf("#   json: absent\n");
		return;
	}
	struct sl_buf w;
	sl_buf_init(&w, 0);
	sl_jsonr_write(j, node, &w);
	printf("#   json: %.200s\n", w.data ? w.data : "");
	sl_buf_free(&w);
}

/* Expected kind of a non-null TEXT value of spec sp under o, given its JSON:
 * SL_TV_NONE where the API gives no typed form. */
static enum sl_tv_kind want_kind(const struct spec *sp, const struct sl_dbz_opts *o,
				 const struct sl_jsonr *j, uint32_t node)
{
	if (sp->array)
		return SL_TV_NONE;
	switch (sp->g) {
	case G_BOOL: return SL_TV_BOOL;
	case G_INT2:
	case G_INT4:
	case G_INT8:
	case G_OID:
	case G_TS:
	case G_DATE:
	case G_TIME: return SL_TV_INT;
	case G_INTERVAL: return o->interval == SL_DBZ_INTERVAL_NUMERIC ? SL_TV_INT : SL_TV_NONE;
	case G_FLOAT4:
	case G_FLOAT8: return SL_TV_DOUBLE;
	case G_NUMERIC:
		if (o->decimal == SL_DBZ_DECIMAL_DOUBLE)
			return SL_TV_DOUBLE;
		if (o->decimal == SL_DBZ_DECIMAL_STRING)
			return SL_TV_STR;
		return sp->p < 0 ? SL_TV_NONE : SL_TV_BIN;
	case G_TEXT:
	case G_WORD:
	case G_JSON:
	case G_UUID:
	case G_ENUM: return SL_TV_STR;
	case G_HSTORE: return o->hstore == SL_DBZ_HSTORE_JSON ? SL_TV_STR : SL_TV_NONE;
	case G_TSTZ:
		return node != SL_ARC_JSON_NONE && j->v[node].type == SL_ARC_JSON_STRING &&
			       (!strcmp(sl_jsonr_text(j, node), "infinity") ||
				!strcmp(sl_jsonr_text(j, node), "-infinity"))
			       ? SL_TV_STR
			       : SL_TV_TSTZ;
	case G_BYTEA:
	case G_UNKNOWN: return o->binary == SL_DBZ_BINARY_BYTES ? SL_TV_BIN : SL_TV_NONE;
	default: return SL_TV_NONE;
	}
}

static struct sl_buf scratch;
static long n_typed, n_none;

/* Compare one before/after block of the parsed event with the row. */
static void check_block(const struct sl_dbz_opts *o, const struct table *t,
			const struct sl_row *row, const struct sl_jsonr *j, uint32_t obj,
			const char *which, int ev)
{
	check(obj != SL_ARC_JSON_NONE && j->v[obj].type == SL_ARC_JSON_OBJECT, "event %d: %s is an object",
	   ev, which);
	if (obj == SL_ARC_JSON_NONE || j->v[obj].type != SL_ARC_JSON_OBJECT)
		return;
	uint32_t members = 0;
	for (int i = 0; i < t->rel.ncols; i++) {
		const struct sl_column *col = &t->rel.cols[i];
		struct sl_errbuf eb;
		bool in = sl_dbz_column_in_value(o, &t->rel, i, &eb);
		uint32_t node = sl_jsonr_get(j, obj, col->name);
		members += in;
		if (!check(in == (node != SL_ARC_JSON_NONE), "event %d %s.%s: in_value %d matches the JSON",
			ev, which, col->name, (int)in))
			continue;
		struct sl_tvalue tv;
		const struct sl_value *v = &row->vals[i];
		enum sl_err err = sl_dbz_column_tvalue(o, &t->rel, i, v, &scratch, &tv, &eb);
		if (!check(err == SL_OK, "event %d %s.%s: typed value of \"%.*s\"", ev, which, col->name,
			(int)(v->len > 60 ? 60 : v->len), v->data ? v->data : "")) {
			printf("#   %s\n", eb.msg);
			continue;
		}
		if (!in) {
			check(tv.kind == SL_TV_NONE, "event %d %s.%s: not in value, no typed form", ev,
			   which, col->name);
			continue;
		}
		const struct spec *sp = i ? &specs[i - 1] : &specs[2]; /* id is an int4 */
		enum sl_tv_kind want;
		if (v->kind == SL_VAL_NULL || (v->kind == SL_VAL_ABSENT && col->optional))
			want = SL_TV_NULL;
		else if (v->kind != SL_VAL_TEXT)
			want = SL_TV_NONE; /* TOAST placeholder, NOT NULL fallback */
		else
			want = want_kind(sp, o, j, node);
		if (!check(tv.kind == want, "event %d %s.%s: kind %d, want %d (\"%.*s\")", ev, which,
			col->name, (int)tv.kind, (int)want, (int)(v->len > 60 ? 60 : v->len),
			v->data ? v->data : "")) {
			show(&tv, j, node);
			continue;
		}
		if (tv.kind == SL_TV_NONE) {
			n_none++;
			continue;
		}
		n_typed++;
		if (!check(tv_matches(&tv, j, node, i && sp->g == G_FLOAT4),
			"event %d %s.%s: typed equals JSON for \"%.*s\"", ev, which, col->name,
			(int)(v->len > 60 ? 60 : v->len), v->data ? v->data : ""))
			show(&tv, j, node);
	}
	if (!check(j->v[obj].len == members, "event %d %s: as many members as in_value columns", ev,
		   which))
		printf("#   got %u, want %u\n", (unsigned)j->v[obj].len, (unsigned)members);
}

static const char *const meta_paths[] = {
	"op", "ts_ms", "ts_us", "ts_ns", "source", "source.version", "source.connector",
	"source.name", "source.ts_ms", "source.snapshot", "source.db", "source.sequence",
	"source.ts_us", "source.ts_ns", "source.schema", "source.table", "source.txId",
	"source.lsn", "source.xmin", "transaction", "transaction.id", "transaction.total_order",
	"transaction.data_collection_order"};

static uint32_t jpath(const struct sl_jsonr *j, uint32_t obj, const char *path)
{
	char part[64];
	while (obj != SL_ARC_JSON_NONE && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		memcpy(part, path, n);
		part[n] = '\0';
		obj = sl_jsonr_get(j, obj, part);
		path = dot ? dot + 1 : path + n;
	}
	return obj;
}

static void check_meta(const struct sl_dbz_opts *o, const struct sl_change *ch, int64_t now_ns,
		       const struct sl_jsonr *j, uint32_t payload, int ev)
{
	bool msg = ch->op == SL_OP_MESSAGE;
	for (size_t k = 0; k < sizeof meta_paths / sizeof meta_paths[0]; k++) {
		const char *path = meta_paths[k];
		int f = sl_dbz_meta_field(path);
		if (!check(f >= 0, "meta field %s exists", path))
			continue;
		struct sl_tvalue tv;
		struct sl_errbuf eb;
		enum sl_err err = sl_dbz_meta_tvalue(o, ch, now_ns, f, &scratch, &tv, &eb);
		if (!check(err == SL_OK, "event %d meta %s: no error", ev, path)) {
			printf("#   %s\n", eb.msg);
			continue;
		}
		uint32_t node = jpath(j, payload, path);
		bool in_txn = strncmp(path, "transaction.", 12) == 0;
		uint32_t txn = sl_jsonr_get(j, payload, "transaction");
		bool txn_null = txn != SL_ARC_JSON_NONE && j->v[txn].type == SL_ARC_JSON_NULL;
		if (tv.kind == SL_TV_NONE) {
			bool allowed = !strcmp(path, "source") ||
				       (!strcmp(path, "transaction") && node != SL_ARC_JSON_NONE &&
					j->v[node].type == SL_ARC_JSON_OBJECT);
			int64_t x;
			if (node != SL_ARC_JSON_NONE && j->v[node].type == SL_ARC_JSON_NUMBER &&
			    !sl_jsonr_i64(j, node, &x))
				allowed = true; /* an unsigned beyond int64 */
			if (msg && node == SL_ARC_JSON_NONE &&
			    (!strcmp(path, "ts_us") || !strcmp(path, "ts_ns") ||
			     !strncmp(path, "transaction", 11)))
				allowed = true; /* not in a message's value */
			if (!check(allowed, "event %d meta %s: no typed form only where allowed", ev, path))
				show(&tv, j, node);
			continue;
		}
		if (tv.kind == SL_TV_NULL && in_txn && node == SL_ARC_JSON_NONE) {
			check(txn_null, "event %d meta %s: null inside a null transaction block", ev, path);
			continue;
		}
		if (!check(tv_matches(&tv, j, node, false), "event %d meta %s: typed equals JSON", ev, path))
			show(&tv, j, node);
	}
	/* every envelope field outside before/after has a path */
	for (uint32_t c = j->v[payload].first; c != SL_ARC_JSON_NONE; c = j->v[c].next) {
		const char *key = sl_jsonr_key(j, c);
		if (!strcmp(key, "before") || !strcmp(key, "after") || !strcmp(key, "message"))
			continue;
		check(sl_dbz_meta_field(key) >= 0, "event %d: envelope field %s has a meta path", ev, key);
		if (j->v[c].type != SL_ARC_JSON_OBJECT)
			continue;
		for (uint32_t g = j->v[c].first; g != SL_ARC_JSON_NONE; g = j->v[g].next) {
			char p[128];
			snprintf(p, sizeof p, "%s.%s", key, sl_jsonr_key(j, g));
			check(sl_dbz_meta_field(p) >= 0, "event %d: envelope field %s has a meta path", ev, p);
		}
	}
}

/* ---- the differential run ------------------------------------------------- */

static const char *const snapshots[] = {NULL, "true", "first", "last_in_data_collection",
					"false", "incremental", "last"};

static void random_meta(struct sl_change *ch, int r)
{
	ch->src.lsn = r % 7 ? rnd() >> (1 + below(40)) : 0;
	if (r % 53 == 5)
		ch->src.lsn = UINT64_MAX;
	ch->src.last_commit_lsn = r % 5 ? rnd() >> (1 + below(40)) : 0;
	ch->src.commit_ts_us = (int64_t)(rnd() >> 12) - (int64_t)(1ULL << 51);
	ch->src.xid = r % 3 ? (uint32_t)rnd() | 1u : 0;
	ch->src.snapshot = snapshots[r % 7];
	ch->txn.id = r % 4 ? "123:456" : NULL;
	ch->txn.total_order = r % 29 == 3 ? UINT64_MAX : rnd() >> 20;
	ch->txn.data_collection_order = rnd() >> 30;
}

/* Encode, parse and compare one event.  Returns false on an encoder error. */
static bool run_event(const struct sl_dbz_opts *o, const struct table *t,
		      const struct sl_change *ch, int64_t now_ns, struct sl_jsonr *j,
		      const char *schema, size_t schema_len, int ev)
{
	struct sl_buf out;
	sl_buf_init(&out, 0);
	struct sl_errbuf eb;
	enum sl_err err = sl_dbz_value(o, ch, now_ns, &out, &eb);
	if (!check(err == SL_OK, "event %d encodes", ev)) {
		printf("#   %s\n", eb.msg);
		sl_buf_free(&out);
		return false;
	}
	err = sl_jsonr_parse(j, out.data, out.len, &eb);
	if (!check(err == SL_OK, "event %d parses", ev)) {
		printf("#   %s\n#   %.300s\n", eb.msg, out.data);
		sl_buf_free(&out);
		return true;
	}
	uint32_t sch = sl_jsonr_get(j, 0, "schema"), payload = sl_jsonr_get(j, 0, "payload");
	check(sch != SL_ARC_JSON_NONE && payload != SL_ARC_JSON_NONE, "event %d: schema and payload", ev);
	if (sch != SL_ARC_JSON_NONE && schema &&
	    !check(j->v[sch].rawlen == schema_len &&
			   !memcmp(out.data + j->v[sch].raw, schema, schema_len),
		   "event %d: sl_dbz_value_schema is the JSON's schema", ev)) {
		t_hexdump("got", out.data + j->v[sch].raw, j->v[sch].rawlen);
		t_hexdump("want", schema, schema_len);
	}
	if (payload != SL_ARC_JSON_NONE) {
		if (ch->op != SL_OP_MESSAGE) {
			uint32_t before = sl_jsonr_get(j, payload, "before");
			uint32_t after = sl_jsonr_get(j, payload, "after");
			if (ch->before && ch->op != SL_OP_TRUNCATE)
				check_block(o, t, ch->before, j, before, "before", ev);
			if (ch->after && ch->op != SL_OP_TRUNCATE && ch->op != SL_OP_DELETE)
				check_block(o, t, ch->after, j, after, "after", ev);
		}
		check_meta(o, ch, now_ns, j, payload, ev);
	}
	sl_buf_free(&out);
	return true;
}

static void fill_row(struct sl_value *vals, const struct table *t, int r, int salt, bool old,
		     bool toast_ok)
{
	for (int i = 0; i < NCOLS; i++) {
		const struct vals *v = &t->vals[i];
		size_t idx = (size_t)(r * (salt ? 3 : 1) + i + salt) % v->count;
		vals[i] = (struct sl_value){SL_VAL_TEXT, (uint32_t)v->n[idx], v->s[idx]};
		unsigned h = (unsigned)(r * 31 + i * 7 + salt);
		if (i == 0)
			continue;
		if (h % 11 == 0 && t->cols[i].optional)
			vals[i] = (struct sl_value){SL_VAL_NULL, 0, NULL};
		else if (toast_ok && h % 13 == 0)
			vals[i] = (struct sl_value){SL_VAL_TOAST, 0, NULL};
		else if (old && h % 5 == 0)
			vals[i] = (struct sl_value){SL_VAL_ABSENT, 0, NULL};
	}
}

static void test_differential(void)
{
	static const char *const prefixes[] = {"dbserver1", "srv \"x\"\\\xff\xc3\xa9"};
	static const char *const dbs[] = {"appdb", "d\xe2\x82\xac\x80"};
	struct sl_jsonr j;
	sl_jsonr_init(&j);
	int ev = 0;
	for (int combo = 0; combo < 72; combo++) {
		struct sl_dbz_opts o;
		sl_dbz_opts_init(&o);
		o.topic_prefix = prefixes[combo % 2];
		o.db_name = dbs[(combo / 2) % 2];
		o.version = combo % 3 ? "3.1.3.Final" : "v\"1\"";
		o.decimal = (enum sl_dbz_decimal_mode)(combo % 3);
		o.time = (enum sl_dbz_time_mode)((combo / 3) % 3);
		o.binary = (enum sl_dbz_binary_mode)((combo / 9) % 4);
		o.interval = (enum sl_dbz_interval_mode)((combo / 36) % 2);
		o.hstore = (enum sl_dbz_hstore_mode)((combo / 6) % 2);
		o.provide_txn_metadata = combo % 2;
		o.legacy_txn_last = (combo / 4) % 2;
		o.include_unknown = (combo / 8) % 2;
		struct table t;
		table_init(&t, o.decimal == SL_DBZ_DECIMAL_PRECISE);

		/* The schema is there before any event and without value_schemas. */
		const char *sch = NULL;
		size_t sch_len = 0;
		struct sl_errbuf eb;
		o.value_schemas = false;
		enum sl_err err = sl_dbz_value_schema(&o, &t.rel, &sch, &sch_len, &eb);
		ok(err == SL_OK && sch && sch_len > 0, "combo %d: value schema without value_schemas",
		   combo);
		char *first = err ? NULL : strndup(sch, sch_len);
		o.value_schemas = true;
		err = sl_dbz_value_schema(&o, &t.rel, &sch, &sch_len, &eb);
		ok(err == SL_OK && first && strlen(first) == sch_len && !memcmp(first, sch, sch_len),
		   "combo %d: the same schema with value_schemas", combo);
		free(first);

		size_t maxn = 0;
		for (int i = 0; i < NCOLS; i++)
			if (t.vals[i].count > maxn)
				maxn = t.vals[i].count;
		/* Combos share the work: each covers every value at least once
		 * in "after" rows only every fourth combo. */
		size_t nev = combo % 4 == 0 ? maxn : maxn / 8;
		struct sl_value bv[NCOLS], av[NCOLS];
		struct sl_row before = {NCOLS, bv}, after = {NCOLS, av};
		for (size_t r = 0; r < nev; r++, ev++) {
			static const enum sl_op ops[] = {SL_OP_CREATE, SL_OP_UPDATE, SL_OP_DELETE,
							 SL_OP_READ, SL_OP_UPDATE};
			struct sl_change ch = {.op = ops[r % 5], .rel = &t.rel};
			if (r % 97 == 50)
				ch.op = SL_OP_TRUNCATE;
			random_meta(&ch, (int)r);
			fill_row(av, &t, (int)(r + (size_t)combo), 0, false, ch.op == SL_OP_UPDATE);
			fill_row(bv, &t, (int)(r + (size_t)combo), 1, ch.op != SL_OP_UPDATE || r % 2, false);
			if (ch.op == SL_OP_UPDATE || ch.op == SL_OP_DELETE)
				ch.before = &before;
			if (ch.op != SL_OP_DELETE && ch.op != SL_OP_TRUNCATE)
				ch.after = &after;
			int64_t now_ns = (int64_t)(rnd() >> 1) * ((r % 3) ? 1 : -1);
			err = sl_dbz_value_schema(&o, &t.rel, &sch, &sch_len, &eb);
			run_event(&o, &t, &ch, now_ns, &j, err ? NULL : sch, sch_len, ev);
		}
		/* messages: op, ts_ms and source */
		for (int r = 0; r < 3; r++, ev++) {
			struct sl_change ch = {.op = SL_OP_MESSAGE, .msg_prefix = "pfx",
					       .msg_content = (const uint8_t *)"abc", .msg_len = 3};
			random_meta(&ch, r + combo);
			run_event(&o, &t, &ch, (int64_t)(rnd() >> 2) - (1LL << 60), &j, NULL, 0, ev);
		}
		table_free(&t);
	}
	sl_jsonr_free(&j);
	printf("# %d events, %ld typed and %ld untyped column values compared\n", ev, n_typed, n_none);
	ok(n_typed > 100000, "enough typed values compared (%ld)", n_typed);
}

/* ---- refused values ---------------------------------------------------------- */

struct badcase {
	const char *col;
	const char *in;
	int dec_mask; /* decimal modes (bit per mode) in which the encoder refuses it */
};

static void test_refused(void)
{
	static const struct badcase bad[] = {
		{"b", "yes", 7}, {"i2", "32768", 7}, {"i2", "-32769", 7}, {"i4", "2147483648", 7},
		{"i4", "1x", 7}, {"i4", "", 7}, {"i8", "9223372036854775808", 7}, {"i8", "-", 7},
		{"oid", "abc", 7}, {"f4", "abc", 7}, {"f4", "0x10", 7}, {"f8", "1e", 7},
		{"f8", "0x10", 7}, {"f8", " 1", 7}, {"f8", "inf", 7}, {"n3_2", "1.2.3", 7},
		{"n3_2", "NaN", 1}, {"n3_2", "-Infinity", 1}, {"nv", "Infinity", 1},
		{"nv", "x", 7},
		/* 70 significant digits: no double literal, too long for the parser */
		{"nv", "1234567890123456789012345678901234567890123456789012345678901234567890", 4},
		/* 1e71 spelt out: the same (refused in double mode by the JSON encoder too) */
		{"nv", "100000000000000000000000000000000000000000000000000000000000000000000000", 4},
		{"tstz", "garbage", 7}, {"tstz", "2016-11-04 13:51:30", 7}, {"tstz3", "", 7},
		{"ts", "2016-11-04T13:51:30", 7}, {"d", "2016-13-01", 7}, {"tm", "25:00:00", 7},
		{"ttz", "bad", 7}, {"iv", "1 day", 7}, {"by", "\\x0", 7}, {"by", "abc", 7},
		{"mo", "abc", 7}, {"bit1", "2", 7}, {"vb", "10a1", 7}, {"pt", "(1,)", 7},
		{"ia", "{1,2", 7}, {"ia", "{{1,2},{3,4}}", 7}, {"ta", "{\"abc}", 7},
		{"na", "{NaN}", 1}, {"line", "whatever", 7}, {"linea", "whatever", 0}, {"exc", "x", 0},
		{"hs", "a=>b", 7}, {"hs", "\"a\"=>\"b\",", 7}, {"hs", "\"a\" => \"b\"", 7},
		{"hs", "\"a\\x\"=>NULL", 7}, {"hsa", "{\"a=>b\"}", 7}, {"bx", "(1,1),(0,0)", 0}, {"bx", "(1,1)", 7},
		{"geo", "0101", 7}, {"vec", "[]", 7}, {"sv", "{1:2}/99999", 7},
		{"t \"q\"\\", "ok", 0}, {"tstz", "2016-11-04 13:51:30.1234567+00", 7},
	};
	struct sl_jsonr j;
	sl_jsonr_init(&j);
	for (int dec = 0; dec < 3; dec++) {
		for (int iv = 0; iv < 2; iv++) {
			struct sl_dbz_opts o;
			sl_dbz_opts_init(&o);
			o.value_schemas = true;
			o.decimal = (enum sl_dbz_decimal_mode)dec;
			o.interval = (enum sl_dbz_interval_mode)iv;
			o.binary = iv ? SL_DBZ_BINARY_HEX : SL_DBZ_BINARY_BYTES;
			o.hstore = iv ? SL_DBZ_HSTORE_MAP : SL_DBZ_HSTORE_JSON;
			struct table t;
			table_init(&t, dec == SL_DBZ_DECIMAL_PRECISE);
			struct sl_value av[NCOLS];
			struct sl_row after = {NCOLS, av};
			for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
				int col = -1;
				for (int i = 0; i < NCOLS; i++)
					if (!strcmp(t.cols[i].name, bad[k].col))
						col = i;
				if (!ok(col >= 0, "column %s", bad[k].col))
					continue;
				for (int i = 0; i < NCOLS; i++)
					av[i] = (struct sl_value){SL_VAL_TEXT, (uint32_t)t.vals[i].n[0],
								  t.vals[i].s[0]};
				av[col] = (struct sl_value){SL_VAL_TEXT, (uint32_t)strlen(bad[k].in),
							    bad[k].in};
				struct sl_change ch = {.op = SL_OP_CREATE, .rel = &t.rel, .after = &after};
				struct sl_buf out;
				sl_buf_init(&out, 0);
				struct sl_errbuf eb1, eb2;
				enum sl_err e1 = sl_dbz_value(&o, &ch, 0, &out, &eb1);
				struct sl_tvalue tv;
				enum sl_err e2 = sl_dbz_column_tvalue(&o, &t.rel, col, &av[col], &scratch,
								      &tv, &eb2);
				bool want_err = (bad[k].dec_mask >> dec) & 1;
				ok((e1 != SL_OK) == want_err, "%s \"%s\" dec %d: encoder %s", bad[k].col,
				   bad[k].in, dec, want_err ? "refuses" : "accepts");
				ok(e1 == e2, "%s \"%s\" dec %d: typed error %d like the encoder's %d",
				   bad[k].col, bad[k].in, dec, (int)e2, (int)e1);
				if (e1 && e2)
					is_str(eb2.msg, eb1.msg, "%s \"%s\": the same message", bad[k].col,
					       bad[k].in);
				if (!e1)
					run_event(&o, &t, &ch, 0, &j, NULL, 0, -1);
				sl_buf_free(&out);
			}
			/* a TEXT value without data, and an unknown value kind */
			for (int i = 0; i < NCOLS; i++)
				av[i] = (struct sl_value){SL_VAL_TEXT, (uint32_t)t.vals[i].n[0], t.vals[i].s[0]};
			struct sl_value odd[2] = {{SL_VAL_TEXT, 3, NULL}, {(enum sl_val_kind)'x', 0, NULL}};
			for (int k = 0; k < 2; k++) {
				av[5] = odd[k];
				struct sl_change ch = {.op = SL_OP_CREATE, .rel = &t.rel, .after = &after};
				struct sl_buf out;
				sl_buf_init(&out, 0);
				struct sl_errbuf eb1, eb2;
				enum sl_err e1 = sl_dbz_value(&o, &ch, 0, &out, &eb1);
				struct sl_tvalue tv;
				enum sl_err e2 = sl_dbz_column_tvalue(&o, &t.rel, 5, &av[5], &scratch, &tv, &eb2);
				ok(e1 != SL_OK && e1 == e2, "odd value %d refused alike", k);
				if (e1 && e2)
					is_str(eb2.msg, eb1.msg, "odd value %d: the same message", k);
				sl_buf_free(&out);
			}
			table_free(&t);
		}
	}
	sl_jsonr_free(&j);
}

static void test_api_edges(void)
{
	ok(sl_dbz_meta_field("bogus") == -1, "unknown meta path");
	ok(sl_dbz_meta_field("source.bogus") == -1, "unknown source field");
	ok(sl_dbz_meta_field("before") == -1, "before is not a meta field");
	ok(sl_dbz_meta_field(NULL) == -1, "NULL path");
	ok(sl_dbz_meta_field("transaction") >= 0, "transaction group");
	struct sl_dbz_opts o;
	sl_dbz_opts_init(&o);
	struct table t;
	table_init(&t, true);
	struct sl_tvalue tv;
	struct sl_errbuf eb;
	struct sl_value v = {SL_VAL_TEXT, 1, "1"};
	ok(sl_dbz_column_tvalue(&o, &t.rel, NCOLS, &v, &scratch, &tv, &eb) == SL_ERR_ARG,
	   "column out of range");
	ok(sl_dbz_column_tvalue(&o, &t.rel, -1, &v, &scratch, &tv, &eb) == SL_ERR_ARG,
	   "negative column");
	ok(!sl_dbz_column_in_value(&o, &t.rel, NCOLS, &eb), "in_value out of range");
	struct sl_change ch = {.op = SL_OP_CREATE, .rel = NULL};
	ok(sl_dbz_meta_tvalue(&o, &ch, 0, 0, &scratch, &tv, &eb) == SL_ERR_ARG,
	   "meta of a change without a relation");
	ch.rel = &t.rel;
	ok(sl_dbz_meta_tvalue(&o, &ch, 0, 999, &scratch, &tv, &eb) == SL_ERR_ARG,
	   "meta field out of range");
	/* Strings point into the caller's data where nothing needs replacing. */
	o.topic_prefix = "plain";
	ok(sl_dbz_meta_tvalue(&o, &ch, 0, sl_dbz_meta_field("source.name"), &scratch, &tv, &eb) ==
			   SL_OK &&
		   tv.kind == SL_TV_STR && tv.p == (const void *)o.topic_prefix && tv.n == 5,
	   "source.name borrowed");
	o.topic_prefix = "bad\xff";
	ok(sl_dbz_meta_tvalue(&o, &ch, 0, sl_dbz_meta_field("source.name"), &scratch, &tv, &eb) ==
			   SL_OK &&
		   tv.kind == SL_TV_STR && tv.n == 6 && !memcmp(tv.p, "bad\xef\xbf\xbd", 6),
	   "invalid UTF-8 reads as U+FFFD");
	table_free(&t);
}

int main(void)
{
	sl_buf_init(&scratch, 0);
	sl_buf_init(&b64buf, 0);
	test_api_edges();
	test_refused();
	test_differential();
	sl_buf_free(&scratch);
	sl_buf_free(&b64buf);
	return t_done();
}
