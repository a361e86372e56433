/* SPDX-License-Identifier: Apache-2.0
 *
 * debezium.h -- encode row changes as Debezium PostgreSQL connector events,
 * byte for byte as Kafka Connect's JsonConverter writes them.
 *
 * Every function appends compact JSON (no spaces) to a caller-owned
 * struct sl_buf and never allocates per value.  With key_schemas /
 * value_schemas set the output is the converter's `{"schema":...,
 * "payload":...}` wrapper, otherwise the bare payload.  Per-relation data
 * (the schema blocks) is cached in rel->enc_cache, which the encoder
 * creates on first use and sl_relation_free() releases; the cache is
 * rebuilt when the options it depends on change.  Functions are
 * re-entrant for distinct relations; one relation must not be encoded from
 * two threads at once (the cache is built lazily and its pre-rendered
 * source/op-ts fragments are updated per event).
 *
 * Values arrive as PostgreSQL text output under the capture session's
 * settings (DateStyle=ISO, TimeZone=UTC, IntervalStyle=iso_8601,
 * extra_float_digits=3, bytea_output=hex).  Text that cannot be parsed for
 * its column type yields SL_ERR_PROTO naming table, column and type.
 *
 * Columns of a type with no mapping (an extension or user-defined type
 * sluice does not know, or an array of one) are left out of keys, values
 * and schemas, as Debezium does with include.unknown.datatypes=false.  The
 * first time a relation with such a column is encoded, a warning names
 * table, column and type; it is logged once per process for each (table,
 * column, type), however many copies of the relation are built (snapshot
 * chunks, Relation messages).  With include_unknown set they are encoded
 * instead as Debezium's include.unknown.datatypes=true does: the bytes of
 * PostgreSQL's text output of the value, per binary.handling.mode (arrays
 * of such a type: an array of those).  Arrays of known types that Debezium
 * has no converter for (money[], point[]...) stay out either way.
 */
#ifndef SL_EVENT_DEBEZIUM_H
#define SL_EVENT_DEBEZIUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "event/event.h"
#include "event/tvalue.h"

/* decimal.handling.mode */
enum sl_dbz_decimal_mode { SL_DBZ_DECIMAL_PRECISE, SL_DBZ_DECIMAL_STRING, SL_DBZ_DECIMAL_DOUBLE };
/* time.precision.mode */
enum sl_dbz_time_mode { SL_DBZ_TIME_ADAPTIVE, SL_DBZ_TIME_ADAPTIVE_MICRO, SL_DBZ_TIME_CONNECT };
/* binary.handling.mode */
enum sl_dbz_binary_mode {
	SL_DBZ_BINARY_BYTES,
	SL_DBZ_BINARY_BASE64,
	SL_DBZ_BINARY_BASE64_URL,
	SL_DBZ_BINARY_HEX
};
/* interval.handling.mode */
enum sl_dbz_interval_mode { SL_DBZ_INTERVAL_NUMERIC, SL_DBZ_INTERVAL_STRING };
/* hstore.handling.mode: a JSON text (io.debezium.data.Json) or a Connect
 * map of strings */
enum sl_dbz_hstore_mode { SL_DBZ_HSTORE_JSON, SL_DBZ_HSTORE_MAP };

/* The strings are borrowed and must stay unchanged while in use: the
 * encoder's per-relation cache recognises them by pointer (assign a
 * different string to change one). */
struct sl_dbz_opts {
	const char *topic_prefix; /* topic.prefix: source.name (borrowed) */
	const char *db_name;      /* database.dbname: source.db (borrowed) */
	const char *version;      /* source.version (borrowed) */
	enum sl_dbz_decimal_mode decimal;
	enum sl_dbz_time_mode time;
	enum sl_dbz_binary_mode binary;
	enum sl_dbz_interval_mode interval;
	enum sl_dbz_hstore_mode hstore;
	bool key_schemas, value_schemas; /* key/value.converter.schemas.enable */
	const char *unavailable_placeholder; /* unavailable.value.placeholder */
	int money_fraction_digits;           /* money.fraction.digits */
	bool provide_txn_metadata;           /* provide.transaction.metadata */
	/* include.unknown.datatypes: columns of a type without a mapping are
	 * included (their text output's bytes, per binary.handling.mode)
	 * instead of left out. */
	bool include_unknown;
	/* Field order of Debezium up to 2.6: the envelope's "transaction" after
	 * ts_ns (and Envelope schema version 1).  2.7 and later put it right
	 * after "source"; that is the default (false). */
	bool legacy_txn_last;
};

/* Debezium's defaults: precise, adaptive, bytes, numeric, json, schemas off,
 * "__debezium_unavailable_value", 2 money digits, no transaction metadata,
 * unknown types left out.
 * String fields are set to "" / "sluice" placeholders the caller replaces. */
void sl_dbz_opts_init(struct sl_dbz_opts *o);

/* Parse a mode as it appears in config.  key is one of
 * "decimal.handling.mode" (precise|string|double),
 * "time.precision.mode" (adaptive|adaptive_time_microseconds|connect),
 * "binary.handling.mode" (bytes|base64|base64-url-safe|hex),
 * "interval.handling.mode" (numeric|string),
 * "hstore.handling.mode" (json|map).  Case-insensitive values.
 * SL_ERR_CONFIG names the key and lists the accepted values. */
enum sl_err sl_dbz_opts_set_mode(struct sl_dbz_opts *o, const char *key, const char *value,
				 struct sl_errbuf *eb);

/* Key JSON of a change: the is_key columns of the row that identifies it
 * (before for deletes, else after).  *is_null is set (and nothing is
 * appended) when the table has no key, and for truncates.  Message events
 * get the key {"prefix":...}. */
enum sl_err sl_dbz_key(const struct sl_dbz_opts *o, const struct sl_change *ch,
		       struct sl_buf *out, bool *is_null, struct sl_errbuf *eb);

/* Value JSON (the envelope).  now_ns is the connector's processing time
 * (top-level ts_ms / ts_us / ts_ns), nanoseconds since 1970. */
enum sl_err sl_dbz_value(const struct sl_dbz_opts *o, const struct sl_change *ch,
			 int64_t now_ns, struct sl_buf *out, struct sl_errbuf *eb);

/* Per data collection event count of one transaction (END event). */
struct sl_dbz_collection_count {
	const char *data_collection; /* "<schema>.<table>" (borrowed) */
	uint64_t event_count;
};

/* Transaction metadata events for topic <prefix>.transaction.
 * txn_id is "<txid>:<lsn>" as in sl_txn_info.id; ts_ms is the event time
 * in the database (commit time).  Appends the key ({"id":...}) to key and
 * the value to value. */
enum sl_err sl_dbz_txn_begin(const struct sl_dbz_opts *o, const char *txn_id, int64_t ts_ms,
			     struct sl_buf *key, struct sl_buf *value, struct sl_errbuf *eb);
enum sl_err sl_dbz_txn_end(const struct sl_dbz_opts *o, const char *txn_id, int64_t ts_ms,
			   const struct sl_dbz_collection_count *counts, size_t ncounts,
			   struct sl_buf *key, struct sl_buf *value, struct sl_errbuf *eb);

/* Heartbeat for topic __debezium-heartbeat.<prefix>: key
 * {"serverName":<prefix>}, value {"ts_ms":now_ms}. */
enum sl_err sl_dbz_heartbeat(const struct sl_dbz_opts *o, int64_t now_ms, struct sl_buf *key,
			     struct sl_buf *value, struct sl_errbuf *eb);

/* ---- typed values (event/tvalue.h) ------------------------------------
 * For consumers that take an event's values without its JSON text (the
 * lake of sluice run).  Each function gives the typed form of exactly what
 * sl_dbz_value() writes for that field, under the same options; the same
 * per-relation cache and threading rules apply. */

/* The value schema of rel's events: the Connect `schema` object that
 * sl_dbz_value() writes when o->value_schemas is set (whether or not it
 * is).  Cached per relation: the text stays valid and unchanged while the
 * relation lives and the options do not change. */
enum sl_err sl_dbz_value_schema(const struct sl_dbz_opts *o, const struct sl_relation *rel,
				const char **schema, size_t *len, struct sl_errbuf *eb);

/* Whether column i of rel is a field of the before/after blocks (it is
 * not excluded, and has a Debezium mapping or is included by
 * include_unknown).  The blocks list exactly these
 * columns, in column order. */
bool sl_dbz_column_in_value(const struct sl_dbz_opts *o, const struct sl_relation *rel, int i,
			    struct sl_errbuf *eb);

/* Column i of rel holding v, in a before/after block: the typed form of
 * what sl_dbz_value() writes there.  out->kind is SL_TV_NONE where the
 * value has no typed form (arrays, unchanged-TOAST placeholders, absent
 * NOT NULL columns, kinds without a typed counterpart); the caller then
 * uses the JSON.  A value the JSON encoder refuses gives its error.  out
 * may point into scratch. */
enum sl_err sl_dbz_column_tvalue(const struct sl_dbz_opts *o, const struct sl_relation *rel,
				 int i, const struct sl_value *v, struct sl_buf *scratch,
				 struct sl_tvalue *out, struct sl_errbuf *eb);

/* The envelope's fields outside before/after, by path: "op", "ts_ms",
 * "ts_us", "ts_ns", "source.<field>" and "transaction.<field>" (or
 * "transaction" itself).  sl_dbz_meta_field() returns an index for
 * sl_dbz_meta_tvalue(), or -1 for a path the envelope does not have. */
int sl_dbz_meta_field(const char *path);
/* The typed value of meta field `field` of ch's event (now_ns as for
 * sl_dbz_value).  Groups ("transaction") give SL_TV_NULL when null and
 * SL_TV_NONE otherwise.  out may point into scratch or into ch. */
enum sl_err sl_dbz_meta_tvalue(const struct sl_dbz_opts *o, const struct sl_change *ch,
			       int64_t now_ns, int field, struct sl_buf *scratch,
			       struct sl_tvalue *out, struct sl_errbuf *eb);

#endif
