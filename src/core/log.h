/* SPDX-License-Identifier: Apache-2.0
 *
 * log.h -- one line per event on stderr, as text or JSON.
 *
 * `log.format` is json|text (json by default when stderr is not a TTY) and
 * `log.level` filters.  Callers log state changes, not attempts: a retry
 * loop logs when it starts failing and when it recovers, with a count.
 * Never pass a secret to these functions.
 */
#ifndef SL_CORE_LOG_H
#define SL_CORE_LOG_H

#include <stdbool.h>

#include "core/err.h"

enum sl_log_level { SL_LOG_DEBUG, SL_LOG_INFO, SL_LOG_WARN, SL_LOG_ERROR };

/* format: "json", "text" or NULL (auto); level: "debug".."error" or NULL.
 * Returns SL_ERR_CONFIG on an unknown name. */
enum sl_err sl_log_setup(const char *format, const char *level);
void sl_log_set_component(const char *component); /* e.g. "capture" */
bool sl_log_enabled(enum sl_log_level lvl);
void sl_log(enum sl_log_level lvl, const char *fmt, ...) SL_PRINTF(2, 3);

#define sl_debug(...) sl_log(SL_LOG_DEBUG, __VA_ARGS__)
#define sl_info(...) sl_log(SL_LOG_INFO, __VA_ARGS__)
#define sl_warn(...) sl_log(SL_LOG_WARN, __VA_ARGS__)
#define sl_error(...) sl_log(SL_LOG_ERROR, __VA_ARGS__)

#endif
