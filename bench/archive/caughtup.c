/* SPDX-License-Identifier: Apache-2.0
 *
 * caughtup.c -- benchmark helper: wait until a consumer group's committed
 * offsets reach the end of a topic.
 *
 *   caughtup BOOTSTRAP GROUP TOPIC TIMEOUT_S
 *
 * Every 20 ms it asks the group coordinator for GROUP's committed offsets
 * on every partition of TOPIC (OffsetFetch; this handle never joins the
 * group, so it does not disturb the consumer being measured) and compares
 * them with the partitions' high watermarks.  Exits 0 as soon as every
 * partition's committed offset equals its high watermark -- for sluice
 * archive that means every record is in a stored file -- and 1 on timeout.
 * Prints "records=N" (the sum of the high watermarks) on success.
 * The caller then stops the archive with SIGTERM.
 */
#include <librdkafka/rdkafka.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: caughtup BOOTSTRAP GROUP TOPIC TIMEOUT_S\n");
		return 2;
	}
	char errstr[512];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], errstr, sizeof errstr) ||
	    rd_kafka_conf_set(conf, "group.id", argv[2], errstr, sizeof errstr) ||
	    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr)) {
		fprintf(stderr, "caughtup: %s\n", errstr);
		return 2;
	}
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
	if (!rk) {
		fprintf(stderr, "caughtup: %s\n", errstr);
		return 2;
	}
	double deadline = now_s() + atof(argv[4]);
	int rc = 1;
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, argv[3], NULL);
	while (now_s() < deadline && rd_kafka_metadata(rk, 0, rkt, &md, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR)
		md = NULL;
	if (!md || md->topic_cnt != 1 || md->topics[0].partition_cnt < 1) {
		fprintf(stderr, "caughtup: no metadata for topic %s\n", argv[3]);
		goto out;
	}
	int np = md->topics[0].partition_cnt;
	int64_t total = 0, *high = calloc((size_t)np, sizeof *high);
	for (int i = 0; i < np; i++) {
		int64_t lo;
		if (rd_kafka_query_watermark_offsets(rk, argv[3], i, &lo, &high[i], 10000)) {
			fprintf(stderr, "caughtup: could not read the watermarks of %s [%d]\n", argv[3], i);
			free(high);
			goto out;
		}
		total += high[i];
	}
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(np);
	for (int i = 0; i < np; i++)
		rd_kafka_topic_partition_list_add(l, argv[3], i);
	while (now_s() < deadline) {
		if (!rd_kafka_committed(rk, l, 5000)) {
			int done = 1;
			for (int i = 0; i < np; i++)
				if (l->elems[i].offset != high[i])
					done = 0;
			if (done) {
				printf("records=%lld\n", (long long)total);
				rc = 0;
				break;
			}
		}
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	rd_kafka_topic_partition_list_destroy(l);
	free(high);
out:
	if (md)
		rd_kafka_metadata_destroy(md);
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	return rc;
}
