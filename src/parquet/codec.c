/* SPDX-License-Identifier: Apache-2.0
 *
 * codec.c -- page compression (see codec.h).
 *
 * GZIP means a gzip member (RFC 1952), which is what Parquet readers
 * expect, so deflate runs with windowBits 15 + 16.  Every codec writes
 * straight into the reserved tail of the output buffer.
 */
#include "parquet/codec.h"

#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

enum sl_err sl_pq_codec_init(struct sl_pq_codec_ctx *c, enum sl_pq_codec codec, int level,
			     struct sl_errbuf *eb)
{
	c->codec = codec;
	c->zctx = NULL;
	switch (codec) {
	case SL_PQ_UNCOMPRESSED:
	case SL_PQ_SNAPPY:
		c->level = 0;
		return SL_OK;
	case SL_PQ_GZIP:
		if (level < 0 || level > 9)
			return sl_err_set(eb, SL_ERR_ARG, "gzip level %d is out of range 1..9", level);
		c->level = level ? level : 6;
		return SL_OK;
	case SL_PQ_ZSTD:
		if (level < 0 || level > ZSTD_maxCLevel())
			return sl_err_set(eb, SL_ERR_ARG, "zstd level %d is out of range 1..%d", level,
					  ZSTD_maxCLevel());
		c->level = level ? level : 3;
		return SL_OK;
	}
	return sl_err_set(eb, SL_ERR_ARG, "unsupported parquet codec %d", (int)codec);
}

static enum sl_err gzip(int level, const void *src, size_t n, struct sl_buf *out,
			struct sl_errbuf *eb)
{
	z_stream zs = {0};
	if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return sl_err_set(eb, SL_ERR_NOMEM, "could not start gzip compression");
	size_t bound = deflateBound(&zs, (uLong)n);
	enum sl_err e = sl_buf_reserve(out, bound);
	if (e) {
		deflateEnd(&zs);
		return sl_err_set(eb, e, "could not reserve %zu bytes for a gzip page", bound);
	}
	zs.next_in = (Bytef *)(uintptr_t)src;
	zs.avail_in = (uInt)n;
	zs.next_out = (Bytef *)out->data + out->len;
	zs.avail_out = (uInt)bound;
	int rc = deflate(&zs, Z_FINISH);
	size_t got = bound - zs.avail_out;
	deflateEnd(&zs);
	if (rc != Z_STREAM_END)
		return sl_err_set(eb, SL_ERR_FATAL, "could not gzip a page: deflate returned %d", rc);
	out->len += got;
	out->data[out->len] = 0;
	return SL_OK;
}

enum sl_err sl_pq_compress(struct sl_pq_codec_ctx *c, const void *src, size_t n,
			   struct sl_buf *out, struct sl_errbuf *eb)
{
	enum sl_err e;
	if (n > 0x7fffffffu)
		return sl_err_set(eb, SL_ERR_TOO_LARGE, "parquet page of %zu bytes is too large", n);
	switch (c->codec) {
	case SL_PQ_UNCOMPRESSED:
		if ((e = sl_buf_append(out, src, n)))
			return sl_err_set(eb, e, "could not buffer a page of %zu bytes", n);
		return SL_OK;
	case SL_PQ_SNAPPY: {
		size_t bound = snappy_max_compressed_length(n);
		if ((e = sl_buf_reserve(out, bound)))
			return sl_err_set(eb, e, "could not reserve %zu bytes for a snappy page", bound);
		size_t got = bound;
		if (snappy_compress(src, n, out->data + out->len, &got) != SNAPPY_OK)
			return sl_err_set(eb, SL_ERR_FATAL, "could not snappy-compress a page");
		out->len += got;
		out->data[out->len] = 0;
		return SL_OK;
	}
	case SL_PQ_GZIP:
		return gzip(c->level, src, n, out, eb);
	case SL_PQ_ZSTD: {
		if (!c->zctx && !(c->zctx = ZSTD_createCCtx()))
			return sl_err_set(eb, SL_ERR_NOMEM, "could not create a zstd context");
		size_t bound = ZSTD_compressBound(n);
		if ((e = sl_buf_reserve(out, bound)))
			return sl_err_set(eb, e, "could not reserve %zu bytes for a zstd page", bound);
		size_t got = ZSTD_compressCCtx(c->zctx, out->data + out->len, bound, src, n, c->level);
		if (ZSTD_isError(got))
			return sl_err_set(eb, SL_ERR_FATAL, "could not zstd-compress a page: %s",
					  ZSTD_getErrorName(got));
		out->len += got;
		out->data[out->len] = 0;
		return SL_OK;
	}
	}
	return sl_err_set(eb, SL_ERR_ARG, "unsupported parquet codec %d", (int)c->codec);
}

void sl_pq_codec_free(struct sl_pq_codec_ctx *c)
{
	if (c && c->zctx) {
		ZSTD_freeCCtx(c->zctx);
		c->zctx = NULL;
	}
}
