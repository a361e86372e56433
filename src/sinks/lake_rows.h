/* SPDX-License-Identifier: Apache-2.0
 *
 * lake_rows.h -- the lake's typed rows: a row change straight into Parquet
 * columns, without Debezium JSON text in between.
 *
 * sluice run used to encode every change as Debezium JSON with its Connect
 * schema (~4 KB an event) and parse it back before writing Parquet.  A
 * plan, built once per relation, maps the envelope layout compiled from
 * the relation's value schema (lake/envelope.h) to the relation's
 * columns and to the envelope's other fields; filling a row then asks the
 * encoder for each value's typed form (event/debezium.h, tvalue.h).  Both
 * ends are the JSON path's own code, so a typed row stores what the JSON
 * row would.  Whatever has no typed form (arrays, unchanged-TOAST
 * placeholders, variable-scale decimals, ...) makes the caller use the
 * JSON path for that event; a relation whose layout has such a field
 * always does.
 *
 * Plans live in the relation's sink_cache (event.h) and are rebuilt when
 * the encoder's schema text for the relation changes.
 */
#ifndef SL_SINKS_LAKE_ROWS_H
#define SL_SINKS_LAKE_ROWS_H

#include <stdbool.h>
#include <stdint.h>

#include "lake/envelope.h"
#include "core/buf.h"
#include "core/err.h"
#include "event/debezium.h"

struct sl_lake_plan;

/* The plan of ch->rel under o (built or reused).  *plan is NULL when the
 * relation's events cannot be typed (then use JSON). */
enum sl_err sl_lake_plan_get(const struct sl_dbz_opts *o, const struct sl_relation *rel,
			     struct sl_lake_plan **plan, struct sl_errbuf *eb);
/* The value schema text the plan was built from and its process-unique id. */
const char *sl_lake_plan_schema(const struct sl_lake_plan *p, size_t *len, uint64_t *id);

/* One typed row, converted first and written second, so that the caller
 * knows whether it has a typed form before the writer does anything (a
 * rotation may commit files and state before the row is filled).  The
 * struct is reused from row to row; init once, free at the end. */
struct sl_lake_row {
	const struct sl_lake_plan *plan;
	const struct sl_dbz_opts *o;
	const struct sl_change *ch;
	const struct sl_row *before, *after; /* as the event carries them */
	struct sl_tvalue *vals; /* before columns, after columns, meta fields */
	size_t *off, cap;       /* per value: its bytes' offset in arena, or SIZE_MAX */
	struct sl_buf scratch, arena, tmp;
};
void sl_lake_row_init(struct sl_lake_row *r);
void sl_lake_row_free(struct sl_lake_row *r);
/* Every value of ch's event in typed form.  SL_ERR_NOTFOUND: a value has
 * none (use the JSON path); other errors are the encoder's (the JSON path
 * reports them the same way). */
enum sl_err sl_lake_prepare(struct sl_lake_row *r, const struct sl_lake_plan *plan,
			    const struct sl_dbz_opts *o, const struct sl_change *ch, int64_t now_ns,
			    struct sl_errbuf *eb);
/* Stage a prepared row's envelope fields (everything but _topic/
 * _partition/_offset): a writer fill callback (lake/writer.h). */
enum sl_err sl_lake_fill(void *row, const struct sl_lake_env *env, struct sl_pq_writer *pw,
			 struct sl_errbuf *eb);

/* A meta field of the envelope ("ts_ms", "source.ts_ms", ...) as epoch
 * milliseconds for the timestamp extractor, like sl_lake_setup_ts reads it
 * from JSON: false when the field is not an integer here. */
bool sl_lake_meta_ms(const struct sl_dbz_opts *o, const struct sl_change *ch, int64_t now_ns,
		     int field, struct sl_buf *scratch, int64_t *ms);

#endif
