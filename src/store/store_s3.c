/* SPDX-License-Identifier: Apache-2.0
 *
 * store_s3.c -- the S3 backend (s3://bucket/prefix).
 *
 * A writer stages bytes in one part-sized buffer.  The first time the
 * buffer fills, a multipart upload is created and the part sent; commit
 * then sends the rest as the last part and completes.  An object smaller
 * than one part never starts a multipart upload: commit sends it with a
 * single PutObject.  So nothing is visible before commit, and abort only
 * has an upload to cancel once a part went out.
 *
 * Conditional create sends If-None-Match: * on PutObject / Complete (a
 * 412 answer means the key exists).  Where the endpoint is not known to
 * enforce it (opts.if_none_match != 1), a HEAD is done first as well --
 * a best-effort check that is not atomic against a concurrent writer.
 * Ownership: the backend owns the client and the prefix; a writer owns
 * its buffer, upload id and part ETags.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "s3/client.h"
#include "s3/multipart.h"
#include "s3/xml.h"
#include "store/backend.h"

struct s3store {
	struct sl_s3_client *c;
	char *prefix; /* "" or ends in '/' */
	size_t part_size;
	int inm; /* opts.if_none_match */
	int page;
};

struct s3writer {
	struct s3store *s;
	char *key; /* full key, prefix included */
	unsigned flags;
	struct sl_buf buf;
	struct sl_buf upload_id; /* empty until a part went out */
	char **etags;
	int n_parts, cap_parts;
};

static bool s3_can_inm(void *impl)
{
	return ((struct s3store *)impl)->inm == 1;
}

static const char *env_or(const char *v, const char *name)
{
	if (v && *v)
		return v;
	const char *e = getenv(name);
	return e && *e ? e : NULL;
}

enum sl_err sl_store_s3_new(const char *bucket, const char *prefix,
			    const struct sl_store_opts *o, void **impl, struct sl_errbuf *eb)
{
	size_t part = o->part_size ? o->part_size : SL_STORE_PART_DEFAULT;
	if (part < SL_STORE_PART_MIN || part > SL_STORE_PART_MAX)
		return sl_err_set(eb, SL_ERR_CONFIG,
				  "invalid s3.part.size %zu: must be between 5 MiB (5242880) and 5 GiB",
				  part);
	struct s3store *s = calloc(1, sizeof *s);
	if (!s || !(s->prefix = strdup(prefix))) {
		free(s);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	bool from_env = !(o->access_key && *o->access_key);
	struct sl_s3_client_opts co = {
		.endpoint = o->endpoint,
		.region = env_or(o->region, "AWS_REGION"),
		.bucket = bucket,
		.path_style = o->path_style,
		.access_key = env_or(o->access_key, "AWS_ACCESS_KEY_ID"),
		.secret_key = env_or(o->secret_key, "AWS_SECRET_ACCESS_KEY"),
		.session_token = from_env ? env_or(o->session_token, "AWS_SESSION_TOKEN") : o->session_token,
		.max_attempts = o->max_attempts,
		.backoff_base_ms = o->backoff_base_ms,
		.backoff_max_ms = o->backoff_max_ms,
		.timeout_ms = o->timeout_ms,
		.connect_timeout_ms = o->connect_timeout_ms,
		.ca_file = o->ca_file,
	};
	enum sl_err e = sl_s3_client_new(&co, &s->c, eb);
	if (e) {
		free(s->prefix);
		free(s);
		return e;
	}
	s->part_size = part;
	s->inm = o->if_none_match;
	s->page = o->list_page_size > 0 && o->list_page_size <= 1000 ? o->list_page_size : 1000;
	*impl = s;
	return SL_OK;
}

static void s3_close(void *impl)
{
	struct s3store *s = impl;
	if (!s)
		return;
	sl_s3_client_free(s->c);
	free(s->prefix);
	free(s);
}

static char *full_key(struct s3store *s, const char *key)
{
	char *k;
	if (asprintf(&k, "%s%s", s->prefix, key) < 0)
		return NULL;
	return k;
}

static void s3_w_free(void *impl)
{
	struct s3writer *w = impl;
	if (!w)
		return;
	free(w->key);
	sl_buf_free(&w->buf);
	sl_buf_free(&w->upload_id);
	for (int i = 0; i < w->n_parts; i++)
		free(w->etags[i]);
	free(w->etags);
	free(w);
}

static enum sl_err s3_w_open(void *impl, const char *key, unsigned flags, void **out,
			     struct sl_errbuf *eb)
{
	struct s3store *s = impl;
	struct s3writer *w = calloc(1, sizeof *w);
	if (!w || !(w->key = full_key(s, key))) {
		free(w);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	w->s = s;
	w->flags = flags;
	*out = w;
	return SL_OK;
}

static enum sl_err send_part(struct s3writer *w, struct sl_errbuf *eb)
{
	enum sl_err e;
	if (w->upload_id.len == 0 && (e = sl_s3_mpu_create(w->s->c, w->key, &w->upload_id, eb)))
		return e;
	if (w->n_parts >= 10000)
		return sl_err_set(eb, SL_ERR_TOO_LARGE,
				  "could not upload s3://%s/%s: more than 10000 parts; raise s3.part.size",
				  sl_s3_client_bucket(w->s->c), w->key);
	if (w->n_parts == w->cap_parts) {
		int nc = w->cap_parts ? w->cap_parts * 2 : 16;
		char **nv = realloc(w->etags, (size_t)nc * sizeof *nv);
		if (!nv)
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		w->etags = nv;
		w->cap_parts = nc;
	}
	char etag[256];
	e = sl_s3_mpu_part(w->s->c, w->key, w->upload_id.data, w->n_parts + 1, w->buf.data,
			   w->buf.len, etag, sizeof etag, eb);
	if (e)
		return e;
	if (!(w->etags[w->n_parts] = strdup(etag)))
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	w->n_parts++;
	sl_buf_reset(&w->buf);
	return SL_OK;
}

static enum sl_err s3_w_write(void *impl, const void *p, size_t n, struct sl_errbuf *eb)
{
	struct s3writer *w = impl;
	const char *c = p;
	size_t ps = w->s->part_size;
	if (w->buf.cap == 0 && sl_buf_reserve(&w->buf, n < ps ? n : ps))
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	while (n) {
		size_t take = ps - w->buf.len;
		if (take > n)
			take = n;
		if (sl_buf_append(&w->buf, c, take))
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		c += take;
		n -= take;
		if (w->buf.len == ps) {
			enum sl_err e = send_part(w, eb);
			if (e)
				return e;
		}
	}
	return SL_OK;
}

static enum sl_err s3_head_full(struct s3store *s, const char *fkey, bool *exists, uint64_t *size,
				struct sl_errbuf *eb)
{
	struct sl_s3_request rq = {.method = "HEAD", .key = fkey};
	struct sl_s3_response rs;
	enum sl_err e = sl_s3_client_do(s->c, &rq, &rs, eb);
	if (e)
		return e;
	*exists = false;
	if (rs.status == 404)
		return SL_OK;
	if (rs.status < 200 || rs.status >= 300) {
		char what[600];
		snprintf(what, sizeof what, "head s3://%s/%s", sl_s3_client_bucket(s->c), fkey);
		return sl_s3_client_status_err(&rs, what, eb);
	}
	*exists = true;
	if (size)
		*size = rs.content_length;
	return SL_OK;
}

static enum sl_err s3_w_commit(void *impl, bool *existed, struct sl_errbuf *eb)
{
	struct s3writer *w = impl;
	struct s3store *s = w->s;
	bool inm = (w->flags & SL_STORE_IF_NONE_MATCH) != 0;
	enum sl_err e;
	char what[600];
	*existed = false;
	if (inm && s->inm != 1) {
		bool ex = false;
		if ((e = s3_head_full(s, w->key, &ex, NULL, eb)))
			return e;
		if (ex) {
			*existed = true;
			if (w->upload_id.len && (e = sl_s3_mpu_abort(s->c, w->key, w->upload_id.data, eb)))
				return e;
			sl_buf_reset(&w->upload_id);
			return SL_OK;
		}
	}
	if (w->upload_id.len == 0) {
		struct sl_s3_hdr h[] = {{"if-none-match", "*"}};
		struct sl_s3_request rq = {.method = "PUT", .key = w->key, .headers = h,
					   .n_headers = inm ? 1 : 0,
					   .body = w->buf.data ? w->buf.data : "", .body_len = w->buf.len};
		struct sl_s3_response rs;
		if ((e = sl_s3_client_do(s->c, &rq, &rs, eb)))
			return e;
		if (inm && rs.status == 412) {
			*existed = true;
			return SL_OK;
		}
		if (rs.status < 200 || rs.status >= 300) {
			snprintf(what, sizeof what, "put s3://%s/%s", sl_s3_client_bucket(s->c), w->key);
			return sl_s3_client_status_err(&rs, what, eb);
		}
		return SL_OK;
	}
	if (w->buf.len && (e = send_part(w, eb)))
		return e;
	e = sl_s3_mpu_complete(s->c, w->key, w->upload_id.data, w->etags, w->n_parts, inm,
			       existed, eb);
	if (e)
		return e;
	if (*existed) {
		/* The upload stays open after a refused Complete: cancel it. */
		if ((e = sl_s3_mpu_abort(s->c, w->key, w->upload_id.data, eb)))
			return e;
	}
	sl_buf_reset(&w->upload_id);
	return SL_OK;
}

static enum sl_err s3_w_abort(void *impl, struct sl_errbuf *eb)
{
	struct s3writer *w = impl;
	sl_buf_free(&w->buf);
	if (w->upload_id.len == 0)
		return SL_OK;
	enum sl_err e = sl_s3_mpu_abort(w->s->c, w->key, w->upload_id.data, eb);
	if (!e)
		sl_buf_reset(&w->upload_id);
	return e;
}

struct list_ctx {
	struct s3store *s;
	sl_store_list_fn fn;
	void *ctx;
};

static enum sl_err list_cb(void *ud, const char *key, uint64_t size, struct sl_errbuf *eb)
{
	struct list_ctx *lc = ud;
	size_t pl = strlen(lc->s->prefix);
	if (strncmp(key, lc->s->prefix, pl) != 0)
		return SL_OK;
	return lc->fn(lc->ctx, key + pl, size, eb);
}

static enum sl_err s3_list(void *impl, const char *prefix, sl_store_list_fn fn, void *ctx,
			   struct sl_errbuf *eb)
{
	struct s3store *s = impl;
	char *fp = full_key(s, prefix);
	struct sl_buf token = {0}, body = {0};
	char maxk[16], what[600];
	enum sl_err e = SL_OK;
	if (!fp)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	snprintf(maxk, sizeof maxk, "%d", s->page);
	snprintf(what, sizeof what, "list s3://%s/%s", sl_s3_client_bucket(s->c), fp);
	struct list_ctx lc = {s, fn, ctx};
	for (int pages = 0;; pages++) {
		struct sl_sigv4_kv q[4] = {{"list-type", "2"}, {"max-keys", maxk}, {"prefix", fp}};
		size_t nq = 3;
		if (token.len)
			q[nq++] = (struct sl_sigv4_kv){"continuation-token", token.data};
		sl_buf_reset(&body);
		struct sl_s3_request rq = {.method = "GET", .key = NULL, .query = q, .n_query = nq,
					   .resp_body = &body};
		struct sl_s3_response rs;
		if ((e = sl_s3_client_do(s->c, &rq, &rs, eb)))
			break;
		if (rs.status < 200 || rs.status >= 300) {
			e = sl_s3_client_status_err(&rs, what, eb);
			break;
		}
		bool truncated;
		struct sl_buf next = {0};
		e = sl_s3_xml_list(body.data, body.len, list_cb, &lc, &truncated, &next, eb);
		sl_buf_free(&token);
		token = next;
		if (e || !truncated)
			break;
		if (pages > 10000000) {
			e = sl_err_set(eb, SL_ERR_PROTO, "could not %s: endless continuation", what);
			break;
		}
	}
	sl_buf_free(&token);
	sl_buf_free(&body);
	free(fp);
	return e;
}

static enum sl_err s3_head(void *impl, const char *key, bool *exists, uint64_t *size,
			   struct sl_errbuf *eb)
{
	struct s3store *s = impl;
	char *fk = full_key(s, key);
	if (!fk)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	enum sl_err e = s3_head_full(s, fk, exists, size, eb);
	free(fk);
	return e;
}

static enum sl_err s3_get(void *impl, const char *key, struct sl_buf *out, struct sl_errbuf *eb)
{
	struct s3store *s = impl;
	char *fk = full_key(s, key);
	char what[600];
	if (!fk)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	struct sl_s3_request rq = {.method = "GET", .key = fk, .resp_body = out};
	struct sl_s3_response rs;
	enum sl_err e = sl_s3_client_do(s->c, &rq, &rs, eb);
	if (!e && (rs.status < 200 || rs.status >= 300)) {
		snprintf(what, sizeof what, "get s3://%s/%s", sl_s3_client_bucket(s->c), fk);
		e = sl_s3_client_status_err(&rs, what, eb);
	}
	free(fk);
	return e;
}

static enum sl_err s3_del(void *impl, const char *key, struct sl_errbuf *eb)
{
	struct s3store *s = impl;
	char *fk = full_key(s, key);
	char what[600];
	if (!fk)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	struct sl_s3_request rq = {.method = "DELETE", .key = fk};
	struct sl_s3_response rs;
	enum sl_err e = sl_s3_client_do(s->c, &rq, &rs, eb);
	if (!e && (rs.status < 200 || rs.status >= 300) && !(rs.status == 404 && strcmp(rs.code, "NoSuchBucket"))) {
		snprintf(what, sizeof what, "delete s3://%s/%s", sl_s3_client_bucket(s->c), fk);
		e = sl_s3_client_status_err(&rs, what, eb);
	}
	free(fk);
	return e;
}

const struct sl_store_backend sl_store_s3_backend = {
	.scheme = "s3",
	.can_inm = s3_can_inm,
	.close = s3_close,
	.w_open = s3_w_open,
	.w_write = s3_w_write,
	.w_commit = s3_w_commit,
	.w_abort = s3_w_abort,
	.w_free = s3_w_free,
	.list = s3_list,
	.head = s3_head,
	.get = s3_get,
	.del = s3_del,
};
