/* SPDX-License-Identifier: Apache-2.0
 *
 * preflight.c -- server, role, slot, publication and per-table checks.
 */
#include "source/pg/preflight.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "source/pg/conn.h"

enum verdict { OK, WARN, FAIL };

static void report(struct sl_pg_preflight *pf, FILE *out, enum verdict v, const char *fmt, ...)
	SL_PRINTF(4, 5);
static void report(struct sl_pg_preflight *pf, FILE *out, enum verdict v, const char *fmt, ...)
{
	static const char *const tags[] = {"ok  ", "WARN", "FAIL"};
	va_list ap;
	va_start(ap, fmt);
	fprintf(out, "  [%s] ", tags[v]);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
	va_end(ap);
	if (v == FAIL)
		pf->problems++;
	else if (v == WARN)
		pf->warnings++;
}

/* One-value query; returns an owned string or NULL. */
static char *scalar(PGconn *conn, const char *sql, int n, const char *const *params)
{
	PGresult *r;
	struct sl_errbuf eb;
	if (sl_pg_query(conn, sql, n, params, &r, &eb))
		return NULL;
	char *v = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? strdup(PQgetvalue(r, 0, 0)) : NULL;
	PQclear(r);
	return v;
}

void sl_pg_preflight_run(PGconn *conn, struct sl_pg_preflight *pf, FILE *out)
{
	int version = PQserverVersion(conn);
	if (version < 100000)
		report(pf, out, FAIL, "server version %d: pgoutput needs PostgreSQL 10 or newer", version);
	else if (version < 140000)
		report(pf, out, WARN,
		       "server version %d.%d: sluice uses pgoutput protocol 1 here, so a large "
		       "transaction arrives only after it commits (the server spills it to its "
		       "own disk meanwhile) and logical decoding messages (op \"m\") are not "
		       "captured; PostgreSQL 14+ streams large transactions in chunks",
		       version / 10000, version % 10000);
	else
		report(pf, out, OK, "server version %d.%d", version / 10000, version % 10000);

	char *v = scalar(conn, "SHOW wal_level", 0, NULL);
	if (v && !strcmp(v, "logical"))
		report(pf, out, OK, "wal_level = logical");
	else
		report(pf, out, FAIL,
		       "wal_level = %s: set wal_level = logical in postgresql.conf and restart the server",
		       v ? v : "?");
	free(v);

	v = scalar(conn, "SELECT rolsuper OR rolreplication FROM pg_catalog.pg_roles "
			 "WHERE rolname = current_user", 0, NULL);
	char *user = scalar(conn, "SELECT current_user", 0, NULL);
	if (v && v[0] == 't')
		report(pf, out, OK, "role \"%s\" may replicate", user ? user : "?");
	else
		report(pf, out, FAIL,
		       "role \"%s\" lacks the REPLICATION attribute: ALTER ROLE %s WITH REPLICATION",
		       user ? user : "?", user ? user : "<user>");
	free(v);

	const char *sp[] = {pf->slot};
	char *slot_there = scalar(conn,
				  "SELECT plugin FROM pg_catalog.pg_replication_slots WHERE slot_name = $1",
				  1, sp);
	char *free_slots = scalar(conn,
				  "SELECT current_setting('max_replication_slots')::int - "
				  "(SELECT count(*) FROM pg_catalog.pg_replication_slots)",
				  0, NULL);
	if (slot_there && strcmp(slot_there, "pgoutput"))
		report(pf, out, FAIL, "slot \"%s\" exists with plugin %s: choose another slot.name",
		       pf->slot, slot_there);
	else if (slot_there)
		report(pf, out, OK, "replication slot \"%s\" exists: capture resumes from it", pf->slot);
	else if (free_slots && atoi(free_slots) > 0)
		report(pf, out, OK, "%s free replication slot(s); \"%s\" will be created", free_slots,
		       pf->slot);
	else
		report(pf, out, FAIL,
		       "no free replication slot: raise max_replication_slots or drop an unused slot");
	free(slot_there);
	free(free_slots);

	const char *pp[] = {pf->publication};
	char *pub_owner = scalar(conn,
				 "SELECT pg_catalog.pg_get_userbyid(pubowner) FROM pg_catalog.pg_publication "
				 "WHERE pubname = $1",
				 1, pp);
	if (pub_owner) {
		bool owner = user && !strcmp(pub_owner, user);
		char *super = scalar(conn, "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user", 0, NULL);
		bool is_super = super && super[0] == 't';
		free(super);
		if (!owner && !is_super && strcmp(pf->autocreate_mode, "filtered") == 0)
			report(pf, out, FAIL,
			       "publication \"%s\" is owned by \"%s\": publication.autocreate.mode=filtered "
			       "must alter it, so the connector's role must own it",
			       pf->publication, pub_owner);
		else
			report(pf, out, OK, "publication \"%s\" exists (owner %s)", pf->publication, pub_owner);
	} else if (!strcmp(pf->autocreate_mode, "disabled")) {
		report(pf, out, FAIL,
		       "publication \"%s\" does not exist and publication.autocreate.mode=disabled: "
		       "CREATE PUBLICATION %s FOR TABLE ...",
		       pf->publication, pf->publication);
	} else {
		report(pf, out, OK, "publication \"%s\" will be created (%s)", pf->publication,
		       pf->autocreate_mode);
	}
	free(pub_owner);
	free(user);

	/* Per table: privileges and replica identity. */
	PGresult *r;
	struct sl_errbuf eb;
	if (sl_pg_query(conn,
			"SELECT n.nspname, c.relname, c.relreplident, "
			"EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary), "
			"pg_catalog.has_table_privilege(c.oid, 'SELECT') "
			"FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
			"WHERE c.relkind IN ('r','p') AND n.nspname NOT IN ('pg_catalog','information_schema') "
			"AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2",
			0, NULL, &r, &eb)) {
		report(pf, out, FAIL, "could not list tables: %s", eb.msg);
		return;
	}
	int captured = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *s = PQgetvalue(r, i, 0), *t = PQgetvalue(r, i, 1);
		if (!sl_pg_filter_table(pf->filter, s, t))
			continue;
		captured++;
		char ri = PQgetvalue(r, i, 2)[0];
		bool pk = PQgetvalue(r, i, 3)[0] == 't', sel = PQgetvalue(r, i, 4)[0] == 't';
		if (!sel)
			report(pf, out, FAIL, "table %s.%s: no SELECT privilege (needed for the snapshot): "
			       "GRANT SELECT ON %s.%s TO <user>", s, t, s, t);
		if (ri == 'n')
			report(pf, out, WARN,
			       "table %s.%s has REPLICA IDENTITY NOTHING: updates and deletes are not "
			       "published; ALTER TABLE %s.%s REPLICA IDENTITY FULL",
			       s, t, s, t);
		else if (ri == 'd' && !pk)
			report(pf, out, WARN,
			       "table %s.%s has no primary key and REPLICA IDENTITY DEFAULT: its updates "
			       "and deletes carry no key (and PostgreSQL rejects them while published); "
			       "add a primary key or ALTER TABLE %s.%s REPLICA IDENTITY FULL",
			       s, t, s, t);
	}
	PQclear(r);
	if (captured)
		report(pf, out, OK, "%d table(s) match the include/exclude lists", captured);
	else
		report(pf, out, WARN, "no table matches table.include.list / table.exclude.list");
}
