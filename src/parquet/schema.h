/* SPDX-License-Identifier: Apache-2.0
 *
 * schema.h -- the schema tree behind struct sl_pq_schema (internal to
 * src/parquet).
 *
 * Nodes live in one array; node 0 is the root.  Children are linked in
 * declaration order (first/next), which is also the order of the Parquet
 * schema and of the column chunks (depth first).  Leaves carry their
 * physical layout, computed by sl_pq_schema_finish(): max definition and
 * repetition levels, the chain of ancestors, and path_in_schema.  The
 * schema owns every name and array here.
 */
#ifndef SL_PARQUET_SCHEMA_H
#define SL_PARQUET_SCHEMA_H

#include <stdbool.h>
#include <stdint.h>

#include "parquet/parquet.h"

/* Parquet physical types (parquet.thrift Type). */
enum {
	SL_PT_BOOLEAN = 0,
	SL_PT_INT32 = 1,
	SL_PT_INT64 = 2,
	SL_PT_FLOAT = 4,
	SL_PT_DOUBLE = 5,
	SL_PT_BYTE_ARRAY = 6,
	SL_PT_FLBA = 7
};

enum sl_pq_node_kind { SL_PQ_NODE_GROUP, SL_PQ_NODE_LEAF, SL_PQ_NODE_LIST };

#define SL_PQ_MAX_DEPTH 32

struct sl_pq_node {
	char *name;
	enum sl_pq_node_kind kind;
	bool optional;
	int parent, first, last, next; /* -1 = none */
	int nchildren;
	/* Leaves and lists. */
	struct sl_pq_type type;  /* for a list: the element type */
	bool elem_optional;      /* lists */
	int col;                 /* leaf column index (list: its element column) */
};

/* Per leaf column, after finish. */
struct sl_pq_leaf {
	int node;               /* the leaf node, or the LIST node */
	bool is_list;
	int ptype;              /* physical type */
	int type_len;           /* FLBA width */
	int max_def, max_rep;
	int nanc;               /* group ancestors, top-down (excluding root) */
	int anc[SL_PQ_MAX_DEPTH];
	int npath;
	const char *path[SL_PQ_MAX_DEPTH + 2]; /* borrowed from nodes, plus "list","element" */
};

struct sl_pq_schema {
	struct sl_pq_node *nodes;
	int nnodes, capnodes;
	int ncols;
	struct sl_pq_leaf *leaves; /* ncols, after finish */
	int *order;                /* column indexes in file (depth-first) order */
	bool finished;
};

/* Compute leaves and order; later additions are refused. */
enum sl_err sl_pq_schema_finish(struct sl_pq_schema *s, struct sl_errbuf *eb);
/* Physical type and FLBA width of a leaf type. */
int sl_pq_physical(const struct sl_pq_type *t, int *type_len);
/* Bytes of a FIXED_LEN_BYTE_ARRAY DECIMAL of this precision. */
int sl_pq_decimal_bytes(int precision);

#endif
