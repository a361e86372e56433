/* SPDX-License-Identifier: Apache-2.0
 *
 * clock.h -- wall and monotonic clocks, with a seam for tests.
 *
 * Code that signs requests or stamps events reads the wall clock through
 * sl_clock_wall_us() so tests can pin it (curl's CURL_FORCETIME idea).
 */
#ifndef SL_CORE_CLOCK_H
#define SL_CORE_CLOCK_H

#include <stdint.h>

/* Microseconds since the Unix epoch; pinned when a test set a fixed time. */
int64_t sl_clock_wall_us(void);
/* Nanoseconds since the Unix epoch (not pinned: for event ts_ns). */
int64_t sl_clock_wall_ns(void);
/* Monotonic microseconds, for timeouts and durations. */
int64_t sl_clock_mono_us(void);
/* Tests only: pin the wall clock (0 = unpin). */
void sl_clock_pin_wall_us(int64_t us);

#endif
