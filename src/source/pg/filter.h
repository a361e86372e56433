/* SPDX-License-Identifier: Apache-2.0
 *
 * filter.h -- which tables and columns are captured, and key overrides.
 *
 * Debezium semantics: `table.include.list` / `table.exclude.list` are
 * comma-separated regular expressions matched against the WHOLE
 * "schema.table" name (anchored); schema lists against the schema name;
 * `column.exclude.list` against "schema.table.column".
 * `message.key.columns` is "<table regex>:<col>,<col>;<table regex>:<col>".
 * Expressions are POSIX extended regexes, which cover the Java syntax that
 * these lists use in practice (., *, +, ?, [], (), |).
 */
#ifndef SL_SOURCE_PG_FILTER_H
#define SL_SOURCE_PG_FILTER_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct sl_pg_keycols {
	regex_t table;
	char **cols; /* owned */
	size_t ncols;
};

struct sl_pg_filter {
	regex_t *tin, *tex, *sin, *sex, *cex; /* owned arrays */
	size_t ntin, ntex, nsin, nsex, ncex;
	struct sl_pg_keycols *keys;
	size_t nkeys;
};

/* Any list may be NULL or empty.  SL_ERR_CONFIG names the key and the bad expression. */
enum sl_err sl_pg_filter_init(struct sl_pg_filter *f, const char *table_include,
			      const char *table_exclude, const char *schema_include,
			      const char *schema_exclude, const char *column_exclude,
			      const char *key_columns, struct sl_errbuf *eb);
void sl_pg_filter_free(struct sl_pg_filter *f);
bool sl_pg_filter_table(const struct sl_pg_filter *f, const char *schema, const char *table);
bool sl_pg_filter_column_excluded(const struct sl_pg_filter *f, const char *schema,
				  const char *table, const char *column);
/* Key override for a table, or NULL. */
const struct sl_pg_keycols *sl_pg_filter_keycols(const struct sl_pg_filter *f,
						 const char *schema, const char *table);

#endif
