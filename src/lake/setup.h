/* SPDX-License-Identifier: Apache-2.0
 *
 * setup.h -- archive settings from a loaded configuration, shared by
 * `sluice archive` and the lake sink of `sluice run`: the store (store.url,
 * s3.*), the partitioner, rotation, format and codec, and the timestamp
 * extractor.  A relative file:// URL (file://./lake) is made absolute
 * against the working directory and created when missing.
 *
 * Ownership: sl_lake_setup_open fills a struct whose store and partitioner
 * are owned by it; sl_lake_setup_close frees them.  wopts borrows both.
 */
#ifndef SL_LAKE_SETUP_H
#define SL_LAKE_SETUP_H

#include "lake/writer.h"
#include "config/config.h"

enum sl_lake_extractor { SL_ARC_TS_RECORD, SL_ARC_TS_FIELD, SL_ARC_TS_WALLCLOCK };

struct sl_lake_setup {
	struct sl_store *store;
	struct sl_lake_part *part;
	struct sl_lake_writer_opts wopts;
	enum sl_lake_extractor extractor;
	const char *ts_field;     /* borrowed from the config */
	bool null_fail;           /* behavior.on.null.values=fail */
	char url[4200];           /* effective store URL */
};

enum sl_err sl_lake_setup_open(const struct sl_config *cfg, struct sl_lake_setup *s,
			      struct sl_errbuf *eb);
void sl_lake_setup_close(struct sl_lake_setup *s);

/* The record time in ms for partitioning and rotate.interval.ms.
 * record_ts_ms is the Kafka timestamp (Record); RecordField reads
 * timestamp.field from the payload (epoch ms number, or ISO-8601 text). */
enum sl_err sl_lake_setup_ts(const struct sl_lake_setup *s, const struct sl_jsonr *j,
			    uint32_t payload, int64_t record_ts_ms, int64_t *ts,
			    struct sl_errbuf *eb);

#endif
