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
			  "or the connection was lost. kind=s3: an object store request sent "
			  "again after a network error, HTTP 5xx, 429 or SlowDown."},
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
			     CAP, "Key plus value bytes of the encoded records handed to the sink. "
				  "Row changes that sluice run hands the lake unencoded count no "
				  "bytes (the lake's output shows in sluice_archive_*)."},
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
			      "Object store (S3) requests sent, by operation and HTTP status code; "
			      "every attempt counts, retries included.",
			      "op is the S3 API operation: PutObject, GetObject, HeadObject, "
			      "DeleteObject, ListObjectsV2, CreateMultipartUpload, UploadPart, "
			      "CompleteMultipartUpload, AbortMultipartUpload. code is the HTTP "
			      "status (200, 404, 412, 503, ...), or \"error\" when no response "
			      "came (connection refused, timeout). A file:// store makes no "
			      "requests."},
	[SL_M_S3_BYTES] = {"sluice_s3_bytes_total", SL_METRIC_COUNTER, "direction", "bytes", 1, NULL, 0,
			   ARC,
			   "Object store request and response body bytes, direction=sent or "
			   "received; every attempt counts."},
	[SL_M_S3_PART_RETRIES] = {"sluice_s3_part_retries_total", SL_METRIC_COUNTER, NULL, "retries", 1,
				  NULL, 0, ARC,
				  "Multipart upload parts (UploadPart) sent again after a transient "
				  "failure."},
	[SL_M_ARCHIVE_RECORDS] = {"sluice_archive_records_total", SL_METRIC_COUNTER, "topic",
				  "records", 1, NULL, 0, ARC,
				  "Records in data files committed to the store, by topic.",
				  "Counted when a file is committed, so it matches what readers of "
				  "the lake see. Files found already in the store (a replay after a "
				  "crash) are not counted again."},
	[SL_M_ARCHIVE_FILES] = {"sluice_archive_files_committed_total", SL_METRIC_COUNTER, "topic",
				"files", 1, NULL, 0, ARC,
				"Data files committed to the store, by topic.",
				"Files found already in the store (a replay after a crash) are not "
				"counted."},
	[SL_M_CONSUMER_LAG] = {"sluice_archive_consumer_lag_records", SL_METRIC_GAUGE,
			       "topic,partition", "records", 1, NULL, 0, SL_ROLE_ARCHIVE,
			       "Records between the partition's high watermark and the consumer "
			       "group's committed offset, for the partitions this process owns.",
			       "The lag kafka-consumer-groups --describe shows. The archive commits "
			       "an offset only once the files holding the records before it are "
			       "stored, so records in open files count as lag. Refreshed every 2 s; "
			       "a partition revoked from this process leaves the exposition."},
	[SL_M_ARCHIVE_CONSUMED] = {"sluice_archive_consumed_records_total", SL_METRIC_COUNTER,
				   "topic", "records", 1, NULL, 0, SL_ROLE_ARCHIVE,
				   "Records read from Kafka, by topic: archived, tombstones and bad "
				   "records alike.",
				   "A record read again after a rebalance or restart counts again."},
	[SL_M_ARCHIVE_CONSUMED_BYTES] = {"sluice_archive_consumed_bytes_total", SL_METRIC_COUNTER,
					 "topic", "bytes", 1, NULL, 0, SL_ROLE_ARCHIVE,
					 "Key plus value bytes of the records read from Kafka, by "
					 "topic."},
	[SL_M_ARCHIVE_BAD_RECORDS] = {"sluice_archive_bad_records_total", SL_METRIC_COUNTER,
				      "topic,action", "records", 1, NULL, 0, SL_ROLE_ARCHIVE,
				      "Records that could not be archived and were passed over "
				      "(errors.tolerance=all), by topic and action.",
				      "action=dead_letter: produced to "
				      "errors.deadletterqueue.topic.name; action=skipped: logged and "
				      "skipped (no dead letter queue). With errors.tolerance=none a bad "
				      "record fails the connector instead (sluice_errors_total)."},
	[SL_M_ARCHIVE_TOMBSTONES] = {"sluice_archive_tombstones_total", SL_METRIC_COUNTER, "topic",
				     "records", 1, NULL, 0, SL_ROLE_ARCHIVE,
				     "Records with a null value (tombstones) ignored, by topic "
				     "(behavior.on.null.values=ignore)."},
	[SL_M_ARCHIVE_ASSIGNED] = {"sluice_archive_assigned_partitions", SL_METRIC_GAUGE, NULL,
				   "partitions", 1, NULL, 0, SL_ROLE_ARCHIVE,
				   "Partitions currently assigned to this consumer."},
};

const struct sl_metric_def *sl_metrics_defs(size_t *n)
{
	*n = SL_M__COUNT;
	return defs;
}
