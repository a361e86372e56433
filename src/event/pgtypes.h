/* SPDX-License-Identifier: Apache-2.0
 *
 * pgtypes.h -- strict parsers for PostgreSQL's text output of builtin types.
 *
 * Inputs are what the server prints under the capture session's settings
 * (DateStyle=ISO, TimeZone=UTC, IntervalStyle=iso_8601,
 * extra_float_digits=3, bytea_output=hex).  Every parser takes a pointer
 * and a length (values are not NUL-terminated), never reads past it, and
 * returns false on anything it does not recognise so the caller can report
 * the column.  Nothing here allocates except sl_pgtext_numeric_unscaled for
 * numbers of more than ~600 digits.
 */
#ifndef SL_EVENT_PGTYPES_H
#define SL_EVENT_PGTYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Infinite dates/timestamps. */
enum sl_pgtext_inf { SL_PG_FINITE = 0, SL_PG_POS_INF = 1, SL_PG_NEG_INF = -1 };

bool sl_pgtext_parse_bool(const char *s, size_t n, bool *out);
bool sl_pgtext_parse_int64(const char *s, size_t n, int64_t *out);
/* float8/float4 output, including "NaN", "Infinity", "-Infinity". */
bool sl_pgtext_parse_double(const char *s, size_t n, double *out);
bool sl_pgtext_parse_float(const char *s, size_t n, float *out);

/* "YYYY-MM-DD[ BC]", "infinity", "-infinity" -> days since 1970. */
bool sl_pgtext_parse_date(const char *s, size_t n, int64_t *days, enum sl_pgtext_inf *inf);
/* "HH:MM:SS[.f]" (24:00:00 allowed) -> microseconds since midnight. */
bool sl_pgtext_parse_time(const char *s, size_t n, int64_t *us);
/* "HH:MM:SS[.f]+HH[:MM[:SS]]" -> local microseconds and offset seconds. */
bool sl_pgtext_parse_timetz(const char *s, size_t n, int64_t *us, int32_t *off_s);
/* "YYYY-MM-DD HH:MM:SS[.f][ BC]" -> microseconds since 1970 (no zone). */
bool sl_pgtext_parse_timestamp(const char *s, size_t n, int64_t *us, enum sl_pgtext_inf *inf);
/* Same with a "+HH[:MM[:SS]]" offset -> UTC microseconds since 1970. */
bool sl_pgtext_parse_timestamptz(const char *s, size_t n, int64_t *us, enum sl_pgtext_inf *inf);

/* ISO 8601 interval, each component signed as PostgreSQL prints it. */
struct sl_pgtext_interval {
	int64_t years, months, days, hours, minutes;
	int64_t seconds; /* whole seconds */
	int64_t micros;  /* fraction, same sign as seconds */
};
bool sl_pgtext_parse_interval(const char *s, size_t n, struct sl_pgtext_interval *iv);

/* numeric output: [-]digits[.digits] or NaN/Infinity/-Infinity. */
enum sl_pgtext_num_special { SL_PG_NUM_FINITE, SL_PG_NUM_NAN, SL_PG_NUM_POS_INF, SL_PG_NUM_NEG_INF };
struct sl_pgtext_numeric {
	enum sl_pgtext_num_special special;
	bool neg;
	const char *ip; /* integer digits (borrowed from the input) */
	size_t nip;
	const char *fp; /* fraction digits */
	size_t nfp;
};
bool sl_pgtext_parse_numeric(const char *s, size_t n, struct sl_pgtext_numeric *num);
/* The unscaled value of num at `scale` fraction digits (extra input
 * digits are dropped, missing ones are zeros) as a minimal big-endian
 * two's-complement integer, like Java's BigInteger.toByteArray().  Writes
 * to out (cap bytes); returns the length, or 0 if it does not fit. */
size_t sl_pgtext_numeric_unscaled(const struct sl_pgtext_numeric *num, int scale, uint8_t *out,
			      size_t cap);

/* "\x0a0b" (bytea_output=hex) -> bytes; out needs (n-2)/2 bytes. */
bool sl_pgtext_parse_bytea(const char *s, size_t n, uint8_t *out, size_t *outlen);

/* A single-dimension array literal, walked one element at a time.  The
 * element text is unescaped into `scratch` when quoted.  Returns 1 with an
 * element, 0 at the end, -1 on a syntax error or a nested array.
 * Elements are separated by ',' or, from sl_pgtext_array_begin_delim, by the
 * element type's typdelim (';' for box, ':' for PostGIS's types). */
struct sl_pgtext_array_iter {
	const char *s;
	size_t n, pos;
	bool started, done;
	char delim;
};
void sl_pgtext_array_begin(struct sl_pgtext_array_iter *it, const char *s, size_t n);
void sl_pgtext_array_begin_delim(struct sl_pgtext_array_iter *it, const char *s, size_t n, char delim);
int sl_pgtext_array_next(struct sl_pgtext_array_iter *it, char *scratch, size_t scratch_cap,
		     const char **elem, size_t *elen, bool *is_null);

/* hstore's output ("k"=>"v", "k2"=>NULL; "" when empty), walked one pair
 * at a time.  Keys and values are always quoted, with '"' and '\\'
 * backslash-escaped, and pairs are separated by ", " exactly; anything
 * else is a syntax error.  A string without escapes points into the input;
 * one with escapes is unescaped into `scratch`, which needs n bytes for the
 * whole walk (the iterator appends to it).  Returns 1 with a pair (*val
 * NULL for a NULL value), 0 at the end, -1 on a syntax error. */
struct sl_pgtext_hstore_iter {
	const char *s;
	size_t n, pos;
	char *scratch;
	size_t used;
};
void sl_pgtext_hstore_begin(struct sl_pgtext_hstore_iter *it, const char *s, size_t n, char *scratch);
int sl_pgtext_hstore_next(struct sl_pgtext_hstore_iter *it, const char **key, size_t *klen,
		      const char **val, size_t *vlen);

#endif
