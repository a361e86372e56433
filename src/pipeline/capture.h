/* SPDX-License-Identifier: Apache-2.0
 *
 * capture.h -- `sluice capture`: PostgreSQL -> Debezium events -> sink.
 *
 * The delivery invariant lives here: an LSN is confirmed to PostgreSQL
 * only once every event of that transaction and of every transaction
 * before it has been acked by the sink (pipeline/acks.h).  A crash at any
 * moment therefore loses nothing: PostgreSQL resends every transaction
 * after the confirmed LSN, whole and in order.
 */
#ifndef SL_PIPELINE_CAPTURE_H
#define SL_PIPELINE_CAPTURE_H

#include <signal.h>
#include <stdio.h>

#include "config/config.h"
#include "core/err.h"

/* Run until *stop becomes non-zero (SIGTERM) or a fatal error.
 * Returns SL_OK after a clean drain. */
enum sl_err sl_capture_run(const struct sl_config *cfg, volatile sig_atomic_t *stop,
			   struct sl_errbuf *eb);
/* Stop cleanly once everything up to lsn is confirmed (0 = never). */
void sl_capture_set_until_lsn(uint64_t lsn);

/* Preflight only: print a readable report to out; *problems counts the
 * checks that failed (warnings are not counted). */
enum sl_err sl_capture_check(const struct sl_config *cfg, FILE *out, int *problems,
			     struct sl_errbuf *eb);

#endif
