/* SPDX-License-Identifier: Apache-2.0
 *
 * declit.h -- decimal literals as PostgreSQL prints float8 and numeric and
 * as JSON numbers are written: [+-]digits[.digits][(e|E)[+-]digits].
 *
 * Two cheap operations that let the hot paths skip strtod and printf for
 * the common values: splitting a literal into its significant digits and
 * exponent, and the exact conversion of short literals to a double.
 */
#ifndef SL_CORE_DECLIT_H
#define SL_CORE_DECLIT_H

#include <stdbool.h>
#include <stddef.h>

/* Split s[0..n) into its sign, significant digits (no leading or trailing
 * zeros; at most cap of them) and the decimal exponent of the first one.
 * Zero gives *ndig = 0.  Returns the bytes consumed, 0 when s does not
 * start with such a literal or has more than cap significant digits. */
size_t sl_declit_split(const char *s, size_t n, bool *neg, char *dig, size_t cap, size_t *ndig,
		       int *exp10);

/* The double nearest to the literal s[0..n), exactly as strtod rounds it,
 * when that can be had without strtod: at most 15 significant digits and a
 * power of ten that is itself an exact double (|exponent| <= 22), so one
 * IEEE multiplication or division rounds once (Clinger's fast path).
 * Returns false, leaving *out alone, for every other literal. */
bool sl_declit_to_f64(const char *s, size_t n, double *out);

#endif
