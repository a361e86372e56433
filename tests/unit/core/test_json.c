/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests: core/json fast paths (in-place integer formatting, the
 * table-driven string escaper) against independent references: printf's
 * %llu/%lld for integers, and a byte-by-byte RFC 8259 escaper written
 * here from the spec for strings.  Doubles printed from their literal
 * (core/declit) against the full shortest-digit search and strtod.  Buffers with a hard cap must fail with
 * SL_ERR_TOO_LARGE exactly when the output would not fit.
 */
#include "core/declit.h"
#include "core/json.h"
#include "lib/test.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reference escaper: per byte, no tables, no runs (ASCII inputs only). */
static void ref_escape(const char *s, size_t n, char *out)
{
	size_t o = 0;
	out[o++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c == '\n') {
			out[o++] = '\\', out[o++] = 'n';
		} else if (c == '\r') {
			out[o++] = '\\', out[o++] = 'r';
		} else if (c == '\t') {
			out[o++] = '\\', out[o++] = 't';
		} else if (c == '\b') {
			out[o++] = '\\', out[o++] = 'b';
		} else if (c == '\f') {
			out[o++] = '\\', out[o++] = 'f';
		} else if (c < 0x20) {
			o += (size_t)sprintf(out + o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o++] = '"';
	out[o] = '\0';
}

static void test_integers(void)
{
	static const uint64_t u[] = {0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 99999, 123456789,
				     4294967295u, 4294967296u, 999999999999ull, 1000000000000ull,
				     9999999999999999999ull, 10000000000000000000ull, UINT64_MAX};
	static const int64_t s[] = {0, -1, -9, -10, 42, -1234567, INT64_MAX, INT64_MIN, INT64_MIN + 1};
	struct sl_buf b;
	sl_buf_init(&b, 0);
	char want[32], got[32];
	for (size_t i = 0; i < sizeof u / sizeof *u; i++) {
		snprintf(want, sizeof want, "%llu", (unsigned long long)u[i]);
		sl_buf_reset(&b);
		ok(sl_json_u64(&b, u[i]) == SL_OK, "u64 %s", want);
		is_str(b.data, want, "u64 %s", want);
		is_int(b.len, strlen(want), "u64 %s length", want);
		size_t n = sl_json_fmt_u64(got, u[i]);
		got[n] = '\0';
		is_str(got, want, "fmt_u64 %s", want);
	}
	for (size_t i = 0; i < sizeof s / sizeof *s; i++) {
		snprintf(want, sizeof want, "%lld", (long long)s[i]);
		sl_buf_reset(&b);
		ok(sl_json_i64(&b, s[i]) == SL_OK, "i64 %s", want);
		is_str(b.data, want, "i64 %s", want);
		size_t n = sl_json_fmt_i64(got, s[i]);
		got[n] = '\0';
		is_str(got, want, "fmt_i64 %s", want);
	}
	/* Appending after existing content keeps it and stays terminated. */
	sl_buf_reset(&b);
	sl_buf_puts(&b, "[");
	sl_json_u64(&b, 7);
	sl_buf_putc(&b, ',');
	sl_json_i64(&b, -70);
	is_str(b.data, "[7,-70", "integers appended in sequence");
	sl_buf_free(&b);

	/* Hard cap: 5 bytes fit "12345" but not "123456". */
	struct sl_buf c;
	sl_buf_init(&c, 5);
	is_int(sl_json_u64(&c, 12345), SL_OK, "u64 exactly at the cap");
	sl_buf_reset(&c);
	is_int(sl_json_u64(&c, 123456), SL_ERR_TOO_LARGE, "u64 past the cap fails");
	is_int(c.len, 0, "failed u64 appends nothing");
	sl_buf_free(&c);
}

static void test_strings(void)
{
	struct sl_buf b;
	sl_buf_init(&b, 0);
	char want[2048];
	/* Every ASCII byte alone, and embedded at the start, middle and end of
	 * a clean run (the fast path hands over to the escaper there). */
	for (int c = 1; c < 0x80; c++) {
		char in[16];
		for (int pos = 0; pos < 4; pos++) {
			size_t n;
			if (pos == 0) {
				in[0] = (char)c;
				n = 1;
			} else {
				memcpy(in, "abcdef", 6);
				in[pos == 1 ? 0 : pos == 2 ? 3 : 5] = (char)c;
				n = 6;
			}
			ref_escape(in, n, want);
			sl_buf_reset(&b);
			ok(sl_json_str(&b, in, n) == SL_OK, "str byte 0x%02x pos %d", c, pos);
			if (strcmp(b.data, want))
				is_str(b.data, want, "str byte 0x%02x pos %d", c, pos);
			else
				t_pass++;
		}
	}
	/* NUL inside a string is \u0000, not the end. */
	sl_buf_reset(&b);
	sl_json_str(&b, "a\0b", 3);
	is_str(b.data, "\"a\\u0000b\"", "embedded NUL");
	/* UTF-8: valid sequences verbatim, invalid bytes become U+FFFD. */
	sl_buf_reset(&b);
	sl_json_cstr(&b, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	is_str(b.data, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", "valid UTF-8 verbatim");
	sl_buf_reset(&b);
	sl_json_cstr(&b, "a\xff" "b\xc3");
	is_str(b.data, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\"", "invalid UTF-8 replaced");
	sl_buf_reset(&b);
	sl_json_str(&b, "", 0);
	is_str(b.data, "\"\"", "empty string");
	/* A long clean string (crosses buffer growth) and a long one with
	 * escapes every few bytes. */
	char big[1500];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	ref_escape(big, sizeof big, want);
	sl_buf_reset(&b);
	sl_json_str(&b, big, sizeof big);
	is_str(b.data, want, "long clean string");
	for (size_t i = 0; i < 600; i += 7)
		big[i] = i % 2 ? '"' : '\n';
	ref_escape(big, 600, want);
	sl_buf_reset(&b);
	sl_json_str(&b, big, 600);
	is_str(b.data, want, "string with many escapes");
	sl_buf_free(&b);

	/* Hard cap: quotes count. */
	struct sl_buf c;
	sl_buf_init(&c, 5);
	is_int(sl_json_str(&c, "abc", 3), SL_OK, "string exactly at the cap");
	sl_buf_reset(&c);
	is_int(sl_json_str(&c, "abcd", 4), SL_ERR_TOO_LARGE, "string past the cap fails");
	sl_buf_free(&c);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* One literal: both fast paths must agree with the full shortest-digit
 * search on strtod(literal).  Returns the number of disagreements. */
static int float_case(const char *lit, int *fast_hits)
{
	size_t n = strlen(lit);
	double v = strtod(lit, NULL);
	char want[32];
	sl_json_fmt_f64(want, v);
	int bad = 0;
	char got[32];
	size_t gn = sl_json_fmt_f64_literal(got, lit, n);
	if (gn) {
		(*fast_hits)++;
		if (strcmp(got, want)) {
			fprintf(stderr, "# literal %s: fast layout %s, search %s\n", lit, got, want);
			bad++;
		}
	}
	double fv;
	if (sl_declit_to_f64(lit, n, &fv) && memcmp(&fv, &v, sizeof v)) {
		fprintf(stderr, "# literal %s: fast conversion %.17g, strtod %.17g\n", lit, fv, v);
		bad++;
	}
	struct sl_buf b;
	sl_buf_init(&b, 0);
	sl_json_f64_from(&b, v, lit, n);
	sl_buf_putc(&b, '\0');
	const char *w = want;
	if (!isfinite(v))
		w = isnan(v) ? "\"NaN\"" : v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
	if (strcmp(b.data, w)) {
		fprintf(stderr, "# literal %s: hinted search %s, full search %s\n", lit, b.data, w);
		bad++;
	}
	sl_buf_free(&b);
	return bad;
}

/* Doubles as PostgreSQL prints them (shortest, or %.15g/%.17g with
 * extra_float_digits 0 or 3) and as numerics print (plain, many digits),
 * through the literal-based paths against the full search. */
static void test_floats(void)
{
	static const char *fixed[] = {
		"0", "-0", "1", "-1", "0.5", "100", "1e+20", "1e-05", "1.5e-05", "123.4500", "0.001",
		"0.00099999", "9999999", "10000000", "9999999.5", "1.7976931348623157e+308",
		"2.2250738585072014e-308", "5e-324", "4.9406564584124654e-324", "0.1", "0.3",
		"0.30000000000000004", "0.14285714285714285", "1.0000000000000002", "9007199254740993",
		"123456789012345678901234567890", "0.000000000000000000000000000001", "1E5", "+2.5",
		".5", "5.", "1e300", "1e-300", "1e301", "1e-301", "8.98846567431158e+307",
		"4503599627370496", "4503599627370497", "0.125", "2", "1024", "1.1102230246251565e-16",
	};
	int bad = 0, fast = 0;
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		bad += float_case(fixed[i], &fast);
	is_int(bad, 0, "fixed literals: fast paths agree with the full search");

	bad = 0;
	int cases = 0;
	char lit[64];
	for (int i = 0; i < 60000; i++) {
		double v;
		uint64_t r = rng();
		switch (i % 6) {
		case 0: /* any finite bit pattern */
			memcpy(&v, &r, sizeof v);
			if (!isfinite(v))
				continue;
			break;
		case 1: v = (double)(r % 10000000) / 7.0; break;
		case 2: v = (double)(r % 100000) / 100.0; break;
		case 3: v = ldexp(1.0, (int)(r % 2000) - 1000) * (r & 1 ? 1 : -1); break; /* powers of two */
		case 4: v = nextafter(ldexp(1.0, (int)(r % 200) - 100), r & 1 ? 0 : INFINITY); break;
		default: v = (double)(int64_t)(r >> 11) * 1e-6; break;
		}
		static const char *fmts[] = {"%.15g", "%.16g", "%.17g", "%.6g", "%.3f"};
		for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++) {
			snprintf(lit, sizeof lit, fmts[f], v);
			if (strchr(lit, 'n') || strchr(lit, 'N'))
				continue;
			bad += float_case(lit, &fast);
			cases++;
		}
		/* The shortest rendering, as PostgreSQL 12+ prints by default. */
		for (int p = 1; p <= 17; p++) {
			snprintf(lit, sizeof lit, "%.*e", p - 1, v);
			if (strtod(lit, NULL) == v)
				break;
		}
		bad += float_case(lit, &fast);
		cases++;
	}
	is_int(bad, 0, "random literals: fast paths agree with the full search");
	ok(fast > cases / 4, "the literal fast path took %d of %d literals", fast, cases);

	char out[32];
	is_int((int)sl_json_fmt_f64_literal(out, "1e301", 5), 0, "exponent past 300 is left to the search");
	is_int((int)sl_json_fmt_f64_literal(out, "0.1234567890123456", 18), 0,
	       "16 significant digits are left to the search");
	is_int((int)sl_json_fmt_f64_literal(out, "12x", 3), 0, "trailing junk is refused");
	is_int((int)sl_json_fmt_f64_literal(out, "1.2.3", 5), 0, "two points are refused");
	is_int((int)sl_json_fmt_f64_literal(out, "1e", 2), 0, "an empty exponent is refused");
	sl_json_fmt_f64_literal(out, "-0.00120", 8);
	is_str(out, "-0.0012", "negative plain literal");
	sl_json_fmt_f64_literal(out, "12345678", 8);
	is_str(out, "1.2345678E7", "1e7 and up in E notation");
}

int main(void)
{
	test_integers();
	test_strings();
	test_floats();
	return t_done();
}
