/* SPDX-License-Identifier: Apache-2.0
 *
 * xml.h -- just enough XML for S3 responses.
 *
 * S3 answers with small, flat, machine-written documents: ListObjectsV2
 * (ListBucketResult/Contents/Key,Size; IsTruncated; NextContinuationToken),
 * InitiateMultipartUpload (UploadId), CompleteMultipartUpload (which can
 * carry an <Error> in a 200 response) and Error (Code, Message).  This is a
 * tag scanner, not a parser: it finds <name>...</name> (or <name attr..>,
 * or <name/>) within a byte range and decodes the five predefined entities
 * and numeric character references in text.  Comments, CDATA and
 * processing instructions are skipped only as far as the documents above
 * need.  Input is untrusted: every scan is bounded by the given length and
 * never reads past it; malformed input yields "not found" or SL_ERR_PROTO.
 * All functions borrow their input; outputs go to caller-owned buffers.
 */
#ifndef SL_S3_XML_H
#define SL_S3_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

/* Find the next element named tag in p[*pos..n).  On success *inner and
 * *inner_len describe its raw content and *pos moves past its end tag. */
bool sl_s3_xml_next(const char *p, size_t n, size_t *pos, const char *tag, const char **inner,
		    size_t *inner_len);

/* Decode text content (entities) and append it to out. */
enum sl_err sl_s3_xml_text(const char *p, size_t n, struct sl_buf *out);

/* Text of the first element named tag, appended to out; SL_ERR_NOTFOUND if absent. */
enum sl_err sl_s3_xml_get(const char *p, size_t n, const char *tag, struct sl_buf *out);

/* Append s escaped for XML text. */
enum sl_err sl_s3_xml_escape(struct sl_buf *out, const char *s);

/* Code and Message of an <Error> document (empty strings when absent).
 * Returns true if the document contains an <Error> element. */
bool sl_s3_xml_error(const char *p, size_t n, char *code, size_t code_sz, char *msg,
		     size_t msg_sz);

typedef enum sl_err (*sl_s3_xml_obj_fn)(void *ctx, const char *key, uint64_t size,
					 struct sl_errbuf *eb);

/* Walk a ListObjectsV2 page: fn per <Contents> (Key decoded, Size parsed),
 * *truncated from IsTruncated, next_token (reset, then filled) from
 * NextContinuationToken.  SL_ERR_PROTO on a malformed entry. */
enum sl_err sl_s3_xml_list(const char *p, size_t n, sl_s3_xml_obj_fn fn, void *ctx,
			   bool *truncated, struct sl_buf *next_token, struct sl_errbuf *eb);

#endif
