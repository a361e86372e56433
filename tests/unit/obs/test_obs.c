/* SPDX-License-Identifier: Apache-2.0
 *
 * test_obs.c -- metrics registry and exposition, connector status JSON
 * and request routing, without sockets (the HTTP server itself is tested
 * end to end by tests/integration/6x_obs_*.sh).
 */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "lib/test.h"
#include "obs/metrics.h"
#include "obs/router.h"
#include "obs/status.h"

static bool has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

static char *scrape(void)
{
	struct sl_buf b;
	sl_buf_init(&b, 0);
	sl_metrics_expose(&b);
	return sl_buf_steal(&b);
}

static void test_table(void)
{
	size_t n;
	const struct sl_metric_def *d = sl_metrics_defs(&n);
	is_int(n, SL_M__COUNT, "one table row per metric id");
	for (size_t i = 0; i < n; i++) {
		ok(d[i].name && !strncmp(d[i].name, "sluice_", 7), "row %zu has a sluice_ name", i);
		ok(d[i].help && *d[i].help, "%s has help", d[i].name);
		size_t l = strlen(d[i].name);
		bool total = l > 6 && !strcmp(d[i].name + l - 6, "_total");
		is_int(total, d[i].type == SL_METRIC_COUNTER, "%s: _total iff counter", d[i].name);
		ok(d[i].roles != 0, "%s is exported by some command", d[i].name);
		for (size_t j = 0; j < i; j++)
			ok(strcmp(d[i].name, d[j].name), "%s is unique", d[i].name);
	}
}

static void test_registry(void)
{
	sl_metrics_reset();
	sl_metrics_init(SL_ROLE_CAPTURE);
	struct sl_metric *a = sl_metric2(SL_M_CAPTURE_EVENTS, "public.t", "c");
	struct sl_metric *b = sl_metric2(SL_M_CAPTURE_EVENTS, "public.t", "c");
	ok(a == b, "the same labels give the same series");
	ok(a != sl_metric2(SL_M_CAPTURE_EVENTS, "public.t", "u"), "other labels, other series");
	ok(sl_metric2(SL_M_CAPTURE_EVENTS, "ab", "") != sl_metric2(SL_M_CAPTURE_EVENTS, "a", "b"),
	   "label boundaries matter");
	sl_metric_add(a, 3);
	sl_metric_add(b, 2);
	is_int(sl_metric_value(a), 5, "counter adds");
	/* Wrong label count: a harmless sink, never exported. */
	struct sl_metric *bad = sl_metric1(SL_M_CAPTURE_EVENTS, "x");
	sl_metric_add(bad, 7);
	sl_metric_observe(bad, 7);
	sl_metric_set(sl_metric2(SL_M_CAPTURE_EVENTS, "we\"ird\\\nname", "d"), 1);
	sl_metric_observe(sl_metric0(SL_M_DELIVERY_LATENCY), 3000);     /* 3 ms */
	sl_metric_observe(sl_metric0(SL_M_DELIVERY_LATENCY), 700000);   /* 0.7 s */
	sl_metric_observe(sl_metric0(SL_M_DELIVERY_LATENCY), 999000000); /* 999 s */
	sl_metric_set(sl_metric0(SL_M_SOURCE_LAG), 1500); /* ms stored */
	sl_metric_add(sl_metric2(SL_M_S3_REQUESTS, "put", "200"), 1); /* archive only */
	char *text = scrape();
	ok(has(text, "# TYPE sluice_capture_events_total counter\n"), "TYPE line");
	ok(has(text, "sluice_capture_events_total{table=\"public.t\",op=\"c\"} 5\n"), "labelled counter");
	ok(has(text, "sluice_capture_events_total{table=\"we\\\"ird\\\\\\nname\",op=\"d\"} 1\n"),
	   "label values escaped");
	ok(!has(text, "{table=\"x\"}"), "a wrong label count is not exported");
	ok(has(text, "sluice_capture_delivery_latency_seconds_bucket{le=\"0.005\"} 1\n"), "first bucket");
	ok(has(text, "sluice_capture_delivery_latency_seconds_bucket{le=\"0.5\"} 1\n"), "0.7 s is above 0.5");
	ok(has(text, "sluice_capture_delivery_latency_seconds_bucket{le=\"1\"} 2\n"), "cumulative buckets");
	ok(has(text, "sluice_capture_delivery_latency_seconds_bucket{le=\"300\"} 2\n"), "999 s above the top");
	ok(has(text, "sluice_capture_delivery_latency_seconds_bucket{le=\"+Inf\"} 3\n"), "+Inf has all");
	ok(has(text, "sluice_capture_delivery_latency_seconds_count 3\n"), "count");
	ok(has(text, "sluice_capture_delivery_latency_seconds_sum 999.703000\n"), "sum in seconds");
	ok(has(text, "sluice_capture_source_lag_seconds 1.500000\n"), "scaled gauge");
	ok(has(text, "sluice_sink_records_total 0\n"), "unlabelled metrics exported before use");
	ok(!has(text, "sluice_s3_requests_total"), "archive metrics not exported by capture");
	ok(has(text, "process_cpu_seconds_total "), "process cpu");
	ok(has(text, "process_resident_memory_bytes "), "process rss");
	ok(has(text, "process_open_fds "), "process fds");
	ok(has(text, "process_start_time_seconds "), "process start time");
	free(text);
	/* The per-metric cap holds. */
	char name[32];
	for (int i = 0; i < SL_METRICS_MAX_CHILDREN + 10; i++) {
		snprintf(name, sizeof name, "t%d", i);
		sl_metric_add(sl_metric2(SL_M_CAPTURE_EVENTS, name, "c"), 1);
	}
	text = scrape();
	size_t lines = 0;
	for (char *p = text; (p = strstr(p, "sluice_capture_events_total{")); p++)
		lines++;
	is_int(lines, SL_METRICS_MAX_CHILDREN, "series per metric are capped");
	free(text);
	sl_metrics_reset();
}

static int collected;
static void collector(void *ctx)
{
	collected += *(int *)ctx;
}

static void test_collector(void)
{
	int one = 1;
	collected = 0;
	ok(sl_metrics_add_collector(collector, &one) == SL_OK, "collector added");
	free(scrape());
	is_int(collected, 1, "collector runs at scrape");
	sl_metrics_remove_collector(collector, &one);
	free(scrape());
	is_int(collected, 1, "removed collector does not run");
	sl_metrics_reset();
}

static struct sl_config *config(void)
{
	static const char text[] = "topic.prefix=dbserver1\n"
				   "database.password=hunter2-secret\n"
				   "database.user=cdc\n"
				   "sink.type=stdout\n"
				   "kafka.sasl.password=other-secret\n";
	struct sl_config *cfg = NULL;
	struct sl_errbuf eb;
	if (sl_config_load_string(text, sizeof text - 1, SL_ROLE_CAPTURE, &cfg, &eb))
		printf("# config: %s\n", eb.msg);
	return cfg;
}

static void route(const char *m, const char *p, struct sl_http_reply *r)
{
	sl_http_route(m, p, r);
}

static void test_status_and_routes(void)
{
	struct sl_config *cfg = config();
	ok(cfg != NULL, "config loads");
	char name[128];
	sl_status_default_name(cfg, SL_ROLE_CAPTURE, name, sizeof name);
	is_str(name, "dbserver1-capture", "default name: topic.prefix plus the role");
	struct sl_errbuf eb;
	ok(sl_status_init(name, "source", "host1:8083", cfg, &eb) == SL_OK, "status init");
	struct sl_http_reply r;

	route("GET", "/connectors", &r);
	is_int(r.status, 200, "GET /connectors");
	is_str(r.body.data, "[\"dbserver1-capture\"]", "connector list");
	sl_http_reply_free(&r);

	route("GET", "/connectors/dbserver1-capture/status", &r);
	is_str(r.body.data,
	       "{\"name\":\"dbserver1-capture\",\"connector\":{\"state\":\"UNASSIGNED\",\"worker_id\":"
	       "\"host1:8083\"},\"tasks\":[{\"id\":0,\"state\":\"UNASSIGNED\",\"worker_id\":"
	       "\"host1:8083\"}],\"type\":\"source\"}",
	       "UNASSIGNED while starting, Kafka Connect shape");
	sl_http_reply_free(&r);

	route("GET", "/readyz", &r);
	is_int(r.status, 503, "not ready while starting");
	sl_http_reply_free(&r);
	sl_status_set_state(SL_CONN_RUNNING, NULL);
	sl_status_set_ready(true, NULL);
	route("GET", "/readyz", &r);
	is_int(r.status, 200, "ready when running");
	sl_http_reply_free(&r);
	route("HEAD", "/healthz", &r);
	is_int(r.status, 200, "HEAD /healthz");
	sl_http_reply_free(&r);

	sl_status_set_state(SL_CONN_FAILED, "could not connect: password authentication failed");
	route("GET", "/connectors/dbserver1-capture/status", &r);
	ok(has(r.body.data, "\"state\":\"FAILED\",\"worker_id\":\"host1:8083\",\"trace\":\"could "
			    "not connect: password authentication failed\""),
	   "FAILED carries a trace");
	sl_http_reply_free(&r);
	route("GET", "/connectors/dbserver1-capture/tasks/0/status", &r);
	ok(has(r.body.data, "{\"id\":0,\"state\":\"FAILED\""), "task status");
	sl_http_reply_free(&r);

	route("GET", "/connectors/dbserver1-capture/config", &r);
	is_int(r.status, 200, "GET config");
	ok(has(r.body.data, "\"name\":\"dbserver1-capture\""), "config has the name");
	ok(has(r.body.data, "\"topic.prefix\":\"dbserver1\""), "config has explicit keys");
	ok(has(r.body.data, "\"database.password\":\"[redacted]\""), "password redacted");
	ok(!has(r.body.data, "hunter2") && !has(r.body.data, "other-secret"), "no secret in config");
	ok(!has(r.body.data, "snapshot.mode"), "defaults left out");
	sl_http_reply_free(&r);

	ok(!sl_status_pause_requested(), "not paused");
	route("PUT", "/connectors/dbserver1-capture/pause", &r);
	is_int(r.status, 202, "pause accepted");
	ok(sl_status_pause_requested(), "pause requested");
	sl_http_reply_free(&r);
	route("PUT", "/connectors/dbserver1-capture/resume", &r);
	is_int(r.status, 202, "resume accepted");
	ok(!sl_status_pause_requested(), "resume clears it");
	sl_http_reply_free(&r);
	route("POST", "/connectors/dbserver1-capture/restart", &r);
	is_int(r.status, 204, "restart: 204");
	ok(sl_status_take_restart(), "restart requested");
	ok(!sl_status_take_restart(), "... once");
	sl_http_reply_free(&r);

	/* Bad input. */
	static const struct {
		const char *m, *p;
		int want;
	} bad[] = {
		{"GET", "/nope", 404},
		{"GET", "/connectors/other/status", 404},
		{"GET", "/connectors/dbserver1-capture/nope", 404},
		{"GET", "/connectors/dbserver1-capture/tasks/1/status", 404},
		{"GET", "/connectors/dbserver1-capture/tasks/0/nope", 404},
		{"GET", "/connectors/dbserver1-capture/a/b/c/d/e/f/g", 404},
		{"POST", "/connectors/dbserver1-capture/status", 405},
		{"GET", "/connectors/dbserver1-capture/pause", 405},
		{"DELETE", "/connectors/dbserver1-capture", 405},
		{"POST", "/metrics", 405},
		{"BREW", "/healthz", 405},
		{"GET", "/connectors/bad\x01name/status", 400},
		{"GET", "/connectors//status", 400},
		{"GET", "relative", 400},
		{"", "", 400},
		{NULL, NULL, 400},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		route(bad[i].m, bad[i].p, &r);
		is_int(r.status, bad[i].want, "%s %s", bad[i].m ? bad[i].m : "(null)",
		       bad[i].p ? bad[i].p : "(null)");
		ok(has(r.body.data, "\"error_code\":"), "error JSON for %s", bad[i].p ? bad[i].p : "-");
		sl_http_reply_free(&r);
	}
	route("GET", "/connectors/other/status", &r);
	is_str(r.body.data, "{\"error_code\":404,\"message\":\"Connector other not found\"}",
	       "Kafka Connect's not-found body");
	sl_http_reply_free(&r);
	route("POST", "/connectors/dbserver1-capture/status", &r);
	is_str(r.allow, "GET, HEAD", "405 names the allowed methods");
	sl_http_reply_free(&r);
	char *longname = malloc(400);
	memcpy(longname, "/connectors/", 12);
	memset(longname + 12, 'a', 300);
	strcpy(longname + 312, "/status");
	route("GET", longname, &r);
	is_int(r.status, 400, "over-long connector name");
	sl_http_reply_free(&r);
	free(longname);
	char *huge = malloc(SL_HTTP_PATH_MAX + 10);
	memset(huge, '/', SL_HTTP_PATH_MAX + 9);
	huge[SL_HTTP_PATH_MAX + 9] = '\0';
	route("GET", huge, &r);
	is_int(r.status, 414, "over-long path");
	sl_http_reply_free(&r);
	free(huge);

	route("GET", "/metrics", &r);
	is_int(r.status, 200, "GET /metrics");
	ok(has(r.content_type, "version=0.0.4"), "exposition content type");
	ok(has(r.body.data, "sluice_connector_state{state=\"FAILED\"} 1"), "state gauge follows");
	ok(has(r.body.data, "sluice_connector_state{state=\"RUNNING\"} 0"), "one-hot");
	sl_http_reply_free(&r);

	sl_status_free();
	sl_metrics_reset();
	sl_config_free(cfg);
}

/* A hidden series leaves the exposition but keeps its value; archive-only
 * metrics are not exported by run, and the other way round. */
static void test_visibility_and_roles(void)
{
	sl_metrics_reset();
	sl_metrics_init(SL_ROLE_ARCHIVE);
	struct sl_metric *p0 = sl_metric2(SL_M_CONSUMER_LAG, "t", "0");
	struct sl_metric *p1 = sl_metric2(SL_M_CONSUMER_LAG, "t", "1");
	sl_metric_set(p0, 7);
	sl_metric_set(p1, 9);
	sl_metric_set_visible(p1, false);
	char *s = scrape();
	ok(has(s, "sluice_archive_consumer_lag_records{topic=\"t\",partition=\"0\"} 7\n"),
	   "visible lag series exported");
	ok(!has(s, "partition=\"1\""), "hidden series left out");
	ok(has(s, "# TYPE sluice_archive_consumer_lag_records gauge"), "family still declared");
	ok(!has(s, "sluice_capture_"), "archive exports no capture metric");
	ok(has(s, "sluice_archive_assigned_partitions 0\n"), "unlabelled archive gauge exported as 0");
	free(s);
	is_int(sl_metric_value(p1), 9, "hidden series keeps its value");
	sl_metric_set_visible(p1, true);
	s = scrape();
	ok(has(s, "partition=\"1\"} 9\n"), "visible again");
	free(s);
	sl_metrics_reset();
	sl_metrics_init(SL_ROLE_RUN);
	sl_metric_add(sl_metric1(SL_M_ARCHIVE_FILES, "shop.public.t"), 2);
	s = scrape();
	ok(has(s, "sluice_archive_files_committed_total{topic=\"shop.public.t\"} 2\n"),
	   "run exports files committed");
	ok(!has(s, "sluice_archive_consumer_lag") && !has(s, "sluice_archive_assigned"),
	   "run exports no consumer metric");
	ok(has(s, "sluice_sink_records_total 0\n"), "run exports capture metrics");
	free(s);
	sl_metrics_reset();
	sl_metrics_init(0);
}

int main(void)
{
	test_table();
	test_visibility_and_roles();
	test_registry();
	test_collector();
	test_status_and_routes();
	return t_done();
}
