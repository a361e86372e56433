/* SPDX-License-Identifier: Apache-2.0
 *
 * client.h -- signed S3 requests over libcurl, with retries.
 *
 * One client holds the endpoint, bucket, credentials and one curl easy
 * handle (so connections are reused); it is used by one thread at a time.
 * sl_s3_client_do signs every attempt afresh (SigV4 with the real payload
 * hash in x-amz-content-sha256) and retries transient failures -- network
 * errors, HTTP 5xx, 429, SlowDown, RequestTimeout -- with capped
 * exponential backoff and "equal" jitter: each wait is uniform between
 * half its ceiling and the ceiling, so the retries of one request always
 * span at least half the sum of the ceilings -- with the defaults 22.75 s
 * to 45.5 s, so an S3 outage shorter than ~22 s is always ridden out
 * (full jitter could give up after a few seconds).  It logs once when a
 * request starts retrying and once when it recovers (with the count),
 * never per attempt.
 * It returns SL_OK as soon as a final answer arrives, whatever its status:
 * callers decide what a 404 or 412 means and turn the rest into errors
 * with sl_s3_client_status_err.  TLS peers are always verified.
 * Secrets never appear in messages or logs.
 */
#ifndef SL_S3_CLIENT_H
#define SL_S3_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "s3/sigv4.h"

struct sl_s3_client_opts {
	const char *endpoint;  /* "http[s]://host[:port]"; NULL = AWS regional */
	const char *region;    /* NULL = "us-east-1" */
	const char *bucket;    /* required */
	bool path_style;
	const char *access_key; /* required */
	const char *secret_key; /* required */
	const char *session_token; /* may be NULL */
	int max_attempts;      /* 0 = 10 */
	int backoff_base_ms;   /* 0 = 100 */
	int backoff_max_ms;    /* 0 = 20000 */
	long timeout_ms;       /* 0 = 300000 */
	long connect_timeout_ms; /* 0 = 10000 */
	const char *ca_file;   /* NULL = system CA store */
};

struct sl_s3_client;

struct sl_s3_hdr {
	const char *name;
	const char *value;
};

struct sl_s3_request {
	const char *method;        /* GET PUT POST DELETE HEAD */
	const char *key;           /* unencoded object key; NULL = the bucket itself */
	const struct sl_sigv4_kv *query;
	size_t n_query;
	const struct sl_s3_hdr *headers; /* extra headers, all signed */
	size_t n_headers;
	const void *body;
	size_t body_len;
	const char *content_type;  /* for requests with a body */
	struct sl_buf *resp_body;  /* 2xx body appended here; NULL = discard */
};

struct sl_s3_response {
	long status;
	char code[64];     /* S3 error code from the body, "" if none */
	char message[256]; /* S3 error message, "" if none */
	char etag[256];    /* ETag response header */
	uint64_t content_length;
	bool has_length;
	int attempts;
};

enum sl_err sl_s3_client_new(const struct sl_s3_client_opts *o, struct sl_s3_client **out,
			     struct sl_errbuf *eb);
void sl_s3_client_free(struct sl_s3_client *c);
const char *sl_s3_client_bucket(const struct sl_s3_client *c);
int sl_s3_client_max_attempts(const struct sl_s3_client *c);

/* Perform a request.  SL_OK when a final response arrived (check
 * resp->status); SL_ERR_RETRY when attempts ran out on transient errors,
 * SL_ERR_IO on a non-retryable transport error (e.g. TLS verification),
 * with the reason in eb. */
enum sl_err sl_s3_client_do(struct sl_s3_client *c, const struct sl_s3_request *rq,
			    struct sl_s3_response *rs, struct sl_errbuf *eb);

/* Map a non-2xx response to an error code with a message "could not
 * <what>: <Code> (HTTP <status>): <Message>".  403 and credential codes
 * give SL_ERR_AUTH, 404 SL_ERR_NOTFOUND, the rest SL_ERR_IO. */
enum sl_err sl_s3_client_status_err(const struct sl_s3_response *rs, const char *what,
				    struct sl_errbuf *eb);

/* Whether an S3 error code is transient (SlowDown, InternalError, ...). */
bool sl_s3_code_retryable(const char *code);

/* Tests: the backoff in ms before retry number attempt (1-based) given a
 * random 32-bit value: uniform in [ceil/2, ceil] with
 * ceil = min(max_ms, base_ms * 2^(attempt-1)). */
int sl_s3_backoff_ms(int attempt, int base_ms, int max_ms, uint32_t rnd);

#endif
