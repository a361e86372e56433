/* SPDX-License-Identifier: Apache-2.0
 *
 * suggest.c -- closest-candidate search for error messages.
 *
 * Words are short (config keys), so a three-row dynamic program on the
 * stack is enough; inputs longer than SUGGEST_MAX are never matched rather
 * than allocated for.
 */
#include "config/suggest.h"

#include <stdint.h>
#include <string.h>

#define SUGGEST_MAX 128

static char fold(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	if (c == '_' || c == '-')
		return '.';
	return c;
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;
	return m < c ? m : c;
}

size_t sl_config_suggest_distance(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen > SUGGEST_MAX || blen > SUGGEST_MAX)
		return SIZE_MAX;
	size_t rows[3][SUGGEST_MAX + 1];
	size_t *pp = rows[0], *prev = rows[1], *cur = rows[2];
	for (size_t j = 0; j <= blen; j++)
		prev[j] = j;
	for (size_t i = 1; i <= alen; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= blen; j++) {
			size_t cost = fold(a[i - 1]) == fold(b[j - 1]) ? 0 : 1;
			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			/* transposition of two adjacent characters */
			if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) &&
			    fold(a[i - 2]) == fold(b[j - 1]) && pp[j - 2] + 1 < cur[j])
				cur[j] = pp[j - 2] + 1;
		}
		size_t *t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	return prev[blen];
}

void sl_config_suggest_init(struct sl_config_suggest *s, const char *word)
{
	s->word = word;
	s->best = NULL;
	s->best_d = SIZE_MAX;
}

/* How many edits still read as a typo rather than a different word. */
static size_t budget(size_t len)
{
	if (len <= 2)
		return 0; /* "x" is close to every short word */
	if (len <= 4)
		return 1;
	if (len <= 8)
		return 2;
	return 3;
}

static void offer(struct sl_config_suggest *s, const char *cand, size_t clen)
{
	size_t wlen = strlen(s->word);
	if (!wlen || !clen)
		return;
	size_t d = sl_config_suggest_distance(s->word, wlen, cand, clen);
	/* "hostname" for "database.hostname": the prefix was left out. */
	if (d > 1 && clen > wlen + 1 && cand[clen - wlen - 1] == '.' &&
	    sl_config_suggest_distance(s->word, wlen, cand + clen - wlen, wlen) == 0)
		d = 1;
	if (d <= budget(wlen) && d < s->best_d) {
		s->best = cand;
		s->best_d = d;
	}
}

void sl_config_suggest_offer(struct sl_config_suggest *s, const char *cand)
{
	offer(s, cand, strlen(cand));
}

void sl_config_suggest_offer_list(struct sl_config_suggest *s, const char *bar_list)
{
	/* Only the first item of a '|' list can be returned as a C string
	 * pointing into the list, so close items are remembered by position
	 * and the caller reads up to the next '|'. */
	const char *p = bar_list;
	while (p && *p) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		offer(s, p, n);
		p = bar ? bar + 1 : NULL;
	}
}

const char *sl_config_suggest_best(const struct sl_config_suggest *s)
{
	return s->best;
}
