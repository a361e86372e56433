/* SPDX-License-Identifier: Apache-2.0
 *
 * status.h -- the connector's state, as Kafka Connect's REST API shows it.
 *
 * One process runs one connector with one task, so this is a process-wide
 * singleton: the pipeline sets the state, the HTTP thread reads it, and
 * the HTTP thread records pause/resume/restart requests that the pipeline
 * picks up between batches.  Every function is thread-safe (one mutex;
 * the control flags are atomics so the pipeline's per-batch checks never
 * block).
 *
 * States (Kafka Connect's names):
 *   UNASSIGNED  starting: configuration loaded, not yet connected once;
 *   RUNNING     snapshotting, streaming or consuming -- also while a lost
 *               connection is being retried (readiness says "not ready"
 *               then, and sluice_retries_total counts the attempts);
 *   PAUSED      after PUT .../pause: no reading from the source, the
 *               position and the slot are kept;
 *   FAILED      retries exhausted or a non-retryable error (wrong
 *               password, missing slot, bad data): `trace` says why.
 * Each change is logged once ("connector \"x\" is RUNNING (was
 * UNASSIGNED)"); setting the current state again logs nothing.
 *
 * Readiness (GET /readyz) is separate from the state: ready means
 * connected and snapshotting, streaming or consuming.
 *
 * Strings passed in are copied; the JSON writers append to caller-owned
 * buffers.  No secret may be passed in: the trace is an error message,
 * which sluice never fills with a secret, and the config body comes from
 * sl_config_print (secrets redacted).
 */
#ifndef SL_OBS_STATUS_H
#define SL_OBS_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "core/buf.h"
#include "core/err.h"

enum sl_conn_state { SL_CONN_UNASSIGNED, SL_CONN_RUNNING, SL_CONN_PAUSED, SL_CONN_FAILED };

/* Name of a state, e.g. "RUNNING". */
const char *sl_conn_state_name(enum sl_conn_state s);

/* Start over as UNASSIGNED, not ready, no requests pending.  type is
 * "source" (capture, run) or "sink" (archive); worker_id is "host:port".
 * cfg (may be NULL) is rendered once into the body of .../config. */
enum sl_err sl_status_init(const char *name, const char *type, const char *worker_id,
			   const struct sl_config *cfg, struct sl_errbuf *eb);
/* Release the copies (process exit, tests). */
void sl_status_free(void);

/* The connector name given to sl_status_init ("" before). */
const char *sl_status_name(void);
/* The default name for a role: "<topic.prefix>-capture", "<prefix>-run",
 * or "sluice-archive"; the `name` key wins when set.  Written to out. */
void sl_status_default_name(const struct sl_config *cfg, unsigned role, char *out, size_t n);

/* Change state; trace (FAILED only; may be NULL) explains. */
void sl_status_set_state(enum sl_conn_state s, const char *trace);
enum sl_conn_state sl_status_state(void);
/* Readiness and, when not ready, a short reason ("connecting",
 * "postgres unreachable", "paused", ...). */
void sl_status_set_ready(bool ready, const char *reason);
bool sl_status_ready(char *reason, size_t n);

/* Requests from the REST API, read by the pipeline. */
void sl_status_request_pause(bool pause);
bool sl_status_pause_requested(void);
void sl_status_request_restart(void);
/* True once per restart request (clears it). */
bool sl_status_take_restart(void);
/* Whether a restart is pending, without clearing it. */
bool sl_status_restart_pending(void);

/* Kafka Connect JSON bodies. */
enum sl_err sl_status_json(struct sl_buf *out);         /* GET /connectors/<n>/status */
enum sl_err sl_status_task_json(struct sl_buf *out);    /* GET .../tasks/0/status */
enum sl_err sl_status_config_json(struct sl_buf *out);  /* GET .../config */
enum sl_err sl_status_info_json(struct sl_buf *out);    /* GET /connectors/<n> */

#endif
