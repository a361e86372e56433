/* SPDX-License-Identifier: Apache-2.0
 *
 * conn.h -- PostgreSQL connections for capture.
 *
 * Every connection sluice opens carries the same session settings, because
 * the text output of values depends on them and the encoder relies on it:
 * DateStyle=ISO, TimeZone=UTC, IntervalStyle=iso_8601,
 * extra_float_digits=3, bytea_output=hex.  A walsender formats pgoutput
 * values with its own session settings, so the replication connection gets
 * them too.
 *
 * The password is passed to libpq as a parameter and never appears in a
 * conninfo string, a log line or an error message.
 */
#ifndef SL_SOURCE_PG_CONN_H
#define SL_SOURCE_PG_CONN_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct sl_pg_params {
	const char *host, *port, *user, *password, *dbname, *sslmode, *sslrootcert;
	const char *application_name;
};

/* Open a connection; replication=true opens a logical walsender connection
 * (replication=database).  SL_ERR_AUTH for a refused login or password,
 * SL_ERR_RETRY when the server is unreachable or starting up. */
enum sl_err sl_pg_connect(const struct sl_pg_params *p, bool replication, PGconn **out,
			  struct sl_errbuf *eb);

/* Run a statement that returns no rows we need; SL_ERR_FATAL with the server's message. */
enum sl_err sl_pg_exec(PGconn *c, const char *sql, struct sl_errbuf *eb);
/* Run a query; *res is owned by the caller (PQclear). */
enum sl_err sl_pg_query(PGconn *c, const char *sql, int nparams, const char *const *params,
			PGresult **res, struct sl_errbuf *eb);
/* True when the connection is dead and a reconnect is needed. */
bool sl_pg_conn_lost(PGconn *c);
/* True when a failed result means the connection is lost or being closed
 * by the server: sl_pg_conn_lost, or SQLSTATE class 57P (backend
 * terminated, server shutting down; its FATAL arrives before libpq has
 * seen the socket close) or class 08 (connection exception).  r may be
 * NULL. */
bool sl_pg_result_lost(PGconn *c, const PGresult *r);

/* Quote an identifier for SQL ("..." with doubled quotes); caller frees. */
char *sl_pg_quote_ident(PGconn *c, const char *ident);

#endif
