/* SPDX-License-Identifier: Apache-2.0
 *
 * failpoint.h -- crash on purpose at a named point, for crash tests.
 *
 * SLUICE_FAILPOINT=name:n in the environment makes the n-th pass through
 * sl_failpoint("name") end the process at once with _exit(86): no buffer
 * flushed, no file closed, as a SIGKILL at that instant would.  Random
 * SIGKILLs find most windows; a failpoint pins the narrow ones (between
 * two durable steps) so a test hits them every time.  Without the
 * variable a pass costs one cached comparison.
 */
#ifndef SL_CORE_FAILPOINT_H
#define SL_CORE_FAILPOINT_H

void sl_failpoint(const char *name);

#endif
