/* SPDX-License-Identifier: Apache-2.0
 *
 * kafka_log.c -- see kafka_log.h.
 */
#include "sinks/kafka_log.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"

void sl_kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk;
	/* FAIL and ERROR restate what the error callback reports: the storm
	 * tracker logs those, once per storm. */
	bool restated = fac && (!strcmp(fac, "FAIL") || !strcmp(fac, "ERROR"));
	if (level <= 3 && !restated)
		sl_warn("kafka: %s: %s", fac ? fac : "?", buf ? buf : "");
	else
		sl_debug("kafka: %s: %s", fac ? fac : "?", buf ? buf : "");
}

void sl_kafka_conf_logging(rd_kafka_conf_t *conf)
{
	rd_kafka_conf_set_log_cb(conf, sl_kafka_log_cb);
}

bool sl_kafka_storm_error(struct sl_kafka_storm *s, const char *reason)
{
	const char *who = s->who ? s->who : "kafka";
	s->errors++;
	s->ok_us = 0; /* not over yet */
	if (s->active) {
		sl_debug("%s: Kafka error %" PRIu64 " of this storm: %s", who, s->errors, reason);
		return false;
	}
	s->active = true;
	s->since_us = sl_clock_mono_us();
	s->storms++;
	sl_warn("%s: Kafka brokers unreachable or failing (%s); retrying, position kept "
		"(further errors are counted, not logged)",
		who, reason);
	return true;
}

void sl_kafka_storm_on_error(struct sl_kafka_storm *s, rd_kafka_t *rk, int err,
			     const char *reason)
{
	char fatal[512];
	if (rd_kafka_fatal_error(rk, fatal, sizeof fatal)) {
		sl_error("%s: fatal Kafka client error: %s", s->who ? s->who : "kafka", fatal);
		return;
	}
	char msg[768];
	snprintf(msg, sizeof msg, "%s", reason && *reason ? reason : rd_kafka_err2str(err));
	sl_kafka_storm_error(s, msg);
}

static void storm_end(struct sl_kafka_storm *s)
{
	double secs = (double)(s->ok_us - s->since_us) / 1e6;
	sl_info("%s: Kafka brokers answering again after %" PRIu64 " error%s in %.1f s",
		s->who ? s->who : "kafka", s->errors, s->errors == 1 ? "" : "s", secs);
	s->active = false;
	s->errors = 0;
	s->ok_us = 0;
}

void sl_kafka_storm_ok(struct sl_kafka_storm *s)
{
	if (!s->active)
		return;
	if (!s->ok_us)
		s->ok_us = sl_clock_mono_us();
	if (s->quiet_ms <= 0)
		storm_end(s);
}

void sl_kafka_storm_tick(struct sl_kafka_storm *s)
{
	if (s->active && s->ok_us && sl_clock_mono_us() - s->ok_us >= (int64_t)s->quiet_ms * 1000)
		storm_end(s);
}

bool sl_kafka_err_transient(rd_kafka_resp_err_t err)
{
	switch (err) {
	case RD_KAFKA_RESP_ERR__TRANSPORT:
	case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
	case RD_KAFKA_RESP_ERR__RESOLVE:
	case RD_KAFKA_RESP_ERR__TIMED_OUT:
	case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
	case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
	case RD_KAFKA_RESP_ERR__WAIT_COORD:
	case RD_KAFKA_RESP_ERR__NODE_UPDATE:
	case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
	case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
	case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
	case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
	case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
	case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
	case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
	case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
	case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
		return true;
	default:
		return false;
	}
}
