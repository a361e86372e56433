/* SPDX-License-Identifier: Apache-2.0
 *
 * rd.h -- bounded big-endian reader over borrowed bytes.
 *
 * Every read checks the remaining length first; on short input it returns
 * false and leaves the offset unchanged, so decoders can `goto err_parse`
 * without having consumed half a field.  The reader never owns `p`.
 */
#ifndef SL_CORE_RD_H
#define SL_CORE_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sl_rd {
	const uint8_t *p; /* borrowed */
	size_t len;
	size_t off;
};

static inline void sl_rd_init(struct sl_rd *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
}

static inline size_t sl_rd_left(const struct sl_rd *r)
{
	return r->len - r->off;
}

static inline bool sl_rd_u8(struct sl_rd *r, uint8_t *v)
{
	if (sl_rd_left(r) < 1)
		return false;
	*v = r->p[r->off++];
	return true;
}

static inline bool sl_rd_be16(struct sl_rd *r, uint16_t *v)
{
	if (sl_rd_left(r) < 2)
		return false;
	const uint8_t *q = r->p + r->off;
	*v = (uint16_t)((q[0] << 8) | q[1]);
	r->off += 2;
	return true;
}

static inline bool sl_rd_be32(struct sl_rd *r, uint32_t *v)
{
	if (sl_rd_left(r) < 4)
		return false;
	const uint8_t *q = r->p + r->off;
	*v = ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) | ((uint32_t)q[2] << 8) | q[3];
	r->off += 4;
	return true;
}

static inline bool sl_rd_be64(struct sl_rd *r, uint64_t *v)
{
	uint32_t hi = 0, lo = 0;
	if (sl_rd_left(r) < 8)
		return false;
	sl_rd_be32(r, &hi);
	sl_rd_be32(r, &lo);
	*v = ((uint64_t)hi << 32) | lo;
	return true;
}

/* Borrow n bytes. */
static inline bool sl_rd_bytes(struct sl_rd *r, size_t n, const uint8_t **out)
{
	if (sl_rd_left(r) < n)
		return false;
	*out = r->p + r->off;
	r->off += n;
	return true;
}

/* Borrow a NUL-terminated string; the NUL must lie inside the input. */
static inline bool sl_rd_cstr(struct sl_rd *r, const char **s, size_t *n)
{
	const uint8_t *start = r->p + r->off;
	const uint8_t *nul = memchr(start, 0, sl_rd_left(r));
	if (!nul)
		return false;
	*s = (const char *)start;
	if (n)
		*n = (size_t)(nul - start);
	r->off += (size_t)(nul - start) + 1;
	return true;
}

/* Big-endian writers, the mirror image, for encoders and test fixtures. */
static inline void sl_wr_be16(uint8_t *q, uint16_t v)
{
	q[0] = (uint8_t)(v >> 8);
	q[1] = (uint8_t)v;
}
static inline void sl_wr_be32(uint8_t *q, uint32_t v)
{
	q[0] = (uint8_t)(v >> 24);
	q[1] = (uint8_t)(v >> 16);
	q[2] = (uint8_t)(v >> 8);
	q[3] = (uint8_t)v;
}
static inline void sl_wr_be64(uint8_t *q, uint64_t v)
{
	sl_wr_be32(q, (uint32_t)(v >> 32));
	sl_wr_be32(q + 4, (uint32_t)v);
}

#endif
