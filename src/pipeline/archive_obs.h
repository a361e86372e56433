/* SPDX-License-Identifier: Apache-2.0
 *
 * archive_obs.h -- what `sluice archive` shows and obeys through obs/:
 * its metrics, connector state, readiness, and PUT pause / resume.
 *
 * The archive pipeline (archive.c) owns one of these next to its consumer
 * and calls it from its one thread: per record read, per bad record or
 * tombstone, per committed file (the writer's on_commit), and once per
 * loop turn (sl_archive_obs_tick).  Every function accepts a NULL observer
 * (does nothing), so the pipeline's paths before it exists need no care.  Nothing here touches the writer or the
 * offsets the pipeline commits, so observing can never change what is
 * archived.
 *
 * Pause (PUT .../pause) pauses every assigned partition with
 * rd_kafka_pause_partitions: no record is fetched or handed out, the fetch
 * position is kept, and the pipeline goes on polling (so the group
 * membership and rebalances keep working) and committing the files it
 * already had open.  Partitions assigned while paused are paused too.
 * Resume continues from the kept position; the pipeline skips any record
 * it had already handled, so nothing is lost or archived twice.
 *
 * Readiness: ready once the consumer has joined its group (a member id),
 * while not paused.  A replica with no partition (more replicas than
 * partitions) is ready: it is healthy and takes over on a rebalance.
 *
 * Consumer lag, every 2 s: for the assigned partitions, the high
 * watermark (cached from fetch responses while consuming; asked from the
 * broker while paused, when nothing is fetched) minus the group's
 * committed offset (one OffsetFetch for all of them).
 */
#ifndef SL_PIPELINE_ARCHIVE_OBS_H
#define SL_PIPELINE_ARCHIVE_OBS_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>

#include "lake/writer.h"
#include "core/err.h"
#include "store/store.h"

struct sl_archive_obs;

/* rk is the pipeline's consumer (borrowed; outlives the observer). */
enum sl_err sl_archive_obs_new(rd_kafka_t *rk, struct sl_archive_obs **out, struct sl_errbuf *eb);
/* Marks the connector not ready ("stopped"); NULL is a no-op. */
void sl_archive_obs_free(struct sl_archive_obs *o);

/* A record came from the consumer (any record, before it is handled). */
void sl_archive_obs_consumed(struct sl_archive_obs *o, const rd_kafka_message_t *m);
/* A null-value record was ignored. */
void sl_archive_obs_tombstone(struct sl_archive_obs *o, const char *topic);
/* A bad record was passed over: to the dead letter queue or skipped. */
void sl_archive_obs_bad(struct sl_archive_obs *o, const char *topic, bool dead_letter);
/* The writer committed a data file (call from the writer's on_commit).
 * Files that already existed (a replay) are not counted. */
void sl_archive_obs_file(struct sl_archive_obs *o, const struct sl_lake_file_info *fi);

/* Once per loop turn: apply pause/resume requests, update the state,
 * readiness and (at its interval) the lag gauges.  Cheap when there is
 * nothing to do.  Returns true when the group coordinator answered this
 * turn's lag request (the brokers are reachable). */
bool sl_archive_obs_tick(struct sl_archive_obs *o);

/* Fail early when the store cannot be used: one HEAD of a key under
 * topics_dir that need not exist.  Wrong credentials give SL_ERR_AUTH, an
 * unreachable endpoint SL_ERR_RETRY after the client's retries; the
 * message names the store. */
enum sl_err sl_archive_obs_check_store(struct sl_store *st, const char *url, const char *topics_dir,
				   struct sl_errbuf *eb);

#endif
