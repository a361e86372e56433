/* SPDX-License-Identifier: Apache-2.0
 *
 * test_kafka_log.c -- librdkafka's lines and broker error storms through
 * sl_log (sinks/kafka_log.h): what reaches stderr at each log level, one
 * line per storm start and end, the count, a new storm after recovery.
 * stderr is redirected to a temporary file and read back line by line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "lib/test.h"
#include "sinks/kafka_log.h"

static FILE *g_cap;
static int g_saved = -1;

/* Redirect fd 2 to a fresh temporary file. */
static void cap_start(void)
{
	fflush(stderr);
	g_cap = tmpfile();
	if (g_saved < 0)
		g_saved = dup(2);
	dup2(fileno(g_cap), 2);
}

/* Restore stderr; return what was written (caller frees). */
static char *cap_end(void)
{
	fflush(stderr);
	dup2(g_saved, 2);
	long n = ftell(g_cap);
	char *s = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
	rewind(g_cap);
	if (n > 0 && fread(s, 1, (size_t)n, g_cap) != (size_t)n)
		s[0] = 0;
	fclose(g_cap);
	return s;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Every line is one JSON object of sl_log's shape. */
static bool all_json(const char *s)
{
	const char *p = s;
	while (*p) {
		const char *nl = strchr(p, '\n');
		if (!nl)
			return false;
		if (strncmp(p, "{\"ts\":\"", 7) || nl[-1] != '}')
			return false;
		p = nl + 1;
	}
	return true;
}

int main(void)
{
	sl_log_setup("json", "info");

	/* --- the log callback ------------------------------------------------ */
	cap_start();
	sl_kafka_log_cb(NULL, 3, "FAIL", "127.0.0.1:9/1: Connect failed: Connection refused");
	sl_kafka_log_cb(NULL, 3, "ERROR", "rdkafka#consumer-1: 1/1 brokers are down");
	sl_kafka_log_cb(NULL, 4, "SESSTMOUT", "Consumer group session timed out");
	sl_kafka_log_cb(NULL, 6, "INIT", "librdkafka v2 initialized");
	sl_kafka_log_cb(NULL, 3, "SSL", "certificate verify failed");
	char *out = cap_end();
	is_int(count(out, "\n"), 1, "info level: only the error that no error callback restates");
	ok(strstr(out, "\"level\":\"warn\"") && strstr(out, "kafka: SSL: certificate verify failed"),
	   "level 3 lines are warnings, with the facility");
	ok(all_json(out), "librdkafka's lines obey log.format=json");
	free(out);

	sl_log_setup("json", "debug");
	cap_start();
	sl_kafka_log_cb(NULL, 3, "FAIL", "refused");
	sl_kafka_log_cb(NULL, 7, "BROKER", "debug detail");
	out = cap_end();
	is_int(count(out, "\"level\":\"debug\""), 2, "debug level: FAIL and level 7 lines are debug lines");
	free(out);

	sl_log_setup("json", "error");
	cap_start();
	sl_kafka_log_cb(NULL, 3, "SSL", "certificate verify failed");
	out = cap_end();
	is_str(out, "", "log.level=error drops librdkafka's warnings");
	free(out);

	/* --- storms ---------------------------------------------------------- */
	sl_log_setup("json", "info");
	struct sl_kafka_storm st = {.who = "archive"};
	cap_start();
	ok(sl_kafka_storm_error(&st, "127.0.0.1:9/1: Disconnected"), "the first error starts a storm");
	for (int i = 0; i < 41; i++)
		ok(!sl_kafka_storm_error(&st, "Connect to ipv4#127.0.0.1:9 failed: Connection refused"),
		   "error %d joins the storm", i + 2);
	sl_kafka_storm_ok(&st);
	sl_kafka_storm_ok(&st); /* already over: nothing */
	out = cap_end();
	is_int(count(out, "\n"), 2, "42 errors and two successes: two lines");
	is_int(count(out, "Kafka brokers unreachable or failing (127.0.0.1:9/1: Disconnected)"), 1,
	       "one warning at the start, with the first error");
	is_int(count(out, "Kafka brokers answering again after 42 errors in "), 1,
	       "one line at the end, with the count");
	is_int(count(out, "\"msg\":\"archive: "), 2, "lines carry the client's prefix");
	ok(all_json(out), "storm lines are JSON");
	free(out);
	ok(!st.active && st.errors == 0 && st.storms == 1, "tracker reset after the storm");

	cap_start();
	sl_kafka_storm_ok(&st); /* no storm: nothing */
	ok(sl_kafka_storm_error(&st, "could not commit offsets: Local: Broker transport failure"),
	   "an error after recovery starts a new storm");
	sl_kafka_storm_error(&st, "could not commit offsets: Local: Broker transport failure");
	sl_kafka_storm_ok(&st);
	out = cap_end();
	is_int(count(out, "unreachable or failing (could not commit offsets"), 1,
	       "second storm: one start line");
	is_int(count(out, "answering again after 2 errors"), 1, "second storm: one end line");
	free(out);
	is_int(st.storms, 2, "two storms counted");

	sl_log_setup("json", "debug");
	cap_start();
	sl_kafka_storm_error(&st, "a");
	sl_kafka_storm_error(&st, "b");
	sl_kafka_storm_error(&st, "c");
	out = cap_end();
	is_int(count(out, "\"level\":\"debug\""), 2, "errors inside a storm are debug lines");
	free(out);
	sl_log_setup("json", "info");

	/* --- quiet period: errors served after the first answer --------------- */
	struct sl_kafka_storm q = {.who = "kafka", .quiet_ms = 50};
	cap_start();
	sl_kafka_storm_error(&q, "Disconnected");
	sl_kafka_storm_ok(&q);
	sl_kafka_storm_tick(&q); /* answered, but not quiet for 50 ms yet */
	ok(q.active, "an answer alone does not end the storm");
	sl_kafka_storm_error(&q, "1 request(s) timed out"); /* queued while blocked */
	usleep(80 * 1000);
	sl_kafka_storm_tick(&q);
	ok(q.active, "an error after the answer cancels it: no end without a new answer");
	sl_kafka_storm_ok(&q);
	sl_kafka_storm_ok(&q); /* a second answer keeps the first one's time */
	usleep(80 * 1000);
	sl_kafka_storm_tick(&q);
	sl_kafka_storm_tick(&q);
	out = cap_end();
	ok(!q.active, "answers and 50 ms without an error end the storm");
	is_int(count(out, "unreachable or failing"), 1, "quiet period: one start line");
	is_int(count(out, "answering again after 2 errors"), 1,
	       "quiet period: one end line, counting the error served late");
	is_int(count(out, "\n"), 2, "quiet period: two lines in all");
	free(out);

	/* --- classification ------------------------------------------------ */
	ok(sl_kafka_err_transient(RD_KAFKA_RESP_ERR__TRANSPORT), "transport failure is transient");
	ok(sl_kafka_err_transient(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN), "all brokers down is transient");
	ok(sl_kafka_err_transient(RD_KAFKA_RESP_ERR_NOT_COORDINATOR), "coordinator move is transient");
	ok(!sl_kafka_err_transient(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART), "unknown topic is not");
	ok(!sl_kafka_err_transient(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED),
	   "authorization is not");
	return t_done();
}
