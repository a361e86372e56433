/* SPDX-License-Identifier: Apache-2.0
 *
 * fill.c -- benchmark helper: load change events written by `sluice
 * capture` (file sink: one {"topic":..,"key":K,"value":V} object per line)
 * into a Kafka topic, in order, split into equal contiguous chunks over
 * the topic's partitions.
 *
 *   fill BOOTSTRAP TOPIC PARTITIONS COMPRESSION EVENTS.jsonl VALUES.out
 *
 * Event i of n goes to partition i * PARTITIONS / n with its key and
 * value verbatim, so a partition holds a known number of events and a
 * stretch of the captured order.  COMPRESSION is librdkafka's
 * compression.type: the mock cluster keeps only a few MB per partition,
 * and compressed batches are how a real deployment stores Debezium JSON.
 * Every value is also written to VALUES.out, one per line (the anchors read
 * the same bytes).  Exits non-zero unless every message is acknowledged.
 * The key is found by scanning its JSON (strings, escapes, nesting); the
 * line must end with the value and the closing brace.
 */
#include <librdkafka/rdkafka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static long g_failed;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk;
	(void)opaque;
	if (m->err)
		g_failed++;
}

/* End of the JSON value starting at p (object, array, string or scalar). */
static const char *json_end(const char *p, const char *end)
{
	int depth = 0;
	bool in_str = false;
	for (; p < end; p++) {
		char c = *p;
		if (in_str) {
			if (c == '\\')
				p++;
			else if (c == '"') {
				in_str = false;
				if (!depth)
					return p + 1;
			}
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth <= 0)
				return depth < 0 ? p : p + 1;
		} else if (!depth && (c == ',' || c == '}')) {
			return p;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: fill BOOTSTRAP TOPIC PARTITIONS COMPRESSION EVENTS.jsonl VALUES.out\n");
		return 2;
	}
	int parts = atoi(argv[3]);
	int fd = open(argv[5], O_RDONLY);
	struct stat st;
	if (parts < 1 || fd < 0 || fstat(fd, &st) || st.st_size == 0) {
		fprintf(stderr, "fill: bad partition count or unreadable %s\n", argv[5]);
		return 2;
	}
	const char *data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (data == MAP_FAILED) {
		perror("fill: mmap");
		return 2;
	}
	const char *end = data + st.st_size;
	long n = 0;
	for (const char *p = data; p < end; p++)
		n += *p == '\n';
	FILE *vo = fopen(argv[6], "w");
	if (!vo) {
		perror("fill: values file");
		return 2;
	}
	char errstr[512];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], errstr, sizeof errstr) ||
	    rd_kafka_conf_set(conf, "compression.type", argv[4], errstr, sizeof errstr) ||
	    rd_kafka_conf_set(conf, "linger.ms", "50", errstr, sizeof errstr) ||
	    rd_kafka_conf_set(conf, "batch.size", "1000000", errstr, sizeof errstr) ||
	    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr)) {
		fprintf(stderr, "fill: %s\n", errstr);
		return 2;
	}
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
	if (!rk) {
		fprintf(stderr, "fill: %s\n", errstr);
		return 2;
	}
	long i = 0;
	for (const char *line = data; line < end; i++) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			nl = end;
		const char *k = memmem(line, (size_t)(nl - line), "\"key\":", 6);
		const char *kend = k ? json_end(k + 6, nl) : NULL;
		if (!kend || (size_t)(nl - kend) < 10 || memcmp(kend, ",\"value\":", 9) || nl[-1] != '}') {
			fprintf(stderr, "fill: line %ld is not a capture file-sink record\n", i + 1);
			return 1;
		}
		k += 6;
		const char *v = kend + 9;
		size_t vlen = (size_t)(nl - 1 - v);
		size_t klen = (size_t)(kend - k);
		bool null_key = klen == 4 && !memcmp(k, "null", 4);
		fwrite(v, 1, vlen, vo);
		fputc('\n', vo);
		int32_t part = (int32_t)((long long)i * parts / n);
		rd_kafka_resp_err_t e;
		while ((e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(argv[2]), RD_KAFKA_V_PARTITION(part),
					      RD_KAFKA_V_KEY(null_key ? NULL : k, null_key ? 0 : klen),
					      RD_KAFKA_V_VALUE((void *)v, vlen),
					      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
		       RD_KAFKA_RESP_ERR__QUEUE_FULL)
			rd_kafka_poll(rk, 100);
		if (e) {
			fprintf(stderr, "fill: produce: %s\n", rd_kafka_err2str(e));
			return 1;
		}
		rd_kafka_poll(rk, 0);
		line = nl + 1;
	}
	rd_kafka_resp_err_t fe = rd_kafka_flush(rk, 120000);
	rd_kafka_destroy(rk);
	if (fclose(vo) || fe || g_failed) {
		fprintf(stderr, "fill: %ld message(s) not delivered (%s)\n", g_failed, rd_kafka_err2str(fe));
		return 1;
	}
	printf("events=%ld\n", i);
	return 0;
}
