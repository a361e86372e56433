/* SPDX-License-Identifier: Apache-2.0
 *
 * metrics.h -- the process-wide metrics registry and its Prometheus text
 * exposition (format 0.0.4).
 *
 * Every metric sluice exports is declared once in the table in
 * obs/defs.c (name, type, labels, unit, help, which commands export it);
 * docs/METRICS.md is generated from that table, the same way
 * docs/CONFIG.md comes from the config key table.  Code refers to a metric
 * by its enum sl_metric_id, so a metric cannot be updated under a name the
 * table does not know.
 *
 * Values are stored as 64-bit integers in the metric's stored unit and
 * divided by the table's `scale` on output (e.g. microseconds stored,
 * seconds exposed), so every update is one relaxed atomic operation and
 * never takes a lock.  A labelled series ("child") is created on first use
 * under the registry mutex and lives until sl_metrics_reset(): callers may
 * cache the pointer.  The number of children per metric is capped
 * (SL_METRICS_MAX_CHILDREN); past the cap updates go to a sink that is
 * never exported, so a label with unbounded values cannot eat memory.
 *
 * Threads: updates from any thread; sl_metrics_expose() from the HTTP
 * thread.  Collect hooks run inside sl_metrics_expose(), on its thread,
 * to refresh gauges that are cheaper to compute on demand.
 *
 * Layering: obs/ sits beside core/ -- it includes only core/ and config/,
 * so every layer (sources, sinks, pipelines, cli) may update metrics.
 */
#ifndef SL_OBS_METRICS_H
#define SL_OBS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define SL_METRICS_MAX_LABELS 3
#define SL_METRICS_MAX_CHILDREN 4096
#define SL_METRICS_MAX_BUCKETS 16

enum sl_metric_type { SL_METRIC_COUNTER, SL_METRIC_GAUGE, SL_METRIC_HISTOGRAM };

/* One row of the table in obs/defs.c.  Keep the order of enum
 * sl_metric_id. */
struct sl_metric_def {
	const char *name;            /* full Prometheus name, e.g. sluice_sink_bytes_total */
	enum sl_metric_type type;
	const char *labels;          /* comma-separated label names; NULL = none */
	const char *unit;            /* exposed unit, for docs: "bytes", "seconds", ... */
	int64_t scale;               /* exposed value = stored / scale; 0 or 1 = as stored */
	const double *buckets;       /* histogram upper bounds in exposed units, ascending */
	int nbuckets;
	unsigned roles;              /* SL_ROLE_* bits of the commands that export it */
	const char *help;            /* one sentence: # HELP and docs */
	const char *doc;             /* optional longer note for docs/METRICS.md; may be NULL */
};

enum sl_metric_id {
	/* every command */
	SL_M_BUILD_INFO,
	SL_M_CONNECTOR_STATE,
	SL_M_CONNECTOR_READY,
	SL_M_ERRORS,
	SL_M_RETRIES,
	SL_M_HTTP_REQUESTS,
	/* capture and run */
	SL_M_CAPTURE_EVENTS,
	SL_M_SINK_RECORDS,
	SL_M_SINK_BYTES,
	SL_M_SINK_ACKED,
	SL_M_SINK_IN_FLIGHT,
	SL_M_SNAPSHOT_RUNNING,
	SL_M_SNAPSHOT_ROWS,
	SL_M_SNAPSHOT_TABLES_PLANNED,
	SL_M_SNAPSHOT_TABLES_DONE,
	SL_M_SOURCE_LAG,
	SL_M_DELIVERY_LATENCY,
	SL_M_SLOT_LAG,
	SL_M_CONFIRMED_LSN,
	SL_M_RECEIVED_LSN,
	SL_M_TRANSACTIONS,
	/* archive and run */
	SL_M_S3_REQUESTS,
	SL_M_S3_BYTES,
	SL_M_S3_PART_RETRIES,
	SL_M_ARCHIVE_RECORDS,
	SL_M_ARCHIVE_FILES,
	SL_M_CONSUMER_LAG,
	/* archive only */
	SL_M_ARCHIVE_CONSUMED,
	SL_M_ARCHIVE_CONSUMED_BYTES,
	SL_M_ARCHIVE_BAD_RECORDS,
	SL_M_ARCHIVE_TOMBSTONES,
	SL_M_ARCHIVE_ASSIGNED,
	SL_M__COUNT
};

/* The table (static, lives forever). */
const struct sl_metric_def *sl_metrics_defs(size_t *n);

/* One series: a metric with one set of label values. */
struct sl_metric;

/* Choose which metrics the endpoint exports: those whose roles include
 * `role` (one SL_ROLE_* bit; 0 = all).  Call once at startup. */
void sl_metrics_init(unsigned role);
/* Drop every series (tests, and process exit for leak checkers).  No
 * other thread may use the registry meanwhile. */
void sl_metrics_reset(void);

/* The series of metric id with these label values (as many as the
 * table's labels; values are copied).  Never NULL: on a wrong label count,
 * out of memory or past the cap, a shared unexported series comes back. */
struct sl_metric *sl_metric_get(enum sl_metric_id id, const char *const *values, int nvalues);
/* Shorthands: no labels, one label, two labels. */
struct sl_metric *sl_metric0(enum sl_metric_id id);
struct sl_metric *sl_metric1(enum sl_metric_id id, const char *v1);
struct sl_metric *sl_metric2(enum sl_metric_id id, const char *v1, const char *v2);

/* Counters: add v >= 0 (in stored units).  Gauges: add any v. */
void sl_metric_add(struct sl_metric *m, int64_t v);
/* Gauges: set. */
void sl_metric_set(struct sl_metric *m, int64_t v);
/* Histograms: one observation, in stored units. */
void sl_metric_observe(struct sl_metric *m, int64_t v);
/* Leave a series out of the exposition (false) or put it back (true),
 * keeping its value: e.g. the lag of a partition this process no longer
 * owns.  Series start visible. */
void sl_metric_set_visible(struct sl_metric *m, bool visible);
/* Current stored value (counter/gauge) or observation count (histogram). */
int64_t sl_metric_value(const struct sl_metric *m);

/* Convenience for one-off updates on the cold path. */
void sl_metrics_inc(enum sl_metric_id id, const char *v1);

/* Register fn to run at the start of every exposition (up to 8 hooks).
 * Unregister with the same pair before ctx goes away. */
typedef void (*sl_metrics_collect_fn)(void *ctx);
enum sl_err sl_metrics_add_collector(sl_metrics_collect_fn fn, void *ctx);
void sl_metrics_remove_collector(sl_metrics_collect_fn fn, void *ctx);

/* Append the text exposition of every exported metric, then the
 * process_* metrics (obs/process.h), to out. */
enum sl_err sl_metrics_expose(struct sl_buf *out);

/* The `kind` label for sluice_errors_total: "transient" for SL_ERR_RETRY,
 * else the code's name in lower case ("auth", "config", "proto", ...). */
const char *sl_metrics_err_kind(enum sl_err err);

/* Append a Prometheus label value, escaped (\\, \", \n). */
enum sl_err sl_metrics_escape_label(struct sl_buf *out, const char *v);

#endif
