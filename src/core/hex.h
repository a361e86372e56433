/* SPDX-License-Identifier: Apache-2.0
 *
 * hex.h -- the value of one hexadecimal digit, for the decoders of hex
 * text (bytea, EWKB, XML entities, config escapes, Parquet JSON input).
 */
#ifndef SL_CORE_HEX_H
#define SL_CORE_HEX_H

/* 0..15 for [0-9a-fA-F], else -1. */
static inline int sl_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
