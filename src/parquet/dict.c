/* SPDX-License-Identifier: Apache-2.0
 *
 * dict.c -- column-chunk dictionary with an open-addressing hash index.
 *
 * Linear probing over a power-of-two slot array kept at most half full;
 * slots hold id + 1 so a zeroed array is empty.  Stored hashes let the
 * index grow without touching the values.
 */
#include "parquet/dict.h"

#include <stdlib.h>
#include <string.h>

void sl_pq_dict_init(struct sl_pq_dict *d, bool var)
{
	memset(d, 0, sizeof *d);
	d->var = var;
	sl_buf_init(&d->page, 0);
}

static inline uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

uint64_t sl_pq_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ (n * UINT64_C(0x100000001b3));
	while (n >= 8) {
		uint64_t x;
		memcpy(&x, s, 8);
		h = (h ^ x) * UINT64_C(0x9e3779b97f4a7c15);
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	uint64_t t = 0;
	for (size_t i = 0; i < n; i++)
		t |= (uint64_t)s[i] << (8 * i);
	return mix(h ^ t);
}

static enum sl_err grow_index(struct sl_pq_dict *d)
{
	size_t ns = d->nslots ? d->nslots * 2 : 1024;
	uint32_t *slots = calloc(ns, sizeof *slots);
	if (!slots)
		return SL_ERR_NOMEM;
	for (uint32_t i = 0; i < d->n; i++) {
		size_t s = d->hashes[i] & (ns - 1);
		while (slots[s])
			s = (s + 1) & (ns - 1);
		slots[s] = i + 1;
	}
	free(d->slots);
	d->slots = slots;
	d->nslots = ns;
	return SL_OK;
}

static enum sl_err grow_entries(struct sl_pq_dict *d)
{
	uint32_t cap = d->cap ? d->cap * 2 : 256;
	if (cap < d->cap)
		return SL_ERR_TOO_LARGE;
	size_t *off = realloc(d->off, cap * sizeof *off);
	if (!off)
		return SL_ERR_NOMEM;
	d->off = off;
	uint32_t *len = realloc(d->len, cap * sizeof *len);
	if (!len)
		return SL_ERR_NOMEM;
	d->len = len;
	uint64_t *hs = realloc(d->hashes, cap * sizeof *hs);
	if (!hs)
		return SL_ERR_NOMEM;
	d->hashes = hs;
	d->cap = cap;
	return SL_OK;
}

enum sl_err sl_pq_dict_put(struct sl_pq_dict *d, const void *p, size_t n, uint32_t *id,
			   bool *added)
{
	enum sl_err e;
	if (n > UINT32_MAX)
		return SL_ERR_TOO_LARGE;
	if (d->last) {
		uint32_t v = d->last - 1;
		if (d->len[v] == n && memcmp(d->page.data + d->off[v], p, n) == 0) {
			*id = v;
			*added = false;
			return SL_OK;
		}
	}
	if ((size_t)(d->n + 1) * 2 > d->nslots && (e = grow_index(d)))
		return e;
	uint64_t h = sl_pq_hash(p, n);
	size_t s = h & (d->nslots - 1);
	for (;;) {
		uint32_t v = d->slots[s];
		if (!v)
			break;
		v--;
		if (d->hashes[v] == h && d->len[v] == n && memcmp(d->page.data + d->off[v], p, n) == 0) {
			*id = v;
			*added = false;
			d->last = v + 1;
			return SL_OK;
		}
		s = (s + 1) & (d->nslots - 1);
	}
	if (d->n == d->cap && (e = grow_entries(d)))
		return e;
	if (d->var) {
		uint8_t l[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
		if ((e = sl_buf_append(&d->page, l, 4)))
			return e;
	}
	size_t off = d->page.len;
	if ((e = sl_buf_append(&d->page, p, n)))
		return e;
	d->off[d->n] = off;
	d->len[d->n] = (uint32_t)n;
	d->hashes[d->n] = h;
	d->slots[s] = d->n + 1;
	d->last = d->n + 1;
	*id = d->n++;
	*added = true;
	return SL_OK;
}

const void *sl_pq_dict_get(const struct sl_pq_dict *d, uint32_t id, size_t *n)
{
	*n = d->len[id];
	return d->page.data + d->off[id];
}

void sl_pq_dict_reset(struct sl_pq_dict *d)
{
	sl_buf_reset(&d->page);
	if (d->slots)
		memset(d->slots, 0, d->nslots * sizeof *d->slots);
	d->n = 0;
	d->last = 0;
}

void sl_pq_dict_free(struct sl_pq_dict *d)
{
	sl_buf_free(&d->page);
	free(d->off);
	free(d->len);
	free(d->hashes);
	free(d->slots);
	memset(d, 0, sizeof *d);
}
