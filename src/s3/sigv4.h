/* SPDX-License-Identifier: Apache-2.0
 *
 * sigv4.h -- AWS Signature Version 4, as pure functions.
 *
 * The signer takes a request description (method, raw path, raw query
 * pairs, the headers to sign, the hex SHA-256 of the payload) plus the
 * signing time as a parameter -- never the clock -- and produces the
 * canonical request, the string to sign, the signature and the
 * Authorization header value, so each step can be checked against AWS's
 * published test vectors.
 *
 * Canonicalisation rules implemented here (S3 flavour):
 *  - the path is given unencoded and is URI-encoded once, byte by byte,
 *    keeping A-Z a-z 0-9 - . _ ~ and '/'; with normalize_path (the
 *    generic-service test suite only; S3 never normalises) "." and ".."
 *    segments and repeated slashes are resolved first;
 *  - query pairs are given unencoded; names and values are encoded (also
 *    '/'), sorted by name then value, and a valueless pair is "name=";
 *  - header names are lower-cased and sorted, values trimmed with runs of
 *    spaces collapsed, and repeated names joined with ','.
 * Ownership: inputs are borrowed; the output struct owns its buffers and
 * is released with sl_sigv4_out_free.  The secret never leaves this file
 * except as derived HMACs.
 */
#ifndef SL_S3_SIGV4_H
#define SL_S3_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define SL_SIGV4_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct sl_sigv4_kv {
	const char *name;
	const char *value; /* NULL is treated as "" */
};

struct sl_sigv4_req {
	const char *method;
	const char *path;  /* unencoded, starts with '/' */
	const struct sl_sigv4_kv *query;
	size_t n_query;
	const struct sl_sigv4_kv *headers; /* must include host and x-amz-date */
	size_t n_headers;
	const char *payload_sha256; /* 64 hex chars (or "UNSIGNED-PAYLOAD") */
	bool normalize_path;
};

struct sl_sigv4_key {
	const char *access_key;
	const char *secret_key;
	const char *region;
	const char *service; /* "s3" */
};

struct sl_sigv4_out {
	struct sl_buf canonical_uri;   /* encoded path, also used in the URL */
	struct sl_buf canonical_query; /* also used in the URL */
	struct sl_buf canonical_request;
	struct sl_buf string_to_sign;
	struct sl_buf signed_headers;
	struct sl_buf authorization;
	char signature[65];
};

/* Format unix seconds as x-amz-date, "YYYYMMDDTHHMMSSZ" (17 bytes with NUL). */
void sl_sigv4_amz_date(int64_t unix_s, char out[17]);

/* Lower-case hex SHA-256 of p[0..n). */
void sl_sigv4_sha256_hex(const void *p, size_t n, char out[65]);

/* Append s[0..n) URI-encoded per SigV4 ('/' kept when keep_slash). */
enum sl_err sl_sigv4_uri_encode(struct sl_buf *b, const char *s, size_t n, bool keep_slash);

/* Sign: amz_date must equal the request's x-amz-date header value. */
enum sl_err sl_sigv4_sign(const struct sl_sigv4_req *r, const struct sl_sigv4_key *k,
			  const char *amz_date, struct sl_sigv4_out *out, struct sl_errbuf *eb);

void sl_sigv4_out_free(struct sl_sigv4_out *out);

#endif
