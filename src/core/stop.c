/* SPDX-License-Identifier: Apache-2.0
 *
 * stop.c -- the registered stop flag (stop.h).
 */
#include "core/stop.h"

#include <stddef.h>

static volatile sig_atomic_t *g_flag;

void sl_stop_register(volatile sig_atomic_t *flag)
{
	g_flag = flag;
}

bool sl_stop_requested(void)
{
	return g_flag && *g_flag;
}
