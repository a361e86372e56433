/* SPDX-License-Identifier: Apache-2.0
 *
 * multipart.c -- the four multipart calls (see multipart.h).
 */
#include "s3/multipart.h"

#include <stdio.h>
#include <string.h>

#include "s3/xml.h"

enum sl_err sl_s3_mpu_create(struct sl_s3_client *c, const char *key, struct sl_buf *upload_id,
			     struct sl_errbuf *eb)
{
	struct sl_sigv4_kv q[] = {{"uploads", NULL}};
	struct sl_buf body = {0};
	struct sl_s3_request rq = {.method = "POST", .key = key, .query = q, .n_query = 1,
				   .resp_body = &body};
	struct sl_s3_response rs;
	char what[600];
	snprintf(what, sizeof what, "start multipart upload of s3://%s/%s", sl_s3_client_bucket(c), key);
	enum sl_err e = sl_s3_client_do(c, &rq, &rs, eb);
	if (!e && (rs.status < 200 || rs.status >= 300))
		e = sl_s3_client_status_err(&rs, what, eb);
	if (!e) {
		sl_buf_reset(upload_id);
		e = sl_s3_xml_get(body.data, body.len, "UploadId", upload_id);
		if (!e)
			e = sl_buf_puts(upload_id, "");
		if (e || upload_id->len == 0 || strlen(upload_id->data) != upload_id->len)
			e = sl_err_set(eb, SL_ERR_PROTO, "could not %s: response has no UploadId", what);
	}
	sl_buf_free(&body);
	return e;
}

enum sl_err sl_s3_mpu_part(struct sl_s3_client *c, const char *key, const char *upload_id,
			   int part_no, const void *p, size_t n, char *etag, size_t etag_sz,
			   struct sl_errbuf *eb)
{
	char num[16];
	snprintf(num, sizeof num, "%d", part_no);
	struct sl_sigv4_kv q[] = {{"partNumber", num}, {"uploadId", upload_id}};
	struct sl_s3_request rq = {.method = "PUT", .key = key, .query = q, .n_query = 2,
				   .body = p ? p : "", .body_len = n};
	struct sl_s3_response rs;
	char what[600];
	snprintf(what, sizeof what, "upload part %d of s3://%s/%s", part_no, sl_s3_client_bucket(c), key);
	enum sl_err e = sl_s3_client_do(c, &rq, &rs, eb);
	if (!e && (rs.status < 200 || rs.status >= 300))
		e = sl_s3_client_status_err(&rs, what, eb);
	if (!e && !rs.etag[0])
		e = sl_err_set(eb, SL_ERR_PROTO, "could not %s: response has no ETag", what);
	if (!e)
		snprintf(etag, etag_sz, "%s", rs.etag);
	return e;
}

enum sl_err sl_s3_mpu_complete(struct sl_s3_client *c, const char *key, const char *upload_id,
			       char *const *etags, int n_parts, bool if_none_match,
			       bool *existed, struct sl_errbuf *eb)
{
	struct sl_buf x = {0}, resp = {0};
	enum sl_err e = sl_buf_puts(&x, "<CompleteMultipartUpload>");
	for (int i = 0; i < n_parts && !e; i++) {
		e = sl_buf_appendf(&x, "<Part><PartNumber>%d</PartNumber><ETag>", i + 1);
		if (!e)
			e = sl_s3_xml_escape(&x, etags[i]);
		if (!e)
			e = sl_buf_puts(&x, "</ETag></Part>");
	}
	if (!e)
		e = sl_buf_puts(&x, "</CompleteMultipartUpload>");
	if (e) {
		sl_buf_free(&x);
		return sl_err_set(eb, e, "could not complete multipart upload: out of memory");
	}
	*existed = false;
	struct sl_sigv4_kv q[] = {{"uploadId", upload_id}};
	struct sl_s3_hdr h[] = {{"if-none-match", "*"}};
	struct sl_s3_request rq = {.method = "POST", .key = key, .query = q, .n_query = 1,
				   .headers = h, .n_headers = if_none_match ? 1 : 0,
				   .body = x.data, .body_len = x.len,
				   .content_type = "application/xml", .resp_body = &resp};
	struct sl_s3_response rs;
	char what[600];
	snprintf(what, sizeof what, "complete multipart upload of s3://%s/%s", sl_s3_client_bucket(c), key);
	int max = sl_s3_client_max_attempts(c);
	for (int round = 1;; round++) {
		sl_buf_reset(&resp);
		e = sl_s3_client_do(c, &rq, &rs, eb);
		if (e)
			break;
		if (rs.status == 412 && if_none_match) {
			*existed = true;
			break;
		}
		if (rs.status < 200 || rs.status >= 300) {
			e = sl_s3_client_status_err(&rs, what, eb);
			break;
		}
		/* 200 can still carry an error: the server failed after it started answering. */
		if (sl_s3_xml_error(resp.data, resp.len, rs.code, sizeof rs.code, rs.message,
				    sizeof rs.message)) {
			if (sl_s3_code_retryable(rs.code) && round < max)
				continue;
			e = sl_s3_client_status_err(&rs, what, eb);
			if (e == SL_OK)
				e = SL_ERR_IO;
			break;
		}
		break;
	}
	sl_buf_free(&x);
	sl_buf_free(&resp);
	return e;
}

enum sl_err sl_s3_mpu_abort(struct sl_s3_client *c, const char *key, const char *upload_id,
			    struct sl_errbuf *eb)
{
	struct sl_sigv4_kv q[] = {{"uploadId", upload_id}};
	struct sl_s3_request rq = {.method = "DELETE", .key = key, .query = q, .n_query = 1};
	struct sl_s3_response rs;
	char what[600];
	snprintf(what, sizeof what, "abort multipart upload of s3://%s/%s", sl_s3_client_bucket(c), key);
	enum sl_err e = sl_s3_client_do(c, &rq, &rs, eb);
	if (e)
		return e;
	if ((rs.status >= 200 && rs.status < 300) || !strcmp(rs.code, "NoSuchUpload") ||
	    (rs.status == 404 && !rs.code[0]))
		return SL_OK;
	return sl_s3_client_status_err(&rs, what, eb);
}
