/* SPDX-License-Identifier: Apache-2.0
 *
 * lsn.h -- PostgreSQL log sequence numbers as text: "X/Y", the high and
 * low 32 bits in upper-case hex, as pg_lsn prints them.
 */
#ifndef SL_CORE_LSN_H
#define SL_CORE_LSN_H

#include <stdbool.h>
#include <stdint.h>

/* "16/B374D848" -> 0x16B374D848.  False (and *lsn untouched) on anything
 * else, trailing bytes included. */
bool sl_lsn_parse(const char *s, uint64_t *lsn);

/* The text form of lsn, NUL-terminated, into out (at most 18 bytes). */
void sl_lsn_format(uint64_t lsn, char out[24]);

#endif
