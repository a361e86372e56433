/* SPDX-License-Identifier: Apache-2.0
 *
 * kafka_log.h -- librdkafka's own log lines and broker errors, through
 * core/log.h, for every librdkafka client sluice makes: the Kafka sink's
 * producer, and the archive's consumer and dead letter queue producer.
 *
 * sl_kafka_conf_logging() installs a log callback, so librdkafka's lines
 * obey log.format and log.level instead of going raw to stderr.  Lines
 * that restate a broker error (facilities FAIL and ERROR) go to debug:
 * the client's error callback sees the same error and hands it to a
 * storm tracker.  Other errors (level <= 3) are warnings, the rest debug.
 *
 * A storm tracker turns a run of broker errors -- librdkafka reports one
 * per failed connection attempt, per broker, every reconnect.backoff --
 * into two lines: a warning with the first error when the storm starts,
 * and, once the brokers answer again, one line with how many errors
 * there were and for how long.  The errors in between are debug lines.
 * The caller decides what proves the brokers answer (a delivery report,
 * a commit, a group join) and calls sl_kafka_storm_ok().  The storm ends
 * only after quiet_ms without a further error (sl_kafka_storm_tick()
 * logs the end): errors librdkafka queued while the caller was blocked
 * are served after the first answer, and must not start a second storm.
 *
 * A tracker is plain data for one thread: call it from the thread that
 * polls the client (error callbacks run inside rd_kafka_poll() and
 * rd_kafka_consumer_poll(), on the caller's thread).
 */
#ifndef SL_SINKS_KAFKA_LOG_H
#define SL_SINKS_KAFKA_LOG_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdint.h>

/* quiet_ms for the clients: long enough for queued errors to be served. */
#define SL_KAFKA_STORM_QUIET_MS 2000

struct sl_kafka_storm {
	const char *who;   /* line prefix: "kafka", "archive" */
	bool active;
	uint64_t errors;   /* in the current storm */
	int64_t since_us;  /* monotonic start of the current storm */
	int64_t ok_us;     /* first answer since the last error; 0 = none */
	int quiet_ms;      /* answers and no error for this long end a storm */
	uint64_t storms;   /* storms started so far (tests, stats) */
};

/* Route this client's log lines through sl_log (see above). */
void sl_kafka_conf_logging(rd_kafka_conf_t *conf);
/* The log callback itself (exposed for tests). */
void sl_kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf);

/* One broker error.  The first of a storm is logged as a warning naming
 * `reason`; later ones are counted (debug lines).  Returns true when this
 * error started a storm. */
bool sl_kafka_storm_error(struct sl_kafka_storm *s, const char *reason);
/* For an error callback: a fatal client error is logged as an error
 * (the caller's poll returns it); any other error is a storm error. */
void sl_kafka_storm_on_error(struct sl_kafka_storm *s, rd_kafka_t *rk, int err,
			     const char *reason);
/* The brokers answered.  With quiet_ms 0 this ends a storm at once, with
 * one line and its count; otherwise sl_kafka_storm_tick() ends it after
 * quiet_ms without an error. */
void sl_kafka_storm_ok(struct sl_kafka_storm *s);
/* Call regularly (each poll): ends a storm whose brokers answered and
 * stayed quiet for quiet_ms. */
void sl_kafka_storm_tick(struct sl_kafka_storm *s);

/* Errors that mean "the brokers are unreachable or busy; retry": a
 * connection, a timeout, a missing or moving coordinator or leader. */
bool sl_kafka_err_transient(rd_kafka_resp_err_t err);

#endif
