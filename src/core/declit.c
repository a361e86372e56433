/* SPDX-License-Identifier: Apache-2.0
 *
 * declit.c -- decimal literals (declit.h).
 */
#include "core/declit.h"

#include <stdint.h>

size_t sl_declit_split(const char *s, size_t n, bool *neg, char *dig, size_t cap,
		       size_t *ndig, int *exp10)
{
	size_t i = 0, nd = 0, lead = 0;
	bool seen_nonzero = false, any = false;
	long e = 0, point = -1;
	*neg = false;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		*neg = s[i++] == '-';
	for (; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (point >= 0)
				return 0;
			point = (long)(nd + lead);
			continue;
		}
		if (c < '0' || c > '9')
			break;
		any = true;
		if (c == '0' && !seen_nonzero) {
			lead++; /* leading zero: shifts nothing once the point is known */
			continue;
		}
		seen_nonzero = true;
		if (nd == cap)
			return 0;
		dig[nd++] = c;
	}
	if (!any)
		return 0;
	if (i < n) {
		if (s[i] != 'e' && s[i] != 'E')
			return 0;
		i++;
		bool eneg = false;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			eneg = s[i++] == '-';
		if (i == n)
			return 0;
		long x = 0;
		for (; i < n; i++) {
			if (s[i] < '0' || s[i] > '9' || x > 100000)
				return 0;
			x = x * 10 + (s[i] - '0');
		}
		e = eneg ? -x : x;
	}
	if (nd == 0) { /* zero */
		*ndig = 0;
		*exp10 = 0;
		return i;
	}
	/* Digits before the point (counting leading zeros) fix the exponent
	 * of the first significant digit. */
	long intdigits = point >= 0 ? point : (long)(nd + lead);
	long first = intdigits - (long)lead - 1 + e;
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	*ndig = nd;
	*exp10 = (int)(first < -100000 ? -100000 : first > 100000 ? 100000 : first);
	return i;
}


bool sl_declit_to_f64(const char *s, size_t n, double *out)
{
	static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
				       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
				       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	bool neg;
	char dig[16];
	size_t nd;
	int e;
	if (sl_declit_split(s, n, &neg, dig, 15, &nd, &e) != n)
		return false;
	if (nd == 0) {
		*out = neg ? -0.0 : 0.0;
		return true;
	}
	/* value = digits * 10^(e - nd + 1); digits < 10^15 < 2^53 is exact. */
	uint64_t m = 0;
	for (size_t i = 0; i < nd; i++)
		m = m * 10 + (uint64_t)(dig[i] - '0');
	int p = e - (int)nd + 1;
	double v = (double)m;
	if (p < 0) {
		if (p < -22)
			return false;
		v /= pow10[-p];
	} else {
		if (p > 22)
			return false;
		v *= pow10[p];
	}
	*out = neg ? -v : v;
	return true;
}
