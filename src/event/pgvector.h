/* SPDX-License-Identifier: Apache-2.0
 *
 * pgvector.h -- the text forms of pgvector's vector, halfvec and sparsevec.
 *
 * vector and halfvec print as "[1,2.5,3]", sparsevec as "{1:1.5,3:2}/5"
 * (1-based indexes, then the dimension count).  Blanks around any token
 * are accepted, as Debezium's parser trims them.  Bounded by the given
 * length; no allocation.
 */
#ifndef SL_EVENT_PGVECTOR_H
#define SL_EVENT_PGVECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sl_pgvec_vec_iter {
	const char *p, *end;
	bool done;
};

/* False unless s[0..n) is "[" ... "]" (blanks around allowed). */
bool sl_pgvec_vector_begin(struct sl_pgvec_vec_iter *it, const char *s, size_t n);
/* The next element, blanks trimmed: 1, or 0 at the end, or -1 when an
 * element is empty (as in "[]" or "[1,,2]"). */
int sl_pgvec_vector_next(struct sl_pgvec_vec_iter *it, const char **el, size_t *elen);

/* "{...}/D": *dims gets D's text (trimmed) and it walks the pairs (none
 * for a blank body).  False without exactly one '/', or without the
 * braces. */
bool sl_pgvec_sparsevec_begin(struct sl_pgvec_vec_iter *it, const char *s, size_t n,
			   const char **dims, size_t *dlen);
/* The next "index:value" pair, both trimmed: 1, 0 at the end, -1 when a
 * pair lacks its ':' or has two. */
int sl_pgvec_sparsevec_next(struct sl_pgvec_vec_iter *it, const char **idx, size_t *ilen,
			 const char **val, size_t *vlen);

#endif
