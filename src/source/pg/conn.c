/* SPDX-License-Identifier: Apache-2.0
 *
 * conn.c -- libpq connection helpers: session settings, error mapping,
 * LSN text conversion.
 */
#include "source/pg/conn.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_OPTIONS                                                             \
	"-c DateStyle=ISO,MDY -c TimeZone=UTC -c IntervalStyle=iso_8601 "           \
	"-c extra_float_digits=3 -c bytea_output=hex"

/* Map a failed connection to retryable or not.  Authentication and
 * missing database/role are permanent; anything else (refused, timeout,
 * "the database system is starting up") is worth retrying. */
static enum sl_err classify(PGconn *c)
{
	const char *m = PQerrorMessage(c);
	if (strstr(m, "password authentication failed") || strstr(m, "no password supplied") ||
	    strstr(m, "authentication failed") || strstr(m, "does not exist") ||
	    strstr(m, "pg_hba.conf") || strstr(m, "permission denied") ||
	    strstr(m, "must be superuser or replication role"))
		return SL_ERR_AUTH;
	return SL_ERR_RETRY;
}

/* First line of a libpq message, without the trailing newline. */
static void first_line(const char *m, char *out, size_t n)
{
	snprintf(out, n, "%s", m ? m : "");
	out[strcspn(out, "\n")] = '\0';
}

enum sl_err sl_pg_connect(const struct sl_pg_params *p, bool replication, PGconn **out,
			  struct sl_errbuf *eb)
{
	const char *keys[16], *vals[16];
	int n = 0;
#define KV(k, v)                                                                  \
	do {                                                                      \
		if ((v) && *(v)) {                                                \
			keys[n] = (k);                                            \
			vals[n] = (v);                                            \
			n++;                                                      \
		}                                                                 \
	} while (0)
	KV("host", p->host);
	KV("port", p->port);
	KV("user", p->user);
	KV("password", p->password);
	KV("dbname", p->dbname);
	KV("sslmode", p->sslmode);
	KV("sslrootcert", p->sslrootcert);
	KV("application_name", p->application_name ? p->application_name : "sluice");
	KV("options", SESSION_OPTIONS);
	KV("connect_timeout", "10");
	if (replication)
		KV("replication", "database");
#undef KV
	keys[n] = vals[n] = NULL;
	PGconn *c = PQconnectdbParams(keys, vals, 0);
	if (!c)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	if (PQstatus(c) != CONNECTION_OK) {
		char line[400];
		first_line(PQerrorMessage(c), line, sizeof line);
		enum sl_err err = classify(c);
		sl_err_set(eb, err, "could not connect to PostgreSQL at %s:%s as \"%s\": %s",
			   p->host ? p->host : "localhost", p->port ? p->port : "5432",
			   p->user ? p->user : "", line);
		PQfinish(c);
		return err;
	}
	*out = c;
	return SL_OK;
}

static enum sl_err result_error(PGconn *c, PGresult *r, const char *sql, struct sl_errbuf *eb)
{
	char line[400];
	first_line(r ? PQresultErrorMessage(r) : PQerrorMessage(c), line, sizeof line);
	enum sl_err err = sl_pg_result_lost(c, r) ? SL_ERR_RETRY : SL_ERR_FATAL;
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	if (state && !strcmp(state, "42501"))
		err = SL_ERR_AUTH;
	/* Name the statement by its first words, not the whole text. */
	char head[48];
	snprintf(head, sizeof head, "%s", sql);
	head[strcspn(head, "(\n")] = '\0';
	return sl_err_set(eb, err, "%s failed: %s", head, line);
}

enum sl_err sl_pg_exec(PGconn *c, const char *sql, struct sl_errbuf *eb)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		enum sl_err err = result_error(c, r, sql, eb);
		PQclear(r);
		return err;
	}
	PQclear(r);
	return SL_OK;
}

enum sl_err sl_pg_query(PGconn *c, const char *sql, int nparams, const char *const *params,
			PGresult **res, struct sl_errbuf *eb)
{
	PGresult *r = nparams ? PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0)
			      : PQexec(c, sql);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		enum sl_err err = result_error(c, r, sql, eb);
		PQclear(r);
		return err;
	}
	*res = r;
	return SL_OK;
}

bool sl_pg_conn_lost(PGconn *c)
{
	return !c || PQstatus(c) == CONNECTION_BAD;
}

bool sl_pg_result_lost(PGconn *c, const PGresult *r)
{
	const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	return sl_pg_conn_lost(c) || (st && (!strncmp(st, "57P", 3) || !strncmp(st, "08", 2)));
}

char *sl_pg_quote_ident(PGconn *c, const char *ident)
{
	char *q = PQescapeIdentifier(c, ident, strlen(ident));
	if (!q)
		return NULL;
	char *copy = strdup(q);
	PQfreemem(q);
	return copy;
}
