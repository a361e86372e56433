/* SPDX-License-Identifier: Apache-2.0
 *
 * defs.c -- the one table of every metric sluice exports.
 *
 * Names follow the Prometheus conventions: a `sluice_` namespace, base
 * units (seconds, bytes) as suffixes, counters ending in _total.  The row
 * order must match enum sl_metric_id (checked by the unit tests).
 * docs/METRICS.md is generated from this table by tools/gen_metrics_docs;
 * tests/integration/60_obs_docs.sh fails when the two disagree.
 */
#include "obs/metrics.h"

#include "config/config.h"

#define CAP (SL_ROLE_CAPTURE | SL_ROLE_RUN)
#define ARC (SL_ROLE_ARCHIVE | SL_ROLE_RUN)
#define ALL SL_ROLE_ALL

/* Delivery latency: 5 ms .. 5 min. */
static const double latency_buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
					 1,     2.5,  5,     10,   30,  60,   300};

static const struct sl_metric_def defs[SL_M__COUNT] = {
	[SL_M_BUILD_INFO] = {"sluice_build_info", SL_METRIC_GAUGE, "version", "", 1, NULL, 0, ALL,
			     "Always 1; the version label names the running build."},
	[SL_M_CONNECTOR_STATE] = {"sluice_connector_state", SL_METRIC_GAUGE, "state", "", 1, NULL, 0,
				  ALL,
				  "1 for the connector's current state (UNASSIGNED, RUNNING, PAUSED, "
				  "FAILED), 0 for the others.",
				  "The same state as GET /connectors/<name>/status."},
	[SL_M_CONNECTOR_READY] = {"sluice_connector_ready", SL_METRIC_GAUGE, NULL, "", 1, NULL, 0, ALL,
				  "1 when GET /readyz answers 200: connected, and snapshotting, "
				  "streaming or consuming."},
	[SL_M_ERRORS] = {"sluice_errors_total", SL_METRIC_COUNTER, "kind", "errors", 1, NULL, 0, ALL,
			 "Errors that ended a session or the connector, by kind.",
			 "kind is the error class: transient (connection lost or refused), auth, "
			 "config, protocol, io, too_large, fatal, ..."},
	[SL_M_RETRIES] = {"sluice_retries_total", SL_METRIC_COUNTER, "kind", "retries", 1, NULL, 0,
			  ALL, "Reconnection attempts after a transient failure, by what failed.",
			  "kind=postgres: a new capture session after PostgreSQL was unreachable "
			  "or the connection was lost."},
	[SL_M_HTTP_REQUESTS] = {"sluice_http_requests_total", SL_METRIC_COUNTER, "code", "requests", 1,
				NULL, 0, ALL,
				"Requests served by the HTTP endpoint, by status code."},

	[SL_M_CAPTURE_EVENTS] = {"sluice_capture_events_total", SL_METRIC_COUNTER, "table,op",
				 "events", 1, NULL, 0, CAP,
				 "Change events handed to the sink, by table (schema.table) and "
				 "Debezium op (r, c, u, d, t, m).",
				 "Tombstones, transaction markers and heartbeats are not change "
				 "events: they are counted in sluice_sink_records_total only. "
				 "Logical decoding messages (op m) have table=\"\"."},
	[SL_M_SINK_RECORDS] = {"sluice_sink_records_total", SL_METRIC_COUNTER, NULL, "records", 1,
			       NULL, 0, CAP,
			       "Records handed to the sink: change events, tombstones, transaction "
			       "markers and heartbeats."},
	[SL_M_SINK_BYTES] = {"sluice_sink_bytes_total", SL_METRIC_COUNTER, NULL, "bytes", 1, NULL, 0,
			     CAP, "Key plus value bytes of the records handed to the sink."},
	[SL_M_SINK_ACKED] = {"sluice_sink_acked_records_total", SL_METRIC_COUNTER, NULL, "records", 1,
			     NULL, 0, CAP,
			     "Records the sink confirmed durable (Kafka acks=all delivery report, "
			     "file fsync, committed lake file)."},
	[SL_M_SINK_IN_FLIGHT] = {"sluice_sink_in_flight_records", SL_METRIC_GAUGE, NULL, "records", 1,
				 NULL, 0, CAP,
				 "Records handed to the sink and not yet confirmed: the in-flight "
				 "queue depth."},
	[SL_M_SNAPSHOT_RUNNING] = {"sluice_snapshot_running", SL_METRIC_GAUGE, NULL, "", 1, NULL, 0,
				   CAP, "1 while an initial snapshot is being taken."},
	[SL_M_SNAPSHOT_ROWS] = {"sluice_snapshot_rows_total", SL_METRIC_COUNTER, NULL, "rows", 1, NULL,
				0, CAP, "Rows read by snapshots since the process started."},
	[SL_M_SNAPSHOT_TABLES_PLANNED] = {"sluice_snapshot_tables_planned", SL_METRIC_GAUGE, NULL,
					  "tables", 1, NULL, 0, CAP,
					  "Tables the current or last snapshot reads."},
	[SL_M_SNAPSHOT_TABLES_DONE] = {"sluice_snapshot_tables_completed", SL_METRIC_GAUGE, NULL,
				       "tables", 1, NULL, 0, CAP,
				       "Tables the current or last snapshot has finished."},
	[SL_M_SOURCE_LAG] = {"sluice_capture_source_lag_seconds", SL_METRIC_GAUGE, NULL, "seconds",
			     1000, NULL, 0, CAP,
			     "How far delivery is behind the source: the age of the oldest "
			     "committed transaction not yet delivered, else the commit-to-delivery "
			     "time of the last one.",
			     "Debezium's MilliSecondsBehindSource, in seconds. It grows while the "
			     "sink is stuck and falls back when delivery resumes; an idle source "
			     "keeps the last delivery's value."},
	[SL_M_DELIVERY_LATENCY] = {"sluice_capture_delivery_latency_seconds", SL_METRIC_HISTOGRAM,
				   NULL, "seconds", 1000000, latency_buckets,
				   (int)(sizeof latency_buckets / sizeof latency_buckets[0]), CAP,
				   "Time from a transaction's commit in PostgreSQL to the sink "
				   "confirming its last event, per transaction.",
				   "Includes clock skew between the PostgreSQL host and this one."},
	[SL_M_SLOT_LAG] = {"sluice_capture_slot_lag_bytes", SL_METRIC_GAUGE, NULL, "bytes", 1, NULL, 0,
			   CAP,
			   "WAL the replication slot holds back: pg_current_wal_lsn() minus the "
			   "slot's confirmed_flush_lsn, polled every few seconds."},
	[SL_M_CONFIRMED_LSN] = {"sluice_capture_confirmed_lsn", SL_METRIC_GAUGE, NULL, "bytes", 1, NULL,
				0, CAP,
				"The last LSN confirmed to PostgreSQL, as a byte position in the "
				"WAL (X/Y is X*2^32+Y)."},
	[SL_M_RECEIVED_LSN] = {"sluice_capture_received_lsn", SL_METRIC_GAUGE, NULL, "bytes", 1, NULL,
			       0, CAP,
			       "The newest WAL position received from the replication slot."},
	[SL_M_TRANSACTIONS] = {"sluice_capture_transactions_total", SL_METRIC_COUNTER, NULL,
			       "transactions", 1, NULL, 0, CAP,
			       "Source transactions whose events were all confirmed by the sink."},

	[SL_M_S3_REQUESTS] = {"sluice_s3_requests_total", SL_METRIC_COUNTER, "op,code", "requests", 1,
			      NULL, 0, ARC,
			      "Object store requests, by operation (put, get, list, multipart, ...) "
			      "and HTTP status code."},
	[SL_M_S3_BYTES] = {"sluice_s3_bytes_total", SL_METRIC_COUNTER, "direction", "bytes", 1, NULL, 0,
			   ARC, "Object store payload bytes, direction=sent or received."},
	[SL_M_S3_PART_RETRIES] = {"sluice_s3_part_retries_total", SL_METRIC_COUNTER, NULL, "retries", 1,
				  NULL, 0, ARC, "Multipart upload parts sent again after a failure."},
	[SL_M_ARCHIVE_RECORDS] = {"sluice_archive_records_total", SL_METRIC_COUNTER, "topic",
				  "records", 1, NULL, 0, ARC,
				  "Records written to data files, by topic."},
	[SL_M_ARCHIVE_FILES] = {"sluice_archive_files_committed_total", SL_METRIC_COUNTER, "topic",
				"files", 1, NULL, 0, ARC,
				"Data files committed to the store, by topic."},
	[SL_M_CONSUMER_LAG] = {"sluice_archive_consumer_lag_records", SL_METRIC_GAUGE,
			       "topic,partition", "records", 1, NULL, 0, SL_ROLE_ARCHIVE,
			       "Records between the partition's high watermark and the committed "
			       "consumer offset."},
};

const struct sl_metric_def *sl_metrics_defs(size_t *n)
{
	*n = SL_M__COUNT;
	return defs;
}
