/* SPDX-License-Identifier: Apache-2.0
 *
 * failpoint.c -- see failpoint.h.  The variable is read once; the pass
 * counter is process-wide (single-threaded callers).
 */
#include "core/failpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int state; /* 0 = unread, 1 = off, 2 = armed */
static char fp_name[128];
static long fp_left;

void sl_failpoint(const char *name)
{
	if (state == 1)
		return;
	if (state == 0) {
		const char *v = getenv("SLUICE_FAILPOINT");
		const char *colon = v ? strrchr(v, ':') : NULL;
		state = 1;
		if (colon && (size_t)(colon - v) < sizeof fp_name) {
			memcpy(fp_name, v, (size_t)(colon - v));
			fp_name[colon - v] = 0;
			fp_left = strtol(colon + 1, NULL, 10);
			if (fp_left > 0)
				state = 2;
		}
		if (state == 1)
			return;
	}
	if (strcmp(name, fp_name) || --fp_left > 0)
		return;
	static const char msg[] = "sluice: failpoint reached, exiting as a crash would\n";
	ssize_t w = write(2, msg, sizeof msg - 1);
	(void)w;
	_exit(86);
}
