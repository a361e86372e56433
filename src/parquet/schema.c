/* SPDX-License-Identifier: Apache-2.0
 *
 * schema.c -- building and checking the schema tree (see schema.h).
 *
 * Names must be non-empty and unique among siblings (readers resolve
 * columns by path).  Depth is capped so level computations stay in
 * fixed arrays, and so definition levels fit a byte.
 */
#include "parquet/schema.h"

#include <stdlib.h>
#include <string.h>

struct sl_pq_schema *sl_pq_schema_new(void)
{
	struct sl_pq_schema *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->nodes = calloc(8, sizeof *s->nodes);
	if (!s->nodes) {
		free(s);
		return NULL;
	}
	s->capnodes = 8;
	s->nnodes = 1;
	struct sl_pq_node *root = &s->nodes[0];
	root->kind = SL_PQ_NODE_GROUP;
	root->parent = root->first = root->last = root->next = -1;
	root->col = -1;
	return s;
}

void sl_pq_schema_free(struct sl_pq_schema *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nnodes; i++)
		free(s->nodes[i].name);
	free(s->nodes);
	free(s->leaves);
	free(s->order);
	free(s);
}

int sl_pq_schema_ncols(const struct sl_pq_schema *s)
{
	return s->ncols;
}

int sl_pq_decimal_bytes(int precision)
{
	/* Smallest n with 2^(8n-1) > 10^precision - 1. */
	for (int n = 1; n <= 16; n++) {
		double lim = 1;
		for (int i = 0; i < 8 * n - 1; i++)
			lim *= 2;
		double p10 = 1;
		for (int i = 0; i < precision; i++)
			p10 *= 10;
		if (lim >= p10)
			return n;
	}
	return 16;
}

int sl_pq_physical(const struct sl_pq_type *t, int *type_len)
{
	*type_len = 0;
	switch (t->kind) {
	case SL_PQ_BOOLEAN:
		return SL_PT_BOOLEAN;
	case SL_PQ_INT8:
	case SL_PQ_INT16:
	case SL_PQ_INT32:
	case SL_PQ_DATE:
		return SL_PT_INT32;
	case SL_PQ_INT64:
	case SL_PQ_TIME_MICROS:
	case SL_PQ_TIMESTAMP_MICROS:
		return SL_PT_INT64;
	case SL_PQ_FLOAT:
		return SL_PT_FLOAT;
	case SL_PQ_DOUBLE:
		return SL_PT_DOUBLE;
	case SL_PQ_STRING:
	case SL_PQ_JSON:
	case SL_PQ_ENUM:
	case SL_PQ_BYTES:
		return SL_PT_BYTE_ARRAY;
	case SL_PQ_UUID:
		*type_len = 16;
		return SL_PT_FLBA;
	case SL_PQ_DECIMAL:
		if (t->precision <= 9)
			return SL_PT_INT32;
		if (t->precision <= 18)
			return SL_PT_INT64;
		*type_len = sl_pq_decimal_bytes(t->precision);
		return SL_PT_FLBA;
	case SL_PQ_KIND__COUNT:
		break;
	}
	return -1;
}

static enum sl_err add_node(struct sl_pq_schema *s, int parent, const char *name,
			    enum sl_pq_node_kind kind, bool optional, int *id, struct sl_errbuf *eb)
{
	if (s->finished)
		return sl_err_set(eb, SL_ERR_STATE, "parquet schema is already in use by a writer");
	if (parent < 0 || parent >= s->nnodes || s->nodes[parent].kind != SL_PQ_NODE_GROUP)
		return sl_err_set(eb, SL_ERR_ARG, "parquet schema parent %d is not a group", parent);
	if (!name || !*name)
		return sl_err_set(eb, SL_ERR_ARG, "parquet schema node needs a name");
	int depth = 0;
	for (int p = parent; p > 0; p = s->nodes[p].parent)
		depth++;
	if (depth >= SL_PQ_MAX_DEPTH - 4)
		return sl_err_set(eb, SL_ERR_ARG, "parquet schema node \"%s\" is nested too deep", name);
	for (int c = s->nodes[parent].first; c >= 0; c = s->nodes[c].next)
		if (strcmp(s->nodes[c].name, name) == 0)
			return sl_err_set(eb, SL_ERR_ARG, "parquet schema already has a field \"%s\"", name);
	if (s->nnodes == s->capnodes) {
		int cap = s->capnodes * 2;
		struct sl_pq_node *n = realloc(s->nodes, (size_t)cap * sizeof *n);
		if (!n)
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		s->nodes = n;
		s->capnodes = cap;
	}
	char *dup = strdup(name);
	if (!dup)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	int i = s->nnodes++;
	struct sl_pq_node *n = &s->nodes[i];
	memset(n, 0, sizeof *n);
	n->name = dup;
	n->kind = kind;
	n->optional = optional;
	n->parent = parent;
	n->first = n->last = n->next = -1;
	n->col = -1;
	struct sl_pq_node *p = &s->nodes[parent];
	if (p->last >= 0)
		s->nodes[p->last].next = i;
	else
		p->first = i;
	p->last = i;
	p->nchildren++;
	*id = i;
	return SL_OK;
}

enum sl_err sl_pq_schema_add_group(struct sl_pq_schema *s, int parent, const char *name,
				   bool optional, int *group, struct sl_errbuf *eb)
{
	return add_node(s, parent, name, SL_PQ_NODE_GROUP, optional, group, eb);
}

static enum sl_err check_type(const struct sl_pq_type *t, const char *name, struct sl_errbuf *eb)
{
	if (!t || (int)t->kind < 0 || t->kind >= SL_PQ_KIND__COUNT)
		return sl_err_set(eb, SL_ERR_ARG, "parquet column \"%s\" has no valid type", name);
	if (t->kind == SL_PQ_DECIMAL &&
	    (t->precision < 1 || t->precision > 38 || t->scale < 0 || t->scale > t->precision))
		return sl_err_set(eb, SL_ERR_ARG,
				  "parquet column \"%s\": decimal(%d, %d) is out of range (precision 1..38, scale 0..precision)",
				  name, t->precision, t->scale);
	int tl;
	int pt = sl_pq_physical(t, &tl);
	if (t->encoding == SL_PQ_ENC_DELTA && pt != SL_PT_INT32 && pt != SL_PT_INT64)
		return sl_err_set(eb, SL_ERR_ARG,
				  "parquet column \"%s\": DELTA_BINARY_PACKED needs an INT32 or INT64 column",
				  name);
	if ((int)t->encoding < 0 || t->encoding > SL_PQ_ENC_DELTA)
		return sl_err_set(eb, SL_ERR_ARG, "parquet column \"%s\": unknown encoding", name);
	return SL_OK;
}

enum sl_err sl_pq_schema_add_column(struct sl_pq_schema *s, int parent, const char *name,
				    const struct sl_pq_type *type, bool optional, int *col,
				    struct sl_errbuf *eb)
{
	enum sl_err e = check_type(type, name ? name : "", eb);
	if (e)
		return e;
	int id;
	if ((e = add_node(s, parent, name, SL_PQ_NODE_LEAF, optional, &id, eb)))
		return e;
	s->nodes[id].type = *type;
	s->nodes[id].col = s->ncols++;
	*col = s->nodes[id].col;
	return SL_OK;
}

enum sl_err sl_pq_schema_add_list(struct sl_pq_schema *s, int parent, const char *name,
				  bool optional, const struct sl_pq_type *elem,
				  bool elem_optional, int *col, struct sl_errbuf *eb)
{
	enum sl_err e = check_type(elem, name ? name : "", eb);
	if (e)
		return e;
	int id;
	if ((e = add_node(s, parent, name, SL_PQ_NODE_LIST, optional, &id, eb)))
		return e;
	s->nodes[id].type = *elem;
	s->nodes[id].elem_optional = elem_optional;
	s->nodes[id].col = s->ncols++;
	*col = s->nodes[id].col;
	return SL_OK;
}

static void walk(struct sl_pq_schema *s, int node, int *pos)
{
	struct sl_pq_node *n = &s->nodes[node];
	if (n->kind != SL_PQ_NODE_GROUP) {
		s->order[(*pos)++] = n->col;
		struct sl_pq_leaf *l = &s->leaves[n->col];
		l->node = node;
		l->is_list = n->kind == SL_PQ_NODE_LIST;
		l->ptype = sl_pq_physical(&n->type, &l->type_len);
		int chain[SL_PQ_MAX_DEPTH], nchain = 0;
		for (int p = n->parent; p > 0; p = s->nodes[p].parent)
			chain[nchain++] = p;
		l->nanc = 0;
		l->npath = 0;
		l->max_def = 0;
		for (int i = nchain - 1; i >= 0; i--) {
			const struct sl_pq_node *g = &s->nodes[chain[i]];
			l->anc[l->nanc++] = chain[i];
			l->path[l->npath++] = g->name;
			l->max_def += g->optional;
		}
		l->path[l->npath++] = n->name;
		l->max_def += n->optional;
		l->max_rep = 0;
		if (l->is_list) {
			l->path[l->npath++] = "list";
			l->path[l->npath++] = "element";
			l->max_def += 1 + n->elem_optional;
			l->max_rep = 1;
		}
		return;
	}
	for (int c = n->first; c >= 0; c = s->nodes[c].next)
		walk(s, c, pos);
}

enum sl_err sl_pq_schema_finish(struct sl_pq_schema *s, struct sl_errbuf *eb)
{
	if (s->finished)
		return sl_err_set(eb, SL_ERR_STATE, "parquet schema is already in use by a writer");
	s->leaves = calloc((size_t)s->ncols + 1, sizeof *s->leaves);
	s->order = calloc((size_t)s->ncols + 1, sizeof *s->order);
	if (!s->leaves || !s->order)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	for (int i = 0; i < s->nnodes; i++)
		if (s->nodes[i].kind == SL_PQ_NODE_GROUP && s->nodes[i].nchildren == 0)
			return sl_err_set(eb, SL_ERR_ARG, "parquet group \"%s\" has no fields",
					  i ? s->nodes[i].name : "(root)");
	int pos = 0;
	walk(s, 0, &pos);
	s->finished = true;
	return SL_OK;
}
