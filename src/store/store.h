/* SPDX-License-Identifier: Apache-2.0
 *
 * store.h -- one object-store interface over S3 and a local directory.
 *
 * A store is opened from a URL: `s3://bucket/prefix` (S3 API over libcurl,
 * our own SigV4 signing) or `file:///dir` (a local directory tree).  Keys
 * are relative to the URL's prefix and use `/` separators; a key never
 * starts with `/` and has no empty, "." or ".." segments.
 *
 * Objects are written through a streaming writer:
 *   sl_store_writer_open -> sl_store_writer_write* -> sl_store_writer_commit
 * and released with sl_store_writer_free.  Nothing is visible under the key
 * until commit returns SL_OK: S3 buffers one part (s3.part.size) and uses a
 * single PutObject when the whole object fits in one part, multipart
 * otherwise; the file backend writes a temp file in the target directory,
 * fsyncs it, renames it into place and fsyncs the directory.  A writer that
 * fails, or is freed without a commit, is aborted (AbortMultipartUpload, or
 * the temp file unlinked), so no partial object is ever visible.
 *
 * Conditional create (SL_STORE_IF_NONE_MATCH): commit succeeds only if the
 * key did not exist.  When it did, commit returns SL_OK with *existed set,
 * discarding this writer's bytes -- for deterministic names the object
 * already there is the same file, so the caller treats it as done.  Use
 * sl_store_can_if_none_match() to learn whether the backend enforces it
 * (file: always; S3: per `s3.conditional.create` / the opts below).
 *
 * Errors: transient failures (5xx, 429, SlowDown, network) are retried
 * inside with capped exponential backoff and jitter (each wait between
 * half its ceiling and the ceiling: with the defaults a request keeps
 * trying for at least ~23 s, so a short outage is ridden out); what is left
 * is SL_ERR_AUTH (403 and other credential errors), SL_ERR_NOTFOUND
 * (404: NoSuchBucket, NoSuchKey), SL_ERR_RETRY (attempts exhausted) or
 * SL_ERR_IO, with the S3 error code and message in the errbuf -- never a
 * secret.
 *
 * Threads: a store and its writers belong to one thread at a time (they
 * share one connection).  Several writers may be open at once.
 * Ownership: the caller owns the store and each writer and frees them;
 * writers must be freed before their store.
 */
#ifndef SL_STORE_STORE_H
#define SL_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define SL_STORE_PART_MIN ((size_t)5 << 20)      /* S3's minimum non-last part */
#define SL_STORE_PART_DEFAULT ((size_t)25 << 20) /* s3.part.size default */
#define SL_STORE_PART_MAX ((size_t)5 << 30)      /* S3's maximum part */

/* Options for sl_store_open.  sl_store_opts_init() sets the defaults; all
 * strings are borrowed for the duration of sl_store_open only (copied). */
struct sl_store_opts {
	const char *endpoint;  /* s3.endpoint, e.g. "http://127.0.0.1:7480";
				* NULL = https://s3.<region>.amazonaws.com */
	const char *region;    /* s3.region; NULL = "us-east-1" */
	bool path_style;       /* s3.path.style.access: bucket in the path,
				* not in the host name */
	size_t part_size;      /* s3.part.size; 0 = 25 MiB; < 5 MiB is an error */
	/* Credentials; NULL = from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
	 * AWS_SESSION_TOKEN. */
	const char *access_key;
	const char *secret_key;
	const char *session_token;
	int max_attempts;      /* per request, including the first; 0 = 10 */
	int backoff_base_ms;   /* first backoff cap; 0 = 100 */
	int backoff_max_ms;    /* backoff cap; 0 = 20000 */
	long timeout_ms;       /* per attempt, whole request; 0 = 300000 */
	long connect_timeout_ms; /* 0 = 10000 */
	/* Whether the S3 endpoint enforces If-None-Match: * on PutObject and
	 * CompleteMultipartUpload.  -1 = unknown (treated as no), 0 = no,
	 * 1 = yes (AWS since 2024, MinIO, R2). */
	int if_none_match;
	int list_page_size;    /* ListObjectsV2 max-keys; 0 = 1000 */
	const char *ca_file;   /* extra CA bundle (PEM); NULL = system store.
				* Peer verification is never disabled. */
};

void sl_store_opts_init(struct sl_store_opts *o);

struct sl_store;
struct sl_store_writer;

/* Open a store.  Does no network I/O (the first request will fail if the
 * bucket or credentials are wrong).  opts may be NULL (defaults). */
enum sl_err sl_store_open(const char *url, const struct sl_store_opts *opts,
			  struct sl_store **out, struct sl_errbuf *eb);
/* Free the store; NULL is a no-op.  All writers must be freed first. */
void sl_store_close(struct sl_store *st);

/* "s3" or "file". */
const char *sl_store_scheme(const struct sl_store *st);
/* True when SL_STORE_IF_NONE_MATCH is enforced by the backend. */
bool sl_store_can_if_none_match(const struct sl_store *st);

/* --- writing ------------------------------------------------------------- */

enum {
	SL_STORE_IF_NONE_MATCH = 1 << 0, /* create only if the key is absent */
};

enum sl_err sl_store_writer_open(struct sl_store *st, const char *key, unsigned flags,
				 struct sl_store_writer **out, struct sl_errbuf *eb);
/* Append bytes; uploads a part each time one fills.  On error the writer
 * is aborted and only sl_store_writer_free is left to call. */
enum sl_err sl_store_writer_write(struct sl_store_writer *w, const void *p, size_t n,
				  struct sl_errbuf *eb);
/* Make the object visible.  existed (may be NULL) is set to true when
 * SL_STORE_IF_NONE_MATCH was given and the key already existed (SL_OK is
 * returned, nothing was written).  On error the upload is aborted. */
enum sl_err sl_store_writer_commit(struct sl_store_writer *w, bool *existed,
				   struct sl_errbuf *eb);
/* Abandon the upload (AbortMultipartUpload / unlink the temp file).
 * Idempotent; a no-op after a successful commit. */
enum sl_err sl_store_writer_abort(struct sl_store_writer *w, struct sl_errbuf *eb);
/* Bytes written so far. */
uint64_t sl_store_writer_size(const struct sl_store_writer *w);
/* Release the writer, aborting it first if it was neither committed nor
 * aborted (errors are logged).  NULL is a no-op. */
void sl_store_writer_free(struct sl_store_writer *w);

/* Convenience: write a whole object in one call. */
enum sl_err sl_store_put(struct sl_store *st, const char *key, unsigned flags, const void *p,
			 size_t n, bool *existed, struct sl_errbuf *eb);

/* --- reading ------------------------------------------------------------- */

/* Called once per object, in key order (S3: UTF-8 binary order; file:
 * byte order).  key is relative to the store prefix and borrowed for the
 * call.  A non-SL_OK return stops the listing and is returned. */
typedef enum sl_err (*sl_store_list_fn)(void *ctx, const char *key, uint64_t size,
					 struct sl_errbuf *eb);

/* Every object whose key starts with prefix ("" = all), following
 * ListObjectsV2 continuation tokens.  Temp files of the file backend are
 * not listed. */
enum sl_err sl_store_list(struct sl_store *st, const char *prefix, sl_store_list_fn fn,
			  void *ctx, struct sl_errbuf *eb);

/* exists is set to false (SL_OK) when the key is absent. size may be NULL. */
enum sl_err sl_store_head(struct sl_store *st, const char *key, bool *exists, uint64_t *size,
			  struct sl_errbuf *eb);

/* Read a whole object into out (appended; out->max caps it).  SL_ERR_NOTFOUND
 * when absent.  For tests and recovery, not bulk reads. */
enum sl_err sl_store_get(struct sl_store *st, const char *key, struct sl_buf *out,
			 struct sl_errbuf *eb);

/* Remove an object; absent is SL_OK (S3 semantics). */
enum sl_err sl_store_delete(struct sl_store *st, const char *key, struct sl_errbuf *eb);

/* Validate a key (see above): SL_ERR_ARG with a message when invalid. */
enum sl_err sl_store_key_check(const char *key, struct sl_errbuf *eb);

#endif
