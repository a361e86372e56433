/* SPDX-License-Identifier: Apache-2.0
 *
 * kafka.c -- the Kafka sink over librdkafka.
 *
 * Defaults make delivery safe: enable.idempotence=true (so acks=all and
 * ordered retries per partition) and message.timeout.ms=0, i.e. retry
 * forever while brokers are down rather than drop a record; the pipeline
 * stops reading from PostgreSQL while the queue is full, so memory stays
 * bounded and the slot position is kept.  User `kafka.*` settings are
 * applied after the defaults and win.
 *
 * A record that can never be delivered (too large, fatal idempotence
 * error, authorization) is acked with an error naming the setting to
 * change; the pipeline stops without confirming past it.
 */
#include "sinks/sink.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "sinks/kafka_log.h"

#define TOPIC_CACHE 16

struct kafka_sink {
	struct sl_sink base;
	rd_kafka_t *rk;
	size_t in_flight;
	/* Broker error storms are logged once, with a count (kafka_log.h). */
	struct sl_kafka_storm storm;
	char max_bytes_hint[64];
	/* topic.creation.default.*: 0 partitions = leave it to the broker */
	int create_partitions, create_replication;
	char **known_topics;
	size_t nknown;
	/* Topic handles by name, so producing does not look the topic up in
	 * librdkafka (a lock and a hash) per record.  Owned; destroyed before
	 * the producer.  Topics past TOPIC_CACHE fall back to by-name. */
	struct {
		char *name;
		rd_kafka_topic_t *rkt;
	} topics[TOPIC_CACHE];
	size_t ntopics;
};

/* The cached handle of `topic`, creating it on first use; NULL when the
 * cache is full or librdkafka refuses (the caller then produces by name). */
static rd_kafka_topic_t *topic_handle(struct kafka_sink *s, const char *topic)
{
	for (size_t i = 0; i < s->ntopics; i++)
		if (!strcmp(s->topics[i].name, topic))
			return s->topics[i].rkt;
	if (s->ntopics == TOPIC_CACHE)
		return NULL;
	char *name = strdup(topic);
	rd_kafka_topic_t *rkt = name ? rd_kafka_topic_new(s->rk, topic, NULL) : NULL;
	if (!rkt) {
		free(name);
		return NULL;
	}
	s->topics[s->ntopics].name = name;
	s->topics[s->ntopics].rkt = rkt;
	s->ntopics++;
	return rkt;
}

void sl_sink_kafka_create_topics(struct sl_sink *base, int partitions, int replication)
{
	struct kafka_sink *s = (struct kafka_sink *)base;
	s->create_partitions = partitions;
	s->create_replication = replication > 0 ? replication : -1; /* -1: broker default */
}

/* Create the topic once, before its first record. */
static void ensure_topic(struct kafka_sink *s, const char *topic)
{
	for (size_t i = 0; i < s->nknown; i++)
		if (!strcmp(s->known_topics[i], topic))
			return;
	char **k = realloc(s->known_topics, (s->nknown + 1) * sizeof *k);
	if (!k || !(k[s->nknown] = strdup(topic))) {
		if (k)
			s->known_topics = k;
		return;
	}
	s->known_topics = k;
	s->nknown++;
	char errstr[256];
	rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, s->create_partitions,
							 s->create_replication, errstr, sizeof errstr);
	if (!nt) {
		sl_warn("kafka: cannot create topic \"%s\": %s", topic, errstr);
		return;
	}
	rd_kafka_queue_t *q = rd_kafka_queue_new(s->rk);
	rd_kafka_AdminOptions_t *ao = rd_kafka_AdminOptions_new(s->rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
	rd_kafka_AdminOptions_set_request_timeout(ao, 5000, errstr, sizeof errstr);
	rd_kafka_CreateTopics(s->rk, &nt, 1, ao, q);
	rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 7000);
	const char *why = NULL;
	rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;
	if (ev) {
		err = rd_kafka_event_error(ev);
		why = rd_kafka_event_error_string(ev);
		const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
		size_t n = 0;
		const rd_kafka_topic_result_t **tr = res ? rd_kafka_CreateTopics_result_topics(res, &n) : NULL;
		if (!err && n == 1) {
			err = rd_kafka_topic_result_error(tr[0]);
			why = rd_kafka_topic_result_error_string(tr[0]);
		}
	}
	if (!err)
		sl_info("kafka: created topic \"%s\" (%d partitions, replication %d)", topic,
			s->create_partitions, s->create_replication);
	else if (err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
		sl_warn("kafka: could not create topic \"%s\" (%s); relying on the broker's "
			"auto-creation%s",
			topic, why && *why ? why : rd_kafka_err2str(err),
			ev && !rd_kafka_event_error(ev) ? "" : " for every topic");
	/* A broker that does not answer CreateTopics at all (unsupported, or no
	 * reply) will not for the next topic either: stop asking, so new topics
	 * never stall the stream. */
	if (!ev || rd_kafka_event_error(ev))
		s->create_partitions = 0;
	if (ev)
		rd_kafka_event_destroy(ev);
	rd_kafka_AdminOptions_destroy(ao);
	rd_kafka_NewTopic_destroy(nt);
	rd_kafka_queue_destroy(q);
}

/* A record key for an error message: at most ~200 bytes, control and
 * non-ASCII bytes as '?', "null" for no key. */
static void key_text(const void *key, size_t len, char *out, size_t n)
{
	if (!key) {
		snprintf(out, n, "null");
		return;
	}
	const unsigned char *k = key;
	size_t max = n - 4, o = 0;
	for (size_t i = 0; i < len && o < max; i++)
		out[o++] = k[i] >= 0x20 && k[i] < 0x7f ? (char)k[i] : '?';
	if (o < len)
		out[o++] = '.', out[o++] = '.', out[o++] = '.';
	out[o] = '\0';
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk;
	struct kafka_sink *s = opaque;
	uint64_t seq = (uint64_t)(uintptr_t)m->_private;
	s->in_flight--;
	if (!m->err) {
		sl_kafka_storm_ok(&s->storm);
		s->base.on_ack(s->base.ack_ctx, seq, SL_OK, NULL);
		return;
	}
	char msg[512], key[208];
	if (m->err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
		key_text(m->key, m->key_len, key, sizeof key);
		snprintf(msg, sizeof msg,
			 "record of %zu bytes with key %s for topic \"%s\" is larger than the "
			 "broker accepts: raise the topic's max.message.bytes and "
			 "kafka.message.max.bytes",
			 m->len + m->key_len, key, rd_kafka_topic_name(m->rkt));
	}
	else
		snprintf(msg, sizeof msg, "could not deliver to topic \"%s\": %s",
			 rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
	s->base.on_ack(s->base.ack_ctx, seq, SL_ERR_FATAL, msg);
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct kafka_sink *s = opaque;
	sl_kafka_storm_on_error(&s->storm, rk, err, reason);
}

static enum sl_err kafka_produce(struct sl_sink *base, const struct sl_record *rec,
				 struct sl_errbuf *eb)
{
	struct kafka_sink *s = (struct kafka_sink *)base;
	if (s->create_partitions > 0)
		ensure_topic(s, rec->topic);
	rd_kafka_topic_t *rkt = topic_handle(s, rec->topic);
	rd_kafka_resp_err_t err;
	if (rkt)
		err = rd_kafka_producev(
			s->rk, RD_KAFKA_V_RKT(rkt),
			RD_KAFKA_V_KEY(rec->key, rec->key ? rec->key_len : 0),
			RD_KAFKA_V_VALUE((void *)rec->value, rec->value ? rec->value_len : 0),
			RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
			RD_KAFKA_V_OPAQUE((void *)(uintptr_t)rec->seq), RD_KAFKA_V_END);
	else
		err = rd_kafka_producev(
			s->rk, RD_KAFKA_V_TOPIC(rec->topic),
			RD_KAFKA_V_KEY(rec->key, rec->key ? rec->key_len : 0),
			RD_KAFKA_V_VALUE((void *)rec->value, rec->value ? rec->value_len : 0),
			RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
			RD_KAFKA_V_OPAQUE((void *)(uintptr_t)rec->seq), RD_KAFKA_V_END);
	switch (err) {
	case RD_KAFKA_RESP_ERR_NO_ERROR:
		s->in_flight++;
		return SL_OK;
	case RD_KAFKA_RESP_ERR__QUEUE_FULL:
		return SL_ERR_RETRY;
	case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE: {
		char key[208];
		key_text(rec->key, rec->key_len, key, sizeof key);
		return sl_err_set(eb, SL_ERR_TOO_LARGE,
				  "record of %zu bytes from %s with key %s for topic \"%s\" is larger "
				  "than kafka.message.max.bytes (%s): raise kafka.message.max.bytes and "
				  "the topic's max.message.bytes",
				  rec->key_len + rec->value_len, rec->what ? rec->what : "?", key,
				  rec->topic, s->max_bytes_hint);
	}
	default:
		return sl_err_set(eb, SL_ERR_FATAL, "could not produce to topic \"%s\": %s",
				  rec->topic, rd_kafka_err2str(err));
	}
}

static enum sl_err kafka_poll(struct sl_sink *base, int timeout_ms, struct sl_errbuf *eb)
{
	struct kafka_sink *s = (struct kafka_sink *)base;
	rd_kafka_poll(s->rk, timeout_ms);
	sl_kafka_storm_tick(&s->storm);
	char reason[256];
	if (rd_kafka_fatal_error(s->rk, reason, sizeof reason))
		return sl_err_set(eb, SL_ERR_FATAL, "kafka producer failed: %s", reason);
	return SL_OK;
}

static enum sl_err kafka_flush(struct sl_sink *base, int timeout_ms, struct sl_errbuf *eb)
{
	struct kafka_sink *s = (struct kafka_sink *)base;
	rd_kafka_resp_err_t err = rd_kafka_flush(s->rk, timeout_ms);
	enum sl_err e = kafka_poll(base, 0, eb);
	if (e)
		return e;
	if (err == RD_KAFKA_RESP_ERR__TIMED_OUT || s->in_flight)
		return SL_ERR_RETRY;
	return SL_OK;
}

static size_t kafka_in_flight(struct sl_sink *base)
{
	return ((struct kafka_sink *)base)->in_flight;
}

static void kafka_destroy(struct sl_sink *base)
{
	struct kafka_sink *s = (struct kafka_sink *)base;
	if (s->rk) {
		/* Undelivered records are simply not acked: their LSN is never
		 * confirmed, so PostgreSQL sends them again on restart. */
		rd_kafka_purge(s->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
		for (size_t i = 0; i < s->ntopics; i++)
			rd_kafka_topic_destroy(s->topics[i].rkt);
		rd_kafka_destroy(s->rk);
	}
	for (size_t i = 0; i < s->ntopics; i++)
		free(s->topics[i].name);
	for (size_t i = 0; i < s->nknown; i++)
		free(s->known_topics[i]);
	free(s->known_topics);
	free(s);
}

static const struct sl_sink_ops kafka_ops = {
	.name = "kafka",
	.produce = kafka_produce,
	.poll = kafka_poll,
	.flush = kafka_flush,
	.in_flight = kafka_in_flight,
	.destroy = kafka_destroy,
};

enum sl_err sl_sink_kafka_new(const struct sl_kafka_conf_pair *conf, size_t nconf,
			      struct sl_sink **out, struct sl_errbuf *eb)
{
	static const struct sl_kafka_conf_pair defaults[] = {
		{"enable.idempotence", "true"},
		{"acks", "all"},
		{"message.timeout.ms", "0"},
		{"linger.ms", "5"},
		/* Bound memory: librdkafka would buffer up to 1 GiB by default.  A
		 * full queue is backpressure, not loss (see produce()). */
		{"queue.buffering.max.messages", "100000"},
		{"queue.buffering.max.kbytes", "16384"},
		{"log_level", "4"},
	};
	char errstr[512];
	struct kafka_sink *s = calloc(1, sizeof *s);
	if (!s)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	s->base.ops = &kafka_ops;
	s->storm.who = "kafka";
	s->storm.quiet_ms = SL_KAFKA_STORM_QUIET_MS;
	rd_kafka_conf_t *kc = rd_kafka_conf_new();
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
		rd_kafka_conf_set(kc, defaults[i].key, defaults[i].value, errstr, sizeof errstr);
	for (size_t i = 0; i < nconf; i++) {
		if (rd_kafka_conf_set(kc, conf[i].key, conf[i].value, errstr, sizeof errstr) !=
		    RD_KAFKA_CONF_OK) {
			rd_kafka_conf_destroy(kc);
			free(s);
			/* errstr may quote the value; name only the key. */
			return sl_err_set(eb, SL_ERR_CONFIG, "invalid value for \"kafka.%s\"",
					  conf[i].key);
		}
	}
	size_t n = sizeof s->max_bytes_hint;
	if (rd_kafka_conf_get(kc, "message.max.bytes", s->max_bytes_hint, &n) != RD_KAFKA_CONF_OK)
		snprintf(s->max_bytes_hint, sizeof s->max_bytes_hint, "default");
	rd_kafka_conf_set_opaque(kc, s);
	rd_kafka_conf_set_dr_msg_cb(kc, on_delivery);
	rd_kafka_conf_set_error_cb(kc, on_error);
	sl_kafka_conf_logging(kc);
	s->rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, errstr, sizeof errstr);
	if (!s->rk) {
		free(s);
		return sl_err_set(eb, SL_ERR_CONFIG, "could not create kafka producer: %s", errstr);
	}
	*out = &s->base;
	return SL_OK;
}
