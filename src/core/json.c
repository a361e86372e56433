/* SPDX-License-Identifier: Apache-2.0
 *
 * json.c -- JSON string escaping, integer and Java-style float formatting,
 * base64 and hex.
 */
#include "core/json.h"

#include "core/declit.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char hex[] = "0123456789abcdef";

size_t sl_json_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		len = 2;
		cp = c & 0x1F;
	} else if (c < 0xF0) {
		len = 3;
		cp = c & 0x0F;
	} else if (c < 0xF5) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

/* Bytes that cannot be copied verbatim into a JSON string: control
 * characters, '"', '\\' (escaped) and every non-ASCII byte (validated as
 * UTF-8).  A table lookup per byte instead of four comparisons. */
static const unsigned char json_special[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x00 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x10 */
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20: '"' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* 0x50: '\\' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x80.. */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

enum sl_err sl_json_str(struct sl_buf *b, const char *s, size_t n)
{
	/* Room for the verbatim case up front; escapes grow the buffer as
	 * they come (each append checks). */
	if (n > SIZE_MAX - 2)
		return SL_ERR_TOO_LARGE;
	enum sl_err err = sl_buf_ensure(b, n + 2);
	if (err)
		return err;
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + n;
	/* Fast path: most values (names, words, numbers as text) need no
	 * escaping at all; copy the clean prefix straight into the room. */
	while (p < end && !json_special[*p])
		p++;
	char *o = b->data + b->len;
	*o++ = '"';
	memcpy(o, s, (size_t)(p - (const unsigned char *)s));
	o += p - (const unsigned char *)s;
	if (p == end) {
		*o++ = '"';
		*o = '\0';
		b->len = (size_t)(o - b->data);
		return SL_OK;
	}
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
	while (p < end) {
		/* Copy the longest run that needs no escaping in one append. */
		const unsigned char *run = p;
		while (p < end && !json_special[*p])
			p++;
		if (p > run && (err = sl_buf_append(b, run, (size_t)(p - run))))
			return err;
		if (p >= end)
			break;
		unsigned char c = *p;
		char esc[8];
		size_t elen = 0;
		if (c >= 0x80) {
			size_t l = sl_json_utf8_len(p, (size_t)(end - p));
			if (l) {
				if ((err = sl_buf_append(b, p, l)))
					return err;
				p += l;
				continue;
			}
			/* Invalid UTF-8: U+FFFD. */
			if ((err = sl_buf_append(b, "\xEF\xBF\xBD", 3)))
				return err;
			p++;
			continue;
		}
		esc[elen++] = '\\';
		switch (c) {
		case '"': esc[elen++] = '"'; break;
		case '\\': esc[elen++] = '\\'; break;
		case '\n': esc[elen++] = 'n'; break;
		case '\r': esc[elen++] = 'r'; break;
		case '\t': esc[elen++] = 't'; break;
		case '\b': esc[elen++] = 'b'; break;
		case '\f': esc[elen++] = 'f'; break;
		default:
			esc[elen++] = 'u';
			esc[elen++] = '0';
			esc[elen++] = '0';
			esc[elen++] = hex[c >> 4];
			esc[elen++] = hex[c & 15];
		}
		if ((err = sl_buf_append(b, esc, elen)))
			return err;
		p++;
	}
	return sl_buf_putc(b, '"');
}

enum sl_err sl_json_cstr(struct sl_buf *b, const char *s)
{
	return sl_json_str(b, s, strlen(s));
}

static const char digits2[201] = "00010203040506070809101112131415161718192021222324252627282930"
				  "31323334353637383940414243444546474849505152535455565758596061"
				  "62636465666768697071727374757677787980818283848586878889909192"
				  "93949596979899";

/* Number of decimal digits of v (1..20). */
static inline size_t u64_width(uint64_t v)
{
	size_t n = 1;
	for (;;) {
		if (v < 10)
			return n;
		if (v < 100)
			return n + 1;
		if (v < 1000)
			return n + 2;
		if (v < 10000)
			return n + 3;
		v /= 10000;
		n += 4;
	}
}

/* Digits of v into out[0..w), w = u64_width(v), two per division from the
 * right: integers are most of an event's numbers. */
static inline void u64_put(char *out, uint64_t v, size_t w)
{
	char *o = out + w;
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		*--o = digits2[r * 2 + 1];
		*--o = digits2[r * 2];
	}
	if (v >= 10) {
		*--o = digits2[v * 2 + 1];
		*--o = digits2[v * 2];
	} else {
		*--o = (char)('0' + v);
	}
}

size_t sl_json_fmt_u64(char *out, uint64_t v)
{
	size_t w = u64_width(v);
	u64_put(out, v, w);
	return w;
}

size_t sl_json_fmt_i64(char *out, int64_t v)
{
	if (v < 0) {
		out[0] = '-';
		return 1 + sl_json_fmt_u64(out + 1, (uint64_t)0 - (uint64_t)v);
	}
	return sl_json_fmt_u64(out, (uint64_t)v);
}

enum sl_err sl_json_u64(struct sl_buf *b, uint64_t v)
{
	/* Written in place: no temporary and no second copy. */
	size_t w = u64_width(v);
	enum sl_err err = sl_buf_ensure(b, w);
	if (err)
		return err;
	u64_put(b->data + b->len, v, w);
	b->len += w;
	b->data[b->len] = '\0';
	return SL_OK;
}

enum sl_err sl_json_i64(struct sl_buf *b, int64_t v)
{
	if (v < 0) {
		enum sl_err err = sl_buf_putc(b, '-');
		if (err)
			return err;
		return sl_json_u64(b, (uint64_t)0 - (uint64_t)v);
	}
	return sl_json_u64(b, (uint64_t)v);
}

/* ---- floating point, Java style ----------------------------------------- */


/* Take the "%.*e" rendering of v with p significant digits: digits (no
 * dot) into dig, trailing zeros trimmed; returns the decimal exponent of
 * the first digit.  *same says whether it parses back to v (as double, or
 * as float when is_float). */
static int render_digits(double v, int is_float, int p, char *dig, size_t *ndig, bool *same)
{
	char tmp[40];
	snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
	*same = is_float ? strtof(tmp, NULL) == (float)v : strtod(tmp, NULL) == v;
	/* tmp = d[.ddd]e[+-]xx */
	size_t n = 0;
	const char *s = tmp;
	while (*s && *s != 'e') {
		if (*s >= '0' && *s <= '9')
			dig[n++] = *s;
		s++;
	}
	int exp10 = atoi(s + 1);
	while (n > 1 && dig[n - 1] == '0')
		n--;
	dig[n] = '\0';
	*ndig = n;
	return exp10;
}

/* Shortest "%.*e" rendering of v that parses back to v.  Java prints at
 * least two significant digits ("d.d") and picks the closest such decimal:
 * 4.9E-324, not 5.0E-324.  Trailing zeros are trimmed, so 1.0 still prints
 * as "1.0".
 *
 * hint, when not 0, is the number of significant digits of a decimal
 * literal known to parse to v.  Then the closest rendering with hint
 * digits round-trips too, and since (away from powers of two) a rendering
 * that round-trips keeps doing so with more digits, a failing hint-1
 * proves hint is the shortest: two renderings instead of up to sixteen.
 * Anything unexpected falls back to the full search. */
static int shortest_digits(double v, int is_float, size_t hint, char *dig, size_t *ndig)
{
	int maxp = is_float ? 9 : 17;
	bool same;
	int bexp;
	/* At a power of two the rounding interval is lopsided (the gap below
	 * is half the gap above), so more digits need not stay inside it. */
	if (hint >= 3 && hint <= (size_t)maxp && frexp(v, &bexp) != 0.5) {
		render_digits(v, is_float, (int)hint - 1, dig, ndig, &same);
		if (!same) {
			int e = render_digits(v, is_float, (int)hint, dig, ndig, &same);
			if (same)
				return e;
		}
	}
	int e = 0;
	for (int p = 2; p <= maxp; p++) {
		e = render_digits(v, is_float, p, dig, ndig, &same);
		if (same)
			break;
	}
	return e;
}

/* Java's layout of the digits dig[0..n) (n >= 1, no trailing zeros beyond
 * the first) with decimal exponent e of the first digit. */
static size_t layout_java(char *out, size_t o, const char *dig, size_t n, int e)
{
	if (e >= -3 && e < 7) { /* 1e-3 <= |v| < 1e7 */
		if (e >= 0) {
			for (int i = 0; i <= e; i++)
				out[o++] = (size_t)i < n ? dig[i] : '0';
			out[o++] = '.';
			if ((size_t)(e + 1) < n) {
				for (size_t i = (size_t)e + 1; i < n; i++)
					out[o++] = dig[i];
			} else {
				out[o++] = '0';
			}
		} else {
			out[o++] = '0';
			out[o++] = '.';
			for (int i = -1; i > e; i--)
				out[o++] = '0';
			for (size_t i = 0; i < n; i++)
				out[o++] = dig[i];
		}
	} else {
		out[o++] = dig[0];
		out[o++] = '.';
		if (n > 1) {
			for (size_t i = 1; i < n; i++)
				out[o++] = dig[i];
		} else {
			out[o++] = '0';
		}
		o += (size_t)snprintf(out + o, 8, "E%d", e);
	}
	out[o] = '\0';
	return o;
}

static size_t fmt_java(char *out, double v, int is_float, size_t hint)
{
	size_t o = 0;
	if (signbit(v)) {
		out[o++] = '-';
		v = -v;
	}
	if (v == 0) {
		memcpy(out + o, "0.0", 4);
		return o + 3;
	}
	char dig[24];
	size_t n;
	int e = shortest_digits(v, is_float, hint, dig, &n);
	return layout_java(out, o, dig, n, e);
}

size_t sl_json_fmt_f64_literal(char *out, const char *s, size_t n)
{
	bool neg;
	char dig[16];
	size_t nd;
	int e;
	if (sl_declit_split(s, n, &neg, dig, sizeof dig, &nd, &e) != n || nd == 0 ||
	    nd > 15 || e < -300 || e > 300)
		return 0;
	size_t o = 0;
	if (neg)
		out[o++] = '-';
	return layout_java(out, o, dig, nd, e);
}

size_t sl_json_fmt_f64(char *out, double v)
{
	if (isnan(v))
		return (size_t)snprintf(out, 32, "NaN");
	if (isinf(v))
		return (size_t)snprintf(out, 32, "%s", v > 0 ? "Infinity" : "-Infinity");
	return fmt_java(out, v, 0, 0);
}

size_t sl_json_fmt_f32(char *out, float v)
{
	if (isnan(v))
		return (size_t)snprintf(out, 32, "NaN");
	if (isinf(v))
		return (size_t)snprintf(out, 32, "%s", v > 0 ? "Infinity" : "-Infinity");
	return fmt_java(out, (double)v, 1, 0);
}

static enum sl_err put_number(struct sl_buf *b, const char *s, size_t n, bool special)
{
	if (special)
		return sl_json_str(b, s, n);
	return sl_buf_append(b, s, n);
}

enum sl_err sl_json_f64(struct sl_buf *b, double v)
{
	char tmp[32];
	size_t n = sl_json_fmt_f64(tmp, v);
	return put_number(b, tmp, n, !isfinite(v));
}

enum sl_err sl_json_f64_from(struct sl_buf *b, double v, const char *s, size_t n)
{
	if (!isfinite(v))
		return sl_json_f64(b, v);
	bool neg;
	char dig[24];
	size_t nd = 0;
	int e;
	size_t hint = 0;
	if (sl_declit_split(s, n, &neg, dig, sizeof dig, &nd, &e) == n && nd)
		hint = nd;
	char tmp[32];
	size_t len = fmt_java(tmp, v, 0, hint);
	return sl_buf_append(b, tmp, len);
}

enum sl_err sl_json_f32(struct sl_buf *b, float v)
{
	char tmp[32];
	size_t n = sl_json_fmt_f32(tmp, v);
	return put_number(b, tmp, n, !isfinite(v));
}

/* ---- binary -------------------------------------------------------------- */

enum sl_err sl_json_base64(struct sl_buf *b, const void *p, size_t n, int url_safe)
{
	static const char std[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char url[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *al = url_safe ? url : std;
	const unsigned char *s = p;
	enum sl_err err = sl_buf_reserve(b, (n + 2) / 3 * 4 + 2);
	if (err)
		return err;
	char *o = b->data + b->len;
	*o++ = '"';
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		*o++ = al[v >> 18];
		*o++ = al[(v >> 12) & 63];
		*o++ = al[(v >> 6) & 63];
		*o++ = al[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)s[i] << 16;
		*o++ = al[v >> 18];
		*o++ = al[(v >> 12) & 63];
		*o++ = '=';
		*o++ = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
		*o++ = al[v >> 18];
		*o++ = al[(v >> 12) & 63];
		*o++ = al[(v >> 6) & 63];
		*o++ = '=';
	}
	*o++ = '"';
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
	return SL_OK;
}

enum sl_err sl_json_hex(struct sl_buf *b, const void *p, size_t n)
{
	const unsigned char *s = p;
	enum sl_err err = sl_buf_reserve(b, n * 2 + 2);
	if (err)
		return err;
	char *o = b->data + b->len;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		*o++ = hex[s[i] >> 4];
		*o++ = hex[s[i] & 15];
	}
	*o++ = '"';
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
	return SL_OK;
}
