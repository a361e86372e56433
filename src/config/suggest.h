/* SPDX-License-Identifier: Apache-2.0
 *
 * suggest.h -- "did you mean" for mistyped key names and enum values.
 *
 * Offer candidates one by one; the closest one within a distance budget
 * that grows with the word length wins (ties: first offered).  Distance is
 * optimal-string-alignment edit distance, case-insensitive, with '_' and
 * '-' equal to '.', so "slot_name" finds "slot.name".  A candidate that ends
 * in "." + word ("hostname" -> "database.hostname") also counts as close.
 * The accumulator borrows the strings; nothing is allocated.
 */
#ifndef SL_CONFIG_SUGGEST_H
#define SL_CONFIG_SUGGEST_H

#include <stddef.h>

struct sl_config_suggest {
	const char *word;
	const char *best; /* NULL until a candidate is close enough */
	size_t best_d;
};

void sl_config_suggest_init(struct sl_config_suggest *s, const char *word);
void sl_config_suggest_offer(struct sl_config_suggest *s, const char *cand);
/* Candidates separated by '|' (an enum_values string). */
void sl_config_suggest_offer_list(struct sl_config_suggest *s, const char *bar_list);
/* The best candidate or NULL.  Points into what was offered; after
 * offer_list it points inside the list, so print strcspn(best, "|") bytes. */
const char *sl_config_suggest_best(const struct sl_config_suggest *s);

/* Edit distance as used above; SIZE_MAX when either string is too long. */
size_t sl_config_suggest_distance(const char *a, size_t alen, const char *b, size_t blen);

#endif
