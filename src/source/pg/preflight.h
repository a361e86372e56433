/* SPDX-License-Identifier: Apache-2.0
 *
 * preflight.h -- check that a PostgreSQL server can be captured from, and
 * say exactly what to fix when it cannot.
 */
#ifndef SL_SOURCE_PG_PREFLIGHT_H
#define SL_SOURCE_PG_PREFLIGHT_H

#include <libpq-fe.h>
#include <stdio.h>

#include "source/pg/filter.h"

struct sl_pg_preflight {
	const char *slot, *publication, *autocreate_mode;
	const struct sl_pg_filter *filter;
	int problems; /* checks that fail: capture cannot work */
	int warnings; /* capture works, with a caveat */
};

/* Run every check on conn, printing one line per check to out. */
void sl_pg_preflight_run(PGconn *conn, struct sl_pg_preflight *pf, FILE *out);

#endif
