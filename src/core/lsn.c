/* SPDX-License-Identifier: Apache-2.0
 *
 * lsn.c -- LSN text <-> integer (see lsn.h).
 */
#include "core/lsn.h"

#include <stdio.h>

bool sl_lsn_parse(const char *s, uint64_t *lsn)
{
	unsigned int hi, lo;
	int used = 0;
	if (!s || sscanf(s, "%X/%X%n", &hi, &lo, &used) != 2 || s[used] != '\0')
		return false;
	*lsn = ((uint64_t)hi << 32) | lo;
	return true;
}

void sl_lsn_format(uint64_t lsn, char out[24])
{
	snprintf(out, 24, "%X/%X", (unsigned)(lsn >> 32), (unsigned)lsn);
}
