/* SPDX-License-Identifier: Apache-2.0
 *
 * codec.h -- page compression with Debian's libraries: zstd, snappy
 * (snappy-c), zlib (gzip framing).
 *
 * A struct sl_pq_codec_ctx holds what is worth reusing between pages (the
 * zstd context); it is owned by the writer and freed with
 * sl_pq_codec_free().  Output is appended to a caller-owned sl_buf.
 */
#ifndef SL_PARQUET_CODEC_H
#define SL_PARQUET_CODEC_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "parquet/parquet.h"

struct sl_pq_codec_ctx {
	enum sl_pq_codec codec;
	int level;
	void *zctx; /* ZSTD_CCtx*, created lazily */
};

enum sl_err sl_pq_codec_init(struct sl_pq_codec_ctx *c, enum sl_pq_codec codec, int level,
			     struct sl_errbuf *eb);
enum sl_err sl_pq_compress(struct sl_pq_codec_ctx *c, const void *src, size_t n,
			   struct sl_buf *out, struct sl_errbuf *eb);
void sl_pq_codec_free(struct sl_pq_codec_ctx *c);

#endif
