/* SPDX-License-Identifier: Apache-2.0
 *
 * pgtypes.c -- strict parsers for PostgreSQL text output (see pgtypes.h).
 *
 * All parsers are bounded by the given length and reject trailing junk.
 * Dates use the proleptic Gregorian calendar with astronomical year
 * numbering (PostgreSQL's "1 BC" is year 0), as java.time does.
 */
#include "core/civil.h"
#include "event/pgtypes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

bool sl_pgtext_parse_bool(const char *s, size_t n, bool *out)
{
	/* boolout prints "t"/"f"; accept the ::text spelling too. */
	if ((n == 1 && (s[0] == 't' || s[0] == 'f')) || eq(s, n, "true") || eq(s, n, "false")) {
		*out = s[0] == 't';
		return true;
	}
	return false;
}

bool sl_pgtext_parse_int64(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (i >= n)
		return false;
	uint64_t v = 0;
	for (; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return false;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > (uint64_t)INT64_MAX)
			return false;
		*out = (int64_t)v;
	}
	return true;
}

/* Copy a float literal to a NUL-terminated buffer, checking its alphabet
 * (strtod alone would also accept hex floats and leading blanks). */
static bool float_text(const char *s, size_t n, char *tmp, size_t cap)
{
	if (n == 0 || n >= cap)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!(is_digit(c) || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+'))
			return false;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return true;
}

bool sl_pgtext_parse_double(const char *s, size_t n, double *out)
{
	if (eq(s, n, "NaN")) {
		*out = __builtin_nan("");
		return true;
	}
	if (eq(s, n, "Infinity") || eq(s, n, "-Infinity")) {
		*out = s[0] == '-' ? -__builtin_inf() : __builtin_inf();
		return true;
	}
	char tmp[64];
	if (!float_text(s, n, tmp, sizeof tmp))
		return false;
	char *end;
	errno = 0;
	*out = strtod(tmp, &end);
	return *end == '\0' && end != tmp;
}

bool sl_pgtext_parse_float(const char *s, size_t n, float *out)
{
	if (eq(s, n, "NaN")) {
		*out = __builtin_nanf("");
		return true;
	}
	if (eq(s, n, "Infinity") || eq(s, n, "-Infinity")) {
		*out = s[0] == '-' ? -__builtin_inff() : __builtin_inff();
		return true;
	}
	char tmp[64];
	if (!float_text(s, n, tmp, sizeof tmp))
		return false;
	char *end;
	*out = strtof(tmp, &end);
	return *end == '\0' && end != tmp;
}

/* Read exactly `w` digits (w>0) or, when w==0, one or more digits. */
static bool digits(const char *s, size_t n, size_t *i, size_t w, int64_t *v)
{
	size_t start = *i;
	int64_t x = 0;
	while (*i < n && is_digit(s[*i]) && (w == 0 || *i - start < w)) {
		if (x > 100000000000000LL)
			return false;
		x = x * 10 + (s[*i] - '0');
		(*i)++;
	}
	if (*i == start || (w && *i - start != w))
		return false;
	*v = x;
	return true;
}

static bool lit(const char *s, size_t n, size_t *i, char c)
{
	if (*i < n && s[*i] == c) {
		(*i)++;
		return true;
	}
	return false;
}

static bool ends_with(const char *s, size_t n, const char *suffix, size_t *newlen)
{
	size_t k = strlen(suffix);
	if (n >= k && memcmp(s + n - k, suffix, k) == 0) {
		*newlen = n - k;
		return true;
	}
	return false;
}

static bool month_days_ok(int64_t y, int64_t m, int64_t d)
{
	static const int md[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	(void)y;
	return m >= 1 && m <= 12 && d >= 1 && d <= md[m - 1];
}

/* YYYY-MM-DD (year may be longer than four digits). */
static bool ymd(const char *s, size_t n, size_t *i, int64_t *y, int64_t *m, int64_t *d)
{
	return digits(s, n, i, 0, y) && lit(s, n, i, '-') && digits(s, n, i, 2, m) &&
	       lit(s, n, i, '-') && digits(s, n, i, 2, d) && month_days_ok(*y, *m, *d);
}

/* HH:MM:SS[.ffffff] -> microseconds (24:00:00 allowed). */
static bool hms(const char *s, size_t n, size_t *i, int64_t *us)
{
	int64_t h, mi, se, frac = 0;
	if (!(digits(s, n, i, 2, &h) && lit(s, n, i, ':') && digits(s, n, i, 2, &mi) &&
	      lit(s, n, i, ':') && digits(s, n, i, 2, &se)))
		return false;
	if (lit(s, n, i, '.')) {
		size_t start = *i;
		if (!digits(s, n, i, 0, &frac) || *i - start > 6)
			return false;
		for (size_t k = *i - start; k < 6; k++)
			frac *= 10;
	}
	if (h > 24 || mi > 59 || se > 60 || (h == 24 && (mi || se || frac)))
		return false;
	*us = ((h * 60 + mi) * 60 + se) * 1000000 + frac;
	return true;
}

/* +HH[:MM[:SS]] -> seconds east of UTC. */
static bool offset(const char *s, size_t n, size_t *i, int32_t *off)
{
	if (*i >= n || (s[*i] != '+' && s[*i] != '-'))
		return false;
	int sign = s[(*i)++] == '-' ? -1 : 1;
	int64_t h, m = 0, sec = 0;
	if (!digits(s, n, i, 2, &h))
		return false;
	if (lit(s, n, i, ':')) {
		if (!digits(s, n, i, 2, &m))
			return false;
		if (lit(s, n, i, ':') && !digits(s, n, i, 2, &sec))
			return false;
	}
	if (m > 59 || sec > 59)
		return false;
	*off = (int32_t)(sign * (h * 3600 + m * 60 + sec));
	return true;
}

static bool infinity(const char *s, size_t n, enum sl_pgtext_inf *inf)
{
	if (eq(s, n, "infinity")) {
		*inf = SL_PG_POS_INF;
		return true;
	}
	if (eq(s, n, "-infinity")) {
		*inf = SL_PG_NEG_INF;
		return true;
	}
	*inf = SL_PG_FINITE;
	return false;
}

/* BC years: PostgreSQL's year Y BC is astronomical year 1 - Y. */
static int64_t astro_year(int64_t y, bool bc)
{
	return bc ? 1 - y : y;
}

bool sl_pgtext_parse_date(const char *s, size_t n, int64_t *days, enum sl_pgtext_inf *inf)
{
	if (infinity(s, n, inf))
		return true;
	bool bc = ends_with(s, n, " BC", &n);
	size_t i = 0;
	int64_t y, m, d;
	if (!ymd(s, n, &i, &y, &m, &d) || i != n)
		return false;
	*days = sl_civil_days_from(astro_year(y, bc), (int)m, (int)d);
	return true;
}

bool sl_pgtext_parse_time(const char *s, size_t n, int64_t *us)
{
	size_t i = 0;
	return hms(s, n, &i, us) && i == n;
}

bool sl_pgtext_parse_timetz(const char *s, size_t n, int64_t *us, int32_t *off_s)
{
	size_t i = 0;
	return hms(s, n, &i, us) && offset(s, n, &i, off_s) && i == n;
}

static bool timestamp(const char *s, size_t n, int64_t *us, enum sl_pgtext_inf *inf, bool tz)
{
	if (infinity(s, n, inf))
		return true;
	bool bc = ends_with(s, n, " BC", &n);
	size_t i = 0;
	int64_t y, m, d, t;
	int32_t off = 0;
	if (!ymd(s, n, &i, &y, &m, &d) || !lit(s, n, &i, ' ') || !hms(s, n, &i, &t))
		return false;
	if (tz && !offset(s, n, &i, &off))
		return false;
	if (i != n)
		return false;
	int64_t days = sl_civil_days_from(astro_year(y, bc), (int)m, (int)d);
	*us = days * 86400000000LL + t - (int64_t)off * 1000000;
	return true;
}

bool sl_pgtext_parse_timestamp(const char *s, size_t n, int64_t *us, enum sl_pgtext_inf *inf)
{
	return timestamp(s, n, us, inf, false);
}

bool sl_pgtext_parse_timestamptz(const char *s, size_t n, int64_t *us, enum sl_pgtext_inf *inf)
{
	return timestamp(s, n, us, inf, true);
}

/* One signed ISO 8601 component "[-]digits[.digits]<unit>". */
bool sl_pgtext_parse_interval(const char *s, size_t n, struct sl_pgtext_interval *iv)
{
	memset(iv, 0, sizeof *iv);
	size_t i = 0;
	if (!lit(s, n, &i, 'P') || i >= n)
		return false;
	bool in_time = false, any = false;
	while (i < n) {
		if (!in_time && lit(s, n, &i, 'T')) {
			in_time = true;
			continue;
		}
		bool neg = lit(s, n, &i, '-');
		int64_t v, frac = 0;
		size_t fdig = 0;
		if (!digits(s, n, &i, 0, &v))
			return false;
		if (lit(s, n, &i, '.')) {
			size_t start = i;
			if (!digits(s, n, &i, 0, &frac) || i - start > 6)
				return false;
			fdig = i - start;
			for (size_t k = fdig; k < 6; k++)
				frac *= 10;
		}
		if (i >= n)
			return false;
		char unit = s[i++];
		if (neg) {
			v = -v;
			frac = -frac;
		}
		if (fdig && !(in_time && unit == 'S'))
			return false;
		if (!in_time && unit == 'Y')
			iv->years = v;
		else if (!in_time && unit == 'M')
			iv->months = v;
		else if (!in_time && unit == 'W')
			iv->days += v * 7;
		else if (!in_time && unit == 'D')
			iv->days = v;
		else if (in_time && unit == 'H')
			iv->hours = v;
		else if (in_time && unit == 'M')
			iv->minutes = v;
		else if (in_time && unit == 'S') {
			iv->seconds = v;
			iv->micros = frac;
		} else
			return false;
		any = true;
	}
	return any;
}

bool sl_pgtext_parse_numeric(const char *s, size_t n, struct sl_pgtext_numeric *num)
{
	memset(num, 0, sizeof *num);
	if (eq(s, n, "NaN")) {
		num->special = SL_PG_NUM_NAN;
		return true;
	}
	if (eq(s, n, "Infinity")) {
		num->special = SL_PG_NUM_POS_INF;
		return true;
	}
	if (eq(s, n, "-Infinity")) {
		num->special = SL_PG_NUM_NEG_INF;
		return true;
	}
	size_t i = 0;
	if (i < n && s[i] == '-') {
		num->neg = true;
		i++;
	}
	num->ip = s + i;
	while (i < n && is_digit(s[i]))
		i++;
	num->nip = (size_t)(s + i - num->ip);
	if (i < n && s[i] == '.') {
		i++;
		num->fp = s + i;
		while (i < n && is_digit(s[i]))
			i++;
		num->nfp = (size_t)(s + i - num->fp);
	}
	return i == n && num->nip + num->nfp > 0;
}

/* Little-endian base-2^32 magnitude, built by multiply-and-add. */
static void mag_muladd(uint32_t *mag, size_t *len, uint32_t mul, uint32_t add)
{
	uint64_t carry = add;
	for (size_t k = 0; k < *len; k++) {
		uint64_t t = (uint64_t)mag[k] * mul + carry;
		mag[k] = (uint32_t)t;
		carry = t >> 32;
	}
	if (carry)
		mag[(*len)++] = (uint32_t)carry;
}

size_t sl_pgtext_numeric_unscaled(const struct sl_pgtext_numeric *num, int scale, uint8_t *out,
			      size_t cap)
{
	if (num->special != SL_PG_NUM_FINITE)
		return 0;
	/* Digit sequence: ip, then fp cut or zero-padded to `scale` digits;
	 * a negative scale drops digits from the integer part. */
	size_t nip = num->nip, nfrac = scale > 0 ? (size_t)scale : 0;
	if (scale < 0)
		nip = nip > (size_t)-scale ? nip - (size_t)-scale : 0;
	size_t total = nip + nfrac;
	if (total <= 18) {
		/* Fits an int64 (< 10^18): the common case, without limbs.  The
		 * minimal two's complement is the fewest bytes whose signed range
		 * holds the value (BigInteger.toByteArray()); zero is one 0x00. */
		uint64_t v = 0;
		for (size_t k = 0; k < total; k++) {
			char c = k < nip ? num->ip[k] : k - nip < num->nfp ? num->fp[k - nip] : '0';
			v = v * 10 + (uint64_t)(c - '0');
		}
		int64_t x = num->neg ? -(int64_t)v : (int64_t)v;
		size_t len = 1;
		while (len < 8 && (x < -((int64_t)1 << (8 * len - 1)) || x >= ((int64_t)1 << (8 * len - 1))))
			len++;
		if (len > cap)
			return 0;
		for (size_t k = 0; k < len; k++)
			out[k] = (uint8_t)((uint64_t)x >> (8 * (len - 1 - k)));
		return len;
	}
	uint32_t stackmag[80];
	uint32_t *mag = stackmag;
	size_t maxlimbs = total / 9 + 2;
	if (maxlimbs > sizeof stackmag / sizeof stackmag[0]) {
		mag = malloc(maxlimbs * sizeof *mag);
		if (!mag)
			return 0;
	}
	size_t len = 0;
	uint32_t chunk = 0, mul = 1;
	for (size_t k = 0; k < total; k++) {
		char c;
		if (k < nip)
			c = num->ip[k];
		else if (k - nip < num->nfp)
			c = num->fp[k - nip];
		else
			c = '0';
		chunk = chunk * 10 + (uint32_t)(c - '0');
		mul *= 10;
		if (mul == 1000000000) {
			mag_muladd(mag, &len, mul, chunk);
			chunk = 0;
			mul = 1;
		}
	}
	if (mul > 1)
		mag_muladd(mag, &len, mul, chunk);
	/* Big-endian magnitude bytes. */
	size_t nb = len * 4;
	size_t res = 0;
	bool zero = true;
	for (size_t k = 0; k < len; k++)
		if (mag[k])
			zero = false;
	/* Two's complement of -magnitude when negative. */
	if (num->neg && !zero) {
		uint64_t carry = 1;
		for (size_t k = 0; k < len; k++) {
			uint64_t t = (uint64_t)(uint32_t)~mag[k] + carry;
			mag[k] = (uint32_t)t;
			carry = t >> 32;
		}
	}
	bool negv = num->neg && !zero;
	uint8_t fill = negv ? 0xFF : 0x00;
	/* Skip redundant leading fill bytes, keeping the sign bit right. */
	size_t skip = 0;
	while (skip < nb) {
		size_t k = nb - 1 - skip; /* byte index from least significant */
		uint8_t byte = (uint8_t)(mag[k / 4] >> (8 * (k % 4)));
		if (byte != fill)
			break;
		skip++;
	}
	size_t keep = nb - skip;
	bool need_sign = true;
	if (keep > 0) {
		size_t k = keep - 1;
		uint8_t top = (uint8_t)(mag[k / 4] >> (8 * (k % 4)));
		need_sign = ((top & 0x80) != 0) != negv;
	}
	res = keep + (need_sign ? 1 : 0);
	if (res > cap) {
		res = 0;
		goto out;
	}
	size_t o = 0;
	if (need_sign)
		out[o++] = fill;
	for (size_t k = keep; k-- > 0;)
		out[o++] = (uint8_t)(mag[k / 4] >> (8 * (k % 4)));
out:
	if (mag != stackmag)
		free(mag);
	return res;
}

bool sl_pgtext_parse_bytea(const char *s, size_t n, uint8_t *out, size_t *outlen)
{
	if (n < 2 || s[0] != '\\' || s[1] != 'x' || (n - 2) % 2)
		return false;
	size_t o = 0;
	for (size_t i = 2; i < n; i += 2) {
		int hi = sl_hex_digit(s[i]), lo = sl_hex_digit(s[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[o++] = (uint8_t)(hi << 4 | lo);
	}
	*outlen = o;
	return true;
}

void sl_pgtext_array_begin_delim(struct sl_pgtext_array_iter *it, const char *s, size_t n, char delim)
{
	memset(it, 0, sizeof *it);
	it->s = s;
	it->n = n;
	it->delim = delim;
}

void sl_pgtext_array_begin(struct sl_pgtext_array_iter *it, const char *s, size_t n)
{
	sl_pgtext_array_begin_delim(it, s, n, ',');
}

int sl_pgtext_array_next(struct sl_pgtext_array_iter *it, char *scratch, size_t scratch_cap,
		     const char **elem, size_t *elen, bool *is_null)
{
	const char *s = it->s;
	size_t n = it->n;
	if (it->done)
		return 0;
	if (!it->started) {
		/* Arrays with explicit bounds ("[0:1]={...}") are rejected. */
		if (n < 2 || s[0] != '{' || s[n - 1] != '}')
			return -1;
		it->pos = 1;
		it->started = true;
		if (n == 2) {
			it->done = true;
			return 0;
		}
	} else {
		/* After an element: the delimiter or the closing brace. */
		if (it->pos >= n)
			return -1;
		if (s[it->pos] == '}') {
			it->done = true;
			return it->pos == n - 1 ? 0 : -1;
		}
		if (s[it->pos] != it->delim)
			return -1;
		it->pos++;
	}
	size_t p = it->pos;
	if (p >= n - 1)
		return -1;
	*is_null = false;
	if (s[p] == '{')
		return -1; /* multi-dimensional */
	if (s[p] == '"') {
		size_t o = 0;
		p++;
		while (p < n && s[p] != '"') {
			if (s[p] == '\\') {
				p++;
				if (p >= n)
					return -1;
			}
			if (o >= scratch_cap)
				return -1;
			scratch[o++] = s[p++];
		}
		if (p >= n)
			return -1;
		p++; /* closing quote */
		*elem = scratch;
		*elen = o;
	} else {
		size_t start = p;
		while (p < n && s[p] != it->delim && s[p] != '}') {
			if (s[p] == '"' || s[p] == '{' || s[p] == '\\')
				return -1;
			p++;
		}
		if (p == start)
			return -1;
		*elem = s + start;
		*elen = p - start;
		if (*elen == 4 && memcmp(*elem, "NULL", 4) == 0)
			*is_null = true;
	}
	it->pos = p;
	return 1;
}

void sl_pgtext_hstore_begin(struct sl_pgtext_hstore_iter *it, const char *s, size_t n, char *scratch)
{
	memset(it, 0, sizeof *it);
	it->s = s;
	it->n = n;
	it->scratch = scratch;
}

/* A quoted hstore string at it->pos (hstore_out's cpw()). */
static bool hstore_str(struct sl_pgtext_hstore_iter *it, const char **out, size_t *len)
{
	const char *s = it->s;
	size_t n = it->n, p = it->pos;
	if (p >= n || s[p] != '"')
		return false;
	size_t start = ++p;
	bool esc = false;
	while (p < n && s[p] != '"') {
		if (s[p] == '\\') {
			if (p + 1 >= n || (s[p + 1] != '"' && s[p + 1] != '\\'))
				return false;
			esc = true;
			p++;
		}
		p++;
	}
	if (p >= n)
		return false;
	if (!esc) {
		*out = s + start;
		*len = p - start;
	} else {
		/* Unescaped it is shorter than the quoted text, so the pairs
		 * of one walk fit in n bytes. */
		char *o = it->scratch + it->used;
		size_t k = 0;
		for (size_t i = start; i < p; i++) {
			if (s[i] == '\\')
				i++;
			o[k++] = s[i];
		}
		it->used += k;
		*out = o;
		*len = k;
	}
	it->pos = p + 1;
	return true;
}

int sl_pgtext_hstore_next(struct sl_pgtext_hstore_iter *it, const char **key, size_t *klen,
		      const char **val, size_t *vlen)
{
	if (it->pos >= it->n)
		return 0;
	if (it->pos > 0) {
		if (it->n - it->pos < 2 || memcmp(it->s + it->pos, ", ", 2) != 0)
			return -1;
		it->pos += 2;
	}
	if (!hstore_str(it, key, klen))
		return -1;
	if (it->n - it->pos < 2 || memcmp(it->s + it->pos, "=>", 2) != 0)
		return -1;
	it->pos += 2;
	if (it->n - it->pos >= 4 && memcmp(it->s + it->pos, "NULL", 4) == 0) {
		it->pos += 4;
		*val = NULL;
		*vlen = 0;
	} else if (!hstore_str(it, val, vlen)) {
		return -1;
	}
	return 1;
}
