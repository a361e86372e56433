/* SPDX-License-Identifier: Apache-2.0
 *
 * writer.h -- the archive writer: records in, committed objects out.
 *
 * Files are kept open per (topic, kafka partition, encoded partition) and
 * streamed through a store writer (Parquet: rows go to the Parquet writer,
 * whose bytes go to the store writer; JSON: one value per line).  Object
 * names are deterministic:
 *   <topics.dir>/<topic>/<encoded partition>/<topic>+<partition>+<start %010>.<ext>
 * where start is the offset of the file's first record.  A file is
 * committed when rotation says so (rotation.h), when the value schema
 * changes, or when the caller asks (commit_all / tick).  Commits use the
 * store's If-None-Match create when it has one, else a HEAD first: an
 * object that already exists under the name is taken as this file written
 * by an earlier run (deterministic names and contents) and reported with
 * `existed`.
 *
 * Commit rounds: normally each file is its own round.  With
 * round_per_topic, a rotation commits every open file of that topic
 * together; before_round is called after all their bytes are uploaded and
 * before any is committed, after_round once all are (the lake sink keeps
 * its intent log there).
 *
 * With round_per_partition (the archive, as Confluent's S3 sink does),
 * rotation is decided per (topic, kafka partition): flush.size counts the
 * partition's records across its encoded partitions, rotate.interval.ms
 * runs from the partition's first record time, the schedule from when its
 * round opened, and a rotation commits every open file of the partition
 * as one round.  So no file ever straddles a round boundary: after a
 * round the partition's next offset is committable, and a replay from
 * there meets the same state (nothing open, count 0).  A round whose cut
 * was not deterministic (the schedule, a stop) is replayed identically by
 * telling the writer where the interrupted round ended
 * (sl_lake_writer_set_cut): the first round after it ends exactly there.
 *
 * Errors from sl_lake_writer_add: SL_ERR_PROTO means the record is bad (the
 * message says why) and nothing was added; anything else is fatal for the
 * writer (store failure after retries): free it and restart from the last
 * committed position.
 *
 * Ownership: the writer borrows the store and partitioner (they must
 * outlive it) and copies everything else.  Single-threaded.
 */
#ifndef SL_LAKE_WRITER_H
#define SL_LAKE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lake/envelope.h"
#include "core/jsonr.h"
#include "lake/partitioner.h"
#include "lake/rotation.h"
#include "core/err.h"
#include "parquet/parquet.h"
#include "store/store.h"

enum sl_lake_format { SL_ARC_PARQUET, SL_ARC_JSON };

struct sl_lake_file_info {
	const char *topic;
	int32_t partition;
	int64_t start_offset, last_offset;
	uint64_t records;
	const char *key;       /* object key */
	bool existed;          /* already in the store (a replay) */
	const uint64_t *tokens; /* caller tokens of the records, in order */
	size_t ntokens;
};

typedef enum sl_err (*sl_lake_commit_fn)(void *ctx, const struct sl_lake_file_info *fi,
					struct sl_errbuf *eb);
typedef enum sl_err (*sl_lake_round_fn)(void *ctx, const char *topic,
				       const struct sl_lake_file_info *files, size_t n,
				       struct sl_errbuf *eb);

struct sl_lake_writer_opts {
	struct sl_store *store;
	struct sl_lake_part *part;
	const char *topics_dir;     /* "topics" */
	enum sl_lake_format format;
	struct sl_pq_options pq;    /* codec etc. */
	struct sl_lake_rot rot;
	bool round_per_topic;
	bool round_per_partition;   /* see above; excludes round_per_topic */
	sl_lake_commit_fn on_commit; /* may be NULL */
	sl_lake_round_fn before_round; /* may be NULL */
	sl_lake_round_fn after_round;  /* may be NULL */
	void *ctx;
};

struct sl_lake_rec {
	const char *topic;
	int32_t partition;
	int64_t offset;
	int64_t ts_ms;               /* the timestamp extractor's time */
	const struct sl_jsonr *j; /* parsed value */
	struct sl_lake_msg msg;
	const char *raw;             /* raw value bytes (JSON format) */
	size_t raw_len;
	uint64_t token;              /* handed back in sl_lake_file_info */
	/* A typed row instead of a parsed JSON value (Parquet only; j is then
	 * NULL): schema is the value schema's JSON text, and fill() stages the
	 * row's envelope fields in the layout compiled from it (envelope.h,
	 * typed rows); the writer adds _topic/_partition/_offset.  schema_id
	 * identifies the schema text for cheap comparisons: equal ids promise
	 * equal text (0 = no promise).  An error from fill() leaves nothing
	 * added and is returned as is. */
	const char *schema;
	size_t schema_len;
	uint64_t schema_id;
	enum sl_err (*fill)(void *ctx, const struct sl_lake_env *env, struct sl_pq_writer *pw,
			    struct sl_errbuf *eb);
	void *fill_ctx;
};

struct sl_lake_writer;

enum sl_err sl_lake_writer_new(const struct sl_lake_writer_opts *o, struct sl_lake_writer **out,
			      struct sl_errbuf *eb);
/* Aborts open files (nothing partial becomes visible).  NULL is a no-op. */
void sl_lake_writer_free(struct sl_lake_writer *w);

enum sl_err sl_lake_writer_add(struct sl_lake_writer *w, const struct sl_lake_rec *rec,
			      struct sl_errbuf *eb);
/* Commit files whose schedule deadline passed (now_ms: wall clock). */
enum sl_err sl_lake_writer_tick(struct sl_lake_writer *w, int64_t now_ms, struct sl_errbuf *eb);
/* Commit every open file (topic NULL) or those of one topic. */
enum sl_err sl_lake_writer_commit_all(struct sl_lake_writer *w, const char *topic,
				     struct sl_errbuf *eb);
/* Abort open files of (topic, partition) without committing (rebalance). */
void sl_lake_writer_discard(struct sl_lake_writer *w, const char *topic, int32_t partition);
/* round_per_partition: the next round of (topic, partition) ends exactly
 * after the record at offset `last` -- the end of a round an earlier run
 * had started to commit.  Records up to `last` go into the round, which
 * is committed once that record is added or a later one arrives.  -1
 * clears it. */
enum sl_err sl_lake_writer_set_cut(struct sl_lake_writer *w, const char *topic, int32_t partition,
				  int64_t last, struct sl_errbuf *eb);
/* Lowest start offset of the open files of (topic, partition); false if
 * none is open. */
bool sl_lake_writer_min_open(const struct sl_lake_writer *w, const char *topic, int32_t partition,
			    int64_t *offset);
/* Records held in open files. */
uint64_t sl_lake_writer_pending(const struct sl_lake_writer *w);
/* Objects committed (or found existing) so far. */
uint64_t sl_lake_writer_files(const struct sl_lake_writer *w);

#endif
