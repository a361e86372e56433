/* SPDX-License-Identifier: Apache-2.0
 *
 * event.h -- the row-change model shared by sources and sinks.
 *
 * A source (src/source/pg) resolves each captured table into a struct
 * sl_relation (columns with resolved types) and turns every change into a
 * struct sl_change whose row values are still in PostgreSQL's text output
 * format, exactly as pgoutput sends them.  Encoders (event/debezium.c, the
 * Parquet archive) map those text values to their own representation.
 *
 * Ownership: relations are owned by the source's relation cache and live
 * until the cache replaces them (a new Relation message) -- encoders may
 * cache per-relation data in `enc_cache`, freed by sl_relation_free().
 * Change structs and row values are borrowed: valid only during the call
 * that hands them over.
 */
#ifndef SL_EVENT_EVENT_H
#define SL_EVENT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One column of a captured table. */
struct sl_column {
	char *name;          /* owned */
	uint32_t type_oid;   /* declared type (may be a domain, enum or array) */
	int32_t typmod;      /* atttypmod; -1 when none */
	/* Resolved type the values are encoded as.  Domains resolve to their
	 * base type; for arrays this is the *element* type (resolved the same
	 * way) and is_array is set. */
	uint32_t base_oid;
	int32_t base_typmod; /* typmod that applies to base_oid (domain's or column's) */
	bool is_array;
	/* pg_type.typname of base_oid (owned; NULL when unknown).  Extension
	 * types such as hstore, citext and ltree have per-database OIDs, so
	 * encoders recognise them by this name. */
	char *type_name;
	bool is_enum;        /* base type is an enum; labels below */
	char **enum_labels;  /* owned; enum labels in sort order, or NULL */
	int n_enum_labels;
	bool is_key;         /* part of the event key (PK, RI index or message.key.columns) */
	bool optional;       /* nullable (attnotnull is false) */
	bool excluded;       /* dropped by column.exclude.list: never encoded */
};

/* A captured table.  `cols` lists the columns in pgoutput order. */
struct sl_relation {
	uint32_t oid;
	char *schema;        /* owned */
	char *table;         /* owned */
	char replident;      /* 'd' default, 'n' nothing, 'f' full, 'i' index */
	int ncols;
	struct sl_column *cols; /* owned array of ncols */
	char *topic;         /* owned: <topic.prefix>.<schema>.<table> (sanitised) */
	bool has_key;        /* at least one is_key column */
	/* Encoder-private cache (e.g. the JSON schema block), freed with the
	 * relation through enc_cache_free. */
	void *enc_cache;
	void (*enc_cache_free)(void *);
	/* A sink's private per-relation data (the lake's typed-row plan),
	 * freed with the relation through sink_cache_free.  Like enc_cache it
	 * is used by one thread at a time. */
	void *sink_cache;
	void (*sink_cache_free)(void *);
};

/* How a value arrived: pgoutput's tuple-data kinds. */
enum sl_val_kind {
	SL_VAL_NULL = 'n',
	SL_VAL_TOAST = 'u', /* unchanged TOASTed value: not sent */
	SL_VAL_TEXT = 't',  /* PostgreSQL text output format */
	SL_VAL_ABSENT = 0   /* not in this tuple (e.g. non-key column of an old key tuple) */
};

struct sl_value {
	enum sl_val_kind kind;
	uint32_t len;
	const char *data; /* borrowed; NOT NUL-terminated */
};

/* One tuple, aligned with rel->cols: vals[i] belongs to rel->cols[i]. */
struct sl_row {
	int ncols;
	struct sl_value *vals; /* borrowed */
};

enum sl_op {
	SL_OP_CREATE = 'c',
	SL_OP_UPDATE = 'u',
	SL_OP_DELETE = 'd',
	SL_OP_READ = 'r',     /* snapshot */
	SL_OP_TRUNCATE = 't',
	SL_OP_MESSAGE = 'm'   /* logical decoding message */
};

/* Debezium's `source` block, minus what is constant per connector. */
struct sl_source_info {
	uint64_t lsn;             /* LSN of this change (0 = null) */
	uint64_t last_commit_lsn; /* previous commit's LSN for `sequence` (0 = null) */
	int64_t commit_ts_us;     /* commit time in the database, microseconds since 1970 */
	uint32_t xid;             /* 0 = null */
	const char *snapshot;     /* "true", "first", "last", "false"... NULL means "false" */
};

/* Transaction metadata block (provide.transaction.metadata). */
struct sl_txn_info {
	const char *id;           /* "<txid>:<lsn>"; NULL = no block ("transaction":null) */
	uint64_t total_order;
	uint64_t data_collection_order;
};

/* One change. */
struct sl_change {
	enum sl_op op;
	const struct sl_relation *rel; /* NULL for SL_OP_MESSAGE */
	const struct sl_row *before;   /* NULL when absent */
	const struct sl_row *after;    /* NULL when absent */
	struct sl_source_info src;
	struct sl_txn_info txn;
	/* SL_OP_MESSAGE only */
	const char *msg_prefix;
	const uint8_t *msg_content;
	size_t msg_len;
	bool msg_transactional;
};

/* Free a relation and everything it owns, including enc_cache.  NULL is a no-op. */
void sl_relation_free(struct sl_relation *rel);

#endif
