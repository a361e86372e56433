/* SPDX-License-Identifier: Apache-2.0
 *
 * lake.h -- the sink of `sluice run`: change events straight into the
 * archive writer (Parquet files in a local directory or S3), no broker.
 *
 * Delivery: a record is acked only once the file holding it is committed
 * to the store and the sink's state recording that is on disk, so the
 * capture pipeline confirms an LSN only when its events are durable.
 *
 * `_offset` is a per-topic sequence (`_partition` is 0).  Exactly once
 * across crashes works like this.  The state file
 * <offset.storage.dir>/lake-<slot.name>.state holds, per topic, the next
 * offset and the position of the last archived event: (commit LSN of its
 * transaction, its order in the transaction), from the event's
 * `transaction` block (the run command turns transaction metadata on).
 * Every rotation commits all open files of a topic as one round:
 *   1. upload all bytes (nothing visible yet);
 *   2. write the state with a pending intent: object names + new topic state;
 *   3. commit each object;  4. write the state with the intent applied.
 * On start, a pending intent is rolled forward if all its objects exist,
 * otherwise its existing objects are deleted and it is dropped.  After a
 * crash PostgreSQL re-sends every transaction after the confirmed LSN, in
 * the same order: events at or before a topic's stored position are
 * acked and dropped, later ones get the same offsets again.  Snapshot
 * events have no transaction: an interrupted snapshot is taken again and
 * its events get new offsets (as Debezium re-emits them).
 *
 * Heartbeat and transaction-metadata records, and tombstones, are acked
 * and not archived (counted in the log).
 */
#ifndef SL_SINKS_LAKE_H
#define SL_SINKS_LAKE_H

#include "config/config.h"
#include "sinks/sink.h"

enum sl_err sl_sink_lake_new(const struct sl_config *cfg, struct sl_sink **out,
			     struct sl_errbuf *eb);

#endif
