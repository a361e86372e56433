/* SPDX-License-Identifier: Apache-2.0
 *
 * archive.h -- `sluice archive`: Kafka topics -> archive writer -> store.
 *
 * The exactly-once rule: a consumer offset is committed only when every
 * record below it is in a committed object (or was deliberately not
 * archived: an ignored tombstone, or a bad record delivered to the dead
 * letter queue).  Per partition the committable offset is the lowest start
 * offset of the partition's open files, or one past the last record
 * handled when none is open.  After a crash the group resumes there and
 * the writer regenerates the same object names; an object that already
 * exists is kept (If-None-Match create, or a HEAD on stores without it).
 */
#ifndef SL_PIPELINE_ARCHIVE_H
#define SL_PIPELINE_ARCHIVE_H

#include <signal.h>

#include "config/config.h"
#include "core/err.h"

/* Run until *stop (then commit open files and offsets) or a fatal error. */
enum sl_err sl_archive_run(const struct sl_config *cfg, volatile sig_atomic_t *stop,
			   struct sl_errbuf *eb);

#endif
