/* Unit tests: config loader -- key table, values, errors, references,
 * passthrough, overrides, printing and secrecy. */
#include "config/config.h"
#include "lib/test.h"

#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>

#define CAPTURE_MIN "topic.prefix=app\nsink.type=stdout\n"
#define ARCHIVE_MIN "topics=a.b.c\nkafka.bootstrap.servers=127.0.0.1:9092\ns3.bucket.name=lake\n"

static struct sl_errbuf eb;

/* Load text for role; returns the code, leaves the message in eb. */
static enum sl_err load(const char *text, unsigned role, struct sl_config **cfg)
{
	memset(&eb, 0, sizeof eb);
	return sl_config_load_string(text, strlen(text), role, cfg, &eb);
}

/* Load text that must fail; returns the message (static). */
static const char *fail_msg(const char *text, unsigned role)
{
	struct sl_config *cfg = NULL;
	enum sl_err e = load(text, role, &cfg);
	if (e == SL_OK) {
		sl_config_free(cfg);
		return "(loaded)";
	}
	if (cfg)
		return "(config set on error)";
	return e == SL_ERR_CONFIG ? eb.msg : "(wrong error code)";
}

/* Print cfg into a string the caller frees. */
static char *print_str(const struct sl_config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	enum sl_err e = sl_config_print(cfg, f);
	fclose(f);
	ok(e == SL_OK, "print succeeded");
	return buf;
}

static void test_defaults(void)
{
	struct sl_config *cfg;
	is_int(load(CAPTURE_MIN, SL_ROLE_CAPTURE, &cfg), SL_OK, "minimal capture config: %s",
	       eb.msg);
	is_str(sl_config_get(cfg, "topic.prefix"), "app", "explicit value");
	is_str(sl_config_get(cfg, "database.hostname"), "localhost", "default hostname");
	is_int(sl_config_get_int(cfg, "database.port"), 5432, "default port");
	is_str(sl_config_get(cfg, "slot.name"), "debezium", "default slot");
	is_str(sl_config_get(cfg, "publication.name"), "dbz_publication", "default publication");
	is_str(sl_config_get(cfg, "snapshot.mode"), "initial", "default snapshot.mode");
	is_str(sl_config_get(cfg, "skipped.operations"), "t", "default skipped.operations");
	ok(sl_config_get_bool(cfg, "tombstones.on.delete"), "tombstones default true");
	ok(!sl_config_get_bool(cfg, "slot.drop.on.stop"), "slot.drop.on.stop default false");
	is_int(sl_config_get_int(cfg, "status.update.interval.ms"), 10000, "status interval");
	is_int(sl_config_get_int(cfg, "errors.max.retries"), -1, "retries forever");
	ok(sl_config_get(cfg, "database.user") == NULL, "no default user");
	ok(sl_config_get(cfg, "log.format") == NULL, "log.format auto");
	ok(sl_config_get(cfg, "no.such.key") == NULL, "unknown key is NULL");
	is_int(sl_config_get_int(cfg, "no.such.key"), 0, "unknown int is 0");
	ok(sl_config_is_set(cfg, "topic.prefix"), "topic.prefix is set");
	ok(!sl_config_is_set(cfg, "slot.name"), "default is not set");
	is_str(sl_config_get(cfg, "streaming.spool.dir"), "./sluice-state/spool",
	       "spool dir derived from offset.storage.dir");
	ok(!sl_config_is_set(cfg, "streaming.spool.dir"), "derived is not set");
	is_int(sl_config_role(cfg), SL_ROLE_CAPTURE, "role");
	sl_config_free(cfg);

	is_int(load(CAPTURE_MIN "offset.storage.dir=/var/lib/sluice\n", SL_ROLE_CAPTURE, &cfg),
	       SL_OK, "state dir");
	is_str(sl_config_get(cfg, "streaming.spool.dir"), "/var/lib/sluice/spool",
	       "spool follows the state dir");
	sl_config_free(cfg);
	is_int(load(CAPTURE_MIN "streaming.spool.dir=/spool\n", SL_ROLE_CAPTURE, &cfg), SL_OK,
	       "explicit spool");
	is_str(sl_config_get(cfg, "streaming.spool.dir"), "/spool", "explicit spool kept");
	sl_config_free(cfg);
}

static void test_values(void)
{
	struct sl_config *cfg;
	is_int(load(CAPTURE_MIN "database.port=+6543\nsnapshot.mode=NEVER\n"
				"heartbeat.interval.ms=10s\npoll.interval.ms=250ms\n"
				"retriable.restart.connector.wait.ms=2m\n"
				"slot.drop.on.stop=TRUE\nskipped.operations= c , D ,\n"
				"decimal.handling.mode=String\n",
		    SL_ROLE_CAPTURE, &cfg),
	       SL_OK, "values load: %s", eb.msg);
	is_str(sl_config_get(cfg, "database.port"), "6543", "int normalized");
	is_str(sl_config_get(cfg, "snapshot.mode"), "no_data", "never is an alias of no_data");
	is_int(sl_config_get_int(cfg, "heartbeat.interval.ms"), 10000, "10s");
	is_str(sl_config_get(cfg, "poll.interval.ms"), "250", "250ms");
	is_int(sl_config_get_int(cfg, "retriable.restart.connector.wait.ms"), 120000, "2m");
	ok(sl_config_get_bool(cfg, "slot.drop.on.stop"), "TRUE");
	is_str(sl_config_get(cfg, "slot.drop.on.stop"), "true", "bool normalized");
	is_str(sl_config_get(cfg, "skipped.operations"), "c,d", "enum list normalized");
	is_str(sl_config_get(cfg, "decimal.handling.mode"), "string", "enum case folded");
	sl_config_free(cfg);

	is_int(load(ARCHIVE_MIN "format.class=io.confluent.connect.s3.format.parquet.ParquetFormat\n"
				"partitioner.class=io.confluent.connect.storage.partitioner."
				"HourlyPartitioner\nparquet.codec=ZSTD\n",
		    SL_ROLE_ARCHIVE, &cfg),
	       SL_OK, "Confluent class names: %s", eb.msg);
	is_str(sl_config_get(cfg, "format.class"), "parquet", "format class mapped");
	is_str(sl_config_get(cfg, "partitioner.class"), "Hourly", "partitioner mapped");
	is_str(sl_config_get(cfg, "parquet.codec"), "zstd", "codec");
	is_int(sl_config_get_int(cfg, "s3.part.size"), 26214400, "default part size");
	is_int(sl_config_get_int(cfg, "rotate.interval.ms"), -1, "rotation off by default");
	sl_config_free(cfg);
}

static void test_value_errors(void)
{
	is_str(fail_msg(CAPTURE_MIN "database.port=abc\n", SL_ROLE_CAPTURE),
	       "line 3: invalid value \"abc\" for \"database.port\": expected an integer from 1 "
	       "to 65535",
	       "bad int");
	is_str(fail_msg(CAPTURE_MIN "database.port=70000\n", SL_ROLE_CAPTURE),
	       "line 3: invalid value \"70000\" for \"database.port\": expected an integer from 1 "
	       "to 65535",
	       "int out of range");
	is_str(fail_msg(CAPTURE_MIN "database.port=99999999999999999999\n", SL_ROLE_CAPTURE),
	       "line 3: invalid value \"99999999999999999999\" for \"database.port\": expected an "
	       "integer from 1 to 65535",
	       "int overflow");
	is_str(fail_msg(CAPTURE_MIN "database.port=5432 \\ \n", SL_ROLE_CAPTURE),
	       "line 3: invalid value \"5432  \" for \"database.port\": expected an integer from 1 "
	       "to 65535",
	       "int with an escaped blank");
	is_str(fail_msg("tasks.max=2\n" CAPTURE_MIN, SL_ROLE_CAPTURE),
	       "line 1: invalid value \"2\" for \"tasks.max\": expected 1", "tasks.max");
	is_str(fail_msg(CAPTURE_MIN "snapshot.mode=initail\n", SL_ROLE_CAPTURE),
	       "line 3: invalid value \"initail\" for \"snapshot.mode\": expected one of initial, "
	       "initial_only, no_data, when_needed, always (did you mean \"initial\"?)",
	       "bad enum lists values and suggests");
	is_str(fail_msg(CAPTURE_MIN "database.sslmode=bogus\n", SL_ROLE_CAPTURE),
	       "line 3: invalid value \"bogus\" for \"database.sslmode\": expected one of disable, "
	       "allow, prefer, require, verify-ca, verify-full",
	       "bad enum without a suggestion");
	is_str(fail_msg(CAPTURE_MIN "slot.drop.on.stop=yes\n", SL_ROLE_CAPTURE),
	       "line 3: invalid value \"yes\" for \"slot.drop.on.stop\": expected true or false",
	       "bad bool");
	is_str(fail_msg(CAPTURE_MIN "heartbeat.interval.ms=5x\n", SL_ROLE_CAPTURE),
	       "line 3: invalid value \"5x\" for \"heartbeat.interval.ms\": expected milliseconds "
	       "from 0 to 86400000 (a number, or with a unit: 500ms, 10s, 5m, 1h)",
	       "bad duration");
	is_str(fail_msg(CAPTURE_MIN "skipped.operations=c,x\n", SL_ROLE_CAPTURE),
	       "line 3: invalid item \"x\" in \"skipped.operations\": expected one of c, u, d, t, "
	       "none",
	       "bad list item");
	is_str(fail_msg(CAPTURE_MIN "skipped.operations=none,c\n", SL_ROLE_CAPTURE),
	       "invalid value \"none,c\" for \"skipped.operations\": \"none\" cannot be combined "
	       "with operations",
	       "none mixed with operations");
	is_str(fail_msg(CAPTURE_MIN "plugin.name=decoderbufs\n", SL_ROLE_CAPTURE),
	       "line 3: invalid value \"decoderbufs\" for \"plugin.name\": expected one of "
	       "pgoutput",
	       "only pgoutput");
	is_str(fail_msg(CAPTURE_MIN "max.queue.size=100\nmax.batch.size=100\n", SL_ROLE_CAPTURE),
	       "\"max.queue.size\" (100) must be larger than \"max.batch.size\" (100)",
	       "queue vs batch");
	char longv[300], digits[201];
	memset(digits, '9', 200);
	digits[200] = '\0';
	snprintf(longv, sizeof longv, CAPTURE_MIN "database.port=%s\n", digits);
	const char *m = fail_msg(longv, SL_ROLE_CAPTURE);
	ok(strstr(m, "...\" for \"database.port\"") && strlen(m) < 300,
	   "long values are cut in messages: %s", m);
}

static void test_key_errors(void)
{
	is_str(fail_msg(CAPTURE_MIN "databse.port=1\n", SL_ROLE_CAPTURE),
	       "line 3: unknown key \"databse.port\" (did you mean \"database.port\"?)",
	       "unknown key with suggestion");
	is_str(fail_msg(CAPTURE_MIN "slot_name=x\n", SL_ROLE_CAPTURE),
	       "line 3: unknown key \"slot_name\" (did you mean \"slot.name\"?)", "underscores");
	is_str(fail_msg(CAPTURE_MIN "frobnicate=1\n", SL_ROLE_CAPTURE),
	       "line 3: unknown key \"frobnicate\"", "unknown key, nothing close");
	is_str(fail_msg("database.server.name=x\n", SL_ROLE_CAPTURE),
	       "line 1: unknown key \"database.server.name\": Debezium 2.0 renamed it to "
	       "\"topic.prefix\"",
	       "renamed Debezium key");
	is_str(fail_msg("bootstrap.servers=x\n", SL_ROLE_ARCHIVE),
	       "line 1: unknown key \"bootstrap.servers\": librdkafka settings take a \"kafka.\" "
	       "prefix: \"kafka.bootstrap.servers\"",
	       "bare librdkafka key");
	is_str(fail_msg(CAPTURE_MIN "s3.bucket.name=x\n", SL_ROLE_CAPTURE),
	       "line 3: key \"s3.bucket.name\" is not used by sluice capture (only by sluice "
	       "archive, sluice run)",
	       "key of another role");
	is_str(fail_msg(ARCHIVE_MIN "slot.name=x\n", SL_ROLE_ARCHIVE),
	       "line 4: key \"slot.name\" is not used by sluice archive (only by sluice capture, "
	       "sluice run)",
	       "capture key in archive");
	/* Suggestions come from the loading role's keys only. */
	is_str(fail_msg(CAPTURE_MIN "s3.bucket.nam=x\n", SL_ROLE_CAPTURE),
	       "line 3: unknown key \"s3.bucket.nam\"", "no suggestion from another role");
	is_str(fail_msg("kafka.=1\n", SL_ROLE_CAPTURE),
	       "line 1: key \"kafka.\" names no property after \"kafka.\"", "empty passthrough");
}

static void test_required(void)
{
	is_str(fail_msg("sink.type=stdout\n", SL_ROLE_CAPTURE),
	       "missing required key \"topic.prefix\" (sluice capture needs it)", "topic.prefix");
	is_str(fail_msg("topic.prefix=\nsink.type=stdout\n", SL_ROLE_CAPTURE),
	       "missing required key \"topic.prefix\" (sluice capture needs it)",
	       "empty counts as missing");
	is_str(fail_msg("sink.type=stdout\n", SL_ROLE_RUN),
	       "missing required key \"topic.prefix\" (sluice run needs it)", "run needs it too");
	is_str(fail_msg("topic.prefix=a\n", SL_ROLE_CAPTURE),
	       "missing required key \"kafka.bootstrap.servers\" (sink.type=kafka needs it)",
	       "kafka sink needs brokers");
	is_str(fail_msg("topic.prefix=a\nsink.type=file\n", SL_ROLE_CAPTURE),
	       "missing required key \"sink.file.path\" (sink.type=file needs it)",
	       "file sink needs a path");
	is_str(fail_msg(CAPTURE_MIN "table.include.list=a\ntable.exclude.list=b\n",
			SL_ROLE_CAPTURE),
	       "keys \"table.include.list\" and \"table.exclude.list\" cannot be used together",
	       "include and exclude");
	is_str(fail_msg("kafka.bootstrap.servers=h:1\ns3.bucket.name=b\n", SL_ROLE_ARCHIVE),
	       "missing required key \"topics\" or \"topics.regex\" (sluice archive needs to know "
	       "what to read)",
	       "archive needs topics");
	is_str(fail_msg(ARCHIVE_MIN "topics.regex=a.*\n", SL_ROLE_ARCHIVE),
	       "keys \"topics\" and \"topics.regex\" cannot be used together", "topics xor regex");
	is_str(fail_msg("topics=t\ns3.bucket.name=b\n", SL_ROLE_ARCHIVE),
	       "missing required key \"kafka.bootstrap.servers\" (sluice archive needs it)",
	       "archive needs brokers");
	is_str(fail_msg("topics=t\nkafka.bootstrap.servers=h:1\n", SL_ROLE_ARCHIVE),
	       "missing required key \"s3.bucket.name\" or \"store.url\" (sluice archive needs to "
	       "know where to write)",
	       "archive needs a store");
	is_str(fail_msg(ARCHIVE_MIN "partitioner.class=TimeBased\n", SL_ROLE_ARCHIVE),
	       "missing required key \"path.format\" (partitioner.class=TimeBased needs it)",
	       "TimeBased needs path.format");
	is_str(fail_msg(ARCHIVE_MIN "partitioner.class=TimeBased\npath.format=YYYY\n",
			SL_ROLE_ARCHIVE),
	       "missing required key \"partition.duration.ms\" (partitioner.class=TimeBased needs "
	       "a positive value)",
	       "TimeBased needs a duration");
	is_str(fail_msg(ARCHIVE_MIN "partitioner.class=Field\n", SL_ROLE_ARCHIVE),
	       "missing required key \"partition.field.name\" (partitioner.class=Field needs it)",
	       "Field needs a field");
}

static void test_store(void)
{
	struct sl_config *cfg;
	is_int(load(ARCHIVE_MIN, SL_ROLE_ARCHIVE, &cfg), SL_OK, "bucket only: %s", eb.msg);
	is_str(sl_config_get(cfg, "store.url"), "s3://lake", "store.url from the bucket");
	ok(!sl_config_is_set(cfg, "store.url"), "derived store.url is not set");
	ok(sl_config_get(cfg, "s3.endpoint") == NULL, "no endpoint");
	ok(sl_config_get_bool(cfg, "s3.path.style.access"), "path style by alias, default true");
	sl_config_free(cfg);

	is_int(load(ARCHIVE_MIN "store.url=http://127.0.0.1:9000\ns3.path.style.access=false\n",
		    SL_ROLE_ARCHIVE, &cfg),
	       SL_OK, "Confluent-style store.url: %s", eb.msg);
	is_str(sl_config_get(cfg, "s3.endpoint"), "http://127.0.0.1:9000", "endpoint moved");
	is_str(sl_config_get(cfg, "store.url"), "s3://lake", "store.url normalized");
	ok(!sl_config_get_bool(cfg, "s3.path.style.access.enabled"), "alias sets the key");
	ok(sl_config_is_set(cfg, "s3.path.style.access"), "is_set by alias");
	sl_config_free(cfg);

	is_int(load("topics=t\nkafka.bootstrap.servers=h:1\nstore.url=file:///tmp/lake\n",
		    SL_ROLE_ARCHIVE, &cfg),
	       SL_OK, "file store");
	is_str(sl_config_get(cfg, "store.url"), "file:///tmp/lake", "file url kept");
	sl_config_free(cfg);

	is_int(load(CAPTURE_MIN, SL_ROLE_RUN, &cfg), SL_OK, "run: %s", eb.msg);
	is_str(sl_config_get(cfg, "store.url"), "file://./lake", "run defaults to a local lake");
	ok(!sl_config_get_bool(cfg, "streaming.in.progress"),
	   "run: large transactions sent after their commit unless set");
	is_int((int)sl_config_get_int(cfg, "rotate.schedule.interval.ms"), 5000,
	       "run: files committed every 5 s unless set");
	ok(!sl_config_is_set(cfg, "streaming.in.progress"), "run: derived defaults are not 'set'");
	sl_config_free(cfg);

	is_int(load(CAPTURE_MIN "streaming.in.progress=true\nrotate.schedule.interval.ms=-1\n",
		    SL_ROLE_RUN, &cfg),
	       SL_OK, "run, both set: %s", eb.msg);
	ok(sl_config_get_bool(cfg, "streaming.in.progress"), "run: streaming.in.progress=true kept");
	is_int((int)sl_config_get_int(cfg, "rotate.schedule.interval.ms"), -1,
	       "run: rotate.schedule.interval.ms=-1 kept");
	sl_config_free(cfg);

	is_int(load(CAPTURE_MIN, SL_ROLE_CAPTURE, &cfg), SL_OK, "capture: %s", eb.msg);
	ok(sl_config_get_bool(cfg, "streaming.in.progress"),
	   "capture: in-progress transactions streamed unless set");
	sl_config_free(cfg);

	is_str(fail_msg(ARCHIVE_MIN "store.url=s3://other/p\n", SL_ROLE_ARCHIVE),
	       "\"store.url\" and \"s3.bucket.name\" name different buckets; set only one",
	       "bucket mismatch");
	is_str(fail_msg(ARCHIVE_MIN "store.url=ftp://x\n", SL_ROLE_ARCHIVE),
	       "invalid value \"ftp://x\" for \"store.url\": expected s3://bucket[/prefix], "
	       "file:///dir or an http(s):// S3 endpoint",
	       "bad scheme");
	is_str(fail_msg("topics=t\nkafka.bootstrap.servers=h:1\nstore.url=https://s3.example\n",
			SL_ROLE_ARCHIVE),
	       "missing required key \"s3.bucket.name\" (store.url is an http(s) endpoint)",
	       "endpoint needs a bucket");
}

static void test_secrets(void)
{
	setenv("SLT_PW", "hunter2", 1);
	struct sl_config *cfg;
	is_int(load(CAPTURE_MIN "database.password=hunter2\nkafka.sasl.password=hunter2\n"
				"kafka.ssl.key.pem=hunter2\nkafka.sasl.jaas.config=hunter2\n"
				"kafka.client.id=visible\nheartbeat.action.query=${env:SLT_PW}\n",
		    SL_ROLE_CAPTURE, &cfg),
	       SL_OK, "secrets load: %s", eb.msg);
	is_str(sl_config_get(cfg, "database.password"), "hunter2", "secret readable by the caller");
	is_str(sl_config_get(cfg, "heartbeat.action.query"), "hunter2", "reference resolved");
	char *p = print_str(cfg);
	ok(p && !strstr(p, "hunter2"), "no secret in print output:\n%s", p ? p : "");
	ok(p && strstr(p, "\ndatabase.password=[redacted]\n"), "password redacted");
	ok(p && strstr(p, "\nkafka.sasl.password=[redacted]\n"), "passthrough password redacted");
	ok(p && strstr(p, "\nkafka.ssl.key.pem=[redacted]\n"), "ssl.key redacted");
	ok(p && strstr(p, "\nkafka.sasl.jaas.config=[redacted]\n"), "jaas redacted");
	ok(p && strstr(p, "\nkafka.client.id=visible\n"), "ordinary passthrough shown");
	ok(p && strstr(p, "\nheartbeat.action.query=${env:SLT_PW}\n"),
	   "referenced value printed as its reference");
	free(p);
	sl_config_free(cfg);

	/* No message may carry a value that came from a reference or a secret. */
	const char *bad[] = {
		CAPTURE_MIN "database.port=${env:SLT_PW}\n",
		CAPTURE_MIN "snapshot.mode=${env:SLT_PW}\n",
		CAPTURE_MIN "skipped.operations=c,${env:SLT_PW}\n",
		CAPTURE_MIN "slot.drop.on.stop=x${env:SLT_PW}\n",
		CAPTURE_MIN "database.password=${env:SLT_MISSING_PW}\n",
		"topics=t\nkafka.bootstrap.servers=h\nstore.url=${env:SLT_PW}\n",
	};
	unsetenv("SLT_MISSING_PW");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		unsigned role = i == 5 ? SL_ROLE_ARCHIVE : SL_ROLE_CAPTURE;
		const char *m = fail_msg(bad[i], role);
		ok(m[0] != '(' && !strstr(m, "hunter2"), "case %zu fails without the value: %s", i, m);
	}
	is_str(fail_msg(CAPTURE_MIN "database.port=${env:SLT_PW}\n", SL_ROLE_CAPTURE),
	       "line 3: invalid value from ${env:SLT_PW} for \"database.port\": expected an integer "
	       "from 1 to 65535",
	       "reference named instead of the value");
	is_str(fail_msg(CAPTURE_MIN "database.password=${env:SLT_MISSING_PW}\n", SL_ROLE_CAPTURE),
	       "line 3: config key \"database.password\": environment variable \"SLT_MISSING_PW\" "
	       "referenced by ${env:SLT_MISSING_PW} is not set",
	       "missing env names the key and the reference");
	is_str(fail_msg(CAPTURE_MIN "database.password=${env:}\n", SL_ROLE_CAPTURE),
	       "line 3: config key \"database.password\": reference ${env:} names no variable",
	       "empty env reference");
}

struct seen {
	char buf[512];
};

static void collect(const char *key, const char *value, void *ctx)
{
	struct seen *s = ctx;
	size_t o = strlen(s->buf);
	snprintf(s->buf + o, sizeof s->buf - o, "%s=%s;", key, value);
}

static void test_passthrough(void)
{
	struct sl_config *cfg;
	is_int(load("topic.prefix=a\nkafka.linger.ms=5\nkafka.bootstrap.servers=h1:9092,h2:9092\n"
		    "kafka.compression.type=zstd\nkafka.linger.ms=7\n",
		    SL_ROLE_CAPTURE, &cfg),
	       SL_OK, "passthrough: %s", eb.msg);
	struct seen s = {""};
	sl_config_foreach_prefix(cfg, "kafka.", collect, &s);
	is_str(s.buf, "linger.ms=7;bootstrap.servers=h1:9092,h2:9092;compression.type=zstd;",
	       "prefix stripped, first-set order, last value wins");
	is_str(sl_config_get(cfg, "kafka.linger.ms"), "7", "get a passthrough key");
	ok(sl_config_is_set(cfg, "kafka.linger.ms"), "passthrough is set");
	memset(&s, 0, sizeof s);
	sl_config_foreach_prefix(cfg, "producer.", collect, &s);
	is_str(s.buf, "", "no producer.* keys");

	char **items;
	size_t n;
	is_int(sl_config_split_list(sl_config_get(cfg, "kafka.bootstrap.servers"), &items, &n, &eb),
	       SL_OK, "split");
	is_int(n, 2, "two brokers");
	if (n == 2) {
		is_str(items[0], "h1:9092", "first broker");
		is_str(items[1], "h2:9092", "second broker");
	}
	free(items);
	sl_config_free(cfg);

	is_int(sl_config_split_list(" a , ,b,, c ", &items, &n, &eb), SL_OK, "split blanks");
	is_int(n, 3, "empty items dropped");
	if (n == 3)
		ok(!strcmp(items[0], "a") && !strcmp(items[1], "b") && !strcmp(items[2], "c"),
		   "items trimmed");
	free(items);
	is_int(sl_config_split_list(" , ", &items, &n, &eb), SL_OK, "split nothing");
	ok(n == 0 && items == NULL, "no items");
	is_int(sl_config_split_list(NULL, &items, &n, &eb), SL_OK, "split NULL");
	ok(n == 0 && items == NULL, "NULL is empty");
}

static void test_staged(void)
{
	struct sl_config *cfg;
	is_int(sl_config_new(SL_ROLE_CAPTURE, &cfg, &eb), SL_OK, "new");
	const char *text = "sink.type=stdout\nslot.name=from_file\n";
	is_int(sl_config_add_string(cfg, text, strlen(text), "cli.properties", &eb), SL_OK, "add");
	is_int(sl_config_validate(cfg, &eb), SL_ERR_CONFIG, "topic.prefix still missing");
	is_int(sl_config_set(cfg, "topic.prefix", "over", &eb), SL_OK, "override");
	is_int(sl_config_set(cfg, "slot.name", "from_cli", &eb), SL_OK, "override file value");
	is_int(sl_config_validate(cfg, &eb), SL_OK, "valid after overrides");
	is_str(sl_config_get(cfg, "slot.name"), "from_cli", "override wins");
	is_int(sl_config_set(cfg, "slot.nme", "x", &eb), SL_ERR_CONFIG, "set checks the key");
	is_str(eb.msg, "unknown key \"slot.nme\" (did you mean \"slot.name\"?)", "set message");
	is_int(sl_config_set(cfg, "database.port", "0", &eb), SL_ERR_CONFIG, "set checks the value");
	is_int(sl_config_set(cfg, "slot.name", NULL, &eb), SL_OK, "unset");
	is_str(sl_config_get(cfg, "slot.name"), "debezium", "back to the default");
	is_int(sl_config_set(cfg, "streaming.spool.dir", "/x", &eb), SL_OK, "set a derived key");
	ok(sl_config_is_set(cfg, "streaming.spool.dir"), "now explicit");
	is_int(sl_config_validate(cfg, &eb), SL_OK, "validate again");
	is_str(sl_config_get(cfg, "streaming.spool.dir"), "/x", "explicit beats derived");
	const char *bad = "a=1\ndatabase.port=x\n";
	is_int(sl_config_add_string(cfg, bad, strlen(bad), "cli.properties", &eb), SL_ERR_CONFIG,
	       "origin in messages");
	is_str(eb.msg, "cli.properties:1: unknown key \"a\"", "origin:line prefix");
	const char *bad2 = "x=\\u00zz\n";
	is_int(sl_config_add_string(cfg, bad2, strlen(bad2), "cli.properties", &eb), SL_ERR_CONFIG,
	       "syntax error with origin");
	is_str(eb.msg, "cli.properties: line 1: malformed \\uXXXX escape in value",
	       "syntax error message");
	sl_config_free(cfg);
	is_int(sl_config_new(3, &cfg, &eb), SL_ERR_ARG, "one role at a time");
	ok(cfg == NULL, "no config for a bad role");
	sl_config_free(NULL);
}

static void test_file(void)
{
	char path[] = "/tmp/sl-test-config-XXXXXX";
	int fd = mkstemp(path);
	const char *text = "# capture\ntopic.prefix = shop\nsink.type: stdout\n"
			   "table.include.list = public\\\\.orders, \\\n  public\\\\.items\n";
	ok(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write");
	close(fd);
	struct sl_config *cfg;
	is_int(sl_config_load_file(path, SL_ROLE_CAPTURE, &cfg, &eb), SL_OK, "load file: %s",
	       eb.msg);
	is_str(sl_config_get(cfg, "table.include.list"), "public\\.orders, public\\.items",
	       "continued list with escaped backslashes");
	sl_config_free(cfg);

	fd = open(path, O_WRONLY | O_TRUNC);
	const char *bad = "topic.prefix=x\n\nsnapshot.mode=sometimes\n";
	ok(write(fd, bad, strlen(bad)) == (ssize_t)strlen(bad), "write bad");
	close(fd);
	is_int(sl_config_load_file(path, SL_ROLE_CAPTURE, &cfg, &eb), SL_ERR_CONFIG, "bad file");
	char want[512];
	snprintf(want, sizeof want,
		 "%s:3: invalid value \"sometimes\" for \"snapshot.mode\": expected one of "
		 "initial, initial_only, no_data, when_needed, always",
		 path);
	is_str(eb.msg, want, "file:line in messages");
	ok(cfg == NULL, "no config on error");
	unlink(path);
	is_int(sl_config_load_file(path, SL_ROLE_CAPTURE, &cfg, &eb), SL_ERR_NOTFOUND,
	       "missing file");
	ok(strstr(eb.msg, "could not load configuration: could not open file") != NULL,
	   "missing file message: %s", eb.msg);
}

static void test_print(void)
{
	struct sl_config *cfg;
	const char *text = "topic.prefix=shop\nsink.type=stdout\nmessage.key.columns= \\ lead\\nnl\\\\\n"
			   "kafka.weird\\=key=v\n";
	is_int(load(text, SL_ROLE_CAPTURE, &cfg), SL_OK, "load for print: %s", eb.msg);
	char *p = print_str(cfg);
	ok(p && strstr(p, "topic.prefix=shop\n"), "explicit value printed");
	ok(p && strstr(p, "slot.name=debezium  # default\n"), "defaults marked");
	ok(p && strstr(p, "streaming.spool.dir=./sluice-state/spool  # default\n"),
	   "derived marked as default");
	ok(p && !strstr(p, "s3.bucket.name"), "other roles' keys not printed");
	ok(p && !strstr(p, "database.user="), "unset keys without default not printed");
	ok(p && strncmp(p, "binary.handling.mode=", 21) == 0, "sorted by key");
	/* Explicit lines read back to the same values. */
	char *explicit_only = calloc(1, strlen(p) + 1);
	for (char *line = strtok(p, "\n"); line; line = strtok(NULL, "\n"))
		if (!strstr(line, "  # default")) {
			strcat(explicit_only, line);
			strcat(explicit_only, "\n");
		}
	struct sl_config *again;
	is_int(load(explicit_only, SL_ROLE_CAPTURE, &again), SL_OK, "printed config reloads: %s",
	       eb.msg);
	if (again) {
		is_str(sl_config_get(again, "message.key.columns"), " lead\nnl\\",
		       "escaped value round-trips");
		is_str(sl_config_get(again, "kafka.weird=key"), "v", "escaped key round-trips");
		sl_config_free(again);
	}
	free(explicit_only);
	free(p);
	sl_config_free(cfg);
}

static void test_table(void)
{
	size_t n;
	const struct sl_config_key *keys = sl_config_keys(&n);
	ok(n > 80, "table has the keys (%zu)", n);
	struct sl_config *cfg[3];
	unsigned roles[3] = {SL_ROLE_CAPTURE, SL_ROLE_ARCHIVE, SL_ROLE_RUN};
	for (int r = 0; r < 3; r++)
		sl_config_new(roles[r], &cfg[r], &eb);
	for (size_t i = 0; i < n; i++) {
		const struct sl_config_key *k = &keys[i];
		ok(k->doc && strlen(k->doc) > 20, "%s has a doc", k->name);
		ok(k->roles && !(k->roles & ~SL_ROLE_ALL), "%s has roles", k->name);
		ok(!(k->required & ~k->roles), "%s required only where used", k->name);
		ok((k->type == SL_CFG_ENUM) == (k->enum_values && k->type != SL_CFG_LIST) ||
			   k->type == SL_CFG_LIST,
		   "%s enum_values match its type", k->name);
		size_t dups = 0;
		for (size_t j = 0; j < n; j++)
			dups += j != i && (!strcmp(keys[j].name, k->name) ||
					   (keys[j].aliases && strstr(keys[j].aliases, k->name)));
		is_int(dups, 0, "%s declared once", k->name);
		if (!k->def)
			continue;
		/* Every default passes its own check and is already normalized. */
		for (int r = 0; r < 3; r++) {
			if (!(k->roles & roles[r]))
				continue;
			is_int(sl_config_set(cfg[r], k->name, k->def, &eb), SL_OK, "%s default valid: %s",
			       k->name, eb.msg);
			is_str(sl_config_get(cfg[r], k->name), k->def, "%s default normalized",
			       k->name);
			break;
		}
	}
	for (int r = 0; r < 3; r++)
		sl_config_free(cfg[r]);
	is_str(sl_config_role_name(SL_ROLE_ARCHIVE), "archive", "role name");
	is_str(sl_config_passthrough_prefixes()[0], "kafka.", "kafka. passthrough");
}

int main(void)
{
	test_defaults();
	test_values();
	test_value_errors();
	test_key_errors();
	test_required();
	test_store();
	test_secrets();
	test_passthrough();
	test_staged();
	test_file();
	test_print();
	test_table();
	return t_done();
}
