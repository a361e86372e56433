/* SPDX-License-Identifier: Apache-2.0
 *
 * envelope.h -- a Debezium change event (JSON) as one Parquet row.
 *
 * A layout is compiled once per distinct value schema: with a Kafka
 * Connect `schema` block (value.converter.schemas.enable=true) before,
 * after and source become typed, nested optional groups (Decimal ->
 * DECIMAL, io.debezium.time.Date -> DATE, MicroTimestamp -> TIMESTAMP
 * (micros, local), ZonedTimestamp -> TIMESTAMP (micros, UTC), Uuid -> UUID,
 * Json -> JSON, arrays -> LIST, ...); without one, before, after and source
 * are JSON text columns.  Every row also has op, ts_ms, _topic,
 * _partition and _offset.  Every column is optional, so a value that is
 * null or absent is a null, never an error.
 *
 * Values that contradict the schema (a string where int32 was declared,
 * bad base64, an unparseable timestamp) are SL_ERR_PROTO naming the field:
 * the caller treats the record as a bad message.
 *
 * Ownership: sl_lake_env_build returns a layout (owned by the caller, freed
 * with sl_lake_env_free) and a Parquet schema to hand to sl_pq_writer_open.
 * The layout keeps no pointer into the parsed document.
 */
#ifndef SL_LAKE_ENVELOPE_H
#define SL_LAKE_ENVELOPE_H

#include <stdint.h>

#include "core/jsonr.h"
#include "core/buf.h"
#include "core/err.h"
#include "event/tvalue.h"
#include "parquet/parquet.h"

struct sl_lake_env;

/* A parsed record value: the payload node and the schema node (NONE when
 * the message carries no schema). */
struct sl_lake_msg {
	uint32_t payload;
	uint32_t schema;
};

/* Split a parsed value into schema and payload: {"schema":..,"payload":..}
 * is an enveloped message, anything else is a bare payload.  The payload
 * must be an object (SL_ERR_PROTO otherwise). */
enum sl_err sl_lake_msg_split(const struct sl_jsonr *j, struct sl_lake_msg *m,
			     struct sl_errbuf *eb);

enum sl_err sl_lake_env_build(const struct sl_jsonr *j, uint32_t schema,
			     struct sl_lake_env **env, struct sl_pq_schema **pq,
			     struct sl_errbuf *eb);
void sl_lake_env_free(struct sl_lake_env *env);

/* Stage and commit one row (sl_pq_row_end).  On error the row is discarded
 * and the writer is still usable. */
enum sl_err sl_lake_env_row(const struct sl_lake_env *env, struct sl_pq_writer *w,
			   const struct sl_jsonr *j, uint32_t payload, const char *topic,
			   int32_t partition, int64_t offset, struct sl_errbuf *eb);

/* Node at a dotted path ("after.status") under obj; NONE if absent. */
uint32_t sl_jsonr_path(const struct sl_jsonr *j, uint32_t obj, const char *path);

/* Parse an ISO-8601 timestamp with a zone ("2024-01-02T03:04:05.123456Z",
 * "...+02:00") into microseconds since 1970 UTC. */
bool sl_lake_parse_iso_us(const char *s, int64_t *us);

/* ---- typed rows -------------------------------------------------------------
 * A row can also be staged from typed values (event/tvalue.h) instead of a
 * JSON payload: walk the layout's fields, set every leaf of every group
 * that is not null (sl_lake_env_set with SL_TV_NULL for a null leaf or a
 * null group), then sl_lake_env_finish.  A value is stored exactly as the
 * JSON text it stands for would be by sl_lake_env_row.  Field handles are
 * indexes, stable for the layout's lifetime. */
enum { SL_ARC_ENV_BEFORE, SL_ARC_ENV_AFTER, SL_ARC_ENV_SOURCE, SL_ARC_ENV_OP, SL_ARC_ENV_TS_MS };
uint32_t sl_lake_env_top(const struct sl_lake_env *env, int which);
const char *sl_lake_env_name(const struct sl_lake_env *env, uint32_t f);
/* Children of a group field; 0 for a leaf (a struct without a typed
 * Parquet group, e.g. a JSON text column, is a leaf). */
uint32_t sl_lake_env_nchildren(const struct sl_lake_env *env, uint32_t f);
uint32_t sl_lake_env_child(const struct sl_lake_env *env, uint32_t f, uint32_t k);
bool sl_lake_env_is_group(const struct sl_lake_env *env, uint32_t f);
/* Whether leaf f can take a typed value (not a LIST, a JSON text column
 * or a VariableScaleDecimal). */
bool sl_lake_env_takes_typed(const struct sl_lake_env *env, uint32_t f);
/* Set field f of the staged row: a leaf from v, or a group to null (only
 * SL_TV_NULL is allowed for groups).  tmp is scratch.  A value the field
 * cannot hold is SL_ERR_PROTO naming the field, as for JSON rows. */
enum sl_err sl_lake_env_set(const struct sl_lake_env *env, struct sl_pq_writer *w, uint32_t f,
			   const struct sl_tvalue *v, struct sl_buf *tmp, struct sl_errbuf *eb);
/* _topic, _partition and _offset, then sl_pq_row_end.  On error the row
 * is discarded (as sl_lake_env_row does) and the writer stays usable. */
enum sl_err sl_lake_env_finish(const struct sl_lake_env *env, struct sl_pq_writer *w,
			      const char *topic, int32_t partition, int64_t offset,
			      struct sl_errbuf *eb);

/* A UUID in text form (hex digits, dashes anywhere) as 16 bytes. */
bool sl_lake_parse_uuid(const char *s, size_t n, unsigned char out[16]);

#endif
