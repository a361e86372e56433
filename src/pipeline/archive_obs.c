/* SPDX-License-Identifier: Apache-2.0
 *
 * archive_obs.c -- metrics, state, readiness and pause/resume of the
 * archive pipeline (archive_obs.h).
 *
 * Per-topic series are looked up once and cached in a small array (there
 * are few topics); the last hit is tried first, so the per-record cost is
 * a pointer compare and two relaxed atomic adds.  Lag series are kept per
 * (topic, partition) seen assigned; one that is no longer assigned is
 * hidden from the exposition, not freed (obs/metrics.h never frees a
 * series before reset).  The observer owns its arrays and name copies.
 */
#include "pipeline/archive_obs.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "obs/metrics.h"
#include "obs/status.h"

#define LAG_INTERVAL_US 2000000
#define LAG_BACKOFF_US 10000000 /* after the broker did not answer */
#define CHECK_INTERVAL_US 500000
#define COMMITTED_TIMEOUT_MS 2000
#define WATERMARK_TIMEOUT_MS 1000

struct topic_m {
	char *name;
	struct sl_metric *consumed, *bytes, *tombstones, *files, *records;
};

struct lag_m {
	char *topic;
	int32_t partition;
	struct sl_metric *m;
	bool assigned;
};

struct sl_archive_obs {
	rd_kafka_t *rk;
	bool paused;     /* the assignment is paused (PAUSED) */
	int ready;       /* last readiness published: -1 none yet, 0, 1 */
	int64_t next_check, next_lag;
	struct topic_m *topics;
	size_t ntopics, captopics;
	size_t last; /* index of the last topic hit */
	struct lag_m *lags;
	size_t nlags, caplags;
	struct sl_metric *assigned;
};

enum sl_err sl_archive_obs_new(rd_kafka_t *rk, struct sl_archive_obs **out, struct sl_errbuf *eb)
{
	struct sl_archive_obs *o = calloc(1, sizeof *o);
	if (!o)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	o->rk = rk;
	o->ready = -1;
	o->assigned = sl_metric0(SL_M_ARCHIVE_ASSIGNED);
	/* A request from before this run (e.g. a pause kept across a
	 * restart) is applied by the first tick. */
	sl_status_set_state(SL_CONN_RUNNING, NULL);
	sl_status_set_ready(false, "joining the consumer group");
	*out = o;
	return SL_OK;
}

void sl_archive_obs_free(struct sl_archive_obs *o)
{
	if (!o)
		return;
	sl_status_set_ready(false, "stopped");
	for (size_t i = 0; i < o->ntopics; i++)
		free(o->topics[i].name);
	free(o->topics);
	for (size_t i = 0; i < o->nlags; i++) {
		sl_metric_set_visible(o->lags[i].m, false);
		free(o->lags[i].topic);
	}
	free(o->lags);
	free(o);
}

static struct topic_m *topic_get(struct sl_archive_obs *o, const char *name)
{
	if (o->last < o->ntopics && !strcmp(o->topics[o->last].name, name))
		return &o->topics[o->last];
	for (size_t i = 0; i < o->ntopics; i++) {
		if (!strcmp(o->topics[i].name, name)) {
			o->last = i;
			return &o->topics[i];
		}
	}
	if (o->ntopics == o->captopics) {
		size_t nc = o->captopics ? o->captopics * 2 : 8;
		struct topic_m *nt = realloc(o->topics, nc * sizeof *nt);
		if (!nt)
			return NULL;
		o->topics = nt;
		o->captopics = nc;
	}
	char *copy = strdup(name);
	if (!copy)
		return NULL;
	o->topics[o->ntopics] = (struct topic_m){
		.name = copy,
		.consumed = sl_metric1(SL_M_ARCHIVE_CONSUMED, name),
		.bytes = sl_metric1(SL_M_ARCHIVE_CONSUMED_BYTES, name),
		.tombstones = sl_metric1(SL_M_ARCHIVE_TOMBSTONES, name),
		.files = sl_metric1(SL_M_ARCHIVE_FILES, name),
		.records = sl_metric1(SL_M_ARCHIVE_RECORDS, name),
	};
	o->last = o->ntopics;
	return &o->topics[o->ntopics++];
}

void sl_archive_obs_consumed(struct sl_archive_obs *o, const rd_kafka_message_t *m)
{
	if (!o || !m->rkt)
		return;
	struct topic_m *t = topic_get(o, rd_kafka_topic_name(m->rkt));
	if (!t)
		return;
	sl_metric_add(t->consumed, 1);
	sl_metric_add(t->bytes, (int64_t)(m->key_len + m->len));
}

void sl_archive_obs_tombstone(struct sl_archive_obs *o, const char *topic)
{
	struct topic_m *t = o ? topic_get(o, topic) : NULL;
	if (t)
		sl_metric_add(t->tombstones, 1);
}

void sl_archive_obs_bad(struct sl_archive_obs *o, const char *topic, bool dead_letter)
{
	if (o)
		sl_metric_add(sl_metric2(SL_M_ARCHIVE_BAD_RECORDS, topic,
					 dead_letter ? "dead_letter" : "skipped"),
			      1);
}

void sl_archive_obs_file(struct sl_archive_obs *o, const struct sl_lake_file_info *fi)
{
	if (!o || fi->existed)
		return;
	struct topic_m *t = topic_get(o, fi->topic);
	if (!t)
		return;
	sl_metric_add(t->files, 1);
	sl_metric_add(t->records, (int64_t)fi->records);
}

/* --- pause / resume ---------------------------------------------------------- */

/* Pause or resume the whole current assignment.  Returns the number of
 * partitions, or -1 when librdkafka refused. */
static int apply_pause(struct sl_archive_obs *o, bool pause)
{
	rd_kafka_topic_partition_list_t *l = NULL;
	if (rd_kafka_assignment(o->rk, &l) || !l)
		return -1;
	int n = l->cnt;
	rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
	if (n)
		e = pause ? rd_kafka_pause_partitions(o->rk, l) : rd_kafka_resume_partitions(o->rk, l);
	rd_kafka_topic_partition_list_destroy(l);
	if (e) {
		sl_warn("archive: could not %s the assigned partitions: %s",
			pause ? "pause" : "resume", rd_kafka_err2str(e));
		return -1;
	}
	return n;
}

static void set_ready(struct sl_archive_obs *o, bool ready, const char *reason)
{
	if (o->ready == (int)ready && ready)
		return;
	o->ready = ready;
	sl_status_set_ready(ready, reason);
}

/* --- lag --------------------------------------------------------------------- */

static struct lag_m *lag_get(struct sl_archive_obs *o, const char *topic, int32_t partition)
{
	for (size_t i = 0; i < o->nlags; i++)
		if (o->lags[i].partition == partition && !strcmp(o->lags[i].topic, topic))
			return &o->lags[i];
	if (o->nlags == o->caplags) {
		size_t nc = o->caplags ? o->caplags * 2 : 16;
		struct lag_m *nl = realloc(o->lags, nc * sizeof *nl);
		if (!nl)
			return NULL;
		o->lags = nl;
		o->caplags = nc;
	}
	char *copy = strdup(topic), part[16];
	if (!copy)
		return NULL;
	snprintf(part, sizeof part, "%d", (int)partition);
	o->lags[o->nlags] = (struct lag_m){.topic = copy, .partition = partition,
					   .m = sl_metric2(SL_M_CONSUMER_LAG, topic, part)};
	return &o->lags[o->nlags++];
}

/* Returns false when the broker did not answer (try again later);
 * *answered is set when it did answer a request. */
static bool update_lag(struct sl_archive_obs *o, bool *answered)
{
	rd_kafka_topic_partition_list_t *asg = NULL;
	if (rd_kafka_assignment(o->rk, &asg) || !asg)
		return true;
	int distinct = 0; /* an assignment list may name a partition twice */
	for (int i = 0; i < asg->cnt; i++) {
		int j = 0;
		while (j < i && (asg->elems[j].partition != asg->elems[i].partition ||
				 strcmp(asg->elems[j].topic, asg->elems[i].topic)))
			j++;
		distinct += j == i;
	}
	sl_metric_set(o->assigned, distinct);
	for (size_t i = 0; i < o->nlags; i++)
		o->lags[i].assigned = false;
	bool ok = true;
	if (asg->cnt && rd_kafka_committed(o->rk, asg, COMMITTED_TIMEOUT_MS))
		ok = false;
	else if (asg->cnt)
		*answered = true;
	for (int i = 0; ok && i < asg->cnt; i++) {
		const rd_kafka_topic_partition_t *p = &asg->elems[i];
		struct lag_m *lm = lag_get(o, p->topic, p->partition);
		if (!lm)
			break;
		lm->assigned = true;
		if (p->err)
			continue;
		int64_t lo = -1, hi = -1;
		rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__STATE;
		/* Fetch responses refresh the cached watermarks, but a paused
		 * partition is not fetched: ask the broker then. */
		if (!o->paused)
			e = rd_kafka_get_watermark_offsets(o->rk, p->topic, p->partition, &lo, &hi);
		if (e || hi < 0 || lo < 0)
			e = rd_kafka_query_watermark_offsets(o->rk, p->topic, p->partition, &lo, &hi,
							     WATERMARK_TIMEOUT_MS);
		if (e || hi < 0) {
			ok = e != RD_KAFKA_RESP_ERR__TIMED_OUT;
			continue;
		}
		/* No committed offset yet: everything from the log start is
		 * still to be archived (auto.offset.reset=earliest). */
		int64_t base = p->offset >= 0 ? p->offset : lo;
		int64_t lag = hi - base;
		sl_metric_set(lm->m, lag > 0 ? lag : 0);
		sl_metric_set_visible(lm->m, true);
	}
	/* A partition gone elsewhere is no longer ours to report. */
	for (size_t i = 0; i < o->nlags; i++)
		if (!o->lags[i].assigned)
			sl_metric_set_visible(o->lags[i].m, false);
	rd_kafka_topic_partition_list_destroy(asg);
	return ok;
}

bool sl_archive_obs_tick(struct sl_archive_obs *o)
{
	if (!o)
		return false;
	bool answered = false;
	int64_t now = sl_clock_mono_us();
	bool want = sl_status_pause_requested();
	if (want != o->paused) {
		if (apply_pause(o, want) >= 0) {
			o->paused = want;
			sl_status_set_state(want ? SL_CONN_PAUSED : SL_CONN_RUNNING, NULL);
			if (want)
				set_ready(o, false, "paused");
			o->next_check = 0;
			o->next_lag = 0; /* show the lag soon after the change */
		}
	}
	if (now >= o->next_check) {
		o->next_check = now + CHECK_INTERVAL_US;
		if (o->paused) {
			/* Partitions assigned since the pause start paused too. */
			apply_pause(o, true);
		} else {
			char *member = rd_kafka_memberid(o->rk);
			bool joined = member && *member;
			if (member)
				rd_kafka_mem_free(o->rk, member);
			set_ready(o, joined, "joining the consumer group");
		}
	}
	if (now >= o->next_lag)
		o->next_lag = now + (update_lag(o, &answered) ? LAG_INTERVAL_US : LAG_BACKOFF_US);
	return answered;
}

/* --- store check ----------------------------------------------------------------- */

enum sl_err sl_archive_obs_check_store(struct sl_store *st, const char *url, const char *topics_dir,
				   struct sl_errbuf *eb)
{
	char key[1024];
	const char *dir = topics_dir ? topics_dir : "";
	size_t dl = strlen(dir);
	while (dl && dir[dl - 1] == '/')
		dl--;
	int n = snprintf(key, sizeof key, "%.*s%s.sluice-probe", (int)dl, dir, dl ? "/" : "");
	if (n < 0 || (size_t)n >= sizeof key)
		return sl_err_set(eb, SL_ERR_CONFIG, "topics.dir is too long");
	bool exists;
	struct sl_errbuf seb = {{0}};
	enum sl_err err = sl_store_head(st, key, &exists, NULL, &seb);
	if (err)
		return sl_err_set(eb, err, "could not use the store \"%s\": %s", url, seb.msg);
	return SL_OK;
}
