/* SPDX-License-Identifier: Apache-2.0
 *
 * filter.c -- compile and apply the include/exclude lists.
 */
#include "source/pg/filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Compile one anchored expression. */
static enum sl_err compile(regex_t *re, const char *expr, size_t n, const char *key,
			   struct sl_errbuf *eb)
{
	char *pat = malloc(n + 8);
	if (!pat)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	snprintf(pat, n + 8, "^(%.*s)$", (int)n, expr);
	int rc = regcomp(re, pat, REG_EXTENDED | REG_NOSUB);
	free(pat);
	if (rc != 0) {
		char why[128];
		regerror(rc, re, why, sizeof why);
		return sl_err_set(eb, SL_ERR_CONFIG, "invalid regular expression \"%.*s\" in %s: %s",
				  (int)n, expr, key, why);
	}
	return SL_OK;
}

/* Trim [s, s+n) in place; returns the new start and sets *len. */
static const char *trim(const char *s, size_t n, size_t *len)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*len = n;
	return s;
}

static enum sl_err compile_list(const char *list, const char *key, regex_t **out, size_t *nout,
				struct sl_errbuf *eb)
{
	*out = NULL;
	*nout = 0;
	if (!list || !*list)
		return SL_OK;
	size_t cap = 1;
	for (const char *p = list; *p; p++)
		cap += *p == ',';
	regex_t *res = calloc(cap, sizeof *res);
	if (!res)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	size_t n = 0;
	const char *p = list;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *item = trim(p, len, &len);
		if (len) {
			enum sl_err err = compile(&res[n], item, len, key, eb);
			if (err) {
				for (size_t i = 0; i < n; i++)
					regfree(&res[i]);
				free(res);
				return err;
			}
			n++;
		}
		if (!end)
			break;
		p = end + 1;
	}
	*out = res;
	*nout = n;
	return SL_OK;
}

static bool any_match(const regex_t *res, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (regexec(&res[i], s, 0, NULL, 0) == 0)
			return true;
	return false;
}

static enum sl_err parse_keycols(struct sl_pg_filter *f, const char *spec, struct sl_errbuf *eb)
{
	if (!spec || !*spec)
		return SL_OK;
	const char *p = spec;
	while (*p) {
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *colon = memchr(p, ':', len);
		if (len && !colon)
			return sl_err_set(eb, SL_ERR_CONFIG,
					  "invalid message.key.columns entry \"%.*s\": expected "
					  "<table>:<column>[,<column>...]",
					  (int)len, p);
		if (len) {
			struct sl_pg_keycols *k = realloc(f->keys, (f->nkeys + 1) * sizeof *k);
			if (!k)
				return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
			f->keys = k;
			k = &f->keys[f->nkeys];
			memset(k, 0, sizeof *k);
			size_t tl;
			const char *t = trim(p, (size_t)(colon - p), &tl);
			enum sl_err err = compile(&k->table, t, tl, "message.key.columns", eb);
			if (err)
				return err;
			f->nkeys++;
			const char *c = colon + 1, *cend = p + len;
			while (c < cend) {
				const char *comma = memchr(c, ',', (size_t)(cend - c));
				size_t cl = comma ? (size_t)(comma - c) : (size_t)(cend - c);
				size_t il;
				const char *item = trim(c, cl, &il);
				if (il) {
					char **cols = realloc(k->cols, (k->ncols + 1) * sizeof *cols);
					if (!cols)
						return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
					k->cols = cols;
					k->cols[k->ncols] = strndup(item, il);
					if (!k->cols[k->ncols])
						return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
					k->ncols++;
				}
				c += cl + 1;
			}
		}
		if (!end)
			break;
		p = end + 1;
	}
	return SL_OK;
}

enum sl_err sl_pg_filter_init(struct sl_pg_filter *f, const char *table_include,
			      const char *table_exclude, const char *schema_include,
			      const char *schema_exclude, const char *column_exclude,
			      const char *key_columns, struct sl_errbuf *eb)
{
	memset(f, 0, sizeof *f);
	enum sl_err err;
	if ((err = compile_list(table_include, "table.include.list", &f->tin, &f->ntin, eb)) ||
	    (err = compile_list(table_exclude, "table.exclude.list", &f->tex, &f->ntex, eb)) ||
	    (err = compile_list(schema_include, "schema.include.list", &f->sin, &f->nsin, eb)) ||
	    (err = compile_list(schema_exclude, "schema.exclude.list", &f->sex, &f->nsex, eb)) ||
	    (err = compile_list(column_exclude, "column.exclude.list", &f->cex, &f->ncex, eb)) ||
	    (err = parse_keycols(f, key_columns, eb))) {
		sl_pg_filter_free(f);
		return err;
	}
	return SL_OK;
}

static void free_list(regex_t *res, size_t n)
{
	for (size_t i = 0; i < n; i++)
		regfree(&res[i]);
	free(res);
}

void sl_pg_filter_free(struct sl_pg_filter *f)
{
	if (!f)
		return;
	free_list(f->tin, f->ntin);
	free_list(f->tex, f->ntex);
	free_list(f->sin, f->nsin);
	free_list(f->sex, f->nsex);
	free_list(f->cex, f->ncex);
	for (size_t i = 0; i < f->nkeys; i++) {
		regfree(&f->keys[i].table);
		for (size_t j = 0; j < f->keys[i].ncols; j++)
			free(f->keys[i].cols[j]);
		free(f->keys[i].cols);
	}
	free(f->keys);
	memset(f, 0, sizeof *f);
}

bool sl_pg_filter_table(const struct sl_pg_filter *f, const char *schema, const char *table)
{
	/* PostgreSQL's own catalogs are never captured. */
	if (!strcmp(schema, "pg_catalog") || !strcmp(schema, "information_schema"))
		return false;
	if (f->nsin && !any_match(f->sin, f->nsin, schema))
		return false;
	if (f->nsex && any_match(f->sex, f->nsex, schema))
		return false;
	char full[256 + 256];
	snprintf(full, sizeof full, "%s.%s", schema, table);
	if (f->ntin)
		return any_match(f->tin, f->ntin, full);
	return !any_match(f->tex, f->ntex, full);
}

bool sl_pg_filter_column_excluded(const struct sl_pg_filter *f, const char *schema,
				  const char *table, const char *column)
{
	if (!f->ncex)
		return false;
	char full[768];
	snprintf(full, sizeof full, "%s.%s.%s", schema, table, column);
	return any_match(f->cex, f->ncex, full);
}

const struct sl_pg_keycols *sl_pg_filter_keycols(const struct sl_pg_filter *f,
						 const char *schema, const char *table)
{
	char full[512];
	snprintf(full, sizeof full, "%s.%s", schema, table);
	for (size_t i = 0; i < f->nkeys; i++)
		if (regexec(&f->keys[i].table, full, 0, NULL, 0) == 0)
			return &f->keys[i];
	return NULL;
}
