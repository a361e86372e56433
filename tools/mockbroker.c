/* SPDX-License-Identifier: Apache-2.0
 *
 * mockbroker.c -- librdkafka's mock cluster as a standalone Kafka-API broker
 * for tests and benchmarks.  Prints the bootstrap list on stdout, then
 * serves until SIGTERM/SIGINT.  Data lives in memory only.
 *
 * Fault injection for tests: SIGUSR1 takes every broker down (connections
 * are closed and new ones refused, as when the brokers are stopped) and
 * SIGUSR2 brings them up again, with the topics, data and committed
 * offsets kept -- a broker restart without losing the in-memory state.
 *
 * Usage: mockbroker [NBROKERS] [TOPIC:PARTITIONS ...]
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t g_stop, g_down, g_want_down;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		g_want_down = 1;
	else if (sig == SIGUSR2)
		g_want_down = 0;
	else
		g_stop = 1;
}

int main(int argc, char **argv)
{
	/* Signals are blocked everywhere (librdkafka's threads inherit the
	 * mask) and only taken by the main thread inside sigsuspend(): none is
	 * missed between the check of the flags and the wait. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	char errstr[512];
	int nbrokers = argc > 1 ? atoi(argv[1]) : 1;
	if (nbrokers < 1)
		nbrokers = 1;
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
	if (!rk) {
		fprintf(stderr, "mockbroker: %s\n", errstr);
		return 1;
	}
	rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, nbrokers);
	if (!mc) {
		fprintf(stderr, "mockbroker: could not create mock cluster\n");
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		char name[256];
		const char *colon = strrchr(argv[i], ':');
		int parts = colon ? atoi(colon + 1) : 1;
		size_t n = colon ? (size_t)(colon - argv[i]) : strlen(argv[i]);
		if (n >= sizeof name)
			n = sizeof name - 1;
		memcpy(name, argv[i], n);
		name[n] = '\0';
		rd_kafka_mock_topic_create(mc, name, parts, 1);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
	fflush(stdout);
	while (!g_stop) {
		if (g_want_down != g_down) {
			g_down = g_want_down;
			for (int id = 1; id <= nbrokers; id++) {
				if (g_down)
					rd_kafka_mock_broker_set_down(mc, id);
				else
					rd_kafka_mock_broker_set_up(mc, id);
			}
			fprintf(stderr, "mockbroker: brokers %s\n", g_down ? "down" : "up");
			continue;
		}
		sigsuspend(&old);
	}
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	return 0;
}
