/* SPDX-License-Identifier: Apache-2.0
 *
 * pgtype_oids.h -- OIDs of PostgreSQL's builtin types (pg_type.dat), as
 * sent in pgoutput Relation messages.  Fixed since PostgreSQL 8; extension
 * types (hstore, citext, PostGIS) have per-database OIDs and are not here.
 */
#ifndef SL_EVENT_PGTYPE_OIDS_H
#define SL_EVENT_PGTYPE_OIDS_H

#define SL_PG_BOOL 16
#define SL_PG_BYTEA 17
#define SL_PG_CHAR 18
#define SL_PG_NAME 19
#define SL_PG_INT8 20
#define SL_PG_INT2 21
#define SL_PG_INT4 23
#define SL_PG_TEXT 25
#define SL_PG_OID 26
#define SL_PG_XID 28
#define SL_PG_JSON 114
#define SL_PG_XML 142
#define SL_PG_POINT 600
#define SL_PG_LSEG 601
#define SL_PG_PATH 602
#define SL_PG_BOX 603
#define SL_PG_POLYGON 604
#define SL_PG_LINE 628
#define SL_PG_CIDR 650
#define SL_PG_FLOAT4 700
#define SL_PG_FLOAT8 701
#define SL_PG_CIRCLE 718
#define SL_PG_MACADDR8 774
#define SL_PG_MONEY 790
#define SL_PG_MACADDR 829
#define SL_PG_INET 869
#define SL_PG_BPCHAR 1042
#define SL_PG_VARCHAR 1043
#define SL_PG_DATE 1082
#define SL_PG_TIME 1083
#define SL_PG_TIMESTAMP 1114
#define SL_PG_TIMESTAMPTZ 1184
#define SL_PG_INTERVAL 1186
#define SL_PG_TIMETZ 1266
#define SL_PG_BIT 1560
#define SL_PG_VARBIT 1562
#define SL_PG_NUMERIC 1700
#define SL_PG_UUID 2950
#define SL_PG_TSVECTOR 3614
#define SL_PG_JSONB 3802
#define SL_PG_INT4RANGE 3904
#define SL_PG_NUMRANGE 3906
#define SL_PG_TSRANGE 3908
#define SL_PG_TSTZRANGE 3910
#define SL_PG_DATERANGE 3912
#define SL_PG_INT8RANGE 3926

#endif
