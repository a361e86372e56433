/* SPDX-License-Identifier: Apache-2.0
 *
 * state.h -- a small durable key=value file per connector (offset.storage.dir).
 *
 * Capture keeps only what PostgreSQL cannot: whether the initial snapshot
 * of a slot finished.  The slot itself holds the stream position.  Writes
 * go to a temp file that is fsynced and renamed over the old one, then the
 * directory is fsynced, so a crash leaves the old or the new file, never
 * a torn one.
 */
#ifndef SL_PIPELINE_STATE_H
#define SL_PIPELINE_STATE_H

#include "core/err.h"

struct sl_state {
	char *path;      /* owned */
	char *keys[16];  /* owned */
	char *vals[16];  /* owned */
	int n;
};

/* Load `<dir>/<name>.state` (missing file = empty state). */
enum sl_err sl_state_load(struct sl_state *st, const char *dir, const char *name,
			  struct sl_errbuf *eb);
const char *sl_state_get(const struct sl_state *st, const char *key);
enum sl_err sl_state_set(struct sl_state *st, const char *key, const char *val);
/* Write durably. */
enum sl_err sl_state_save(struct sl_state *st, struct sl_errbuf *eb);
/* Remove the file (e.g. when the slot is dropped). */
void sl_state_remove(struct sl_state *st);
void sl_state_free(struct sl_state *st);

#endif
