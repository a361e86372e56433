/* SPDX-License-Identifier: Apache-2.0
 *
 * backend.h -- what store.c needs from each backend (file, s3).
 *
 * store.c owns URL parsing, key validation and writer state (open,
 * committed, aborted, failed); a backend implements these operations on
 * already-validated full keys.  Each backend's private state hangs off the
 * void pointers below and is freed by its own close / w_free.
 */
#ifndef SL_STORE_BACKEND_H
#define SL_STORE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

struct sl_store_backend {
	const char *scheme;
	bool (*can_inm)(void *impl);
	void (*close)(void *impl);
	enum sl_err (*w_open)(void *impl, const char *key, unsigned flags, void **w,
			      struct sl_errbuf *eb);
	enum sl_err (*w_write)(void *w, const void *p, size_t n, struct sl_errbuf *eb);
	enum sl_err (*w_commit)(void *w, bool *existed, struct sl_errbuf *eb);
	enum sl_err (*w_abort)(void *w, struct sl_errbuf *eb);
	void (*w_free)(void *w);
	enum sl_err (*list)(void *impl, const char *prefix, sl_store_list_fn fn, void *ctx,
			    struct sl_errbuf *eb);
	enum sl_err (*head)(void *impl, const char *key, bool *exists, uint64_t *size,
			    struct sl_errbuf *eb);
	enum sl_err (*get)(void *impl, const char *key, struct sl_buf *out, struct sl_errbuf *eb);
	enum sl_err (*del)(void *impl, const char *key, struct sl_errbuf *eb);
};

extern const struct sl_store_backend sl_store_file_backend;
extern const struct sl_store_backend sl_store_s3_backend;

/* Backend constructors.  file: dir is an absolute directory path.
 * s3: bucket and prefix ("" or ending in '/') from the URL. */
enum sl_err sl_store_file_new(const char *dir, void **impl, struct sl_errbuf *eb);
enum sl_err sl_store_s3_new(const char *bucket, const char *prefix,
			    const struct sl_store_opts *o, void **impl, struct sl_errbuf *eb);

#endif
