/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests: core/json fast paths (in-place integer formatting, the
 * table-driven string escaper) against independent references: printf's
 * %llu/%lld for integers, and a byte-by-byte RFC 8259 escaper written
 * here from the spec for strings.  Buffers with a hard cap must fail with
 * SL_ERR_TOO_LARGE exactly when the output would not fit.
 */
#include "core/json.h"
#include "lib/test.h"

#include <stdint.h>
#include <stdlib.h>

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

int main(void)
{
	test_integers();
	test_strings();
	return t_done();
}
