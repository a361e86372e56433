/* SPDX-License-Identifier: Apache-2.0
 *
 * dict.h -- the dictionary of one column chunk: distinct values in first-
 * seen order, their PLAIN encoding (the dictionary page body), and a hash
 * index from value bytes to entry id.
 *
 * Values are opaque byte strings compared bytewise (floats by bit
 * pattern, so -0/+0 and NaN payloads stay distinct and exact).  With
 * `var` set, entries are stored as <u32 length><bytes> (BYTE_ARRAY PLAIN),
 * otherwise as the raw fixed-width bytes.  The dictionary owns its memory.
 */
#ifndef SL_PARQUET_DICT_H
#define SL_PARQUET_DICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

struct sl_pq_dict {
	bool var;
	struct sl_buf page;   /* PLAIN-encoded entries */
	size_t *off;          /* entry i starts at page.data + off[i] (after any length) */
	uint32_t *len;        /* entry i's value length */
	uint32_t n, cap;
	uint32_t *slots;      /* hash index: entry id + 1, 0 = empty */
	uint64_t *hashes;     /* per entry, to rehash without rereading */
	size_t nslots;        /* power of two */
	uint32_t last;        /* entry id + 1 of the previous put, 0 = none: runs of
				 one value (constant columns) skip the hash */
};

void sl_pq_dict_init(struct sl_pq_dict *d, bool var);
/* Find the value or add it; *id gets its entry, *added whether it is new. */
enum sl_err sl_pq_dict_put(struct sl_pq_dict *d, const void *p, size_t n, uint32_t *id,
			   bool *added);
/* Entry bytes, valid until the next put. */
const void *sl_pq_dict_get(const struct sl_pq_dict *d, uint32_t id, size_t *n);
void sl_pq_dict_reset(struct sl_pq_dict *d); /* empty, keep memory */
void sl_pq_dict_free(struct sl_pq_dict *d);

uint64_t sl_pq_hash(const void *p, size_t n);

#endif
