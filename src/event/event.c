/* SPDX-License-Identifier: Apache-2.0
 *
 * event.c -- lifetime helpers for the row-change model.
 */
#include "event/event.h"

#include <stdlib.h>

void sl_relation_free(struct sl_relation *rel)
{
	if (!rel)
		return;
	if (rel->enc_cache && rel->enc_cache_free)
		rel->enc_cache_free(rel->enc_cache);
	if (rel->sink_cache && rel->sink_cache_free)
		rel->sink_cache_free(rel->sink_cache);
	for (int i = 0; i < rel->ncols; i++) {
		struct sl_column *c = &rel->cols[i];
		free(c->name);
		free(c->type_name);
		for (int j = 0; j < c->n_enum_labels; j++)
			free(c->enum_labels[j]);
		free(c->enum_labels);
	}
	free(rel->cols);
	free(rel->schema);
	free(rel->table);
	free(rel->topic);
	free(rel);
}
