/* SPDX-License-Identifier: Apache-2.0
 *
 * sink.h -- where encoded records go: Kafka, a JSON-lines file, or stdout.
 *
 * The delivery contract: the pipeline numbers every record with a
 * strictly increasing `seq` and hands it to produce().  The sink later
 * calls on_ack(seq) exactly once per record, when -- and only when -- the
 * record is durable downstream (a Kafka delivery report with acks=all, or
 * an fsync of the file).  Acks may arrive out of order and only from
 * inside poll() or flush(), on the caller's thread.  The pipeline derives
 * the LSN it may confirm to PostgreSQL from these acks alone.
 *
 * produce() may return SL_ERR_RETRY when the sink's queue is full: the
 * caller polls and tries again (backpressure, never unbounded memory).
 */
#ifndef SL_SINKS_SINK_H
#define SL_SINKS_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "event/debezium.h"

struct sl_record {
	const char *topic;
	const void *key;     /* NULL = null key */
	size_t key_len;
	const void *value;   /* NULL = null value (tombstone) */
	size_t value_len;
	const char *what;    /* for error messages, e.g. table "app.users"; may be NULL */
	uint64_t seq;        /* delivery-tracking number, strictly increasing */
	/* For sinks with takes_changes (the lake): the change itself, with
	 * the encoder options and the processing time its event would carry.
	 * key and value are then not encoded (NULL); the sink encodes what it
	 * needs.  NULL for every other record. */
	const struct sl_change *change;
	const struct sl_dbz_opts *dbz;
	int64_t now_ns;
};

/* err != SL_OK means the record could not be delivered and never will be
 * (retries exhausted or not retryable); msg explains, naming the setting. */
typedef void (*sl_sink_ack_fn)(void *ctx, uint64_t seq, enum sl_err err, const char *msg);

struct sl_sink;

struct sl_sink_ops {
	const char *name;
	enum sl_err (*produce)(struct sl_sink *s, const struct sl_record *rec, struct sl_errbuf *eb);
	/* Serve delivery reports for up to timeout_ms. */
	enum sl_err (*poll)(struct sl_sink *s, int timeout_ms, struct sl_errbuf *eb);
	/* Make everything produced so far durable and acked, waiting up to
	 * timeout_ms; SL_ERR_RETRY if it is not done by then. */
	enum sl_err (*flush)(struct sl_sink *s, int timeout_ms, struct sl_errbuf *eb);
	/* Records produced but not yet acked. */
	size_t (*in_flight)(struct sl_sink *s);
	void (*destroy)(struct sl_sink *s);
};

struct sl_sink {
	const struct sl_sink_ops *ops;
	/* The sink takes row changes unencoded (sl_record.change) and needs
	 * no tombstones. */
	bool takes_changes;
	sl_sink_ack_fn on_ack;
	void *ack_ctx;
};

static inline enum sl_err sl_sink_produce(struct sl_sink *s, const struct sl_record *rec,
					  struct sl_errbuf *eb)
{
	return s->ops->produce(s, rec, eb);
}
static inline enum sl_err sl_sink_poll(struct sl_sink *s, int timeout_ms, struct sl_errbuf *eb)
{
	return s->ops->poll(s, timeout_ms, eb);
}
static inline enum sl_err sl_sink_flush(struct sl_sink *s, int timeout_ms, struct sl_errbuf *eb)
{
	return s->ops->flush(s, timeout_ms, eb);
}
static inline size_t sl_sink_in_flight(struct sl_sink *s)
{
	return s->ops->in_flight(s);
}
/* NULL is a no-op. */
static inline void sl_sink_destroy(struct sl_sink *s)
{
	if (s)
		s->ops->destroy(s);
}

/* JSON-lines sink: one {"topic":..,"key":..,"value":..} line per record.
 * path NULL or "-" writes to stdout.  File output is fsynced in groups:
 * records are acked after the fsync that covers them, at most
 * sync_interval_ms after they were written.  With direct_io a file is
 * written past the page cache where its file system allows it. */
enum sl_err sl_sink_jsonl_new(const char *path, int sync_interval_ms, bool direct_io,
			      struct sl_sink **out, struct sl_errbuf *eb);

/* Kafka sink over librdkafka, idempotent with acks=all.  `conf` pairs are
 * passed to librdkafka verbatim (keys without the "kafka." prefix), after
 * sluice's defaults, so users can override them. */
struct sl_kafka_conf_pair {
	const char *key;
	const char *value;
};
enum sl_err sl_sink_kafka_new(const struct sl_kafka_conf_pair *conf, size_t nconf,
			      struct sl_sink **out, struct sl_errbuf *eb);
/* Create each topic (Admin API) before its first record, with this many
 * partitions and replicas; an existing topic is left alone.  Where the
 * broker refuses, sluice says so once and relies on auto-creation. */
void sl_sink_kafka_create_topics(struct sl_sink *s, int partitions, int replication);

#endif
