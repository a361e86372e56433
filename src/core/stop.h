/* SPDX-License-Identifier: Apache-2.0
 *
 * stop.h -- whether the process was asked to stop (SIGTERM/SIGINT).
 *
 * The command line registers its signal flag; code deep in a retry loop
 * (the S3 client's backoff) asks sl_stop_requested() so that a stop is not
 * held up by minutes of retries against a server that is down.  Without a
 * registered flag nothing is ever requested.
 */
#ifndef SL_CORE_STOP_H
#define SL_CORE_STOP_H

#include <signal.h>
#include <stdbool.h>

void sl_stop_register(volatile sig_atomic_t *flag);
bool sl_stop_requested(void);

#endif
