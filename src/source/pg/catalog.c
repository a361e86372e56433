/* SPDX-License-Identifier: Apache-2.0
 *
 * catalog.c -- relation and type resolution against the system catalogs.
 */
#include "source/pg/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "source/pg/conn.h"

struct sl_pg_type {
	uint32_t oid;
	char typtype;      /* b base, d domain, e enum, c composite, r range, m multirange, p pseudo */
	char typcategory;  /* 'A' for arrays */
	uint32_t basetype; /* domains */
	int32_t typtypmod; /* domains: the base type's typmod */
	uint32_t elem;     /* arrays */
	char *name;        /* typname, owned */
	char **labels;     /* enums, owned */
	int nlabels;
};

void sl_pg_catalog_init(struct sl_pg_catalog *cat, PGconn *conn,
			const struct sl_pg_filter *filter, const char *topic_prefix)
{
	memset(cat, 0, sizeof *cat);
	cat->conn = conn;
	cat->filter = filter;
	cat->topic_prefix = topic_prefix;
}

void sl_pg_catalog_free(struct sl_pg_catalog *cat)
{
	for (size_t i = 0; i < cat->ntypes; i++) {
		for (int j = 0; j < cat->types[i].nlabels; j++)
			free(cat->types[i].labels[j]);
		free(cat->types[i].labels);
		free(cat->types[i].name);
	}
	free(cat->types);
	cat->types = NULL;
	cat->ntypes = cat->cap = 0;
}

static enum sl_err load_type(struct sl_pg_catalog *cat, uint32_t oid,
			     const struct sl_pg_type **out, struct sl_errbuf *eb)
{
	for (size_t i = 0; i < cat->ntypes; i++)
		if (cat->types[i].oid == oid) {
			*out = &cat->types[i];
			return SL_OK;
		}
	char oidtxt[16];
	snprintf(oidtxt, sizeof oidtxt, "%u", oid);
	const char *params[] = {oidtxt};
	PGresult *r;
	enum sl_err err = sl_pg_query(cat->conn,
				      "SELECT typtype, typcategory, typbasetype, typtypmod, typelem, "
				      "typname FROM pg_catalog.pg_type WHERE oid = $1::oid",
				      1, params, &r, eb);
	if (err)
		return err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return sl_err_set(eb, SL_ERR_NOTFOUND, "type with OID %u not found", oid);
	}
	struct sl_pg_type t = {
		.oid = oid,
		.typtype = PQgetvalue(r, 0, 0)[0],
		.typcategory = PQgetvalue(r, 0, 1)[0],
		.basetype = (uint32_t)strtoul(PQgetvalue(r, 0, 2), NULL, 10),
		.typtypmod = (int32_t)strtol(PQgetvalue(r, 0, 3), NULL, 10),
		.elem = (uint32_t)strtoul(PQgetvalue(r, 0, 4), NULL, 10),
		.name = strdup(PQgetvalue(r, 0, 5)),
	};
	PQclear(r);
	if (!t.name)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	if (t.typtype == 'e') {
		err = sl_pg_query(cat->conn,
				  "SELECT enumlabel FROM pg_catalog.pg_enum WHERE enumtypid = $1::oid "
				  "ORDER BY enumsortorder",
				  1, params, &r, eb);
		if (err) {
			free(t.name);
			return err;
		}
		t.nlabels = PQntuples(r);
		t.labels = calloc((size_t)t.nlabels + 1, sizeof *t.labels);
		for (int i = 0; t.labels && i < t.nlabels; i++)
			t.labels[i] = strdup(PQgetvalue(r, i, 0));
		PQclear(r);
		if (!t.labels) {
			free(t.name);
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		}
	}
	if (cat->ntypes == cat->cap) {
		size_t cap = cat->cap ? cat->cap * 2 : 32;
		struct sl_pg_type *p = realloc(cat->types, cap * sizeof *p);
		if (!p) {
			for (int i = 0; i < t.nlabels; i++)
				free(t.labels[i]);
			free(t.labels);
			free(t.name);
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		}
		cat->types = p;
		cat->cap = cap;
	}
	cat->types[cat->ntypes] = t;
	*out = &cat->types[cat->ntypes++];
	return SL_OK;
}

/* Resolve a column's declared type through domains and arrays. */
static enum sl_err resolve_type(struct sl_pg_catalog *cat, struct sl_column *col,
				struct sl_errbuf *eb)
{
	uint32_t oid = col->type_oid;
	int32_t typmod = col->typmod;
	for (int depth = 0; depth < 32; depth++) {
		const struct sl_pg_type *t = NULL;
		enum sl_err err = load_type(cat, oid, &t, eb);
		if (err)
			return err;
		if (t->typtype == 'd') {
			oid = t->basetype;
			typmod = t->typtypmod;
			continue;
		}
		if (t->typcategory == 'A' && t->elem && !col->is_array) {
			col->is_array = true;
			oid = t->elem;
			continue;
		}
		col->base_oid = oid;
		col->base_typmod = typmod;
		if (!(col->type_name = strdup(t->name)))
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		if (t->typtype == 'e') {
			col->is_enum = true;
			col->n_enum_labels = t->nlabels;
			col->enum_labels = calloc((size_t)t->nlabels + 1, sizeof *col->enum_labels);
			if (!col->enum_labels)
				return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
			for (int i = 0; i < t->nlabels; i++)
				if (!(col->enum_labels[i] = strdup(t->labels[i])))
					return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		}
		return SL_OK;
	}
	return sl_err_set(eb, SL_ERR_PROTO, "type %u of column \"%s\": domain nesting too deep",
			  col->type_oid, col->name);
}

char *sl_pg_topic_name(const char *prefix, const char *schema, const char *table)
{
	size_t n = strlen(prefix) + strlen(schema) + strlen(table) + 3;
	char *t = malloc(n);
	if (!t)
		return NULL;
	snprintf(t, n, "%s.%s.%s", prefix, schema, table);
	for (char *p = t; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			*p = '_';
	}
	return t;
}

enum sl_err sl_pg_catalog_relation(struct sl_pg_catalog *cat, uint32_t relid,
				   const struct sl_pgo_relation *msg, struct sl_relation **out,
				   struct sl_errbuf *eb)
{
	char oidtxt[16];
	snprintf(oidtxt, sizeof oidtxt, "%u", relid);
	const char *params[] = {oidtxt};
	PGresult *r = NULL;
	enum sl_err err;
	/* Current columns with nullability and key membership, in attnum order. */
	err = sl_pg_query(
		cat->conn,
		"SELECT n.nspname, c.relname, c.relreplident, a.attname, a.attnotnull, a.atttypid, "
		"a.atttypmod, a.attgenerated <> '', "
		"EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND "
		"  i.indisprimary AND a.attnum = ANY (i.indkey)), "
		"EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND "
		"  i.indisreplident AND a.attnum = ANY (i.indkey)), "
		"EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) "
		"FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
		"LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND "
		"  NOT a.attisdropped "
		"WHERE c.oid = $1::oid ORDER BY a.attnum",
		1, params, &r, eb);
	if (err)
		return err;
	int nrows = PQntuples(r);
	if (nrows == 0) {
		PQclear(r);
		return sl_err_set(eb, SL_ERR_NOTFOUND, "table with OID %u not found", relid);
	}
	struct sl_relation *rel = calloc(1, sizeof *rel);
	if (!rel) {
		PQclear(r);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	rel->oid = relid;
	rel->schema = strdup(msg ? (*msg->nspname ? msg->nspname : "pg_catalog") : PQgetvalue(r, 0, 0));
	rel->table = strdup(msg ? msg->relname : PQgetvalue(r, 0, 1));
	rel->replident = msg ? msg->replident : PQgetvalue(r, 0, 2)[0];
	bool has_pk = PQgetvalue(r, 0, 10)[0] == 't';
	int ncols = msg ? msg->ncols : 0;
	if (!msg)
		for (int i = 0; i < nrows; i++)
			ncols += !PQgetisnull(r, i, 3) && PQgetvalue(r, i, 7)[0] != 't';
	rel->cols = calloc((size_t)ncols + 1, sizeof *rel->cols);
	if (!rel->schema || !rel->table || !rel->cols) {
		err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		goto out;
	}
	rel->ncols = ncols;
	const struct sl_pg_keycols *override = sl_pg_filter_keycols(cat->filter, rel->schema, rel->table);
	int ci = 0;
	for (int i = 0; i < (msg ? ncols : nrows); i++) {
		struct sl_column *col = &rel->cols[ci];
		int row = -1;
		if (msg) {
			col->name = strdup(msg->cols[i].name);
			col->type_oid = msg->cols[i].type_oid;
			col->typmod = msg->cols[i].typmod;
			for (int k = 0; k < nrows; k++)
				if (!PQgetisnull(r, k, 3) && !strcmp(PQgetvalue(r, k, 3), msg->cols[i].name)) {
					row = k;
					break;
				}
		} else {
			if (PQgetisnull(r, i, 3) || PQgetvalue(r, i, 7)[0] == 't')
				continue;
			row = i;
			col->name = strdup(PQgetvalue(r, i, 3));
			col->type_oid = (uint32_t)strtoul(PQgetvalue(r, i, 5), NULL, 10);
			col->typmod = (int32_t)strtol(PQgetvalue(r, i, 6), NULL, 10);
		}
		ci++;
		if (!col->name) {
			err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
			goto out;
		}
		/* A column dropped since the WAL was written: nullable, no key. */
		col->optional = row < 0 || PQgetvalue(r, row, 4)[0] != 't';
		if (override) {
			for (size_t k = 0; k < override->ncols; k++)
				if (!strcmp(override->cols[k], col->name))
					col->is_key = true;
		} else if (row >= 0) {
			col->is_key = PQgetvalue(r, row, has_pk ? 8 : 9)[0] == 't';
		}
		col->excluded = sl_pg_filter_column_excluded(cat->filter, rel->schema, rel->table,
							     col->name) && !col->is_key;
		rel->has_key |= col->is_key;
		if ((err = resolve_type(cat, col, eb)))
			goto out;
	}
	rel->ncols = ci;
	/* A key column that the table does not have is a typo: say so, since
	 * the key would silently lack it (or be null). */
	for (size_t k = 0; override && k < override->ncols; k++) {
		bool found = false;
		for (int i = 0; i < rel->ncols && !found; i++)
			found = !strcmp(rel->cols[i].name, override->cols[k]);
		if (!found)
			sl_warn("message.key.columns: table \"%s.%s\" has no column \"%s\"",
				rel->schema, rel->table, override->cols[k]);
	}
	rel->topic = sl_pg_topic_name(cat->topic_prefix, rel->schema, rel->table);
	if (!rel->topic)
		err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
out:
	PQclear(r);
	if (err) {
		sl_relation_free(rel);
		return err;
	}
	*out = rel;
	return SL_OK;
}
