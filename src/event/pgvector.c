/* SPDX-License-Identifier: Apache-2.0
 *
 * pgvector.c -- pgvector text forms (see pgvector.h).
 */
#include "event/pgvector.h"

#include <string.h>

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void trim(const char **s, const char **end)
{
	while (*s < *end && blank(**s))
		(*s)++;
	while (*end > *s && blank((*end)[-1]))
		(*end)--;
}

bool sl_pgvec_vector_begin(struct sl_pgvec_vec_iter *it, const char *s, size_t n)
{
	const char *end = s + n;
	trim(&s, &end);
	if (end - s < 2 || s[0] != '[' || end[-1] != ']')
		return false;
	it->p = s + 1;
	it->end = end - 1;
	it->done = false;
	return true;
}

/* The next comma-separated item of [*p, end): false when *done. */
static bool next_item(const char **p, const char *end, bool *done, const char **s, const char **e)
{
	if (*done)
		return false;
	const char *comma = memchr(*p, ',', (size_t)(end - *p));
	*s = *p;
	*e = comma ? comma : end;
	if (comma)
		*p = comma + 1;
	else
		*done = true;
	return true;
}

int sl_pgvec_vector_next(struct sl_pgvec_vec_iter *it, const char **el, size_t *elen)
{
	const char *s, *e;
	if (!next_item(&it->p, it->end, &it->done, &s, &e))
		return 0;
	trim(&s, &e);
	if (s == e)
		return -1;
	*el = s;
	*elen = (size_t)(e - s);
	return 1;
}

bool sl_pgvec_sparsevec_begin(struct sl_pgvec_vec_iter *it, const char *s, size_t n,
			   const char **dims, size_t *dlen)
{
	const char *end = s + n;
	const char *slash = memchr(s, '/', n);
	if (!slash || memchr(slash + 1, '/', (size_t)(end - slash - 1)))
		return false;
	const char *d = slash + 1, *de = end;
	trim(&d, &de);
	*dims = d;
	*dlen = (size_t)(de - d);
	const char *m = s, *me = slash;
	trim(&m, &me);
	if (me - m < 2 || m[0] != '{' || me[-1] != '}')
		return false;
	it->p = m + 1;
	it->end = me - 1;
	trim(&it->p, &it->end);
	it->done = it->p == it->end;
	return true;
}

int sl_pgvec_sparsevec_next(struct sl_pgvec_vec_iter *it, const char **idx, size_t *ilen,
			 const char **val, size_t *vlen)
{
	const char *s, *e;
	if (!next_item(&it->p, it->end, &it->done, &s, &e))
		return 0;
	const char *colon = memchr(s, ':', (size_t)(e - s));
	if (!colon || memchr(colon + 1, ':', (size_t)(e - colon - 1)))
		return -1;
	const char *k = s, *ke = colon, *v = colon + 1, *ve = e;
	trim(&k, &ke);
	trim(&v, &ve);
	*idx = k;
	*ilen = (size_t)(ke - k);
	*val = v;
	*vlen = (size_t)(ve - v);
	return 1;
}
