/* SPDX-License-Identifier: Apache-2.0
 *
 * process.h -- the standard process_* metrics, read from /proc/self at
 * scrape time (the names and meanings of the Prometheus client
 * libraries' process collector).
 */
#ifndef SL_OBS_PROCESS_H
#define SL_OBS_PROCESS_H

#include "core/buf.h"

/* Append process_cpu_seconds_total, process_resident_memory_bytes,
 * process_virtual_memory_bytes, process_start_time_seconds,
 * process_open_fds, process_max_fds and process_threads.  A value that
 * cannot be read is left out (never a crash, never a made-up number). */
void sl_process_metrics_expose(struct sl_buf *out);

#endif
