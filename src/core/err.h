/* SPDX-License-Identifier: Apache-2.0
 *
 * err.h -- error codes and the caller-owned error buffer.
 *
 * Every fallible function returns enum sl_err.  Human detail goes into a
 * caller-owned struct sl_errbuf (librdkafka's errstr idea), so the return
 * value stays cheap to test and the message is written once, where the
 * failure is understood.  Messages follow PostgreSQL's style: lower case,
 * no final period, "could not X: reason".
 */
#ifndef SL_CORE_ERR_H
#define SL_CORE_ERR_H

#include <stddef.h>

#if defined(__GNUC__)
#define SL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SL_PRINTF(a, b)
#endif

enum sl_err {
	SL_OK = 0,
	SL_ERR_NOMEM,     /* allocation failed */
	SL_ERR_IO,        /* local I/O: file, socket, fsync */
	SL_ERR_PROTO,     /* malformed input from a peer or a file */
	SL_ERR_CONFIG,    /* bad or missing configuration */
	SL_ERR_TOO_LARGE, /* a value or buffer passed its hard limit */
	SL_ERR_RETRY,     /* transient: the caller may retry with backoff */
	SL_ERR_STATE,     /* API misuse: call in the wrong state */
	SL_ERR_ARG,       /* API misuse: bad argument */
	SL_ERR_NOTFOUND,  /* a named thing does not exist */
	SL_ERR_AUTH,      /* authentication or permission refused: not retryable */
	SL_ERR_FATAL,     /* anything else that must stop the process */
	SL_ERR__COUNT
};

struct sl_errbuf {
	char msg[512];
};

/* Name of the code, e.g. "SL_ERR_PROTO".  Never NULL. */
const char *sl_err_str(enum sl_err err);

/* Format into eb (may be NULL) and return err, so callers can write
 * `return sl_err_set(eb, SL_ERR_IO, "could not open \"%s\": %s", ...)`. */
enum sl_err sl_err_set(struct sl_errbuf *eb, enum sl_err err, const char *fmt, ...)
	SL_PRINTF(3, 4);

#endif
