/* SPDX-License-Identifier: Apache-2.0
 *
 * value.c -- value conversion helpers (see value.h).
 *
 * Decimal parsing accumulates at most 38 significant digits in a 128-bit
 * integer, so nothing can overflow: 10^38 < 2^127.  Leading zeros do not
 * count as digits; trailing fraction zeros beyond the scale are accepted
 * (they need no rounding).
 */
#include "parquet/value.h"

#include <string.h>

bool sl_pq_decimal_fits(sl_pq_i128 v, int precision)
{
	sl_pq_i128 lim = 1;
	for (int i = 0; i < precision; i++)
		lim *= 10;
	return v < lim && v > -lim;
}

void sl_pq_decimal_be(sl_pq_i128 v, int nbytes, uint8_t *out)
{
	unsigned __int128 u = (unsigned __int128)v;
	for (int i = nbytes - 1; i >= 0; i--) {
		out[i] = (uint8_t)u;
		u >>= 8;
	}
}

enum sl_err sl_pq_decimal_parse(const char *s, size_t n, int precision, int scale,
				sl_pq_i128 *out, struct sl_errbuf *eb)
{
	size_t i = 0;
	bool neg = false;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	/* Collect digits: integer part, then fraction, remembering where the
	 * point was; an exponent shifts it. */
	char dig[80];
	int nd = 0, point = -1;
	bool any = false;
	for (; i < n; i++) {
		char ch = s[i];
		if (ch >= '0' && ch <= '9') {
			any = true;
			if (nd == 0 && ch == '0' && point < 0)
				continue; /* leading zero of the integer part */
			if (nd >= (int)sizeof dig)
				goto bad;
			dig[nd++] = ch;
		} else if (ch == '.' && point < 0) {
			point = nd;
		} else {
			break;
		}
	}
	if (point < 0)
		point = nd;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		bool eneg = false;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			eneg = s[i++] == '-';
		int ex = 0;
		bool edig = false;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			edig = true;
			if (ex < 1000)
				ex = ex * 10 + (s[i] - '0');
		}
		if (!edig)
			goto bad;
		point += eneg ? -ex : ex;
	}
	if (!any || i != n)
		goto bad;
	/* Value = dig[0..nd) * 10^(point - nd); unscaled = that * 10^scale. */
	int shift = point - nd + scale; /* power of ten to apply to the digit string */
	int keep = nd;
	if (shift < 0) {
		/* Dropping digits: they must all be zero. */
		for (int k = nd + shift; k < nd; k++)
			if (k >= 0 && dig[k] != '0')
				return sl_err_set(eb, SL_ERR_ARG,
						  "decimal \"%.*s\" has more than %d fraction digits",
						  (int)(n > 64 ? 64 : n), s, scale);
		keep = nd + shift;
		if (keep < 0)
			keep = 0;
		shift = 0;
	}
	sl_pq_i128 v = 0;
	int sig = 0;
	for (int k = 0; k < keep; k++) {
		if (sig > 0 || dig[k] != '0')
			sig++;
		if (sig > 38)
			goto range;
		v = v * 10 + (dig[k] - '0');
	}
	for (int k = 0; k < shift; k++) {
		if (v != 0)
			sig++;
		if (sig > 38)
			goto range;
		v *= 10;
	}
	if (neg)
		v = -v;
	if (!sl_pq_decimal_fits(v, precision))
		goto range;
	*out = v;
	return SL_OK;
range:
	return sl_err_set(eb, SL_ERR_ARG, "decimal \"%.*s\" does not fit numeric(%d,%d)",
			  (int)(n > 64 ? 64 : n), s, precision, scale);
bad:
	return sl_err_set(eb, SL_ERR_ARG, "invalid decimal \"%.*s\"", (int)(n > 64 ? 64 : n), s);
}

bool sl_pq_utf8_valid(const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t i = 0;
	while (i < n) {
		/* ASCII fast path, 8 bytes at a time. */
		if (i + 8 <= n) {
			uint64_t x;
			memcpy(&x, s + i, 8);
			if (!(x & UINT64_C(0x8080808080808080))) {
				i += 8;
				continue;
			}
		}
		uint8_t c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		int len;
		uint32_t cp;
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + (size_t)len > n)
			return false;
		for (int k = 1; k < len; k++) {
			if ((s[i + (size_t)k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + (size_t)k] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += (size_t)len;
	}
	return true;
}
