/* SPDX-License-Identifier: Apache-2.0
 *
 * clock.c -- clock_gettime wrappers.
 */
#include "core/clock.h"

#include <time.h>

static int64_t g_pinned_us;

int64_t sl_clock_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t sl_clock_wall_us(void)
{
	if (g_pinned_us)
		return g_pinned_us;
	return sl_clock_wall_ns() / 1000;
}

int64_t sl_clock_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void sl_clock_pin_wall_us(int64_t us)
{
	g_pinned_us = us;
}
