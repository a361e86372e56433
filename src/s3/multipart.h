/* SPDX-License-Identifier: Apache-2.0
 *
 * multipart.h -- S3 multipart upload: create, upload part, complete, abort.
 *
 * Thin, stateless wrappers over sl_s3_client_do; the caller (the store's
 * S3 writer) keeps the upload id and the part ETags.  Complete can fail
 * inside a 200 response (an <Error> body); that is detected here and
 * retried when the code is transient.  Abort treats NoSuchUpload as done,
 * so it is idempotent.
 */
#ifndef SL_S3_MULTIPART_H
#define SL_S3_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "s3/client.h"

/* POST ?uploads; the upload id is appended to upload_id. */
enum sl_err sl_s3_mpu_create(struct sl_s3_client *c, const char *key, struct sl_buf *upload_id,
			     struct sl_errbuf *eb);

/* PUT ?partNumber=N&uploadId=ID; etag receives the part's ETag (quotes kept). */
enum sl_err sl_s3_mpu_part(struct sl_s3_client *c, const char *key, const char *upload_id,
			   int part_no, const void *p, size_t n, char *etag, size_t etag_sz,
			   struct sl_errbuf *eb);

/* POST ?uploadId=ID with the part list.  With if_none_match the request
 * carries If-None-Match: *; a 412 sets *existed (SL_OK is returned). */
enum sl_err sl_s3_mpu_complete(struct sl_s3_client *c, const char *key, const char *upload_id,
			       char *const *etags, int n_parts, bool if_none_match,
			       bool *existed, struct sl_errbuf *eb);

/* DELETE ?uploadId=ID; NoSuchUpload counts as success. */
enum sl_err sl_s3_mpu_abort(struct sl_s3_client *c, const char *key, const char *upload_id,
			    struct sl_errbuf *eb);

#endif
