/* SPDX-License-Identifier: Apache-2.0
 *
 * catalog.h -- build struct sl_relation from the system catalogs.
 *
 * pgoutput's Relation message names the columns and their declared type
 * OIDs, but not what an encoder needs: domains' base types, array element
 * types, enum labels, nullability and the primary key.  Those come from
 * pg_type, pg_enum, pg_attribute and pg_index over an ordinary connection.
 * Type lookups are cached for the life of the catalog (types are stable;
 * a changed enum is re-read when the relation is rebuilt after DDL).
 *
 * The key of an event is the primary key, else the replica-identity index,
 * else none; `message.key.columns` overrides both.
 */
#ifndef SL_SOURCE_PG_CATALOG_H
#define SL_SOURCE_PG_CATALOG_H

#include <libpq-fe.h>
#include <stdint.h>

#include "core/err.h"
#include "event/event.h"
#include "source/pg/filter.h"
#include "source/pg/pgoutput.h"

struct sl_pg_type; /* cached pg_type row */

struct sl_pg_catalog {
	PGconn *conn;                      /* borrowed; may be replaced after a reconnect */
	const struct sl_pg_filter *filter; /* borrowed */
	const char *topic_prefix;          /* borrowed */
	struct sl_pg_type *types;          /* owned cache */
	size_t ntypes, cap;
};

void sl_pg_catalog_init(struct sl_pg_catalog *cat, PGconn *conn,
			const struct sl_pg_filter *filter, const char *topic_prefix);
void sl_pg_catalog_free(struct sl_pg_catalog *cat);

/* Build a relation.  With `msg` the column list is the Relation message's
 * (what the WAL describes); without it, the table's current columns
 * (snapshots), skipping generated columns as pgoutput does.  The caller
 * owns *out (sl_relation_free). */
enum sl_err sl_pg_catalog_relation(struct sl_pg_catalog *cat, uint32_t relid,
				   const struct sl_pgo_relation *msg, struct sl_relation **out,
				   struct sl_errbuf *eb);

/* "<prefix>.<schema>.<table>" with characters Kafka does not allow in
 * topic names replaced by '_'.  Caller frees. */
char *sl_pg_topic_name(const char *prefix, const char *schema, const char *table);

#endif
