/* SPDX-License-Identifier: Apache-2.0
 *
 * store.c -- URL parsing, key rules and the writer state machine over the
 * backends (store_file.c, store_s3.c).
 *
 * A writer is OPEN until commit succeeds (COMMITTED) or it is aborted,
 * explicitly or after any failed write/commit (ABORTED).  The backend's
 * abort is called at most once per writer from here, so backends only
 * need it to be safe after a partial failure of their own.
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "store/backend.h"

struct sl_store {
	const struct sl_store_backend *be;
	void *impl;
	int open_writers;
};

enum wstate { W_OPEN, W_COMMITTED, W_ABORTED };

struct sl_store_writer {
	struct sl_store *st;
	void *impl;
	uint64_t size;
	enum wstate state;
	char *key; /* for messages */
};

void sl_store_opts_init(struct sl_store_opts *o)
{
	memset(o, 0, sizeof *o);
	o->if_none_match = -1;
}

enum sl_err sl_store_key_check(const char *key, struct sl_errbuf *eb)
{
	if (!key || !*key)
		return sl_err_set(eb, SL_ERR_ARG, "invalid object key: empty");
	size_t n = strlen(key);
	if (n > 1024)
		return sl_err_set(eb, SL_ERR_ARG, "invalid object key: longer than 1024 bytes");
	if (key[0] == '/')
		return sl_err_set(eb, SL_ERR_ARG, "invalid object key \"%s\": starts with '/'", key);
	const char *s = key;
	while (*s) {
		size_t len = strcspn(s, "/");
		if (len == 0 || (len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
			return sl_err_set(eb, SL_ERR_ARG,
					  "invalid object key \"%s\": empty, \".\" or \"..\" segment", key);
		if (len >= 12 && !memcmp(s, ".sluice-tmp-", 12))
			return sl_err_set(eb, SL_ERR_ARG,
					  "invalid object key \"%s\": reserved temp-file name", key);
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
				return sl_err_set(eb, SL_ERR_ARG,
						  "invalid object key: control character");
		s += len;
		if (*s == '/') {
			s++;
			if (!*s)
				return sl_err_set(eb, SL_ERR_ARG,
						  "invalid object key \"%s\": ends with '/'", key);
		}
	}
	return SL_OK;
}

enum sl_err sl_store_open(const char *url, const struct sl_store_opts *opts,
			  struct sl_store **out, struct sl_errbuf *eb)
{
	struct sl_store_opts defaults;
	enum sl_err e;
	*out = NULL;
	if (!opts) {
		sl_store_opts_init(&defaults);
		opts = &defaults;
	}
	if (!url)
		return sl_err_set(eb, SL_ERR_CONFIG, "no store URL given");
	struct sl_store *st = calloc(1, sizeof *st);
	if (!st)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	if (!strncmp(url, "file://", 7)) {
		const char *dir = url + 7;
		if (!strncmp(dir, "localhost/", 10))
			dir += 9;
		if (dir[0] != '/') {
			free(st);
			return sl_err_set(eb, SL_ERR_CONFIG,
					  "invalid store URL \"%s\": file URLs need an absolute path, as in file:///dir",
					  url);
		}
		st->be = &sl_store_file_backend;
		e = sl_store_file_new(dir, &st->impl, eb);
	} else if (!strncmp(url, "s3://", 5)) {
		const char *b = url + 5;
		size_t bl = strcspn(b, "/");
		char *bucket = strndup(b, bl);
		const char *rest = b[bl] == '/' ? b + bl + 1 : "";
		size_t rl = strlen(rest);
		while (rl && rest[rl - 1] == '/')
			rl--;
		char *prefix = malloc(rl + 2);
		if (!bucket || !prefix) {
			free(bucket);
			free(prefix);
			free(st);
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		}
		memcpy(prefix, rest, rl);
		if (rl)
			prefix[rl++] = '/';
		prefix[rl] = 0;
		e = SL_OK;
		if (bl == 0)
			e = sl_err_set(eb, SL_ERR_CONFIG, "invalid store URL \"%s\": no bucket", url);
		else if (rl) {
			prefix[rl - 1] = 0;
			if (sl_store_key_check(prefix, NULL))
				e = sl_err_set(eb, SL_ERR_CONFIG,
					       "invalid store URL \"%s\": bad prefix", url);
			prefix[rl - 1] = '/';
		}
		if (!e) {
			st->be = &sl_store_s3_backend;
			e = sl_store_s3_new(bucket, prefix, opts, &st->impl, eb);
		}
		free(bucket);
		free(prefix);
	} else {
		e = sl_err_set(eb, SL_ERR_CONFIG,
			       "invalid store URL \"%s\": expected s3://bucket/prefix or file:///dir", url);
	}
	if (e) {
		free(st);
		return e;
	}
	*out = st;
	return SL_OK;
}

void sl_store_close(struct sl_store *st)
{
	if (!st)
		return;
	if (st->open_writers)
		sl_warn("store: closing with %d writers still allocated", st->open_writers);
	st->be->close(st->impl);
	free(st);
}

const char *sl_store_scheme(const struct sl_store *st)
{
	return st->be->scheme;
}

bool sl_store_can_if_none_match(const struct sl_store *st)
{
	return st->be->can_inm(st->impl);
}

enum sl_err sl_store_writer_open(struct sl_store *st, const char *key, unsigned flags,
				 struct sl_store_writer **out, struct sl_errbuf *eb)
{
	*out = NULL;
	enum sl_err e = sl_store_key_check(key, eb);
	if (e)
		return e;
	struct sl_store_writer *w = calloc(1, sizeof *w);
	if (!w || !(w->key = strdup(key))) {
		free(w);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	w->st = st;
	if ((e = st->be->w_open(st->impl, key, flags, &w->impl, eb))) {
		free(w->key);
		free(w);
		return e;
	}
	st->open_writers++;
	*out = w;
	return SL_OK;
}

static void abort_after_failure(struct sl_store_writer *w)
{
	struct sl_errbuf aeb;
	if (w->st->be->w_abort(w->impl, &aeb))
		sl_warn("store: could not clean up failed upload of \"%s\": %s", w->key, aeb.msg);
	w->state = W_ABORTED;
}

enum sl_err sl_store_writer_write(struct sl_store_writer *w, const void *p, size_t n,
				  struct sl_errbuf *eb)
{
	if (w->state != W_OPEN)
		return sl_err_set(eb, SL_ERR_STATE, "could not write \"%s\": writer is %s", w->key,
				  w->state == W_COMMITTED ? "committed" : "aborted");
	if (n == 0)
		return SL_OK;
	enum sl_err e = w->st->be->w_write(w->impl, p, n, eb);
	if (e) {
		abort_after_failure(w);
		return e;
	}
	w->size += n;
	return SL_OK;
}

enum sl_err sl_store_writer_commit(struct sl_store_writer *w, bool *existed, struct sl_errbuf *eb)
{
	bool ex = false;
	if (existed)
		*existed = false;
	if (w->state != W_OPEN)
		return sl_err_set(eb, SL_ERR_STATE, "could not commit \"%s\": writer is %s", w->key,
				  w->state == W_COMMITTED ? "already committed" : "aborted");
	enum sl_err e = w->st->be->w_commit(w->impl, &ex, eb);
	if (e) {
		abort_after_failure(w);
		return e;
	}
	w->state = W_COMMITTED;
	if (existed)
		*existed = ex;
	return SL_OK;
}

enum sl_err sl_store_writer_abort(struct sl_store_writer *w, struct sl_errbuf *eb)
{
	if (w->state != W_OPEN)
		return SL_OK;
	w->state = W_ABORTED;
	return w->st->be->w_abort(w->impl, eb);
}

uint64_t sl_store_writer_size(const struct sl_store_writer *w)
{
	return w->size;
}

void sl_store_writer_free(struct sl_store_writer *w)
{
	if (!w)
		return;
	if (w->state == W_OPEN) {
		struct sl_errbuf eb;
		if (sl_store_writer_abort(w, &eb))
			sl_warn("store: could not abort upload of \"%s\": %s", w->key, eb.msg);
	}
	w->st->be->w_free(w->impl);
	w->st->open_writers--;
	free(w->key);
	free(w);
}

enum sl_err sl_store_put(struct sl_store *st, const char *key, unsigned flags, const void *p,
			 size_t n, bool *existed, struct sl_errbuf *eb)
{
	struct sl_store_writer *w;
	enum sl_err e = sl_store_writer_open(st, key, flags, &w, eb);
	if (e)
		return e;
	e = sl_store_writer_write(w, p, n, eb);
	if (!e)
		e = sl_store_writer_commit(w, existed, eb);
	sl_store_writer_free(w);
	return e;
}

enum sl_err sl_store_list(struct sl_store *st, const char *prefix, sl_store_list_fn fn,
			  void *ctx, struct sl_errbuf *eb)
{
	if (!prefix)
		prefix = "";
	if (prefix[0] == '/' || strstr(prefix, ".."))
		return sl_err_set(eb, SL_ERR_ARG, "invalid list prefix \"%s\"", prefix);
	return st->be->list(st->impl, prefix, fn, ctx, eb);
}

enum sl_err sl_store_head(struct sl_store *st, const char *key, bool *exists, uint64_t *size,
			  struct sl_errbuf *eb)
{
	uint64_t dummy;
	enum sl_err e = sl_store_key_check(key, eb);
	if (e)
		return e;
	*exists = false;
	return st->be->head(st->impl, key, exists, size ? size : &dummy, eb);
}

enum sl_err sl_store_get(struct sl_store *st, const char *key, struct sl_buf *out,
			 struct sl_errbuf *eb)
{
	enum sl_err e = sl_store_key_check(key, eb);
	if (e)
		return e;
	return st->be->get(st->impl, key, out, eb);
}

enum sl_err sl_store_delete(struct sl_store *st, const char *key, struct sl_errbuf *eb)
{
	enum sl_err e = sl_store_key_check(key, eb);
	if (e)
		return e;
	return st->be->del(st->impl, key, eb);
}
