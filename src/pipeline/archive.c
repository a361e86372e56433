/* SPDX-License-Identifier: Apache-2.0
 *
 * archive.c -- the archive pipeline (archive.h) over librdkafka.
 *
 * One thread: poll the consumer, hand records to the writer, commit
 * offsets after files land.  Partitions are tracked in a small array
 * (next offset to handle, last committed).  Rebalances use the eager
 * protocol: on revoke the open files of the lost partitions are aborted
 * (their offsets were never committed, the next owner re-reads them).
 * The dead letter queue is a separate idempotent producer, flushed before
 * any offset commit so a skipped record is never lost.
 *
 * Exactly once.  The writer rotates per (topic, partition) and commits a
 * partition's files as one round (writer.h), so after a round the
 * partition's next offset is committed and no file straddles it.  Before
 * a round's files are committed, the round's first offset is committed
 * with the metadata "sluice:round-end=<last offset>" (the intent); the
 * offset after the round follows once the files are stored, clearing it.
 * A run that finds an intent on assignment (the previous owner died
 * between the two) cuts its first round at exactly that offset, so the
 * round's files come out with the same names and bytes and the store's
 * conditional create (or HEAD) recognises the ones already there.  This
 * makes even wall-clock rotation (rotate.schedule.interval.ms) and a stop
 * replay identically; only the Wallclock timestamp extractor, which
 * changes the encoded partition itself, cannot be replayed.
 */
#include "pipeline/archive.h"

#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/jsonr.h"
#include "lake/setup.h"
#include "lake/writer.h"
#include "core/clock.h"
#include "core/failpoint.h"
#include "core/log.h"
#include "core/stop.h"
#include "obs/status.h"
#include "pipeline/archive_obs.h"
#include "sinks/kafka_log.h"

#define INTENT_PREFIX "sluice:round-end="

struct tp {
	char *topic;
	int32_t partition;
	int64_t next;      /* one past the last record handled; -1 = none yet */
	int64_t committed; /* last committed offset; -1 = none */
	bool live;
};

struct arch {
	const struct sl_config *cfg;
	struct sl_lake_setup setup;
	struct sl_lake_writer *w;
	struct sl_jsonr json;
	rd_kafka_t *rk, *dlq;
	const char *dlq_topic;
	bool tolerate;
	struct tp *tps;
	size_t ntps, captps;
	uint64_t records, tombstones, bad, dlq_failed;
	enum sl_err fatal;
	char fatal_msg[512];
	struct sl_archive_obs *obs; /* metrics, state, pause/resume (archive_obs.h) */
	/* Broker errors of the consumer and the DLQ producer, commit failures
	 * included: one line when they start, one with the count when the
	 * brokers answer again (sinks/kafka_log.h). */
	struct sl_kafka_storm storm;
	/* The last other consumer error logged: repeats are debug lines until
	 * a record comes through or the error changes. */
	rd_kafka_resp_err_t last_consumer_err;
};

static struct tp *tp_get(struct arch *a, const char *topic, int32_t partition)
{
	for (size_t i = 0; i < a->ntps; i++)
		if (a->tps[i].partition == partition && !strcmp(a->tps[i].topic, topic))
			return &a->tps[i];
	if (a->ntps == a->captps) {
		size_t nc = a->captps ? a->captps * 2 : 16;
		struct tp *nt = realloc(a->tps, nc * sizeof *nt);
		if (!nt)
			return NULL;
		a->tps = nt;
		a->captps = nc;
	}
	struct tp *t = &a->tps[a->ntps];
	*t = (struct tp){.topic = strdup(topic), .partition = partition, .next = -1, .committed = -1};
	if (!t->topic)
		return NULL;
	a->ntps++;
	return t;
}

static void set_fatal(struct arch *a, enum sl_err err, const char *msg)
{
	if (a->fatal)
		return;
	a->fatal = err;
	snprintf(a->fatal_msg, sizeof a->fatal_msg, "%s", msg);
}

/* On assignment: a committed offset carrying an intent means its round was
 * being committed when the previous owner stopped; redo it exactly. */
static void read_intents(struct arch *a, rd_kafka_t *rk,
			 const rd_kafka_topic_partition_list_t *parts)
{
	rd_kafka_topic_partition_list_t *c = rd_kafka_topic_partition_list_copy(parts);
	rd_kafka_resp_err_t e = rd_kafka_committed(rk, c, 30000);
	char msg[512];
	for (int i = 0; !e && i < c->cnt; i++) {
		const rd_kafka_topic_partition_t *p = &c->elems[i];
		size_t plen = sizeof INTENT_PREFIX - 1;
		if (p->err) {
			e = p->err;
			break;
		}
		if (!p->metadata || p->metadata_size <= plen || p->metadata_size > 64 ||
		    memcmp(p->metadata, INTENT_PREFIX, plen))
			continue;
		char num[64];
		memcpy(num, (const char *)p->metadata + plen, p->metadata_size - plen);
		num[p->metadata_size - plen] = 0;
		char *end;
		long long last = strtoll(num, &end, 10);
		if (*end || last < 0 || last < p->offset)
			continue;
		struct sl_errbuf eb;
		if (sl_lake_writer_set_cut(a->w, p->topic, p->partition, last, &eb)) {
			set_fatal(a, SL_ERR_NOMEM, eb.msg);
			break;
		}
		sl_info("archive: topic \"%s\" partition %d: redoing the round from offset %" PRId64
			" to %lld that an earlier run was committing",
			p->topic, (int)p->partition, p->offset, last);
	}
	if (e) {
		snprintf(msg, sizeof msg, "could not read the committed offsets of the assigned "
			 "partitions: %s", rd_kafka_err2str(e));
		set_fatal(a, SL_ERR_IO, msg);
	}
	rd_kafka_topic_partition_list_destroy(c);
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
			 rd_kafka_topic_partition_list_t *parts, void *opaque)
{
	struct arch *a = opaque;
	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		read_intents(a, rk, parts);
		for (int i = 0; i < parts->cnt; i++) {
			struct tp *t = tp_get(a, parts->elems[i].topic, parts->elems[i].partition);
			if (t) {
				t->live = true;
				t->next = -1;
				t->committed = -1;
			}
		}
		sl_kafka_storm_ok(&a->storm); /* the group coordinator answered */
		sl_info("archive: assigned %d partition(s)", parts->cnt);
		rd_kafka_assign(rk, parts);
	} else {
		for (int i = 0; i < parts->cnt && a->w; i++) {
			sl_lake_writer_discard(a->w, parts->elems[i].topic, parts->elems[i].partition);
			struct tp *t = tp_get(a, parts->elems[i].topic, parts->elems[i].partition);
			if (t)
				t->live = false;
		}
		sl_info("archive: revoked %d partition(s)", parts->cnt);
		rd_kafka_assign(rk, NULL);
	}
}

/* Both clients' error callback (opaque: the arch); runs inside
 * rd_kafka_consumer_poll() / rd_kafka_poll() on the archive's thread. */
static void on_kafka_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct arch *a = opaque;
	sl_kafka_storm_on_error(&a->storm, rk, err, reason);
}

struct conf_ctx {
	rd_kafka_conf_t *conf;
	char *errstr;
	size_t errlen;
	bool failed;
	char bad_key[128];
	bool producer;
};

static void set_pair(const char *key, const char *value, void *ctx)
{
	struct conf_ctx *c = ctx;
	if (c->failed)
		return;
	/* Consumer-only settings do not belong on the DLQ producer. */
	if (c->producer && (!strcmp(key, "group.id") || !strncmp(key, "auto.", 5) ||
			    !strncmp(key, "enable.auto", 11) || !strncmp(key, "session.", 8) ||
			    !strncmp(key, "max.poll", 8) || !strncmp(key, "isolation.", 10) ||
			    !strncmp(key, "fetch.", 6) || !strncmp(key, "partition.assignment", 20)))
		return;
	if (rd_kafka_conf_set(c->conf, key, value, c->errstr, c->errlen) != RD_KAFKA_CONF_OK) {
		c->failed = true;
		snprintf(c->bad_key, sizeof c->bad_key, "%s", key);
	}
}

static enum sl_err make_conf(struct arch *a, bool producer, rd_kafka_conf_t **out,
			     struct sl_errbuf *eb)
{
	char errstr[512];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	struct conf_ctx c = {.conf = conf, .errstr = errstr, .errlen = sizeof errstr,
			     .producer = producer};
	if (!producer) {
		char group[512];
		const char *g = sl_config_get(a->cfg, "group.id");
		const char *name = sl_config_get(a->cfg, "name");
		if (g && *g)
			snprintf(group, sizeof group, "%s", g);
		else
			snprintf(group, sizeof group, "connect-%s", name && *name ? name : "sluice-archive");
		set_pair("group.id", group, &c);
		set_pair("enable.auto.commit", "false", &c);
		set_pair("enable.auto.offset.store", "false", &c);
		set_pair("auto.offset.reset", "earliest", &c);
		set_pair("enable.partition.eof", "false", &c);
	} else {
		set_pair("enable.idempotence", "true", &c);
		set_pair("acks", "all", &c);
	}
	sl_config_foreach_prefix(a->cfg, "kafka.", set_pair, &c);
	if (c.failed) {
		rd_kafka_conf_destroy(conf);
		return sl_err_set(eb, SL_ERR_CONFIG, "kafka.%s: %s", c.bad_key, errstr);
	}
	/* librdkafka's lines through log.format / log.level, its errors
	 * through the storm tracker. */
	sl_kafka_conf_logging(conf);
	rd_kafka_conf_set_error_cb(conf, on_kafka_error);
	rd_kafka_conf_set_opaque(conf, a);
	*out = conf;
	return SL_OK;
}

/* Commit what is durable: see archive.h.  `final`: the last commit of a
 * clean stop, whose failure is not retried. */
static enum sl_err commit_offsets(struct arch *a, bool final, struct sl_errbuf *eb)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(4);
	for (size_t i = 0; i < a->ntps; i++) {
		struct tp *t = &a->tps[i];
		if (!t->live || t->next < 0)
			continue;
		int64_t c = t->next, min;
		if (sl_lake_writer_min_open(a->w, t->topic, t->partition, &min) && min < c)
			c = min;
		if (c > t->committed)
			rd_kafka_topic_partition_list_add(l, t->topic, t->partition)->offset = c;
	}
	enum sl_err err = SL_OK;
	if (l->cnt) {
		if (a->dlq) {
			/* Records sent to the DLQ must be there before their offsets move. */
			rd_kafka_resp_err_t fe = rd_kafka_flush(a->dlq, 30000);
			if (fe || a->dlq_failed) {
				rd_kafka_topic_partition_list_destroy(l);
				return sl_err_set(eb, SL_ERR_IO,
						  "could not deliver to the dead letter queue \"%s\": %s",
						  a->dlq_topic, fe ? rd_kafka_err2str(fe) : "delivery failed");
			}
		}
		/* The third argument is `async`: 0, so every commit is synchronous
		 * -- the offsets are on the broker when it returns OK, and only
		 * then does t->committed move. */
		rd_kafka_resp_err_t ce = rd_kafka_commit(a->rk, l, 0);
		if (ce && ce != RD_KAFKA_RESP_ERR__NO_OFFSET) {
			char why[256];
			snprintf(why, sizeof why, "could not commit offsets: %s", rd_kafka_err2str(ce));
			if (final)
				sl_warn("archive: %s at stop; the next run resumes from the offsets "
					"committed before (files already stored are recognised)",
					why);
			else /* retried at the next commit, about every second */
				sl_kafka_storm_error(&a->storm, why);
		} else {
			sl_kafka_storm_ok(&a->storm);
			for (int i = 0; i < l->cnt; i++) {
				struct tp *t = tp_get(a, l->elems[i].topic, l->elems[i].partition);
				if (t)
					t->committed = l->elems[i].offset;
			}
		}
	}
	rd_kafka_topic_partition_list_destroy(l);
	return err;
}

/* Before a round's files are committed: commit its first offset with the
 * intent (see the top of this file).  Synchronous, retried briefly; a
 * failure stops the archive before any file of the round is visible. */
static enum sl_err before_round(void *ctx, const char *topic, const struct sl_lake_file_info *files,
				size_t n, struct sl_errbuf *eb)
{
	struct arch *a = ctx;
	if (!n)
		return SL_OK;
	int64_t start = files[0].start_offset, last = files[0].last_offset;
	for (size_t k = 1; k < n; k++) {
		if (files[k].start_offset < start)
			start = files[k].start_offset;
		if (files[k].last_offset > last)
			last = files[k].last_offset;
	}
	if (a->dlq) {
		/* Skipped records before the round are behind this offset. */
		rd_kafka_resp_err_t fe = rd_kafka_flush(a->dlq, 30000);
		if (fe || a->dlq_failed)
			return sl_err_set(eb, SL_ERR_IO,
					  "could not deliver to the dead letter queue \"%s\": %s",
					  a->dlq_topic, fe ? rd_kafka_err2str(fe) : "delivery failed");
	}
	char meta[64];
	int ml = snprintf(meta, sizeof meta, INTENT_PREFIX "%" PRId64, last);
	rd_kafka_resp_err_t ce = RD_KAFKA_RESP_ERR_NO_ERROR;
	/* The brokers may be away for a while (a restart, a network blip):
	 * retry for up to a minute with capped backoff before failing.  A
	 * lost group membership will not come back by retrying; a stop
	 * request ends the wait (nothing is committed, a restart redoes it). */
	int64_t give_up = sl_clock_mono_us() + 60 * 1000000LL;
	for (int attempt = 0;; attempt++) {
		if (attempt && (sl_clock_mono_us() >= give_up || sl_stop_requested() ||
				ce == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION ||
				ce == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID ||
				ce == RD_KAFKA_RESP_ERR__STATE))
			break;
		rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
		rd_kafka_topic_partition_t *p = rd_kafka_topic_partition_list_add(l, topic, files[0].partition);
		p->offset = start;
		p->metadata = malloc((size_t)ml);
		if (!p->metadata) {
			rd_kafka_topic_partition_list_destroy(l);
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		}
		memcpy(p->metadata, meta, (size_t)ml);
		p->metadata_size = (size_t)ml;
		ce = rd_kafka_commit(a->rk, l, 0); /* synchronous (async = 0) */
		rd_kafka_topic_partition_list_destroy(l);
		if (!ce) {
			sl_kafka_storm_ok(&a->storm);
			break;
		}
		long ms = attempt < 5 ? 200L << attempt : 5000; /* 0.2, 0.4 .. 3.2, then 5 s */
		for (long slept = 0; slept < ms && !sl_stop_requested(); slept += 50) {
			struct timespec ts = {.tv_sec = 0, .tv_nsec = 50 * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
	if (ce)
		return sl_err_set(eb, SL_ERR_IO,
				  "could not commit offset %" PRId64 " of topic \"%s\" partition %d before "
				  "committing its files: %s",
				  start, topic, (int)files[0].partition, rd_kafka_err2str(ce));
	struct tp *t = tp_get(a, topic, files[0].partition);
	if (t)
		t->committed = start;
	return SL_OK;
}

/* After each file of a round is stored (crash tests pin this window:
 * files stored, offsets not yet committed). */
static enum sl_err on_file_committed(void *ctx, const struct sl_lake_file_info *fi,
				     struct sl_errbuf *eb)
{
	(void)eb;
	sl_archive_obs_file(((struct arch *)ctx)->obs, fi); /* files/records metrics */
	sl_failpoint("archive-file-committed");
	return SL_OK;
}

static void dlq_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk;
	struct arch *a = opaque;
	if (!m->err)
		sl_kafka_storm_ok(&a->storm);
	else {
		a->dlq_failed++;
		sl_error("archive: dead letter queue delivery failed: %s", rd_kafka_err2str(m->err));
	}
}

/* A record that cannot be archived: DLQ, skip with a log line, or stop. */
static enum sl_err bad_record(struct arch *a, const rd_kafka_message_t *m, const char *reason,
			      struct sl_errbuf *eb)
{
	const char *topic = rd_kafka_topic_name(m->rkt);
	if (!a->tolerate)
		return sl_err_set(eb, SL_ERR_PROTO,
				  "could not archive the record at topic \"%s\" partition %d offset "
				  "%" PRId64 ": %s (errors.tolerance=none)",
				  topic, (int)m->partition, m->offset, reason);
	a->bad++;
	sl_archive_obs_bad(a->obs, topic, a->dlq != NULL);
	if (!a->dlq) {
		sl_warn("archive: skipping the record at topic \"%s\" partition %d offset %" PRId64
			": %s (errors.tolerance=all, no dead letter queue)",
			topic, (int)m->partition, m->offset, reason);
		return SL_OK;
	}
	char part[16], off[24];
	snprintf(part, sizeof part, "%d", (int)m->partition);
	snprintf(off, sizeof off, "%" PRId64, m->offset);
	rd_kafka_headers_t *h = rd_kafka_headers_new(4);
	rd_kafka_header_add(h, "__connect.errors.topic", -1, topic, -1);
	rd_kafka_header_add(h, "__connect.errors.partition", -1, part, -1);
	rd_kafka_header_add(h, "__connect.errors.offset", -1, off, -1);
	rd_kafka_header_add(h, "__connect.errors.exception.message", -1, reason, -1);
	rd_kafka_resp_err_t e;
	for (;;) {
		e = rd_kafka_producev(a->dlq, RD_KAFKA_V_TOPIC(a->dlq_topic),
				      RD_KAFKA_V_KEY(m->key, m->key_len),
				      RD_KAFKA_V_VALUE(m->payload, m->len),
				      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
				      RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
		if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			break;
		rd_kafka_poll(a->dlq, 100);
	}
	if (e) {
		rd_kafka_headers_destroy(h);
		return sl_err_set(eb, SL_ERR_IO, "could not produce to the dead letter queue \"%s\": %s",
				  a->dlq_topic, rd_kafka_err2str(e));
	}
	sl_warn("archive: record at topic \"%s\" partition %d offset %" PRId64
		" sent to the dead letter queue \"%s\": %s",
		topic, (int)m->partition, m->offset, a->dlq_topic, reason);
	return SL_OK;
}

static enum sl_err handle(struct arch *a, const rd_kafka_message_t *m, struct sl_errbuf *eb)
{
	const char *topic = rd_kafka_topic_name(m->rkt);
	struct tp *t = tp_get(a, topic, m->partition);
	if (!t)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	if (t->next >= 0 && m->offset < t->next)
		return SL_OK; /* already handled (a re-fetch) */
	enum sl_err err = SL_OK;
	if (!m->payload) {
		if (a->setup.null_fail)
			return sl_err_set(eb, SL_ERR_PROTO,
					  "record with a null value at topic \"%s\" partition %d offset "
					  "%" PRId64 " (behavior.on.null.values=fail)",
					  topic, (int)m->partition, m->offset);
		a->tombstones++;
		sl_archive_obs_tombstone(a->obs, topic);
		t->next = m->offset + 1;
		return SL_OK;
	}
	struct sl_lake_rec r = {.topic = topic, .partition = m->partition, .offset = m->offset,
			       .j = &a->json, .raw = m->payload, .raw_len = m->len,
			       .token = (uint64_t)m->offset};
	struct sl_errbuf reb;
	enum sl_err rerr = sl_jsonr_parse(&a->json, m->payload, m->len, &reb);
	if (!rerr)
		rerr = sl_lake_msg_split(&a->json, &r.msg, &reb);
	if (!rerr) {
		rd_kafka_timestamp_type_t tt;
		int64_t kts = rd_kafka_message_timestamp(m, &tt);
		rerr = sl_lake_setup_ts(&a->setup, &a->json, r.msg.payload, kts, &r.ts_ms, &reb);
	}
	if (!rerr)
		rerr = sl_lake_writer_add(a->w, &r, &reb);
	if (rerr == SL_ERR_PROTO)
		err = bad_record(a, m, reb.msg, eb);
	else if (rerr)
		return sl_err_set(eb, rerr, "%s", reb.msg);
	if (!err) {
		t = tp_get(a, topic, m->partition); /* the array may have moved */
		if (t)
			t->next = m->offset + 1;
		a->records++;
	}
	return err;
}

/* An error the consumer handed out instead of a record.  Broker trouble
 * joins the storm (one line per storm); any other error is logged when it
 * first appears, and again only after a record came through or a
 * different error did. */
static void consumer_error(struct arch *a, const rd_kafka_message_t *m)
{
	if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
		return;
	char why[512];
	snprintf(why, sizeof why, "consumer: %s", rd_kafka_message_errstr(m));
	if (sl_kafka_err_transient(m->err)) {
		sl_kafka_storm_error(&a->storm, why);
	} else if (m->err != a->last_consumer_err) {
		a->last_consumer_err = m->err;
		sl_warn("archive: %s", why);
	} else {
		sl_debug("archive: %s (again)", why);
	}
}

enum sl_err sl_archive_run(const struct sl_config *cfg, volatile sig_atomic_t *stop,
			   struct sl_errbuf *eb)
{
	struct arch *a = calloc(1, sizeof *a);
	if (!a)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	a->cfg = cfg;
	a->storm.who = "archive";
	a->storm.quiet_ms = SL_KAFKA_STORM_QUIET_MS;
	sl_jsonr_init(&a->json);
	a->tolerate = !strcmp(sl_config_get(cfg, "errors.tolerance"), "all");
	a->dlq_topic = sl_config_get(cfg, "errors.deadletterqueue.topic.name");
	if (a->dlq_topic && !*a->dlq_topic)
		a->dlq_topic = NULL;
	char errstr[512];
	rd_kafka_conf_t *conf = NULL;
	enum sl_err err = sl_lake_setup_open(cfg, &a->setup, eb);
	if (!err) {
		a->setup.wopts.round_per_partition = true;
		a->setup.wopts.round_per_topic = false;
		a->setup.wopts.before_round = before_round;
		a->setup.wopts.on_commit = on_file_committed;
		a->setup.wopts.ctx = a;
		err = sl_lake_writer_new(&a->setup.wopts, &a->w, eb);
	}
	if (!err) /* wrong credentials or no store: fail now, not at the first file */
		err = sl_archive_obs_check_store(a->setup.store, a->setup.url,
					     sl_config_get(cfg, "topics.dir"), eb);
	if (!err)
		err = make_conf(a, false, &conf, eb);
	if (!err) {
		rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
		a->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
		if (!a->rk) {
			rd_kafka_conf_destroy(conf);
			err = sl_err_set(eb, SL_ERR_CONFIG, "could not create the Kafka consumer: %s",
					 errstr);
		} else {
			rd_kafka_poll_set_consumer(a->rk);
		}
	}
	if (!err && a->tolerate && a->dlq_topic) {
		rd_kafka_conf_t *pc;
		if (!(err = make_conf(a, true, &pc, eb))) {
			rd_kafka_conf_set_dr_msg_cb(pc, dlq_dr);
			if (!(a->dlq = rd_kafka_new(RD_KAFKA_PRODUCER, pc, errstr, sizeof errstr))) {
				rd_kafka_conf_destroy(pc);
				err = sl_err_set(eb, SL_ERR_CONFIG,
						 "could not create the dead letter queue producer: %s",
						 errstr);
			}
		}
	}
	if (!err) {
		rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(4);
		const char *re = sl_config_get(cfg, "topics.regex");
		if (re && *re) {
			char pat[1024];
			snprintf(pat, sizeof pat, "%s%s", re[0] == '^' ? "" : "^", re);
			rd_kafka_topic_partition_list_add(subs, pat, RD_KAFKA_PARTITION_UA);
		} else {
			char **items = NULL;
			size_t n = 0;
			err = sl_config_split_list(sl_config_get(cfg, "topics"), &items, &n, eb);
			for (size_t i = 0; !err && i < n; i++)
				rd_kafka_topic_partition_list_add(subs, items[i], RD_KAFKA_PARTITION_UA);
			free(items);
		}
		if (!err) {
			rd_kafka_resp_err_t se = rd_kafka_subscribe(a->rk, subs);
			if (se)
				err = sl_err_set(eb, SL_ERR_CONFIG, "could not subscribe: %s",
						 rd_kafka_err2str(se));
		}
		rd_kafka_topic_partition_list_destroy(subs);
	}
	if (!err)
		err = sl_archive_obs_new(a->rk, &a->obs, eb);
	if (!err)
		sl_info("archive: writing to %s", a->setup.url);
	int64_t last_commit = sl_clock_mono_us(), t0 = sl_clock_mono_us();
	uint64_t files_at_commit = 0;
	/* POST .../restart: stop cleanly; the command runs the archive again. */
	/* The observer and the storm tracker read the clock themselves: give
	 * them a turn every 10 ms, not per message (clock reads were ~3% of
	 * the CPU at 150k events/s). */
	int64_t now = t0, next_tick = t0;
	while (!err && !*stop && !sl_status_restart_pending()) {
		if (now >= next_tick) {
			next_tick = now + 10000;
			if (sl_archive_obs_tick(a->obs))
				sl_kafka_storm_ok(&a->storm); /* the lag probe got answers */
			sl_kafka_storm_tick(&a->storm);
		}
		rd_kafka_message_t *m = rd_kafka_consumer_poll(a->rk, 100);
		if (m) {
			if (m->err) {
				consumer_error(a, m);
			} else {
				a->last_consumer_err = RD_KAFKA_RESP_ERR_NO_ERROR;
				sl_archive_obs_consumed(a->obs, m);
				err = handle(a, m, eb);
			}
			rd_kafka_message_destroy(m);
		}
		if (!err && a->fatal)
			err = sl_err_set(eb, a->fatal, "%s", a->fatal_msg);
		if (a->dlq)
			rd_kafka_poll(a->dlq, 0);
		now = sl_clock_mono_us();
		if (!err && (!m || now - last_commit > 200000)) {
			err = sl_lake_writer_tick(a->w, sl_clock_wall_us() / 1000, eb);
			/* Commit when files landed, and at least every second. */
			if (!err && (sl_lake_writer_files(a->w) != files_at_commit ||
				     now - last_commit > 1000000)) {
				err = commit_offsets(a, false, eb);
				files_at_commit = sl_lake_writer_files(a->w);
				last_commit = now;
			}
		}
	}
	if (!err && a->rk) {
		/* Clean stop: make open files durable, then commit their offsets. */
		err = sl_lake_writer_commit_all(a->w, NULL, eb);
		if (!err)
			err = commit_offsets(a, true, eb);
		double secs = (double)(sl_clock_mono_us() - t0) / 1e6;
		sl_info("archive: stopped: %" PRIu64 " records in %" PRIu64 " files in %.1f s; %" PRIu64
			" tombstones ignored, %" PRIu64 " bad records",
			a->records, sl_lake_writer_files(a->w), secs, a->tombstones, a->bad);
	}
	/* Close the consumer first: its final revoke discards open files.
	 * On error, open files are aborted (never visible) and offsets stay. */
	if (a->rk) {
		rd_kafka_consumer_close(a->rk);
		rd_kafka_destroy(a->rk);
	}
	sl_lake_writer_free(a->w);
	a->w = NULL;
	sl_archive_obs_free(a->obs);
	if (a->dlq) {
		rd_kafka_flush(a->dlq, 10000);
		rd_kafka_destroy(a->dlq);
	}
	sl_lake_setup_close(&a->setup);
	sl_jsonr_free(&a->json);
	for (size_t i = 0; i < a->ntps; i++)
		free(a->tps[i].topic);
	free(a->tps);
	free(a);
	return err;
}
