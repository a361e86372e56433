/* SPDX-License-Identifier: Apache-2.0
 *
 * keys.c -- THE table of configuration keys.
 *
 * Every key sluice accepts is declared here once: name, type, default,
 * allowed values, bounds, secrecy, the commands (roles) that use it, the
 * roles that require it, accepted aliases and one or two sentences of
 * documentation.  The loader, `--help` and docs/CONFIG.md all read this
 * table, so adding a key here is all it takes to make it known everywhere.
 *
 * Names and defaults follow Debezium's PostgreSQL connector (capture) and
 * Confluent's S3 sink connector (archive); deliberate differences are
 * stated in the key's doc.  The table is static and never freed.
 */
#include "config/keys.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#define CAP (SL_ROLE_CAPTURE | SL_ROLE_RUN)
#define ARC (SL_ROLE_ARCHIVE | SL_ROLE_RUN)
#define ALL SL_ROLE_ALL
#define I32 INT32_MAX
#define HOUR_MS 3600000

static const struct sl_config_key keys[] = {
	/* --- every command --------------------------------------------- */
	{.name = "name", .type = SL_CFG_STRING, .roles = ALL,
	 .doc = "Name of this connector instance, shown in logs and status output. "
		"When unset, the command chooses one."},
	{.name = "connector.class", .type = SL_CFG_STRING, .roles = ALL,
	 .doc = "Accepted so that Kafka Connect configuration files load unchanged; "
		"the command decides what runs, so the value is ignored."},
	{.name = "tasks.max", .type = SL_CFG_INT, .def = "1", .min = 1, .max = 1, .roles = ALL,
	 .doc = "Accepted for Kafka Connect compatibility. sluice runs one task per process, "
		"so 1 is the only allowed value."},
	{.name = "key.converter", .type = SL_CFG_ENUM,
	 .def = "org.apache.kafka.connect.json.JsonConverter",
	 .enum_values = "org.apache.kafka.connect.json.JsonConverter", .roles = ALL,
	 .doc = "Record key format. Only JSON is supported; the key is accepted so that "
		"existing configurations load."},
	{.name = "value.converter", .type = SL_CFG_ENUM,
	 .def = "org.apache.kafka.connect.json.JsonConverter",
	 .enum_values = "org.apache.kafka.connect.json.JsonConverter", .roles = ALL,
	 .doc = "Record value format. Only JSON is supported; the key is accepted so that "
		"existing configurations load."},
	{.name = "key.converter.schemas.enable", .type = SL_CFG_BOOL, .def = "false",
	 .roles = ALL,
	 .doc = "Whether record keys use the JSON envelope with an inline schema "
		"({\"schema\":...,\"payload\":...}) instead of the bare payload."},
	{.name = "value.converter.schemas.enable", .type = SL_CFG_BOOL, .def = "false",
	 .roles = ALL,
	 .doc = "Whether record values use the JSON envelope with an inline schema "
		"({\"schema\":...,\"payload\":...}) instead of the bare payload."},
	{.name = "kafka.bootstrap.servers", .type = SL_CFG_LIST, .roles = ALL,
	 .doc = "Kafka brokers as host:port[,host:port...], handed to librdkafka as "
		"bootstrap.servers like every other kafka.* key. Needed by capture when "
		"sink.type=kafka and by archive."},
	{.name = "http.listen", .type = SL_CFG_STRING, .def = "127.0.0.1:8083", .roles = ALL,
	 .doc = "host:port of the HTTP endpoint for health, status and metrics. "
		"Empty or \"off\" turns it off."},
	{.name = "log.format", .type = SL_CFG_ENUM, .enum_values = "json|text", .roles = ALL,
	 .doc = "Format of log lines on stderr. Unset: json when stderr is not a terminal, "
		"text when it is."},
	{.name = "log.level", .type = SL_CFG_ENUM, .def = "info",
	 .enum_values = "debug|info|warn|error", .roles = ALL,
	 .doc = "Least severe log level that is written."},
	{.name = "offset.storage.dir", .type = SL_CFG_STRING, .def = "./sluice-state",
	 .roles = ALL,
	 .doc = "Directory for local state such as spooled transactions. Created when "
		"missing; two running processes must not share it."},

	/* --- capture: Debezium PostgreSQL connector -------------------- */
	{.name = "database.hostname", .type = SL_CFG_STRING, .def = "localhost", .roles = CAP,
	 .doc = "Host name or address of the PostgreSQL server (a path starting with / "
		"selects a Unix socket directory)."},
	{.name = "database.port", .type = SL_CFG_INT, .def = "5432", .min = 1, .max = 65535,
	 .roles = CAP, .doc = "TCP port of the PostgreSQL server."},
	{.name = "database.user", .type = SL_CFG_STRING, .roles = CAP,
	 .doc = "PostgreSQL role to connect as; it needs REPLICATION and SELECT on the "
		"captured tables. Unset: libpq's default (PGUSER, else the OS user)."},
	{.name = "database.password", .type = SL_CFG_STRING, .secret = true, .roles = CAP,
	 .doc = "Password of database.user. Never printed; prefer ${env:NAME} or "
		"${file:/path:key} over writing it in the file."},
	{.name = "database.dbname", .type = SL_CFG_STRING, .roles = CAP,
	 .doc = "Database to capture changes from. Unset: libpq's default (PGDATABASE, "
		"else the user name)."},
	{.name = "database.sslmode", .type = SL_CFG_ENUM, .def = "prefer",
	 .enum_values = "disable|allow|prefer|require|verify-ca|verify-full", .roles = CAP,
	 .doc = "libpq TLS mode for the database connection."},
	{.name = "database.sslrootcert", .type = SL_CFG_STRING, .roles = CAP,
	 .doc = "File with the CA certificates used to verify the server for "
		"sslmode verify-ca and verify-full."},
	{.name = "topic.prefix", .type = SL_CFG_STRING, .roles = CAP, .required = CAP,
	 .aliases = NULL,
	 .doc = "Logical name of the source database: every topic is named "
		"<topic.prefix>.<schema>.<table>. Required; do not change it once events "
		"were published."},
	{.name = "table.include.list", .type = SL_CFG_LIST, .roles = CAP,
	 .doc = "Comma-separated regular expressions matched against schema.table; only "
		"matching tables are captured. Cannot be combined with table.exclude.list."},
	{.name = "table.exclude.list", .type = SL_CFG_LIST, .roles = CAP,
	 .doc = "Comma-separated regular expressions matched against schema.table; matching "
		"tables are not captured."},
	{.name = "schema.include.list", .type = SL_CFG_LIST, .roles = CAP,
	 .doc = "Comma-separated regular expressions matched against schema names; only "
		"tables in matching schemas are captured. Cannot be combined with "
		"schema.exclude.list."},
	{.name = "schema.exclude.list", .type = SL_CFG_LIST, .roles = CAP,
	 .doc = "Comma-separated regular expressions matched against schema names; tables in "
		"matching schemas are not captured."},
	{.name = "column.exclude.list", .type = SL_CFG_LIST, .roles = CAP,
	 .doc = "Comma-separated regular expressions matched against schema.table.column; "
		"matching columns are left out of change events."},
	{.name = "message.key.columns", .type = SL_CFG_STRING, .roles = CAP,
	 .doc = "Custom record keys as schema.table:col[,col...] entries separated by ';', for "
		"tables without a primary key or to key by other columns."},
	{.name = "slot.name", .type = SL_CFG_STRING, .def = "debezium", .roles = CAP,
	 .doc = "Name of the logical replication slot; it holds the position that survives "
		"restarts."},
	{.name = "slot.drop.on.stop", .type = SL_CFG_BOOL, .def = "false", .roles = CAP,
	 .doc = "Drop the replication slot on a clean stop. Only for tests: the next start "
		"cannot resume where this one stopped."},
	{.name = "publication.name", .type = SL_CFG_STRING, .def = "dbz_publication",
	 .roles = CAP, .doc = "Name of the PostgreSQL publication that pgoutput streams."},
	{.name = "publication.autocreate.mode", .type = SL_CFG_ENUM, .def = "all_tables",
	 .enum_values = "all_tables|filtered|disabled", .roles = CAP,
	 .doc = "How the publication is created when missing: for all tables, for the "
		"tables the include/exclude lists select, or not at all (it must exist)."},
	{.name = "plugin.name", .type = SL_CFG_ENUM, .def = "pgoutput", .enum_values = "pgoutput",
	 .roles = CAP,
	 .doc = "Logical decoding plugin. Only pgoutput, which ships with PostgreSQL, is "
		"supported."},
	{.name = "snapshot.mode", .type = SL_CFG_ENUM, .def = "initial",
	 .enum_values = "initial|initial_only|no_data|when_needed|always", .roles = CAP,
	 .doc = "When to copy existing rows before streaming. initial: when the slot does not "
		"exist yet (or the last snapshot did not finish); an existing slot is resumed. "
		"initial_only: the same, then stop. no_data (Debezium's older alias never is "
		"accepted): never; a new slot streams from its creation. when_needed: when no "
		"stored offset is found (the slot is missing, or offset.storage.dir has no record "
		"of it) or the stored position is no longer available (the slot is gone or its "
		"WAL was removed, wal_status lost); the slot is then recreated. always: at every "
		"start of the process, dropping and recreating the slot; a reconnect after a lost "
		"connection resumes from the slot instead."},
	{.name = "snapshot.max.threads", .type = SL_CFG_INT, .def = "1", .min = 1, .max = 64,
	 .roles = CAP,
	 .doc = "Reader threads (one connection each, all on the same exported snapshot) that "
		"copy tables during a snapshot. With more than 1, every table is split into CTID "
		"ranges of 2048 pages (16 MiB) that any free reader takes, so one big table is "
		"read in parallel too; with 1, tables are copied whole, one after another."},
	{.name = "snapshot.fetch.size", .type = SL_CFG_INT, .def = "10240", .min = 1,
	 .max = 10000000, .roles = CAP, .no_effect = true,
	 .doc = "Accepted for Debezium compatibility. sluice reads snapshot "
		"tables with COPY, which streams rows without fetch round trips, so there is no "
		"fetch size to tune."},
	{.name = "decimal.handling.mode", .type = SL_CFG_ENUM, .def = "precise",
	 .enum_values = "precise|string|double", .roles = CAP,
	 .doc = "How NUMERIC and DECIMAL values are encoded: exact bytes with a scale, text, "
		"or a double that may lose precision."},
	{.name = "time.precision.mode", .type = SL_CFG_ENUM, .def = "adaptive",
	 .enum_values = "adaptive|adaptive_time_microseconds|connect", .roles = CAP,
	 .doc = "How date and time values are encoded: precision taken from the column type, "
		"the same with TIME always in microseconds, or Kafka Connect's "
		"millisecond logical types."},
	{.name = "binary.handling.mode", .type = SL_CFG_ENUM, .def = "bytes",
	 .enum_values = "bytes|base64|base64-url-safe|hex", .roles = CAP,
	 .doc = "How BYTEA values, and those of include.unknown.datatypes, are encoded in "
		"events."},
	{.name = "interval.handling.mode", .type = SL_CFG_ENUM, .def = "numeric",
	 .enum_values = "numeric|string", .roles = CAP,
	 .doc = "How INTERVAL values are encoded: approximate microseconds, or an ISO 8601 "
		"string such as P1Y2M3DT4H5M6.78S."},
	{.name = "hstore.handling.mode", .type = SL_CFG_ENUM, .def = "json",
	 .enum_values = "json|map", .roles = CAP,
	 .doc = "How HSTORE values (also inside hstore[]) are encoded. json: a string whose "
		"text is a JSON object of the pairs, such as {\"a\":\"1\",\"b\":null} (schema name "
		"io.debezium.data.Json). map: a Kafka Connect map of strings to optional strings, "
		"so the event holds that object itself. Pairs come in the order Debezium's "
		"java.util.HashMap gives them."},
	{.name = "include.unknown.datatypes", .type = SL_CFG_BOOL, .def = "false", .roles = CAP,
	 .doc = "What happens to a column whose type has no mapping (an extension or "
		"user-defined type such as cube, a composite type, or an array of one). false: "
		"it is left out of events, with one warning per table and column. true: it is "
		"included as the bytes of PostgreSQL's text output of the value, encoded per "
		"binary.handling.mode (an array of such values for an array column)."},
	{.name = "money.fraction.digits", .type = SL_CFG_INT, .def = "2", .min = 0, .max = 20,
	 .roles = CAP,
	 .doc = "Scale used for MONEY values when decimal.handling.mode=precise."},
	{.name = "tombstones.on.delete", .type = SL_CFG_BOOL, .def = "true", .roles = CAP,
	 .doc = "Follow each delete event with a record that has the same key and a null "
		"value, so Kafka log compaction can drop the row."},
	{.name = "provide.transaction.metadata", .type = SL_CFG_BOOL, .def = "false",
	 .roles = CAP,
	 .doc = "Add a transaction block to each event and publish BEGIN/END markers to "
		"<topic.prefix>.transaction."},
	{.name = "skipped.operations", .type = SL_CFG_LIST, .def = "t",
	 .enum_values = "c|u|d|t|none", .roles = CAP,
	 .doc = "Operations not published: c (create), u (update), d (delete), t (truncate), "
		"or none to publish all."},
	{.name = "unavailable.value.placeholder", .type = SL_CFG_STRING,
	 .def = "__debezium_unavailable_value", .roles = CAP,
	 .doc = "Stands in for an unchanged TOASTed value that PostgreSQL did not send with an "
		"update (tables without REPLICA IDENTITY FULL)."},
	{.name = "heartbeat.interval.ms", .type = SL_CFG_DURATION_MS, .def = "0", .min = 0,
	 .max = 24LL * HOUR_MS, .roles = CAP,
	 .doc = "Interval of heartbeat records on __debezium-heartbeat.<topic.prefix>, which "
		"let the slot advance while captured tables are idle; 0 turns them off."},
	{.name = "heartbeat.action.query", .type = SL_CFG_STRING, .roles = CAP,
	 .doc = "SQL run on the source at each heartbeat, e.g. an update of a heartbeat "
		"table, so WAL moves on a database with no captured traffic."},
	{.name = "sink.type", .type = SL_CFG_ENUM, .def = "kafka",
	 .enum_values = "kafka|file|stdout|lake", .roles = CAP,
	 .doc = "Where change events go: Kafka topics, a JSON-lines file (sink.file.path), "
		"stdout as JSON lines, or Parquet files in store.url (lake; what sluice run "
		"always uses)."},
	{.name = "sink.file.path", .type = SL_CFG_STRING, .roles = CAP,
	 .doc = "Output file for sink.type=file; required with it. Records are appended and "
		"fsynced in groups before they are acknowledged; a FIFO or a character device "
		"is written without fsync (a record counts as delivered once written), as stdout "
		"is."},
	{.name = "sink.file.direct.io", .type = SL_CFG_BOOL, .def = "true", .roles = CAP,
	 .doc = "Write the sink file with direct I/O (O_DIRECT, 1 MiB writes), past the page "
		"cache, so the fsync before each acknowledgement has little left to flush; a "
		"file system without direct I/O falls back to the page cache by itself. Set "
		"false where the page cache writes faster, e.g. storage with high per-write "
		"latency."},
	{.name = "topic.creation.default.partitions", .type = SL_CFG_INT, .def = "-1",
	 .min = -1, .max = 1000000, .roles = CAP,
	 .doc = "Partitions of topics sluice creates; -1 uses the broker's default."},
	{.name = "topic.creation.default.replication.factor", .type = SL_CFG_INT, .def = "-1",
	 .min = -1, .max = 32767, .roles = CAP,
	 .doc = "Replication factor of topics sluice creates; -1 uses the broker's default."},
	{.name = "max.queue.size", .type = SL_CFG_INT, .def = "8192", .min = 2, .max = 16777216,
	 .roles = CAP, .no_effect = true,
	 .doc = "Accepted for Debezium compatibility (as in Debezium it must be larger than "
		"max.batch.size). sluice has no queue between the replication "
		"reader and the sink: each change goes to the sink as it is decoded. What bounds "
		"memory is librdkafka's queue (kafka.queue.buffering.max.messages, default "
		"100000, and kafka.queue.buffering.max.kbytes, default 16384); when it is full, "
		"sluice stops reading from PostgreSQL until it drains."},
	{.name = "max.batch.size", .type = SL_CFG_INT, .def = "2048", .min = 1, .max = 1048576,
	 .roles = CAP, .no_effect = true,
	 .doc = "Accepted for Debezium compatibility. sluice hands changes to "
		"the sink one by one, not in batches taken from a queue. Kafka batches are sized "
		"by kafka.batch.size and kafka.linger.ms; the file sink fsyncs in groups."},
	{.name = "poll.interval.ms", .type = SL_CFG_DURATION_MS, .def = "500", .min = 1,
	 .max = HOUR_MS, .roles = CAP, .no_effect = true,
	 .doc = "Accepted for Debezium compatibility. Debezium waits this long "
		"for its internal queue to fill before passing a batch on; sluice has no such "
		"queue, so there is nothing to wait for. The Kafka producer's own wait is "
		"kafka.linger.ms (default 5)."},
	{.name = "status.update.interval.ms", .type = SL_CFG_DURATION_MS, .def = "10000",
	 .min = 1, .max = HOUR_MS, .roles = CAP,
	 .doc = "Interval of standby status updates (keepalive and confirmed position) sent to "
		"PostgreSQL on the replication connection."},
	{.name = "retriable.restart.connector.wait.ms", .type = SL_CFG_DURATION_MS,
	 .def = "10000", .min = 0, .max = HOUR_MS, .roles = CAP,
	 .doc = "Wait before the first reconnect after a retriable error such as a lost or "
		"refused database connection. Each further failure in a row doubles the wait, up "
		"to 30 s or this value if that is larger; each wait is shortened by a random 0-25% "
		"so that many instances do not retry in step. Values below 100 ms count as "
		"100 ms."},
	{.name = "errors.max.retries", .type = SL_CFG_INT, .def = "-1", .min = -1, .max = I32,
	 .roles = CAP,
	 .doc = "Retriable errors in a row tolerated before giving up; -1 retries forever, "
		"0 fails at once."},
	{.name = "streaming.in.progress", .type = SL_CFG_BOOL, .roles = CAP,
	 .doc = "On PostgreSQL 14+, ask the server to send a transaction bigger than "
		"logical_decoding_work_mem in chunks while it is still in progress (pgoutput "
		"streaming 'on'); sluice keeps the chunks in streaming.spool.dir and publishes "
		"them at the commit. false: the server spills such a transaction to its own disk "
		"(pg_replslot) and sends it after the commit, while sluice processes it as it "
		"arrives. Either way sluice never holds a transaction in memory. Unset: true for "
		"sluice capture; false for sluice run, where a large transaction lands about "
		"1.4 to 1.7 times sooner that way (bench/README.md)."},
	{.name = "streaming.spool.dir", .type = SL_CFG_STRING, .roles = CAP,
	 .doc = "Directory where large in-progress transactions streamed by PostgreSQL are "
		"kept until they commit. Unset: <offset.storage.dir>/spool."},

	/* --- archive: Confluent S3 sink connector ---------------------- */
	{.name = "topics", .type = SL_CFG_LIST, .roles = ARC,
	 .doc = "Topics to archive. sluice archive needs this or topics.regex, not both."},
	{.name = "topics.regex", .type = SL_CFG_STRING, .roles = ARC,
	 .doc = "Regular expression selecting the topics to archive, instead of topics."},
	{.name = "group.id", .type = SL_CFG_STRING, .roles = ARC,
	 .doc = "Kafka consumer group holding the archive's committed offsets. Unset: "
		"connect-<name>, as Kafka Connect names sink groups."},
	{.name = "format.class", .type = SL_CFG_ENUM, .def = "parquet",
	 .enum_values = "parquet|json", .roles = ARC,
	 .doc = "File format written to the store. Confluent's class names "
		"(io.confluent.connect.s3.format.parquet.ParquetFormat, ...JsonFormat) are "
		"accepted. Confluent has no default; sluice writes Parquet."},
	{.name = "parquet.codec", .type = SL_CFG_ENUM, .def = "snappy",
	 .enum_values = "none|snappy|gzip|zstd", .roles = ARC,
	 .doc = "Compression of Parquet column chunks."},
	{.name = "flush.size", .type = SL_CFG_INT, .def = "10000", .min = 1, .max = I32,
	 .roles = ARC,
	 .doc = "Records per commit: once a topic partition's open files (one per encoded "
		"partition) hold this many together, all are committed, as in Confluent's sink "
		"(sluice run: once one file holds this many, the topic's files are committed). "
		"Confluent requires it; sluice defaults to 10000."},
	{.name = "rotate.interval.ms", .type = SL_CFG_DURATION_MS, .def = "-1", .min = -1,
	 .max = 365LL * 24 * HOUR_MS, .roles = ARC,
	 .doc = "Commit a partition's open files before a record whose time (the timestamp "
		"extractor's) is this far past the first record's; -1 turns it off."},
	{.name = "rotate.schedule.interval.ms", .type = SL_CFG_DURATION_MS, .def = "-1",
	 .min = -1, .max = 365LL * 24 * HOUR_MS, .roles = ARC,
	 .doc = "Commit open files at least this often by wall-clock time, so quiet topics "
		"still land; -1 turns it off (sluice archive's default). Unset in sluice run: "
		"5000. Still exactly once: see docs/ARCHIVE.md."},
	{.name = "partitioner.class", .type = SL_CFG_ENUM, .def = "Default",
	 .enum_values = "Default|TimeBased|Daily|Hourly|Field", .roles = ARC,
	 .doc = "Directory layout under topics.dir/<topic>: by Kafka partition, by time "
		"(path.format), per day, per hour, or by record fields. Confluent's "
		"io.confluent.connect.storage.partitioner.* class names are accepted."},
	{.name = "path.format", .type = SL_CFG_STRING, .roles = ARC,
	 .doc = "Directory pattern for partitioner.class=TimeBased, in Joda-Time syntax, e.g. "
		"'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH. Required with it."},
	{.name = "partition.duration.ms", .type = SL_CFG_DURATION_MS, .def = "-1", .min = -1,
	 .max = 365LL * 24 * HOUR_MS, .roles = ARC,
	 .doc = "Time span of one directory for partitioner.class=TimeBased. Required with "
		"it."},
	{.name = "partition.field.name", .type = SL_CFG_LIST, .roles = ARC,
	 .doc = "Record fields whose values name the directories for partitioner.class=Field. "
		"Required with it."},
	{.name = "locale", .type = SL_CFG_STRING, .roles = ARC,
	 .doc = "Locale for path.format, e.g. en-US. Accepted for compatibility; patterns are "
		"numeric, so it does not change the output."},
	{.name = "timezone", .type = SL_CFG_STRING, .roles = ARC,
	 .doc = "Time zone of time-based directories, e.g. UTC or Europe/Paris. Unset: UTC "
		"(Confluent requires it)."},
	{.name = "timestamp.extractor", .type = SL_CFG_ENUM, .def = "Wallclock",
	 .enum_values = "Record|RecordField|Wallclock", .roles = ARC,
	 .doc = "Time used by time-based partitioning and rotate.interval.ms: the Kafka record "
		"timestamp, a field of the record (timestamp.field), or the current time."},
	{.name = "timestamp.field", .type = SL_CFG_STRING, .def = "timestamp", .roles = ARC,
	 .doc = "Record field holding the time for timestamp.extractor=RecordField; nested "
		"fields as a.b.c."},
	{.name = "topics.dir", .type = SL_CFG_STRING, .def = "topics", .roles = ARC,
	 .doc = "Top-level directory (key prefix) of archived files in the store."},
	{.name = "store.url", .type = SL_CFG_STRING, .roles = ARC,
	 .doc = "Where files go: s3://bucket[/prefix] or file:///dir. For Confluent "
		"compatibility an http(s):// URL is taken as the S3 endpoint (s3.endpoint) with "
		"the bucket from s3.bucket.name. Unset: s3://<s3.bucket.name>; with no bucket, "
		"sluice run uses file://./lake."},
	{.name = "s3.bucket.name", .type = SL_CFG_STRING, .roles = ARC,
	 .doc = "S3 bucket to write to. sluice archive needs this or a store.url."},
	{.name = "s3.region", .type = SL_CFG_STRING, .def = "us-east-1", .roles = ARC,
	 .doc = "AWS region used to sign requests. Confluent defaults to us-west-2; sluice "
		"uses us-east-1, which S3-compatible servers expect by default."},
	{.name = "s3.endpoint", .type = SL_CFG_STRING, .roles = ARC,
	 .doc = "S3 API endpoint such as http://127.0.0.1:9000 for MinIO or Ceph. Unset: "
		"https://s3.<region>.amazonaws.com. Confluent spells this store.url."},
	{.name = "s3.path.style.access.enabled", .type = SL_CFG_BOOL, .def = "true",
	 .roles = ARC, .aliases = "s3.path.style.access",
	 .doc = "Put the bucket in the URL path rather than the host name, as most "
		"S3-compatible servers need."},
	{.name = "s3.part.size", .type = SL_CFG_INT, .def = "26214400", .min = 5242880,
	 .max = I32, .roles = ARC,
	 .doc = "Size of each multipart-upload part in bytes; a file that fits in one part is "
		"sent with a single PUT."},
	{.name = "s3.conditional.create", .type = SL_CFG_ENUM, .def = "auto",
	 .enum_values = "auto|true|false", .roles = ARC,
	 .doc = "Whether the S3 endpoint enforces If-None-Match on writes, which makes "
		"committing a file exactly-once; auto treats it as unknown (no)."},
	{.name = "aws.access.key.id", .type = SL_CFG_STRING, .roles = ARC,
	 .doc = "AWS access key id. Unset: AWS_ACCESS_KEY_ID from the environment."},
	{.name = "aws.secret.access.key", .type = SL_CFG_STRING, .secret = true, .roles = ARC,
	 .doc = "AWS secret access key. Never printed. Unset: AWS_SECRET_ACCESS_KEY from the "
		"environment."},
	{.name = "behavior.on.null.values", .type = SL_CFG_ENUM, .def = "ignore",
	 .enum_values = "ignore|fail", .roles = ARC,
	 .doc = "What to do with a record whose value is null, such as a delete tombstone: "
		"skip it or stop. Confluent defaults to fail, which stops at the first "
		"Debezium tombstone; sluice defaults to ignore."},
	{.name = "errors.tolerance", .type = SL_CFG_ENUM, .def = "none", .enum_values = "none|all",
	 .roles = ARC,
	 .doc = "none stops on a record that cannot be converted; all skips it (to the dead "
		"letter queue if one is set)."},
	{.name = "errors.deadletterqueue.topic.name", .type = SL_CFG_STRING, .roles = ARC,
	 .doc = "Topic receiving records skipped under errors.tolerance=all; unset drops "
		"them."},
};

static const char *const passthrough[] = {"kafka.", NULL};

/* Enum value aliases: Confluent class names and Debezium's old spellings. */
static const struct {
	const char *key, *alias, *value;
} enum_aliases[] = {
	{"snapshot.mode", "never", "no_data"},
	{"format.class", "io.confluent.connect.s3.format.parquet.ParquetFormat", "parquet"},
	{"format.class", "io.confluent.connect.s3.format.json.JsonFormat", "json"},
	{"parquet.codec", "uncompressed", "none"},
	{"partitioner.class", "io.confluent.connect.storage.partitioner.DefaultPartitioner",
	 "Default"},
	{"partitioner.class", "io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
	 "TimeBased"},
	{"partitioner.class", "io.confluent.connect.storage.partitioner.DailyPartitioner",
	 "Daily"},
	{"partitioner.class", "io.confluent.connect.storage.partitioner.HourlyPartitioner",
	 "Hourly"},
	{"partitioner.class", "io.confluent.connect.storage.partitioner.FieldPartitioner",
	 "Field"},
};

/* Names people bring from older Debezium versions or plain Kafka configs. */
static const struct {
	const char *name, *hint;
} renamed[] = {
	{"database.server.name", "Debezium 2.0 renamed it to \"topic.prefix\""},
	{"table.whitelist", "Debezium renamed it to \"table.include.list\""},
	{"table.blacklist", "Debezium renamed it to \"table.exclude.list\""},
	{"schema.whitelist", "Debezium renamed it to \"schema.include.list\""},
	{"schema.blacklist", "Debezium renamed it to \"schema.exclude.list\""},
	{"column.blacklist", "Debezium renamed it to \"column.exclude.list\""},
	{"bootstrap.servers", "librdkafka settings take a \"kafka.\" prefix: "
			      "\"kafka.bootstrap.servers\""},
};

const struct sl_config_key *sl_config_keys(size_t *n)
{
	if (n)
		*n = sizeof keys / sizeof keys[0];
	return keys;
}

const char *const *sl_config_passthrough_prefixes(void)
{
	return passthrough;
}

const char *sl_config_role_name(unsigned role)
{
	switch (role) {
	case SL_ROLE_CAPTURE: return "capture";
	case SL_ROLE_ARCHIVE: return "archive";
	case SL_ROLE_RUN: return "run";
	default: return "?";
	}
}

/* Whether name is one of the '|'-separated items of list. */
static bool in_bar_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; p && *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && !memcmp(p, name, n))
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

const struct sl_config_key *sl_config_key_find(const char *name)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!strcmp(keys[i].name, name) || (keys[i].aliases && in_bar_list(keys[i].aliases, name)))
			return &keys[i];
	return NULL;
}

const char *sl_config_enum_alias(const struct sl_config_key *k, const char *value)
{
	for (size_t i = 0; i < sizeof enum_aliases / sizeof enum_aliases[0]; i++)
		if (!strcmp(enum_aliases[i].key, k->name) &&
		    !strcasecmp(enum_aliases[i].alias, value))
			return enum_aliases[i].value;
	return NULL;
}

bool sl_config_enum_alias_at(const struct sl_config_key *k, unsigned i, const char **alias,
			  const char **value)
{
	unsigned seen = 0;
	for (size_t j = 0; j < sizeof enum_aliases / sizeof enum_aliases[0]; j++) {
		if (strcmp(enum_aliases[j].key, k->name) != 0)
			continue;
		if (seen++ == i) {
			*alias = enum_aliases[j].alias;
			*value = enum_aliases[j].value;
			return true;
		}
	}
	return false;
}

const char *sl_config_passthrough_prefix(const char *name)
{
	for (size_t i = 0; passthrough[i]; i++)
		if (!strncmp(name, passthrough[i], strlen(passthrough[i])))
			return passthrough[i];
	return NULL;
}

bool sl_config_passthrough_secret(const char *name)
{
	static const char *const marks[] = {"password", "secret", "sasl.jaas", "ssl.key"};
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if (strcasestr(name, marks[i]))
			return true;
	return false;
}

const char *sl_config_renamed_hint(const char *name)
{
	for (size_t i = 0; i < sizeof renamed / sizeof renamed[0]; i++)
		if (!strcmp(renamed[i].name, name))
			return renamed[i].hint;
	return NULL;
}
