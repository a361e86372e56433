/* SPDX-License-Identifier: Apache-2.0
 *
 * debezium.c -- Debezium PostgreSQL connector events as Kafka Connect's
 * JsonConverter prints them (see debezium.h for the contract).
 *
 * Per relation we classify every column once (struct colenc: which
 * Debezium/Connect type it becomes under the current modes) and pre-render
 * the key and value `schema` blocks; both live in rel->enc_cache and are
 * rebuilt when the options they depend on change.  Encoding a change then
 * only walks the columns and appends to the output buffer; the one scratch
 * buffer (unquoted array elements, decoded bytea) is kept in the cache and
 * reused, so steady state allocates nothing.
 *
 * Field order is the JsonConverter's: it follows the Connect schema, i.e.
 * the order fields were added in Debezium's SchemaFactory / Envelope
 * builders.  JSON schema objects are written in the converter's order:
 * type, items|fields, optional, name, version, doc, parameters, default,
 * field.
 */
#include "core/civil.h"
#include "event/debezium.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/log.h"
#include "event/pggeo.h"
#include "event/pgtype_oids.h"
#include "event/pgtypes.h"
#include "event/pgvector.h"

/* ---- options ------------------------------------------------------------- */

void sl_dbz_opts_init(struct sl_dbz_opts *o)
{
	memset(o, 0, sizeof *o);
	o->topic_prefix = "";
	o->db_name = "";
	o->version = "sluice";
	o->unavailable_placeholder = "__debezium_unavailable_value";
	o->money_fraction_digits = 2;
}

struct mode_name {
	const char *name;
	int value;
};

static enum sl_err set_mode(int *dst, const struct mode_name *names, const char *key,
			    const char *value, struct sl_errbuf *eb)
{
	char accepted[160] = "";
	for (const struct mode_name *m = names; m->name; m++) {
		if (strcasecmp(m->name, value) == 0) {
			*dst = m->value;
			return SL_OK;
		}
		size_t l = strlen(accepted);
		snprintf(accepted + l, sizeof accepted - l, "%s%s", l ? ", " : "", m->name);
	}
	return sl_err_set(eb, SL_ERR_CONFIG, "invalid value \"%s\" for \"%s\": expected one of %s",
			  value, key, accepted);
}

enum sl_err sl_dbz_opts_set_mode(struct sl_dbz_opts *o, const char *key, const char *value,
				 struct sl_errbuf *eb)
{
	static const struct mode_name dec[] = {{"precise", SL_DBZ_DECIMAL_PRECISE},
					       {"string", SL_DBZ_DECIMAL_STRING},
					       {"double", SL_DBZ_DECIMAL_DOUBLE},
					       {NULL, 0}};
	static const struct mode_name tim[] = {{"adaptive", SL_DBZ_TIME_ADAPTIVE},
					       {"adaptive_time_microseconds", SL_DBZ_TIME_ADAPTIVE_MICRO},
					       {"connect", SL_DBZ_TIME_CONNECT},
					       {NULL, 0}};
	static const struct mode_name bin[] = {{"bytes", SL_DBZ_BINARY_BYTES},
					       {"base64", SL_DBZ_BINARY_BASE64},
					       {"base64-url-safe", SL_DBZ_BINARY_BASE64_URL},
					       {"hex", SL_DBZ_BINARY_HEX},
					       {NULL, 0}};
	static const struct mode_name itv[] = {{"numeric", SL_DBZ_INTERVAL_NUMERIC},
					       {"string", SL_DBZ_INTERVAL_STRING},
					       {NULL, 0}};
	static const struct mode_name hst[] = {{"json", SL_DBZ_HSTORE_JSON},
					       {"map", SL_DBZ_HSTORE_MAP},
					       {NULL, 0}};
	int v;
	enum sl_err err;
	if (!key || !value)
		return sl_err_set(eb, SL_ERR_ARG, "missing mode key or value");
	if (strcmp(key, "decimal.handling.mode") == 0) {
		if (!(err = set_mode(&v, dec, key, value, eb)))
			o->decimal = (enum sl_dbz_decimal_mode)v;
	} else if (strcmp(key, "time.precision.mode") == 0) {
		if (!(err = set_mode(&v, tim, key, value, eb)))
			o->time = (enum sl_dbz_time_mode)v;
	} else if (strcmp(key, "binary.handling.mode") == 0) {
		if (!(err = set_mode(&v, bin, key, value, eb)))
			o->binary = (enum sl_dbz_binary_mode)v;
	} else if (strcmp(key, "interval.handling.mode") == 0) {
		if (!(err = set_mode(&v, itv, key, value, eb)))
			o->interval = (enum sl_dbz_interval_mode)v;
	} else if (strcmp(key, "hstore.handling.mode") == 0) {
		if (!(err = set_mode(&v, hst, key, value, eb)))
			o->hstore = (enum sl_dbz_hstore_mode)v;
	} else {
		err = sl_err_set(eb, SL_ERR_CONFIG, "unknown mode setting \"%s\"", key);
	}
	return err;
}

/* ---- column classification ----------------------------------------------- */

enum kind {
	K_OMIT, /* no Debezium mapping: left out of schema and value */
	K_BOOL,
	K_INT16,
	K_INT32,
	K_INT64,
	K_FLOAT32,
	K_FLOAT64,
	K_DEC_FIXED,  /* precise, numeric(p,s): Connect Decimal */
	K_DEC_VAR,    /* precise, numeric: VariableScaleDecimal */
	K_DEC_STRING,
	K_DEC_DOUBLE,
	K_MONEY_PRECISE,
	K_MONEY_STRING,
	K_MONEY_DOUBLE,
	K_STRING,     /* text output passed through */
	K_TSTZ,       /* ZonedTimestamp */
	K_TIMETZ,     /* ZonedTime */
	K_TS_MICRO,
	K_TS_MILLI,
	K_DATE,
	K_TIME_MICRO,
	K_TIME_MILLI,
	K_INTERVAL_MICRO,
	K_INTERVAL_STRING,
	K_BINARY,     /* bytea per binary.handling.mode */
	K_BIT_BOOL,
	K_BITS,
	K_POINT,
	K_GEOM_SHAPE,  /* box, lseg, path, polygon: Geometry (WKB) with extensions */
	K_CIRCLE,
	K_LINE,
	K_POSTGIS,     /* PostGIS geometry: Geometry, the EWKB as is */
	K_GEOGRAPHY,   /* PostGIS geography */
	K_DVECTOR,     /* pgvector vector: DoubleVector */
	K_FVECTOR,     /* pgvector halfvec: FloatVector */
	K_SPVECTOR,    /* pgvector sparsevec: SparseDoubleVector */
	K_HSTORE_JSON, /* hstore as a JSON object text (io.debezium.data.Json) */
	K_HSTORE_MAP,  /* hstore as a Connect map<string, optional string> */
	K_UNKNOWN      /* no mapping, included (include.unknown.datatypes): the
			* bytes of the text output per binary.handling.mode */
};

struct colenc {
	enum kind k;
	bool array;
	bool is_int_array_toast; /* placeholder renders as its bytes */
	int scale, precision;    /* numeric; fraction width for timestamptz */
	int bits_len;            /* Bits `length` */
	enum sl_pggeo_shape shape; /* K_GEOM_SHAPE */
	const char *sname;       /* Connect schema name, or NULL */
};

/* Fraction digits of time types: typmod, or 6 when unconstrained. */
static int time_precision(int32_t typmod)
{
	return typmod >= 0 && typmod <= 6 ? typmod : 6;
}

static void classify(const struct sl_dbz_opts *o, const struct sl_column *c, struct colenc *e)
{
	memset(e, 0, sizeof *e);
	e->array = c->is_array;
	int32_t tm = c->base_typmod;
	if (c->is_enum) {
		e->k = K_STRING;
		e->sname = "io.debezium.data.Enum";
		return;
	}
	switch (c->base_oid) {
	case SL_PG_BOOL: e->k = K_BOOL; break;
	case SL_PG_INT2: e->k = K_INT16; break;
	case SL_PG_INT4: e->k = K_INT32; break;
	case SL_PG_INT8:
	case SL_PG_OID: e->k = K_INT64; break;
	case SL_PG_FLOAT4: e->k = K_FLOAT32; break;
	case SL_PG_FLOAT8: e->k = K_FLOAT64; break;
	case SL_PG_NUMERIC:
		if (tm >= 4) {
			e->precision = ((tm - 4) >> 16) & 0xffff;
			/* PostgreSQL 15 stores a signed 11-bit scale. */
			e->scale = ((((tm - 4) & 0x7ff) ^ 1024) - 1024);
		}
		if (o->decimal == SL_DBZ_DECIMAL_STRING)
			e->k = K_DEC_STRING;
		else if (o->decimal == SL_DBZ_DECIMAL_DOUBLE)
			e->k = K_DEC_DOUBLE;
		else
			e->k = tm >= 4 ? K_DEC_FIXED : K_DEC_VAR;
		break;
	case SL_PG_MONEY:
		e->scale = o->money_fraction_digits;
		e->k = o->decimal == SL_DBZ_DECIMAL_STRING   ? K_MONEY_STRING
		       : o->decimal == SL_DBZ_DECIMAL_DOUBLE ? K_MONEY_DOUBLE
							     : K_MONEY_PRECISE;
		break;
	case SL_PG_CHAR:
	case SL_PG_NAME:
	case SL_PG_TEXT:
	case SL_PG_BPCHAR:
	case SL_PG_VARCHAR:
	case SL_PG_INET:
	case SL_PG_CIDR:
	case SL_PG_MACADDR:
	case SL_PG_MACADDR8:
	case SL_PG_INT4RANGE:
	case SL_PG_INT8RANGE:
	case SL_PG_NUMRANGE:
	case SL_PG_TSRANGE:
	case SL_PG_TSTZRANGE:
	case SL_PG_DATERANGE:
		e->k = K_STRING;
		e->is_int_array_toast = false;
		break;
	case SL_PG_JSON:
	case SL_PG_JSONB:
		e->k = K_STRING;
		e->sname = "io.debezium.data.Json";
		break;
	case SL_PG_XML:
		e->k = K_STRING;
		e->sname = "io.debezium.data.Xml";
		break;
	case SL_PG_UUID:
		e->k = K_STRING;
		e->sname = "io.debezium.data.Uuid";
		break;
	case SL_PG_TSVECTOR:
		e->k = K_STRING;
		e->sname = "io.debezium.data.TsVector";
		break;
	case SL_PG_TIMESTAMPTZ:
		e->k = K_TSTZ;
		e->scale = time_precision(tm);
		break;
	case SL_PG_TIMETZ: e->k = K_TIMETZ; break;
	case SL_PG_TIMESTAMP:
		if (o->time == SL_DBZ_TIME_CONNECT)
			e->k = K_TS_MILLI, e->sname = "org.apache.kafka.connect.data.Timestamp";
		else if (time_precision(tm) <= 3)
			e->k = K_TS_MILLI, e->sname = "io.debezium.time.Timestamp";
		else
			e->k = K_TS_MICRO, e->sname = "io.debezium.time.MicroTimestamp";
		break;
	case SL_PG_DATE:
		e->k = K_DATE;
		e->sname = o->time == SL_DBZ_TIME_CONNECT ? "org.apache.kafka.connect.data.Date"
							  : "io.debezium.time.Date";
		break;
	case SL_PG_TIME:
		if (o->time == SL_DBZ_TIME_CONNECT)
			e->k = K_TIME_MILLI, e->sname = "org.apache.kafka.connect.data.Time";
		else if (o->time == SL_DBZ_TIME_ADAPTIVE && time_precision(tm) <= 3)
			e->k = K_TIME_MILLI, e->sname = "io.debezium.time.Time";
		else
			e->k = K_TIME_MICRO, e->sname = "io.debezium.time.MicroTime";
		break;
	case SL_PG_INTERVAL:
		e->k = o->interval == SL_DBZ_INTERVAL_STRING ? K_INTERVAL_STRING : K_INTERVAL_MICRO;
		break;
	case SL_PG_BYTEA: e->k = K_BINARY; break;
	case SL_PG_BIT:
	case SL_PG_VARBIT:
		/* bit(1) and varbit(1) are booleans; unconstrained varbit has
		 * JDBC length 2147483647. */
		e->bits_len = tm > 0 ? tm : 2147483647;
		e->k = e->bits_len > 1 ? K_BITS : K_BIT_BOOL;
		break;
	case SL_PG_POINT: e->k = K_POINT; break;
	/* Debezium's main branch (dbz#2135): native shapes as WKB. */
	case SL_PG_BOX: e->k = K_GEOM_SHAPE, e->shape = SL_GEO_BOX; break;
	case SL_PG_LSEG: e->k = K_GEOM_SHAPE, e->shape = SL_GEO_LSEG; break;
	case SL_PG_PATH: e->k = K_GEOM_SHAPE, e->shape = SL_GEO_PATH; break;
	case SL_PG_POLYGON: e->k = K_GEOM_SHAPE, e->shape = SL_GEO_POLYGON; break;
	case SL_PG_CIRCLE: e->k = K_CIRCLE; break;
	case SL_PG_LINE: e->k = K_LINE; break;
	default:
		/* Extension types, by name (their OIDs differ per database), as
		 * Debezium's TypeRegistry finds them. */
		e->k = K_OMIT;
		if (!c->type_name)
			break;
		if (strcmp(c->type_name, "citext") == 0) {
			e->k = K_STRING;
		} else if (strcmp(c->type_name, "ltree") == 0) {
			e->k = K_STRING;
			e->sname = "io.debezium.data.Ltree";
		} else if (strcmp(c->type_name, "hstore") == 0) {
			e->k = o->hstore == SL_DBZ_HSTORE_MAP ? K_HSTORE_MAP : K_HSTORE_JSON;
		} else if (strcmp(c->type_name, "geometry") == 0) {
			e->k = K_POSTGIS;
		} else if (strcmp(c->type_name, "geography") == 0) {
			e->k = K_GEOGRAPHY;
		} else if (strcmp(c->type_name, "vector") == 0) {
			e->k = K_DVECTOR;
		} else if (strcmp(c->type_name, "halfvec") == 0) {
			e->k = K_FVECTOR;
		} else if (strcmp(c->type_name, "sparsevec") == 0) {
			e->k = K_SPVECTOR;
		}
		break;
	}
	/* A type Debezium's converter knows neither by OID nor by name (nor
	 * by its JDBC type: such types are Types.OTHER or STRUCT to pgjdbc).
	 * With include.unknown.datatypes Debezium takes its text output and
	 * converts it as binary (convertBinary() on the String); an array of
	 * it becomes an array of that.  Arrays of known element types that
	 * have no converter (below) stay out whatever the setting, as they
	 * do in Debezium. */
	if (e->k == K_OMIT && o->include_unknown)
		e->k = K_UNKNOWN;
	if (e->array) {
		/* Debezium has no converter for these array types. */
		switch (e->k) {
		case K_MONEY_PRECISE:
		case K_MONEY_STRING:
		case K_MONEY_DOUBLE:
		case K_INTERVAL_MICRO:
		case K_INTERVAL_STRING:
		case K_BITS:
		case K_BIT_BOOL:
		case K_POINT:
		/* Debezium converts geometry[] and geography[] only. */
		case K_GEOM_SHAPE:
		case K_CIRCLE:
		case K_LINE:
		case K_DVECTOR:
		case K_FVECTOR:
		case K_SPVECTOR:
			e->k = K_OMIT;
			break;
		default:
			break;
		}
		if (c->base_oid == SL_PG_XML || c->base_oid == SL_PG_NAME || c->base_oid == SL_PG_TSVECTOR)
			e->k = K_OMIT;
		if (e->k == K_INT16 || e->k == K_INT32 || e->k == K_INT64)
			e->is_int_array_toast = true;
	}
}

/* ---- type names and omitted columns --------------------------------------- */

/* The column's type for messages: "numeric", "hstore[]", "OID 603". */
static const char *type_name(const struct sl_column *col, char *buf, size_t cap)
{
	const char *n = NULL;
	switch (col->base_oid) {
	case SL_PG_NUMERIC: n = "numeric"; break;
	case SL_PG_TIMESTAMPTZ: n = "timestamptz"; break;
	case SL_PG_TIMESTAMP: n = "timestamp"; break;
	case SL_PG_DATE: n = "date"; break;
	case SL_PG_TIME: n = "time"; break;
	case SL_PG_TIMETZ: n = "timetz"; break;
	case SL_PG_INTERVAL: n = "interval"; break;
	case SL_PG_BYTEA: n = "bytea"; break;
	case SL_PG_MONEY: n = "money"; break;
	case SL_PG_BOOL: n = "boolean"; break;
	case SL_PG_FLOAT4: n = "real"; break;
	case SL_PG_FLOAT8: n = "double precision"; break;
	case SL_PG_INT2: n = "smallint"; break;
	case SL_PG_INT4: n = "integer"; break;
	case SL_PG_INT8: n = "bigint"; break;
	default: n = col->type_name; break;
	}
	if (n)
		snprintf(buf, cap, "%s%s", n, col->is_array ? "[]" : "");
	else
		snprintf(buf, cap, "OID %" PRIu32 "%s", col->base_oid, col->is_array ? "[]" : "");
	return buf;
}

/* (table, column, type) triples already warned about, for the process:
 * each snapshot chunk and each Relation message builds its own copy of a
 * relation, yet the warning is about the table. */
struct omit_key {
	char *k;
	size_t n;
};
static pthread_mutex_t omit_mu = PTHREAD_MUTEX_INITIALIZER;
static struct omit_key *omit_seen;
static size_t omit_n, omit_cap;

/* Whether key k[0..n) is new (and now remembered).  Out of memory it is
 * taken as new: a repeated warning beats a lost one. */
static bool omit_first(const char *k, size_t n)
{
	bool fresh = true;
	pthread_mutex_lock(&omit_mu);
	for (size_t i = 0; i < omit_n && fresh; i++)
		fresh = !(omit_seen[i].n == n && memcmp(omit_seen[i].k, k, n) == 0);
	if (fresh && omit_n == omit_cap) {
		size_t cap = omit_cap ? omit_cap * 2 : 16;
		struct omit_key *p = realloc(omit_seen, cap * sizeof *p);
		if (p) {
			omit_seen = p;
			omit_cap = cap;
		}
	}
	if (fresh && omit_n < omit_cap && (omit_seen[omit_n].k = malloc(n ? n : 1))) {
		memcpy(omit_seen[omit_n].k, k, n);
		omit_seen[omit_n++].n = n;
	}
	pthread_mutex_unlock(&omit_mu);
	return fresh;
}

/* Debezium leaves a column it has no converter for out of its events
 * (include.unknown.datatypes=false): so does sluice, and says so once.
 * With include.unknown.datatypes=true only arrays of known types that
 * Debezium has no converter for are still left out. */
static void warn_omitted(const struct sl_dbz_opts *o, const struct sl_relation *rel,
			 const struct sl_column *col)
{
	char tn[96];
	type_name(col, tn, sizeof tn);
	struct sl_buf key;
	sl_buf_init(&key, 0);
	/* NUL-separated: names may hold any other byte. */
	bool fresh = true;
	if (!sl_buf_puts(&key, rel->schema) && !sl_buf_putc(&key, '\0') &&
	    !sl_buf_puts(&key, rel->table) && !sl_buf_putc(&key, '\0') &&
	    !sl_buf_puts(&key, col->name) && !sl_buf_putc(&key, '\0') && !sl_buf_puts(&key, tn))
		fresh = omit_first(key.data, key.len);
	sl_buf_free(&key);
	if (fresh && o->include_unknown)
		sl_warn("table \"%s.%s\": column \"%s\" is left out of events: sluice has no "
			"mapping for its type %s (Debezium has no converter for it either and "
			"leaves it out even with include.unknown.datatypes=true)",
			rel->schema, rel->table, col->name, tn);
	else if (fresh)
		sl_warn("table \"%s.%s\": column \"%s\" is left out of events: sluice has no "
			"mapping for its type %s (as Debezium does with "
			"include.unknown.datatypes=false for types it cannot map)",
			rel->schema, rel->table, col->name, tn);
}

/* ---- schema rendering ---------------------------------------------------- */

#define PUT(x)                                                                            \
	do {                                                                              \
		enum sl_err e_ = (x);                                                     \
		if (e_)                                                                   \
			return e_;                                                        \
	} while (0)

static enum sl_err put_field_name(struct sl_buf *b, const char *field)
{
	if (!field)
		return SL_OK;
	PUT(sl_buf_puts(b, ",\"field\":"));
	return sl_json_cstr(b, field);
}

/* A primitive/logical schema: {"type":T,"optional":O[,"name":N,"version":1][,"doc"][,"parameters"][,"field"]} */
static enum sl_err sch_simple(struct sl_buf *b, const char *type, bool optional,
			      const char *name, const char *params, const char *field)
{
	PUT(sl_buf_appendf(b, "{\"type\":\"%s\",\"optional\":%s", type,
			   optional ? "true" : "false"));
	if (name)
		PUT(sl_buf_appendf(b, ",\"name\":\"%s\",\"version\":1", name));
	if (params)
		PUT(sl_buf_appendf(b, ",\"parameters\":%s", params));
	PUT(put_field_name(b, field));
	return sl_buf_putc(b, '}');
}

static enum sl_err sch_enum(struct sl_buf *b, const struct sl_column *c, bool optional,
			    const char *field)
{
	PUT(sl_buf_appendf(b, "{\"type\":\"string\",\"optional\":%s,"
			      "\"name\":\"io.debezium.data.Enum\",\"version\":1,"
			      "\"parameters\":{\"allowed\":",
			   optional ? "true" : "false"));
	struct sl_buf tmp;
	sl_buf_init(&tmp, 0);
	enum sl_err err = SL_OK;
	for (int i = 0; i < c->n_enum_labels && !err; i++) {
		if (i)
			err = sl_buf_putc(&tmp, ',');
		if (!err)
			err = sl_buf_puts(&tmp, c->enum_labels[i]);
	}
	if (!err)
		err = sl_json_str(b, tmp.data ? tmp.data : "", tmp.len);
	sl_buf_free(&tmp);
	PUT(err);
	PUT(sl_buf_putc(b, '}'));
	PUT(put_field_name(b, field));
	return sl_buf_putc(b, '}');
}

/* The Point struct's schema, up to and after its "optional" value. */
static const char point_schema[] =
	"{\"type\":\"struct\",\"fields\":[{\"type\":\"double\",\"optional\":false,\"field\":\"x\"},"
	"{\"type\":\"double\",\"optional\":false,\"field\":\"y\"},"
	"{\"type\":\"bytes\",\"optional\":true,\"field\":\"wkb\"},"
	"{\"type\":\"int32\",\"optional\":true,\"field\":\"srid\"}],\"optional\":";
static const char point_schema_tail[] =
	",\"name\":\"io.debezium.data.geometry.Point\",\"version\":1,\"doc\":\"Geometry (POINT)\"";
#define WKB_SRID_FIELDS                                                                    \
	"{\"type\":\"bytes\",\"optional\":false,\"field\":\"wkb\"},"                            \
	"{\"type\":\"int32\",\"optional\":true,\"field\":\"srid\"}"

/* Schema of one scalar value of kind e. */
static enum sl_err sch_scalar(struct sl_buf *b, const struct sl_dbz_opts *o,
			      const struct sl_column *c, const struct colenc *e, bool optional,
			      const char *field)
{
	char params[96];
	if (c->is_enum)
		return sch_enum(b, c, optional, field);
	switch (e->k) {
	case K_OMIT: return SL_OK;
	case K_BOOL:
	case K_BIT_BOOL: return sch_simple(b, "boolean", optional, NULL, NULL, field);
	case K_INT16: return sch_simple(b, "int16", optional, NULL, NULL, field);
	case K_INT32: return sch_simple(b, "int32", optional, NULL, NULL, field);
	case K_INT64: return sch_simple(b, "int64", optional, NULL, NULL, field);
	case K_FLOAT32: return sch_simple(b, "float", optional, NULL, NULL, field);
	case K_FLOAT64:
	case K_DEC_DOUBLE:
	case K_MONEY_DOUBLE: return sch_simple(b, "double", optional, NULL, NULL, field);
	case K_DEC_STRING:
	case K_MONEY_STRING: return sch_simple(b, "string", optional, NULL, NULL, field);
	case K_DEC_FIXED:
		snprintf(params, sizeof params,
			 "{\"scale\":\"%d\",\"connect.decimal.precision\":\"%d\"}", e->scale,
			 e->precision);
		return sch_simple(b, "bytes", optional, "org.apache.kafka.connect.data.Decimal",
				  params, field);
	case K_MONEY_PRECISE:
		snprintf(params, sizeof params, "{\"scale\":\"%d\"}", e->scale);
		return sch_simple(b, "bytes", optional, "org.apache.kafka.connect.data.Decimal",
				  params, field);
	case K_DEC_VAR:
		PUT(sl_buf_appendf(b, "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\","
				      "\"optional\":false,\"field\":\"scale\"},{\"type\":\"bytes\","
				      "\"optional\":false,\"field\":\"value\"}],\"optional\":%s,"
				      "\"name\":\"io.debezium.data.VariableScaleDecimal\","
				      "\"version\":1,\"doc\":\"Variable scaled decimal\"",
				   optional ? "true" : "false"));
		PUT(put_field_name(b, field));
		return sl_buf_putc(b, '}');
	case K_STRING: return sch_simple(b, "string", optional, e->sname, NULL, field);
	case K_TSTZ:
		return sch_simple(b, "string", optional, "io.debezium.time.ZonedTimestamp", NULL,
				  field);
	case K_TIMETZ:
		return sch_simple(b, "string", optional, "io.debezium.time.ZonedTime", NULL, field);
	case K_TS_MICRO:
	case K_TS_MILLI:
	case K_TIME_MICRO: return sch_simple(b, "int64", optional, e->sname, NULL, field);
	case K_DATE:
	case K_TIME_MILLI: return sch_simple(b, "int32", optional, e->sname, NULL, field);
	case K_INTERVAL_MICRO:
		return sch_simple(b, "int64", optional, "io.debezium.time.MicroDuration", NULL,
				  field);
	case K_INTERVAL_STRING:
		return sch_simple(b, "string", optional, "io.debezium.time.Interval", NULL, field);
	case K_BINARY:
	case K_UNKNOWN: /* binaryMode.getSchema(), as for bytea */
		return sch_simple(b, o->binary == SL_DBZ_BINARY_BYTES ? "bytes" : "string",
				  optional, NULL, NULL, field);
	case K_BITS:
		snprintf(params, sizeof params, "{\"length\":\"%d\"}", e->bits_len);
		return sch_simple(b, "bytes", optional, "io.debezium.data.Bits", params, field);
	case K_POINT:
		PUT(sl_buf_appendf(b, "%s%s", point_schema, optional ? "true" : "false"));
		PUT(sl_buf_puts(b, point_schema_tail));
		PUT(put_field_name(b, field));
		return sl_buf_putc(b, '}');
	/* Geometry (version 2), Circle and Line are optional whatever the
	 * column: their builders say so. */
	case K_GEOM_SHAPE:
	case K_POSTGIS:
		PUT(sl_buf_puts(b, "{\"type\":\"struct\",\"fields\":[" WKB_SRID_FIELDS
				   ",{\"type\":\"map\",\"keys\":{\"type\":\"string\",\"optional\":false},"
				   "\"values\":{\"type\":\"string\",\"optional\":false},"
				   "\"optional\":true,\"field\":\"extensions\"}],\"optional\":true,"
				   "\"name\":\"io.debezium.data.geometry.Geometry\",\"version\":2,"
				   "\"doc\":\"Geometry\""));
		PUT(put_field_name(b, field));
		return sl_buf_putc(b, '}');
	case K_GEOGRAPHY:
		PUT(sl_buf_appendf(b,
				   "{\"type\":\"struct\",\"fields\":[" WKB_SRID_FIELDS "],\"optional\":%s,"
				   "\"name\":\"io.debezium.data.geometry.Geography\",\"version\":1,"
				   "\"doc\":\"Geography\"",
				   optional ? "true" : "false"));
		PUT(put_field_name(b, field));
		return sl_buf_putc(b, '}');
	case K_CIRCLE:
		PUT(sl_buf_appendf(b, "{\"type\":\"struct\",\"fields\":[%sfalse%s,\"field\":\"center\"},"
				      "{\"type\":\"double\",\"optional\":false,\"field\":\"radius\"}],"
				      "\"optional\":true,\"name\":\"io.debezium.data.geometry.Circle\","
				      "\"version\":1,\"doc\":\"Geometry (CIRCLE)\"",
				   point_schema, point_schema_tail));
		PUT(put_field_name(b, field));
		return sl_buf_putc(b, '}');
	case K_LINE:
		PUT(sl_buf_puts(b, "{\"type\":\"struct\",\"fields\":["
				   "{\"type\":\"double\",\"optional\":false,\"field\":\"a\"},"
				   "{\"type\":\"double\",\"optional\":false,\"field\":\"b\"},"
				   "{\"type\":\"double\",\"optional\":false,\"field\":\"c\"}],"
				   "\"optional\":true,\"name\":\"io.debezium.data.geometry.Line\","
				   "\"version\":1,\"doc\":\"Geometry (LINE)\""));
		PUT(put_field_name(b, field));
		return sl_buf_putc(b, '}');
	case K_DVECTOR:
	case K_FVECTOR:
		PUT(sl_buf_appendf(b, "{\"type\":\"array\",\"items\":{\"type\":\"%s\",\"optional\":false},"
				      "\"optional\":%s,\"name\":\"io.debezium.data.%s\",\"version\":1",
				   e->k == K_DVECTOR ? "double" : "float", optional ? "true" : "false",
				   e->k == K_DVECTOR ? "DoubleVector" : "FloatVector"));
		PUT(put_field_name(b, field));
		return sl_buf_putc(b, '}');
	case K_SPVECTOR:
		PUT(sl_buf_appendf(b, "{\"type\":\"struct\",\"fields\":["
				      "{\"type\":\"int16\",\"optional\":false,\"field\":\"dimensions\"},"
				      "{\"type\":\"map\",\"keys\":{\"type\":\"int16\",\"optional\":false},"
				      "\"values\":{\"type\":\"double\",\"optional\":false},"
				      "\"optional\":false,\"field\":\"vector\"}],\"optional\":%s,"
				      "\"name\":\"io.debezium.data.SparseDoubleVector\",\"version\":1,"
				      "\"doc\":\"Sparse double vector\"",
				   optional ? "true" : "false"));
		PUT(put_field_name(b, field));
		return sl_buf_putc(b, '}');
	case K_HSTORE_JSON:
		return sch_simple(b, "string", optional, "io.debezium.data.Json", NULL, field);
	case K_HSTORE_MAP:
		/* SchemaBuilder.map(STRING_SCHEMA, OPTIONAL_STRING_SCHEMA) */
		PUT(sl_buf_appendf(b, "{\"type\":\"map\",\"keys\":{\"type\":\"string\","
				      "\"optional\":false},\"values\":{\"type\":\"string\","
				      "\"optional\":true},\"optional\":%s",
				   optional ? "true" : "false"));
		PUT(put_field_name(b, field));
		return sl_buf_putc(b, '}');
	}
	return SL_OK;
}

static enum sl_err sch_column(struct sl_buf *b, const struct sl_dbz_opts *o,
			      const struct sl_column *c, const struct colenc *e, bool optional)
{
	if (!e->array)
		return sch_scalar(b, o, c, e, optional, c->name);
	PUT(sl_buf_puts(b, "{\"type\":\"array\",\"items\":"));
	/* Enum and unknown-type array elements are declared required (Debezium
	 * builds those element schemas without .optional()); all others
	 * optional. */
	PUT(sch_scalar(b, o, c, e, !c->is_enum && e->k != K_UNKNOWN, NULL));
	PUT(sl_buf_appendf(b, ",\"optional\":%s", optional ? "true" : "false"));
	PUT(put_field_name(b, c->name));
	return sl_buf_putc(b, '}');
}

static const char source_schema[] =
	"{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":\"version\"},"
	"{\"type\":\"string\",\"optional\":false,\"field\":\"connector\"},"
	"{\"type\":\"string\",\"optional\":false,\"field\":\"name\"},"
	"{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"},"
	"{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Enum\",\"version\":1,"
	"\"parameters\":{\"allowed\":\"true,first,first_in_data_collection,last_in_data_collection,"
	"last,false,incremental\"},\"default\":\"false\",\"field\":\"snapshot\"},"
	"{\"type\":\"string\",\"optional\":false,\"field\":\"db\"},"
	"{\"type\":\"string\",\"optional\":true,\"field\":\"sequence\"},"
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_us\"},"
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ns\"},"
	"{\"type\":\"string\",\"optional\":false,\"field\":\"schema\"},"
	"{\"type\":\"string\",\"optional\":false,\"field\":\"table\"},"
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"txId\"},"
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"lsn\"},"
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"xmin\"}],"
	"\"optional\":false,\"name\":\"io.debezium.connector.postgresql.Source\",\"version\":1,"
	"\"field\":\"source\"}";

static const char txn_block_schema[] =
	"{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":\"id\"},"
	"{\"type\":\"int64\",\"optional\":false,\"field\":\"total_order\"},"
	"{\"type\":\"int64\",\"optional\":false,\"field\":\"data_collection_order\"}],"
	"\"optional\":true,\"name\":\"event.block\",\"version\":1,\"field\":\"transaction\"}";

static const char op_ts_schema[] =
	"{\"type\":\"string\",\"optional\":false,\"field\":\"op\"},"
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"},"
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_us\"},"
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ns\"}";

/* ---- per-relation cache ---------------------------------------------------- */

/* Pre-rendered pieces of the `source` block and the op/ts tail.  They only
 * change per transaction (streaming) or not at all (a snapshot chunk), yet
 * rendering them was most of an event's integer formatting.  Each piece is
 * keyed on exactly the inputs it renders; the strings of struct sl_dbz_opts
 * are keyed by pointer (they are borrowed and must not change in place
 * while in use, see debezium.h).  Layout of the block:
 *   head  {"version":V,"connector":"postgresql","name":N,"ts_ms":T,
 *         "snapshot":S,"db":D,"sequence":"[P,
 *   lsn   \"L\" or null
 *   mid   ]","ts_us":U,"ts_ns":U000,"schema":SC,"table":TB,"txId":X,"lsn":
 *   lsn   L or null
 *         ,"xmin":null}
 */
struct src_cache {
	bool head_ok, mid_ok, lsn_ok, tail_ok;
	/* head key */
	const char *version, *name, *db;
	char snapshot[16]; /* NUL-terminated copy; longer values are never cached */
	int64_t head_ts_us;
	uint64_t last_commit_lsn;
	struct sl_buf head;
	/* mid key (schema and table are the relation's own) */
	int64_t mid_ts_us;
	uint32_t xid;
	struct sl_buf mid;
	/* the change's LSN, both renderings */
	uint64_t lsn;
	char lsn_q[32], lsn_n[24];
	size_t lsn_qlen, lsn_nlen;
	/* ,"op":"c","ts_ms":..,"ts_us":..,"ts_ns":.. keyed on (op, now_ns) */
	char op;
	int64_t now_ns;
	char tail[128];
	size_t tail_len;
};

/* One key/value pair of an hstore value (see hs_parse). */
struct hs_pair {
	const char *k, *v; /* v NULL for a NULL value */
	size_t kn, vn;
	uint32_t h;        /* the key's java.util.HashMap hash */
	int16_t ki;        /* sparsevec: the index (k is NULL, kn 0) */
	bool dup;          /* an earlier pair has the same key (HashMap keeps that one) */
};

struct cache {
	/* options the cache was built for */
	enum sl_dbz_decimal_mode decimal;
	enum sl_dbz_time_mode time;
	enum sl_dbz_binary_mode binary;
	enum sl_dbz_interval_mode interval;
	enum sl_dbz_hstore_mode hstore;
	int money_digits;
	bool legacy;
	bool include_unknown;
	char *prefix;
	const char *prefix_ptr; /* o->topic_prefix the cache was last checked against */
	struct colenc *cols;
	struct sl_buf key_schema;   /* {"schema":{...},"payload": */
	struct sl_buf value_schema; /* {"schema":{...},"payload": */
	struct sl_buf scratch;
	/* hstore values: unescaped keys and values, their pairs, the order
	 * of java.util.HashMap and its bin counts (see hs_parse). */
	struct sl_buf hs_text;
	struct hs_pair *hs_pairs;
	uint32_t *hs_order, *hs_bins;
	size_t hs_pairs_cap, hs_order_cap, hs_bins_cap;
	/* geometric values: vertices (x,y doubles) and WKB */
	struct sl_buf geo_xy, geo_wkb;
	/* Column i's `"name":` (escaped) is names[name_off[i] .. name_off[i+1]). */
	struct sl_buf names;
	size_t *name_off;
	struct src_cache src;
};

static void cache_free(void *p)
{
	struct cache *c = p;
	if (!c)
		return;
	free(c->prefix);
	free(c->cols);
	sl_buf_free(&c->key_schema);
	sl_buf_free(&c->value_schema);
	sl_buf_free(&c->scratch);
	sl_buf_free(&c->hs_text);
	free(c->hs_pairs);
	free(c->hs_order);
	free(c->hs_bins);
	sl_buf_free(&c->geo_xy);
	sl_buf_free(&c->geo_wkb);
	sl_buf_free(&c->names);
	free(c->name_off);
	sl_buf_free(&c->src.head);
	sl_buf_free(&c->src.mid);
	free(c);
}

/* "name":"<prefix>.<schema>.<table><suffix>" as an escaped JSON string. */
static enum sl_err put_rel_name(struct sl_buf *b, const struct sl_dbz_opts *o,
				const struct sl_relation *rel, const char *suffix)
{
	struct sl_buf tmp;
	sl_buf_init(&tmp, 0);
	enum sl_err err = sl_buf_appendf(&tmp, "%s.%s.%s%s", o->topic_prefix ? o->topic_prefix : "",
					 rel->schema, rel->table, suffix);
	if (!err)
		err = sl_buf_puts(b, "\"name\":");
	if (!err)
		err = sl_json_str(b, tmp.data, tmp.len);
	sl_buf_free(&tmp);
	return err;
}

static enum sl_err value_struct_schema(struct sl_buf *b, const struct sl_dbz_opts *o,
				       const struct sl_relation *rel, const struct cache *c,
				       const char *field)
{
	PUT(sl_buf_puts(b, "{\"type\":\"struct\",\"fields\":["));
	bool first = true;
	for (int i = 0; i < rel->ncols; i++) {
		const struct sl_column *col = &rel->cols[i];
		if (col->excluded || c->cols[i].k == K_OMIT)
			continue;
		if (!first)
			PUT(sl_buf_putc(b, ','));
		first = false;
		PUT(sch_column(b, o, col, &c->cols[i], col->optional));
	}
	PUT(sl_buf_puts(b, "],\"optional\":true,"));
	PUT(put_rel_name(b, o, rel, ".Value"));
	PUT(put_field_name(b, field));
	return sl_buf_putc(b, '}');
}

static enum sl_err build_cache(const struct sl_dbz_opts *o, const struct sl_relation *rel,
			       struct cache *c)
{
	c->decimal = o->decimal;
	c->time = o->time;
	c->binary = o->binary;
	c->interval = o->interval;
	c->hstore = o->hstore;
	c->money_digits = o->money_fraction_digits;
	c->legacy = o->legacy_txn_last;
	c->include_unknown = o->include_unknown;
	c->prefix = strdup(o->topic_prefix ? o->topic_prefix : "");
	c->prefix_ptr = o->topic_prefix;
	c->cols = calloc((size_t)(rel->ncols ? rel->ncols : 1), sizeof *c->cols);
	if (!c->prefix || !c->cols)
		return SL_ERR_NOMEM;
	for (int i = 0; i < rel->ncols; i++) {
		classify(o, &rel->cols[i], &c->cols[i]);
		if (c->cols[i].k == K_OMIT && !rel->cols[i].excluded)
			warn_omitted(o, rel, &rel->cols[i]);
	}
	c->name_off = calloc((size_t)rel->ncols + 1, sizeof *c->name_off);
	if (!c->name_off)
		return SL_ERR_NOMEM;
	for (int i = 0; i < rel->ncols; i++) {
		c->name_off[i] = c->names.len;
		PUT(sl_json_cstr(&c->names, rel->cols[i].name));
		PUT(sl_buf_putc(&c->names, ':'));
	}
	c->name_off[rel->ncols] = c->names.len;

	/* Key: {"type":"struct","fields":[...],"optional":false,"name":"<p>.<s>.<t>.Key"} */
	struct sl_buf *k = &c->key_schema;
	PUT(sl_buf_puts(k, "{\"schema\":{\"type\":\"struct\",\"fields\":["));
	bool first = true;
	for (int i = 0; i < rel->ncols; i++) {
		const struct sl_column *col = &rel->cols[i];
		if (!col->is_key || c->cols[i].k == K_OMIT)
			continue;
		if (!first)
			PUT(sl_buf_putc(k, ','));
		first = false;
		PUT(sch_column(k, o, col, &c->cols[i], col->optional));
	}
	PUT(sl_buf_puts(k, "],\"optional\":false,"));
	PUT(put_rel_name(k, o, rel, ".Key"));
	PUT(sl_buf_puts(k, "},\"payload\":"));

	/* Envelope (3.x order: before, after, source, transaction, op, ts_*;
	 * up to 2.6 transaction came last). */
	struct sl_buf *v = &c->value_schema;
	PUT(sl_buf_puts(v, "{\"schema\":{\"type\":\"struct\",\"fields\":["));
	PUT(value_struct_schema(v, o, rel, c, "before"));
	PUT(sl_buf_putc(v, ','));
	PUT(value_struct_schema(v, o, rel, c, "after"));
	PUT(sl_buf_putc(v, ','));
	PUT(sl_buf_puts(v, source_schema));
	PUT(sl_buf_putc(v, ','));
	if (!o->legacy_txn_last) {
		PUT(sl_buf_puts(v, txn_block_schema));
		PUT(sl_buf_putc(v, ','));
	}
	PUT(sl_buf_puts(v, op_ts_schema));
	if (o->legacy_txn_last) {
		PUT(sl_buf_putc(v, ','));
		PUT(sl_buf_puts(v, txn_block_schema));
	}
	PUT(sl_buf_puts(v, "],\"optional\":false,"));
	PUT(put_rel_name(v, o, rel, ".Envelope"));
	PUT(sl_buf_appendf(v, ",\"version\":%d},\"payload\":", o->legacy_txn_last ? 1 : 2));
	return SL_OK;
}

static enum sl_err get_cache(const struct sl_dbz_opts *o, const struct sl_relation *crel,
			     struct cache **out, struct sl_errbuf *eb)
{
	/* The cache slot is the one mutable part of a relation (see event.h). */
	struct sl_relation *rel = (struct sl_relation *)(uintptr_t)crel;
	struct cache *c = rel->enc_cache;
	if (c && rel->enc_cache_free == cache_free && c->decimal == o->decimal &&
	    c->time == o->time && c->binary == o->binary && c->interval == o->interval &&
	    c->hstore == o->hstore && c->money_digits == o->money_fraction_digits &&
	    c->legacy == o->legacy_txn_last && c->include_unknown == o->include_unknown &&
	    (c->prefix_ptr == o->topic_prefix ||
	     strcmp(c->prefix, o->topic_prefix ? o->topic_prefix : "") == 0)) {
		c->prefix_ptr = o->topic_prefix;
		*out = c;
		return SL_OK;
	}
	if (rel->enc_cache && rel->enc_cache_free)
		rel->enc_cache_free(rel->enc_cache);
	rel->enc_cache = NULL;
	rel->enc_cache_free = NULL;
	c = calloc(1, sizeof *c);
	if (!c)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	enum sl_err err = build_cache(o, crel, c);
	if (err) {
		cache_free(c);
		return sl_err_set(eb, err, "could not build the event schema of table \"%s.%s\"",
				  crel->schema, crel->table);
	}
	rel->enc_cache = c;
	rel->enc_cache_free = cache_free;
	*out = c;
	return SL_OK;
}

/* The `schema` object inside the cached {"schema":S,"payload": prefix. */
enum sl_err sl_dbz_value_schema(const struct sl_dbz_opts *o, const struct sl_relation *rel,
				const char **schema, size_t *len, struct sl_errbuf *eb)
{
	static const char head[] = "{\"schema\":", tail[] = ",\"payload\":";
	if (!o || !rel)
		return sl_err_set(eb, SL_ERR_ARG, "value schema without a relation");
	struct cache *c;
	enum sl_err err = get_cache(o, rel, &c, eb);
	if (err)
		return err;
	/* build_cache() renders it whatever o->value_schemas says. */
	const struct sl_buf *v = &c->value_schema;
	if (v->len < sizeof head - 1 + sizeof tail - 1 ||
	    memcmp(v->data, head, sizeof head - 1) != 0 ||
	    memcmp(v->data + v->len - (sizeof tail - 1), tail, sizeof tail - 1) != 0)
		return sl_err_set(eb, SL_ERR_STATE, "no value schema for table \"%s.%s\"",
				  rel->schema, rel->table);
	*schema = v->data + sizeof head - 1;
	*len = v->len - (sizeof head - 1) - (sizeof tail - 1);
	return SL_OK;
}

/* ---- value rendering ------------------------------------------------------- */

/* Encoding context of one change, for error messages and scratch space. */
struct ctx {
	const struct sl_dbz_opts *o;
	const struct sl_relation *rel;
	struct cache *c;
	struct sl_errbuf *eb;
};

static enum sl_err bad_value(struct ctx *x, const struct sl_column *col, const char *s, size_t n)
{
	char tn[96];
	return sl_err_set(x->eb, SL_ERR_PROTO,
			  "could not encode column \"%s\" of table \"%s.%s\": invalid %s value \"%.*s\"",
			  col->name, x->rel->schema, x->rel->table, type_name(col, tn, sizeof tn),
			  (int)(n > 64 ? 64 : n), s);
}

/* ---- hstore -----------------------------------------------------------------
 * Debezium reads hstore text with pgjdbc's HStoreConverter.fromString()
 * into a java.util.HashMap, then writes the map's entries in iteration
 * order: as a JSON object text through Jackson (hstore.handling.mode=json)
 * or as a Connect map the JsonConverter prints as an object (map).  That
 * order is reproduced here: bins by String.hashCode() of the key, spread
 * as HashMap.hash() does, in a table sized by the same puts; within a bin,
 * insertion order.  Not modelled: a bin of 9 or more keys in a table of
 * 64 or more bins becomes a red-black tree with an order of its own; it
 * takes 9 keys whose spread hashes share their low 6+ bits. */


/* HashMap.hash(key): String.hashCode() over the key's UTF-16 code units
 * (invalid UTF-8 bytes read as U+FFFD, as sl_json_str() writes them),
 * then h ^ (h >>> 16). */
static uint32_t java_hash(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	uint32_t h = 0;
	while (p < end) {
		uint32_t cp;
		size_t l = *p < 0x80 ? 1 : sl_json_utf8_len(p, (size_t)(end - p));
		if (l == 1)
			cp = *p;
		else if (l == 0)
			cp = 0xFFFD, l = 1;
		else {
			cp = p[0] & (0xFF >> (l + 1));
			for (size_t i = 1; i < l; i++)
				cp = (cp << 6) | (p[i] & 0x3F);
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			h = 31 * h + (0xD800 + (cp >> 10));
			h = 31 * h + (0xDC00 + (cp & 0x3FF));
		} else {
			h = 31 * h + cp;
		}
		p += l;
	}
	return h ^ (h >> 16);
}

static enum sl_err grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return SL_OK;
	size_t n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n * size);
	if (!q)
		return SL_ERR_NOMEM;
	*p = q;
	*cap = n;
	return SL_OK;
}

/* Bin counts of the first `upto` live pairs in a table of `bins` bins. */
static void hs_count(struct cache *c, size_t upto, size_t bins)
{
	memset(c->hs_bins, 0, bins * sizeof *c->hs_bins);
	for (size_t i = 0; i < upto; i++)
		if (!c->hs_pairs[i].dup)
			c->hs_bins[c->hs_pairs[i].h & (bins - 1)]++;
}

static enum sl_err jmap_order(struct cache *c, size_t np, bool unique, size_t *count);

/* Parse hstore text s[0..n) into c->hs_pairs and put the indexes of the
 * live pairs, in HashMap iteration order, into c->hs_order.  *count gets
 * their number. */
static enum sl_err hs_parse(struct ctx *x, const struct sl_column *col, const char *s, size_t n,
			    size_t *count)
{
	struct cache *c = x->c;
	sl_buf_reset(&c->hs_text);
	PUT(sl_buf_reserve(&c->hs_text, n));
	struct sl_pgtext_hstore_iter it;
	sl_pgtext_hstore_begin(&it, s, n, c->hs_text.data);
	size_t np = 0;
	bool sorted = true; /* keys ascending as hstore stores them: then unique */
	for (;;) {
		struct hs_pair pr = {0};
		int r = sl_pgtext_hstore_next(&it, &pr.k, &pr.kn, &pr.v, &pr.vn);
		if (r == 0)
			break;
		if (r < 0)
			return bad_value(x, col, s, n);
		if (np > UINT32_MAX - 1)
			return SL_ERR_TOO_LARGE;
		PUT(grow((void **)&c->hs_pairs, &c->hs_pairs_cap, np + 1, sizeof *c->hs_pairs));
		pr.h = java_hash(pr.k, pr.kn);
		if (np) {
			const struct hs_pair *q = &c->hs_pairs[np - 1];
			sorted = sorted && (q->kn < pr.kn ||
					    (q->kn == pr.kn && memcmp(q->k, pr.k, pr.kn) < 0));
		}
		c->hs_pairs[np++] = pr;
	}
	return jmap_order(c, np, sorted, count);
}

/* The first np pairs of c->hs_pairs as one java.util.HashMap<>() gets
 * them by put(): drop repeated keys (`unique` when known to be none), and
 * put the indexes of the others, in iteration order, into c->hs_order.
 * Keys are equal when their hashes and their bytes are. */
static enum sl_err jmap_order(struct cache *c, size_t np, bool unique, size_t *count)
{
	bool sorted = unique;
	struct hs_pair *p = c->hs_pairs;
	/* A repeated key (never in hstore's own output): HashMap.put() keeps
	 * the first entry's place with the last value. */
	for (size_t i = 1; !sorted && i < np; i++)
		for (size_t j = 0; j < i; j++)
			if (!p[j].dup && p[j].h == p[i].h && p[j].kn == p[i].kn &&
			    (p[i].kn == 0 || memcmp(p[j].k, p[i].k, p[i].kn) == 0)) {
				p[j].v = p[i].v;
				p[j].vn = p[i].vn;
				p[i].dup = true;
				break;
			}
	/* The table size after these puts into new HashMap<>(): 16 bins,
	 * doubled when the size passes 3/4 of them, and when a put makes a
	 * bin of 9 while there are fewer than 64 (treeifyBin() resizes). */
	size_t bins = 16, live = 0;
	PUT(grow((void **)&c->hs_bins, &c->hs_bins_cap, bins, sizeof *c->hs_bins));
	hs_count(c, 0, bins);
	for (size_t i = 0; i < np; i++) {
		if (p[i].dup)
			continue;
		live++;
		size_t nb = bins;
		if (++c->hs_bins[p[i].h & (bins - 1)] >= 9 && bins < 64)
			nb *= 2;
		if (live > nb / 4 * 3)
			nb *= 2;
		if (nb != bins) {
			bins = nb;
			PUT(grow((void **)&c->hs_bins, &c->hs_bins_cap, bins, sizeof *c->hs_bins));
			hs_count(c, i + 1, bins);
		}
	}
	/* Iteration: bin by bin, each in insertion order (a counting sort). */
	PUT(grow((void **)&c->hs_order, &c->hs_order_cap, live ? live : 1, sizeof *c->hs_order));
	hs_count(c, np, bins);
	uint32_t at = 0;
	for (size_t b = 0; b < bins; b++) {
		uint32_t k = c->hs_bins[b];
		c->hs_bins[b] = at;
		at += k;
	}
	for (size_t i = 0; i < np; i++)
		if (!p[i].dup)
			c->hs_order[c->hs_bins[p[i].h & (bins - 1)]++] = (uint32_t)i;
	*count = live;
	return SL_OK;
}

/* An hstore value as the JSON object {"k":"v","k2":null} (both modes). */
static enum sl_err put_hstore_object(struct ctx *x, struct sl_buf *b, const struct sl_column *col,
				     const char *s, size_t n)
{
	size_t np = 0;
	PUT(hs_parse(x, col, s, n, &np));
	PUT(sl_buf_putc(b, '{'));
	for (size_t i = 0; i < np; i++) {
		const struct hs_pair *p = &x->c->hs_pairs[x->c->hs_order[i]];
		if (i)
			PUT(sl_buf_putc(b, ','));
		PUT(sl_json_str(b, p->k, p->kn));
		PUT(sl_buf_putc(b, ':'));
		PUT(p->v ? sl_json_str(b, p->v, p->vn) : sl_buf_puts(b, "null"));
	}
	return sl_buf_putc(b, '}');
}

static enum sl_err put_binary(struct sl_buf *b, enum sl_dbz_binary_mode m, const void *p, size_t n)
{
	switch (m) {
	case SL_DBZ_BINARY_HEX: return sl_json_hex(b, p, n);
	case SL_DBZ_BINARY_BASE64_URL: return sl_json_base64(b, p, n, 1);
	default: return sl_json_base64(b, p, n, 0);
	}
}

/* Fixed-width zero-padded decimal, the hot-path replacement for "%0*d". */
static enum sl_err put_padded(struct sl_buf *b, int64_t v, int width)
{
	char tmp[24];
	int n = 0;
	uint64_t u = (uint64_t)(v < 0 ? -v : v);
	do {
		tmp[sizeof tmp - 1 - n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u && n < 20);
	while (n < width && n < 20)
		tmp[sizeof tmp - 1 - n++] = '0';
	return sl_buf_append(b, tmp + sizeof tmp - n, (size_t)n);
}

/* v (0 <= v < 10^w) as exactly w zero-padded digits. */
static void put_digits(char *out, int v, int w)
{
	for (int i = w - 1; i >= 0; i--, v /= 10)
		out[i] = (char)('0' + v % 10);
}

/* ISO local time "HH:MM:SS[.fraction]" with java.time's ISO_LOCAL_TIME
 * rule (fraction trimmed of trailing zeros) or a fixed width. */
static enum sl_err put_hms(struct sl_buf *b, int64_t us_of_day, int fixed_width)
{
	int64_t sec = us_of_day / 1000000, frac = us_of_day % 1000000;
	PUT(put_padded(b, sec / 3600, 2));
	PUT(sl_buf_putc(b, ':'));
	PUT(put_padded(b, sec / 60 % 60, 2));
	PUT(sl_buf_putc(b, ':'));
	PUT(put_padded(b, sec % 60, 2));
	char f[16];
	for (int i = 5, v = (int)frac; i >= 0; i--, v /= 10)
		f[i] = (char)('0' + v % 10);
	f[6] = '\0';
	int w;
	if (fixed_width >= 0) {
		w = fixed_width;
	} else {
		w = 6;
		while (w > 0 && f[w - 1] == '0')
			w--;
	}
	if (w > 0) {
		PUT(sl_buf_putc(b, '.'));
		PUT(sl_buf_append(b, f, (size_t)w));
	}
	return SL_OK;
}

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* ZonedTimestamp: yyyy-MM-ddTHH:mm:ss[.f{width}]Z in UTC.  Years outside
 * 0000..9999 use java.time's signed form (+10000, -0001). */
static enum sl_err put_zoned_ts(struct sl_buf *b, int64_t us, int width)
{
	int64_t days = floordiv(us, 86400000000LL);
	int64_t tod = us - days * 86400000000LL;
	int64_t y;
	int m, d;
	sl_civil_from_days(days, &y, &m, &d);
	if (y >= 0 && y <= 9999 && width >= 0 && width <= 6) {
		/* The common case in one go: "yyyy-MM-ddTHH:mm:ss[.f]Z". */
		char t[40];
		int64_t sec = tod / 1000000, frac = tod % 1000000;
		put_digits(t, (int)y, 4);
		t[4] = '-';
		put_digits(t + 5, m, 2);
		t[7] = '-';
		put_digits(t + 8, d, 2);
		t[10] = 'T';
		put_digits(t + 11, (int)(sec / 3600), 2);
		t[13] = ':';
		put_digits(t + 14, (int)(sec / 60 % 60), 2);
		t[16] = ':';
		put_digits(t + 17, (int)(sec % 60), 2);
		size_t n = 19;
		if (width > 0) {
			/* Microseconds, then zeros past the sixth digit, cut to width. */
			char f[10];
			put_digits(f, (int)frac, 6);
			memset(f + 6, '0', 3);
			t[n++] = '.';
			memcpy(t + n, f, (size_t)width);
			n += (size_t)width;
		}
		t[n++] = 'Z';
		t[n++] = '"';
		PUT(sl_buf_putc(b, '"'));
		return sl_buf_append(b, t, n);
	}
	PUT(sl_buf_putc(b, '"'));
	if (y > 9999)
		PUT(sl_buf_appendf(b, "+%" PRId64, y));
	else if (y < 0) {
		PUT(sl_buf_putc(b, '-'));
		PUT(put_padded(b, -y, 4));
	} else {
		PUT(put_padded(b, y, 4));
	}
	PUT(sl_buf_putc(b, '-'));
	PUT(put_padded(b, m, 2));
	PUT(sl_buf_putc(b, '-'));
	PUT(put_padded(b, d, 2));
	PUT(sl_buf_putc(b, 'T'));
	PUT(put_hms(b, tod, width));
	return sl_buf_puts(b, "Z\"");
}

static enum sl_err put_numeric_struct(struct sl_buf *b, int scale, const uint8_t *u, size_t n)
{
	PUT(sl_buf_appendf(b, "{\"scale\":%d,\"value\":", scale));
	PUT(sl_json_base64(b, u, n, 0));
	return sl_buf_putc(b, '}');
}

/* Unscaled bytes of a finite numeric, into sb (emptied first). */
static enum sl_err unscaled_into(struct sl_buf *sb, const struct sl_pgtext_numeric *num, int scale,
				 const uint8_t **u, size_t *n)
{
	size_t need = (num->nip + (size_t)(scale > 0 ? scale : 0)) / 2 + 8;
	sl_buf_reset(sb);
	PUT(sl_buf_reserve(sb, need));
	*n = sl_pgtext_numeric_unscaled(num, scale, (uint8_t *)sb->data, need);
	*u = (const uint8_t *)sb->data;
	return *n ? SL_OK : SL_ERR_NOMEM;
}

/* Unscaled bytes of a finite numeric, into the cache's scratch buffer. */
static enum sl_err unscaled(struct ctx *x, const struct sl_pgtext_numeric *num, int scale,
			    const uint8_t **u, size_t *n)
{
	return unscaled_into(&x->c->scratch, num, scale, u, n);
}

/* NaN/Infinity numerics have no Connect Decimal form. */
static enum sl_err precise_special(struct ctx *x, const struct sl_column *col, const char *s,
				   size_t n)
{
	return sl_err_set(x->eb, SL_ERR_PROTO,
			  "could not encode column \"%s\" of table \"%s.%s\": "
			  "numeric value %.*s cannot be represented with "
			  "decimal.handling.mode=precise; set it to \"string\" or \"double\"",
			  col->name, x->rel->schema, x->rel->table, (int)n, s);
}

/* Money text ("$1,234.56", "-$1,234.56", "($5.00)") -> plain decimal. */
static bool money_plain(const char *s, size_t n, char *out, size_t cap, size_t *olen)
{
	size_t o = 0;
	bool neg = false, dot = false, any = false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '-' || ch == '(')
			neg = true;
		else if (ch >= '0' && ch <= '9') {
			if (o + 2 >= cap)
				return false;
			if (!any && neg)
				out[o++] = '-';
			out[o++] = ch;
			any = true;
		} else if (ch == '.' && !dot && any) {
			out[o++] = '.';
			dot = true;
		}
	}
	*olen = o;
	return any;
}

/* Java's BigDecimal.setScale(scale, HALF_UP) on a plain decimal string,
 * written as unscaled two's complement (precise money). */
static enum sl_err put_money_precise(struct ctx *x, struct sl_buf *b, const char *plain,
				     size_t n, int scale)
{
	struct sl_pgtext_numeric num;
	if (!sl_pgtext_parse_numeric(plain, n, &num))
		return SL_ERR_PROTO;
	/* Round half up at `scale` fraction digits: add one unit when the
	 * first dropped digit is >= 5, by rendering into a digit buffer. */
	char dig[64];
	size_t nd = 0;
	if (num.nip + (size_t)scale + 2 > sizeof dig)
		return SL_ERR_PROTO;
	for (size_t i = 0; i < num.nip; i++)
		dig[nd++] = num.ip[i];
	for (int i = 0; i < scale; i++)
		dig[nd++] = (size_t)i < num.nfp ? num.fp[i] : '0';
	bool up = (size_t)scale < num.nfp && num.fp[scale] >= '5';
	if (up) {
		size_t k = nd;
		while (k > 0) {
			if (dig[k - 1] == '9') {
				dig[--k] = '0';
				continue;
			}
			dig[k - 1]++;
			break;
		}
		if (k == 0) {
			memmove(dig + 1, dig, nd);
			dig[0] = '1';
			nd++;
		}
	}
	struct sl_pgtext_numeric r = {.special = SL_PG_NUM_FINITE, .neg = num.neg, .ip = dig, .nip = nd};
	uint8_t u[40];
	size_t un = sl_pgtext_numeric_unscaled(&r, 0, u, sizeof u);
	if (!un)
		return SL_ERR_PROTO;
	(void)x;
	return sl_json_base64(b, u, un, 0);
}

static enum sl_err put_interval_string(struct sl_buf *b, const struct sl_pgtext_interval *iv)
{
	PUT(sl_buf_appendf(b, "\"P%" PRId64 "Y%" PRId64 "M%" PRId64 "DT%" PRId64 "H%" PRId64 "M",
			   iv->years, iv->months, iv->days, iv->hours, iv->minutes));
	int64_t s = iv->seconds, f = iv->micros;
	bool neg = s < 0 || f < 0;
	if (neg)
		PUT(sl_buf_putc(b, '-'));
	PUT(sl_buf_appendf(b, "%" PRId64, s < 0 ? -s : s));
	if (f) {
		char fr[24];
		snprintf(fr, sizeof fr, "%06d", (int)((f < 0 ? -f : f) % 1000000));
		int w = 6;
		while (w > 0 && fr[w - 1] == '0')
			w--;
		PUT(sl_buf_putc(b, '.'));
		PUT(sl_buf_append(b, fr, (size_t)w));
	}
	return sl_buf_puts(b, "S\"");
}

/* Debezium's MicroDuration.durationMicros with 365.25/12 days per month,
 * evaluated in the same double arithmetic. */
static int64_t interval_micros(const struct sl_pgtext_interval *iv)
{
	double seconds = (double)iv->seconds + (double)iv->micros / 1000000.0;
	double days_per_month = 365.25 / 12.0;
	double ndays = (double)(int32_t)(iv->years * 12 + iv->months) * days_per_month +
		       (double)iv->days;
	double nsec = ((ndays * 24.0 + (double)iv->hours) * 60.0 + (double)iv->minutes) * 60.0 +
		      seconds;
	double us = nsec * 1000000.0;
	if (us >= 9.2233720368547758e18)
		return INT64_MAX;
	if (us <= -9.2233720368547758e18)
		return INT64_MIN;
	return (int64_t)us;
}

/* ---- text fast paths ------------------------------------------------------
 * PostgreSQL's output for the commonest types is already (nearly) the JSON
 * Debezium wants.  When the text has exactly the canonical shape, it is
 * validated and copied instead of parsed to a number and formatted back;
 * anything else returns false and takes the general path, which produces
 * the same bytes (or the error) as before. */

/* Integers: "[-]digits" without leading zeros, short enough not to
 * overflow; range-checked for int2/int4. */
static bool put_int_text(struct sl_buf *b, enum kind k, const char *s, size_t n,
			 enum sl_err *err)
{
	size_t i = n && s[0] == '-' ? 1 : 0;
	size_t nd = n - i;
	if (nd == 0 || nd > 18 || (s[i] == '0' && (nd > 1 || i)))
		return false;
	int64_t v = 0;
	for (size_t j = i; j < n; j++) {
		unsigned d = (unsigned)(unsigned char)s[j] - '0';
		if (d > 9)
			return false;
		v = v * 10 + (int64_t)d;
	}
	if (i)
		v = -v;
	if ((k == K_INT16 && (v < INT16_MIN || v > INT16_MAX)) ||
	    (k == K_INT32 && (v < INT32_MIN || v > INT32_MAX)))
		return false;
	*err = sl_buf_append(b, s, n);
	return true;
}

static bool two_digits(const char *s, int *v)
{
	unsigned a = (unsigned)(unsigned char)s[0] - '0', c = (unsigned)(unsigned char)s[1] - '0';
	if (a > 9 || c > 9)
		return false;
	*v = (int)(a * 10 + c);
	return true;
}

/* timestamptz in UTC, "YYYY-MM-DD HH:MM:SS[.f{1,6}]+00" (DateStyle=ISO,
 * TimeZone=UTC), as ZonedTimestamp "YYYY-MM-DDTHH:MM:SS[.f{width}]Z":
 * the same fields, so no epoch round trip.  Years 0001..9999 only. */
static bool put_tstz_text(struct sl_buf *b, const char *s, size_t n, int width, enum sl_err *err)
{
	if (n < 22 || n > 29 || width < 0 || width > 6 || memcmp(s + n - 3, "+00", 3) ||
	    s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
		return false;
	int y1, y2, mo, d, h, mi, se;
	if (!two_digits(s, &y1) || !two_digits(s + 2, &y2) || !two_digits(s + 5, &mo) ||
	    !two_digits(s + 8, &d) || !two_digits(s + 11, &h) || !two_digits(s + 14, &mi) ||
	    !two_digits(s + 17, &se))
		return false;
	int y = y1 * 100 + y2;
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || se > 59)
		return false;
	char f[6] = {'0', '0', '0', '0', '0', '0'};
	size_t fl = n - 22; /* ".ddd" */
	if (fl) {
		if (fl < 2 || s[19] != '.')
			return false;
		for (size_t i = 0; i + 1 < fl; i++) {
			if ((unsigned)(unsigned char)s[20 + i] - '0' > 9)
				return false;
			f[i] = s[20 + i];
		}
	}
	char t[40];
	t[0] = '"';
	memcpy(t + 1, s, 10);
	t[11] = 'T';
	memcpy(t + 12, s + 11, 8);
	size_t o = 20;
	if (width > 0) {
		t[o++] = '.';
		memcpy(t + o, f, (size_t)width);
		o += (size_t)width;
	}
	t[o++] = 'Z';
	t[o++] = '"';
	*err = sl_buf_append(b, t, o);
	return true;
}

/* Values Debezium derives from PGStatement.DATE_POSITIVE/NEGATIVE_INFINITY. */
#define PG_INF_US 9223372036825200000LL
#define PG_NINF_US (-9223372036832400000LL)

/* A float8 (K_FLOAT64) or a numeric as a double (K_DEC_DOUBLE, whose
 * NaN and infinities are numeric's own spellings). */
static bool parse_f64(const struct colenc *e, const char *s, size_t n, double *d)
{
	struct sl_pgtext_numeric num;
	if (e->k == K_DEC_DOUBLE && sl_pgtext_parse_numeric(s, n, &num) &&
	    num.special != SL_PG_NUM_FINITE) {
		*d = num.special == SL_PG_NUM_NAN ? __builtin_nan("")
		     : num.special == SL_PG_NUM_POS_INF ? __builtin_inf()
							: -__builtin_inf();
		return true;
	}
	return sl_pgtext_parse_double(s, n, d);
}

/* ---- geometric, PostGIS and pgvector values --------------------------------- */

static enum sl_err put_scalar(struct ctx *x, struct sl_buf *b, const struct sl_column *col,
			      const struct colenc *e, const char *s, size_t n);

/* A Point struct: {"x":X,"y":Y,"wkb":<WKB of the point>,"srid":null}. */
static enum sl_err put_point_struct(struct sl_buf *b, double px, double py)
{
	uint8_t wkb[SL_WKB_POINT_LEN];
	sl_pggeo_wkb_point_bytes(wkb, px, py);
	PUT(sl_buf_puts(b, "{\"x\":"));
	PUT(sl_json_f64(b, px));
	PUT(sl_buf_puts(b, ",\"y\":"));
	PUT(sl_json_f64(b, py));
	PUT(sl_buf_puts(b, ",\"wkb\":"));
	PUT(sl_json_base64(b, wkb, sizeof wkb, 0));
	return sl_buf_puts(b, ",\"srid\":null}");
}

static const char *const shape_names[] = {"box", "lseg", "path", "polygon"};

/* A Geometry struct for a native shape whose vertices are xy[0..2*np):
 * the WKB Debezium builds (a box is a closed ring of its two corners, a
 * polygon one ring of its vertices, lseg and path are LINESTRINGs), no
 * SRID, and the extensions naming the type.  closed < 0 leaves a path's
 * "closed" out. */
static enum sl_err put_geom_shape_xy(struct cache *c, struct sl_buf *b, enum sl_pggeo_shape shape,
				     const double *xy, size_t np, int closed)
{
	struct sl_buf *w = &c->geo_wkb;
	sl_buf_reset(w);
	switch (shape) {
	case SL_GEO_BOX: {
		const double ring[10] = {xy[0], xy[1], xy[0], xy[3], xy[2],
					 xy[3], xy[2], xy[1], xy[0], xy[1]};
		PUT(sl_pggeo_wkb_polygon(w, ring, 5));
		break;
	}
	case SL_GEO_LSEG:
	case SL_GEO_PATH: PUT(sl_pggeo_wkb_linestring(w, xy, np)); break;
	case SL_GEO_POLYGON: PUT(sl_pggeo_wkb_polygon(w, xy, np)); break;
	}
	PUT(sl_buf_puts(b, "{\"wkb\":"));
	PUT(sl_json_base64(b, w->data, w->len, 0));
	PUT(sl_buf_appendf(b, ",\"srid\":null,\"extensions\":{\"type\":\"%s\"", shape_names[shape]));
	if (shape == SL_GEO_PATH && closed >= 0)
		PUT(sl_buf_puts(b, closed ? ",\"closed\":\"true\"" : ",\"closed\":\"false\""));
	return sl_buf_puts(b, "}}");
}

static enum sl_err put_geom_shape(struct ctx *x, struct sl_buf *b, const struct sl_column *col,
				  const struct colenc *e, const char *s, size_t n)
{
	struct cache *c = x->c;
	size_t np;
	bool closed;
	struct sl_buf *v = &c->geo_xy;
	sl_buf_reset(v);
	if (!sl_pggeo_parse(e->shape, s, n, v, &np, &closed))
		return bad_value(x, col, s, n);
	const double *xy = (const double *)(void *)v->data;
	if (e->shape == SL_GEO_POLYGON && np >= 2 &&
	    (xy[0] != xy[2 * np - 2] || xy[1] != xy[2 * np - 1])) {
		/* Debezium closes the ring: the first vertex again */
		const double first[2] = {xy[0], xy[1]};
		PUT(sl_buf_append(v, first, sizeof first));
		xy = (const double *)(void *)v->data;
		np++;
	}
	return put_geom_shape_xy(c, b, e->shape, xy, np, closed);
}

/* PostGIS geometry (Geometry, no extensions) or geography: the EWKB as
 * PostGIS wrote it and the SRID it carries. */
static enum sl_err put_postgis(struct ctx *x, struct sl_buf *b, const struct sl_column *col,
			       const struct colenc *e, const char *s, size_t n)
{
	struct sl_buf *w = &x->c->geo_wkb;
	bool has_srid;
	int32_t srid;
	sl_buf_reset(w);
	if (!sl_pggeo_ewkb_from_hex(s, n, w, &has_srid, &srid))
		return bad_value(x, col, s, n);
	PUT(sl_buf_puts(b, "{\"wkb\":"));
	PUT(sl_json_base64(b, w->data, w->len, 0));
	PUT(sl_buf_puts(b, ",\"srid\":"));
	PUT(has_srid ? sl_json_i64(b, srid) : sl_buf_puts(b, "null"));
	return sl_buf_puts(b, e->k == K_POSTGIS ? ",\"extensions\":null}" : "}");
}

/* vector / halfvec: a JSON array of doubles / floats. */
static enum sl_err put_vector(struct ctx *x, struct sl_buf *b, const struct sl_column *col,
			      const struct colenc *e, const char *s, size_t n)
{
	struct sl_pgvec_vec_iter it;
	if (!sl_pgvec_vector_begin(&it, s, n))
		return bad_value(x, col, s, n);
	const struct colenc el = {.k = e->k == K_DVECTOR ? K_FLOAT64 : K_FLOAT32};
	PUT(sl_buf_putc(b, '['));
	for (bool first = true;; first = false) {
		const char *v;
		size_t vn;
		int r = sl_pgvec_vector_next(&it, &v, &vn);
		if (r == 0)
			break;
		if (r < 0)
			return bad_value(x, col, s, n);
		if (!first)
			PUT(sl_buf_putc(b, ','));
		PUT(put_scalar(x, b, col, &el, v, vn));
	}
	return sl_buf_putc(b, ']');
}

/* An int16 as Short.parseShort() reads it. */
static bool parse_short(const char *s, size_t n, int16_t *out)
{
	int64_t v;
	if (!sl_pgtext_parse_int64(s, n, &v) || v < INT16_MIN || v > INT16_MAX)
		return false;
	*out = (int16_t)v;
	return true;
}

/* sparsevec: {"dimensions":D,"vector":[[index,value],...]}.  The map has
 * int16 keys, which the JsonConverter writes as [key, value] pairs, in
 * the order of the java.util.HashMap Debezium fills.  An empty vector is
 * null, as Debezium's parser makes it. */
static enum sl_err put_sparsevec(struct ctx *x, struct sl_buf *b, const struct sl_column *col,
				 const char *s, size_t n)
{
	struct cache *c = x->c;
	struct sl_pgvec_vec_iter it;
	const char *d;
	size_t dn;
	int16_t dims;
	if (!sl_pgvec_sparsevec_begin(&it, s, n, &d, &dn))
		return bad_value(x, col, s, n);
	if (!parse_short(d, dn, &dims))
		return sl_err_set(x->eb, SL_ERR_PROTO,
				  "could not encode column \"%s\" of table \"%s.%s\": sparsevec of %.*s "
				  "dimensions; Debezium's SparseDoubleVector holds at most 32767",
				  col->name, x->rel->schema, x->rel->table, (int)(dn > 24 ? 24 : dn), d);
	size_t np = 0;
	bool ascending = true;
	for (;;) {
		struct hs_pair pr = {0};
		const char *k;
		size_t kn;
		int r = sl_pgvec_sparsevec_next(&it, &k, &kn, &pr.v, &pr.vn);
		if (r == 0)
			break;
		if (r < 0 || !parse_short(k, kn, &pr.ki) || pr.vn == 0)
			return bad_value(x, col, s, n);
		if (np > UINT32_MAX - 1)
			return SL_ERR_TOO_LARGE;
		PUT(grow((void **)&c->hs_pairs, &c->hs_pairs_cap, np + 1, sizeof *c->hs_pairs));
		/* Short.hashCode() is the value; HashMap.hash() spreads it. */
		uint32_t h = (uint32_t)(int32_t)pr.ki;
		pr.h = h ^ (h >> 16);
		ascending = ascending && (np == 0 || c->hs_pairs[np - 1].ki < pr.ki);
		c->hs_pairs[np++] = pr;
	}
	if (np == 0)
		return sl_buf_puts(b, "null");
	size_t live;
	PUT(jmap_order(c, np, ascending, &live));
	const struct colenc el = {.k = K_FLOAT64};
	PUT(sl_buf_appendf(b, "{\"dimensions\":%d,\"vector\":[", (int)dims));
	for (size_t i = 0; i < live; i++) {
		const struct hs_pair *p = &c->hs_pairs[c->hs_order[i]];
		PUT(sl_buf_appendf(b, "%s[%d,", i ? "," : "", (int)p->ki));
		PUT(put_scalar(x, b, col, &el, p->v, p->vn));
		PUT(sl_buf_putc(b, ']'));
	}
	return sl_buf_puts(b, "]}");
}

/* One non-null scalar value. */
static enum sl_err put_scalar(struct ctx *x, struct sl_buf *b, const struct sl_column *col,
			      const struct colenc *e, const char *s, size_t n)
{
	int64_t i64;
	enum sl_pgtext_inf inf;
	switch (e->k) {
	case K_OMIT: return SL_OK;
	case K_BOOL: {
		bool v;
		if (!sl_pgtext_parse_bool(s, n, &v))
			return bad_value(x, col, s, n);
		return sl_buf_puts(b, v ? "true" : "false");
	}
	case K_INT16:
	case K_INT32:
	case K_INT64: {
		enum sl_err err;
		if (put_int_text(b, e->k, s, n, &err))
			return err;
	}
		if (!sl_pgtext_parse_int64(s, n, &i64) ||
		    (e->k == K_INT16 && (i64 < INT16_MIN || i64 > INT16_MAX)) ||
		    (e->k == K_INT32 && (i64 < INT32_MIN || i64 > INT32_MAX)))
			return bad_value(x, col, s, n);
		return sl_json_i64(b, i64);
	case K_FLOAT32: {
		float f;
		if (!sl_pgtext_parse_float(s, n, &f))
			return bad_value(x, col, s, n);
		return sl_json_f32(b, f);
	}
	case K_FLOAT64:
	case K_DEC_DOUBLE: {
		/* Most values need only their layout changed (core/json.h). */
		char lit[32];
		size_t ln = sl_json_fmt_f64_literal(lit, s, n);
		if (ln)
			return sl_buf_append(b, lit, ln);
		double d;
		if (!parse_f64(e, s, n, &d))
			return bad_value(x, col, s, n);
		return sl_json_f64_from(b, d, s, n);
	}
	case K_DEC_STRING: {
		struct sl_pgtext_numeric num;
		if (!sl_pgtext_parse_numeric(s, n, &num))
			return bad_value(x, col, s, n);
		/* SpecialValueDecimal.toString(): the enum constant's name. */
		if (num.special == SL_PG_NUM_NAN)
			return sl_buf_puts(b, "\"NAN\"");
		if (num.special == SL_PG_NUM_POS_INF)
			return sl_buf_puts(b, "\"POSITIVE_INFINITY\"");
		if (num.special == SL_PG_NUM_NEG_INF)
			return sl_buf_puts(b, "\"NEGATIVE_INFINITY\"");
		return sl_json_str(b, s, n);
	}
	case K_DEC_FIXED:
	case K_DEC_VAR: {
		struct sl_pgtext_numeric num;
		if (!sl_pgtext_parse_numeric(s, n, &num))
			return bad_value(x, col, s, n);
		if (num.special != SL_PG_NUM_FINITE)
			return precise_special(x, col, s, n);
		int scale = e->scale;
		if (e->k == K_DEC_VAR) {
			/* stripTrailingZeros, then never a negative scale. */
			while (num.nfp > 0 && num.fp[num.nfp - 1] == '0')
				num.nfp--;
			scale = (int)num.nfp;
		}
		const uint8_t *u;
		size_t un;
		PUT(unscaled(x, &num, scale, &u, &un));
		if (e->k == K_DEC_VAR)
			return put_numeric_struct(b, scale, u, un);
		return sl_json_base64(b, u, un, 0);
	}
	case K_MONEY_PRECISE:
	case K_MONEY_STRING:
	case K_MONEY_DOUBLE: {
		char plain[64];
		size_t pl;
		if (!money_plain(s, n, plain, sizeof plain, &pl))
			return bad_value(x, col, s, n);
		if (e->k == K_MONEY_STRING)
			return sl_json_str(b, plain, pl);
		if (e->k == K_MONEY_DOUBLE) {
			double d;
			if (!sl_pgtext_parse_double(plain, pl, &d))
				return bad_value(x, col, s, n);
			return sl_json_f64(b, d);
		}
		if (put_money_precise(x, b, plain, pl, e->scale))
			return bad_value(x, col, s, n);
		return SL_OK;
	}
	case K_STRING: return sl_json_str(b, s, n);
	case K_TSTZ: {
		enum sl_err err;
		if (put_tstz_text(b, s, n, e->scale, &err))
			return err;
	}
		if (!sl_pgtext_parse_timestamptz(s, n, &i64, &inf))
			return bad_value(x, col, s, n);
		if (inf)
			return sl_buf_puts(b, inf > 0 ? "\"infinity\"" : "\"-infinity\"");
		return put_zoned_ts(b, i64, e->scale);
	case K_TIMETZ: {
		int32_t off;
		if (!sl_pgtext_parse_timetz(s, n, &i64, &off))
			return bad_value(x, col, s, n);
		/* withOffsetSameInstant(UTC): wraps around midnight. */
		int64_t utc = (i64 - (int64_t)off * 1000000) % 86400000000LL;
		if (utc < 0)
			utc += 86400000000LL;
		PUT(sl_buf_putc(b, '"'));
		PUT(put_hms(b, utc, -1));
		return sl_buf_puts(b, "Z\"");
	}
	case K_TS_MICRO:
	case K_TS_MILLI:
		if (!sl_pgtext_parse_timestamp(s, n, &i64, &inf))
			return bad_value(x, col, s, n);
		if (inf)
			i64 = inf > 0 ? PG_INF_US : PG_NINF_US;
		return sl_json_i64(b, e->k == K_TS_MICRO ? i64 : floordiv(i64, 1000));
	case K_DATE:
		if (!sl_pgtext_parse_date(s, n, &i64, &inf))
			return bad_value(x, col, s, n);
		/* Debezium maps infinite dates to LocalDate -5877611-06-21/22. */
		if (inf)
			i64 = sl_civil_days_from(-5877611, 6, inf > 0 ? 21 : 22);
		return sl_json_i64(b, i64);
	case K_TIME_MICRO:
	case K_TIME_MILLI:
		if (!sl_pgtext_parse_time(s, n, &i64))
			return bad_value(x, col, s, n);
		return sl_json_i64(b, e->k == K_TIME_MICRO ? i64 : i64 / 1000);
	case K_INTERVAL_MICRO:
	case K_INTERVAL_STRING: {
		struct sl_pgtext_interval iv;
		if (!sl_pgtext_parse_interval(s, n, &iv))
			return bad_value(x, col, s, n);
		if (e->k == K_INTERVAL_STRING)
			return put_interval_string(b, &iv);
		return sl_json_i64(b, interval_micros(&iv));
	}
	case K_BINARY: {
		size_t len;
		sl_buf_reset(&x->c->scratch);
		PUT(sl_buf_reserve(&x->c->scratch, n / 2 + 1));
		if (!sl_pgtext_parse_bytea(s, n, (uint8_t *)x->c->scratch.data, &len))
			return bad_value(x, col, s, n);
		return put_binary(b, x->o->binary, x->c->scratch.data, len);
	}
	case K_BIT_BOOL:
		for (size_t i = 0; i < n; i++)
			if (s[i] != '0' && s[i] != '1')
				return bad_value(x, col, s, n);
		return sl_buf_puts(b, memchr(s, '1', n) ? "true" : "false");
	case K_BITS: {
		/* Bit i from the right is bit i of a little-endian byte array,
		 * trimmed to the highest set bit (java.util.BitSet). */
		sl_buf_reset(&x->c->scratch);
		PUT(sl_buf_reserve(&x->c->scratch, n / 8 + 1));
		uint8_t *o = (uint8_t *)x->c->scratch.data;
		memset(o, 0, n / 8 + 1);
		size_t nbits = 0;
		for (size_t i = 0; i < n; i++) {
			char ch = s[n - 1 - i];
			if (ch != '0' && ch != '1')
				return bad_value(x, col, s, n);
			if (ch == '1') {
				o[i / 8] |= (uint8_t)(1u << (i % 8));
				nbits = i + 1;
			}
		}
		return sl_json_base64(b, o, (nbits + 7) / 8, 0);
	}
	case K_POINT: {
		double px, py;
		if (!sl_pggeo_point_parse(s, n, &px, &py))
			return bad_value(x, col, s, n);
		return put_point_struct(b, px, py);
	}
	case K_GEOM_SHAPE: return put_geom_shape(x, b, col, e, s, n);
	case K_CIRCLE: {
		double cx, cy, r;
		if (!sl_pggeo_circle_parse(s, n, &cx, &cy, &r))
			return bad_value(x, col, s, n);
		PUT(sl_buf_puts(b, "{\"center\":"));
		PUT(put_point_struct(b, cx, cy));
		PUT(sl_buf_puts(b, ",\"radius\":"));
		PUT(sl_json_f64(b, r));
		return sl_buf_putc(b, '}');
	}
	case K_LINE: {
		double la, lb, lc;
		if (!sl_pggeo_line_parse(s, n, &la, &lb, &lc))
			return bad_value(x, col, s, n);
		PUT(sl_buf_puts(b, "{\"a\":"));
		PUT(sl_json_f64(b, la));
		PUT(sl_buf_puts(b, ",\"b\":"));
		PUT(sl_json_f64(b, lb));
		PUT(sl_buf_puts(b, ",\"c\":"));
		PUT(sl_json_f64(b, lc));
		return sl_buf_putc(b, '}');
	}
	case K_POSTGIS:
	case K_GEOGRAPHY: return put_postgis(x, b, col, e, s, n);
	case K_DVECTOR:
	case K_FVECTOR: return put_vector(x, b, col, e, s, n);
	case K_SPVECTOR: return put_sparsevec(x, b, col, s, n);
	case K_HSTORE_MAP: return put_hstore_object(x, b, col, s, n);
	case K_HSTORE_JSON: {
		/* The object's text (Jackson writes it compact), as a string. */
		struct sl_buf *sb = &x->c->scratch;
		sl_buf_reset(sb);
		PUT(put_hstore_object(x, sb, col, s, n));
		return sl_json_str(b, sb->data, sb->len);
	}
	case K_UNKNOWN:
		/* Debezium's value is the text output as a String, which
		 * convertBinary() turns into its UTF-8 bytes: the text as is
		 * (the session's client_encoding is UTF8). */
		return put_binary(b, x->o->binary, s, n);
	}
	return SL_OK;
}

/* ---- typed values (event/tvalue.h) -----------------------------------------
 * The typed form of what put_scalar() writes: the same parse calls, errors
 * and arithmetic, stopping short of the text.  Where put_scalar() renders a
 * fast path straight from the input (floats), the typed value is read back
 * from that very rendering, so the two cannot drift apart. */

static void tv_set(struct sl_tvalue *out, enum sl_tv_kind k)
{
	memset(out, 0, sizeof *out);
	out->kind = k;
}


/* What a JSON reader gets back from sl_json_str(s, n): the bytes, except
 * that invalid UTF-8 bytes read as U+FFFD (then copied into sb). */
static enum sl_err tv_text(struct sl_buf *sb, const char *s, size_t n, struct sl_tvalue *out)
{
	tv_set(out, SL_TV_STR);
	if (!s)
		s = "";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		size_t l = sl_json_utf8_len(p, (size_t)(end - p));
		if (!l)
			break;
		p += l;
	}
	if (p == end) {
		out->p = s;
		out->n = n;
		return SL_OK;
	}
	sl_buf_reset(sb);
	PUT(sl_buf_append(sb, s, (size_t)(p - (const unsigned char *)s)));
	while (p < end) {
		size_t l = *p < 0x80 ? 1 : sl_json_utf8_len(p, (size_t)(end - p));
		if (l)
			PUT(sl_buf_append(sb, p, l));
		else
			PUT(sl_buf_append(sb, "\xEF\xBF\xBD", 3));
		p += l ? l : 1;
	}
	out->p = sb->data;
	out->n = sb->len;
	return SL_OK;
}

static void tv_const_str(struct sl_tvalue *out, const char *s)
{
	tv_set(out, SL_TV_STR);
	out->p = s;
	out->n = strlen(s);
}

static void tv_int(struct sl_tvalue *out, int64_t v)
{
	tv_set(out, SL_TV_INT);
	out->i = v;
}

/* An unsigned JSON integer: beyond int64 it has no typed form. */
static void tv_u64(struct sl_tvalue *out, uint64_t v)
{
	if (v > (uint64_t)INT64_MAX)
		tv_set(out, SL_TV_NONE);
	else
		tv_int(out, (int64_t)v);
}

/* One non-null scalar value, as put_scalar() would write it.  Kinds
 * without a typed form are rendered into sb by put_scalar() itself, for
 * its errors, and give SL_TV_NONE. */
static enum sl_err scalar_tvalue(struct ctx *x, struct sl_buf *sb, const struct sl_column *col,
				 const struct colenc *e, const char *s, size_t n,
				 struct sl_tvalue *out)
{
	int64_t i64;
	enum sl_pgtext_inf inf;
	tv_set(out, SL_TV_NONE);
	switch (e->k) {
	case K_OMIT: return SL_OK;
	case K_BOOL: {
		bool v;
		if (!sl_pgtext_parse_bool(s, n, &v))
			return bad_value(x, col, s, n);
		tv_set(out, SL_TV_BOOL);
		out->b = v;
		return SL_OK;
	}
	case K_INT16:
	case K_INT32:
	case K_INT64:
		/* put_int_text() takes a subset of these, with the same value. */
		if (!sl_pgtext_parse_int64(s, n, &i64) ||
		    (e->k == K_INT16 && (i64 < INT16_MIN || i64 > INT16_MAX)) ||
		    (e->k == K_INT32 && (i64 < INT32_MIN || i64 > INT32_MAX)))
			return bad_value(x, col, s, n);
		tv_int(out, i64);
		return SL_OK;
	case K_FLOAT32: {
		/* The float itself: the JSON has its shortest digits, which read
		 * back as a float (not as a double) give exactly f. */
		float f;
		if (!sl_pgtext_parse_float(s, n, &f))
			return bad_value(x, col, s, n);
		tv_set(out, SL_TV_DOUBLE);
		out->d = (double)f;
		return SL_OK;
	}
	case K_FLOAT64:
	case K_DEC_DOUBLE: {
		char lit[40];
		size_t ln = sl_json_fmt_f64_literal(lit, s, n);
		double d;
		if (ln) {
			/* put_scalar() copies the literal in Java's layout: read
			 * that text back, as a JSON reader does. */
			lit[ln] = '\0';
			d = strtod(lit, NULL);
		} else if (!parse_f64(e, s, n, &d)) {
			return bad_value(x, col, s, n);
		} /* else sl_json_f64_from() writes digits that read back as d */
		tv_set(out, SL_TV_DOUBLE);
		out->d = d;
		return SL_OK;
	}
	case K_DEC_STRING: {
		struct sl_pgtext_numeric num;
		if (!sl_pgtext_parse_numeric(s, n, &num))
			return bad_value(x, col, s, n);
		if (num.special == SL_PG_NUM_NAN)
			tv_const_str(out, "NAN");
		else if (num.special == SL_PG_NUM_POS_INF)
			tv_const_str(out, "POSITIVE_INFINITY");
		else if (num.special == SL_PG_NUM_NEG_INF)
			tv_const_str(out, "NEGATIVE_INFINITY");
		else
			return tv_text(sb, s, n, out);
		return SL_OK;
	}
	case K_DEC_FIXED: {
		struct sl_pgtext_numeric num;
		if (!sl_pgtext_parse_numeric(s, n, &num))
			return bad_value(x, col, s, n);
		if (num.special != SL_PG_NUM_FINITE)
			return precise_special(x, col, s, n);
		const uint8_t *u;
		size_t un;
		PUT(unscaled_into(sb, &num, e->scale, &u, &un));
		tv_set(out, SL_TV_BIN);
		out->p = u;
		out->n = un;
		return SL_OK;
	}
	case K_STRING: return tv_text(sb, s, n, out);
	case K_TSTZ: {
		/* put_tstz_text() takes a subset of these, with the same value. */
		if (!sl_pgtext_parse_timestamptz(s, n, &i64, &inf))
			return bad_value(x, col, s, n);
		if (inf) {
			tv_const_str(out, inf > 0 ? "infinity" : "-infinity");
			return SL_OK;
		}
		/* The text has e->scale fraction digits, cut (not rounded). */
		int64_t unit = 1;
		for (int k = e->scale; k < 6; k++)
			unit *= 10;
		tv_set(out, SL_TV_TSTZ);
		out->i = floordiv(i64, unit) * unit;
		return SL_OK;
	}
	case K_TS_MICRO:
	case K_TS_MILLI:
		if (!sl_pgtext_parse_timestamp(s, n, &i64, &inf))
			return bad_value(x, col, s, n);
		if (inf)
			i64 = inf > 0 ? PG_INF_US : PG_NINF_US;
		tv_int(out, e->k == K_TS_MICRO ? i64 : floordiv(i64, 1000));
		return SL_OK;
	case K_DATE:
		if (!sl_pgtext_parse_date(s, n, &i64, &inf))
			return bad_value(x, col, s, n);
		if (inf)
			i64 = sl_civil_days_from(-5877611, 6, inf > 0 ? 21 : 22);
		tv_int(out, i64);
		return SL_OK;
	case K_TIME_MICRO:
	case K_TIME_MILLI:
		if (!sl_pgtext_parse_time(s, n, &i64))
			return bad_value(x, col, s, n);
		tv_int(out, e->k == K_TIME_MICRO ? i64 : i64 / 1000);
		return SL_OK;
	case K_INTERVAL_MICRO: {
		struct sl_pgtext_interval iv;
		if (!sl_pgtext_parse_interval(s, n, &iv))
			return bad_value(x, col, s, n);
		tv_int(out, interval_micros(&iv));
		return SL_OK;
	}
	case K_BINARY: {
		size_t len;
		sl_buf_reset(sb);
		PUT(sl_buf_reserve(sb, n / 2 + 1));
		if (!sl_pgtext_parse_bytea(s, n, (uint8_t *)sb->data, &len))
			return bad_value(x, col, s, n);
		if (x->o->binary == SL_DBZ_BINARY_BYTES) {
			tv_set(out, SL_TV_BIN);
			out->p = sb->data;
			out->n = len;
		}
		return SL_OK;
	}
	case K_UNKNOWN:
		/* As bytea: typed bytes in bytes mode, else the JSON's text. */
		if (x->o->binary == SL_DBZ_BINARY_BYTES) {
			sl_buf_reset(sb);
			PUT(sl_buf_append(sb, s, n));
			tv_set(out, SL_TV_BIN);
			out->p = sb->data ? sb->data : "";
			out->n = n;
		}
		return SL_OK;
	case K_HSTORE_JSON:
		/* The JSON text put_scalar() quotes: valid UTF-8 (sl_json_str()
		 * wrote it), so a reader gets these very bytes back. */
		sl_buf_reset(sb);
		PUT(put_hstore_object(x, sb, col, s, n));
		tv_set(out, SL_TV_STR);
		out->p = sb->data;
		out->n = sb->len;
		return SL_OK;
	case K_DEC_VAR:
	case K_MONEY_PRECISE:
	case K_MONEY_STRING:
	case K_MONEY_DOUBLE:
	case K_TIMETZ:
	case K_INTERVAL_STRING:
	case K_BIT_BOOL:
	case K_BITS:
	case K_POINT:
	case K_GEOM_SHAPE:
	case K_CIRCLE:
	case K_LINE:
	case K_POSTGIS:
	case K_GEOGRAPHY:
	case K_DVECTOR:
	case K_FVECTOR:
	case K_SPVECTOR:
	case K_HSTORE_MAP:
		/* No typed form; the encoder's verdict on the value still holds. */
		sl_buf_reset(sb);
		PUT(put_scalar(x, sb, col, e, s, n));
		sl_buf_reset(sb);
		return SL_OK;
	}
	return SL_OK;
}

static enum sl_err put_array(struct ctx *x, struct sl_buf *b, const struct sl_column *col,
			     const struct colenc *e, const char *s, size_t n)
{
	/* Elements are unescaped into a private buffer: the scalar encoders
	 * reuse the cache scratch for bytea and numeric. */
	char stackbuf[256];
	char *scratch = stackbuf;
	if (n > sizeof stackbuf) {
		scratch = malloc(n);
		if (!scratch)
			return sl_err_set(x->eb, SL_ERR_NOMEM, "out of memory");
	}
	struct sl_pgtext_array_iter it;
	sl_pgtext_array_begin_delim(&it, s, n, e->k == K_POSTGIS || e->k == K_GEOGRAPHY ? ':' : ',');
	enum sl_err err = sl_buf_putc(b, '[');
	bool first = true;
	while (!err) {
		const char *el;
		size_t elen;
		bool isnull;
		int r = sl_pgtext_array_next(&it, scratch, n, &el, &elen, &isnull);
		if (r == 0)
			break;
		if (r < 0) {
			err = sl_err_set(x->eb, SL_ERR_PROTO,
					 "could not encode column \"%s\" of table \"%s.%s\": "
					 "malformed or multi-dimensional array \"%.*s\"",
					 col->name, x->rel->schema, x->rel->table,
					 (int)(n > 64 ? 64 : n), s);
			break;
		}
		if (!first)
			err = sl_buf_putc(b, ',');
		first = false;
		if (err)
			break;
		if (isnull)
			err = sl_buf_puts(b, "null");
		else
			err = put_scalar(x, b, col, e, el, elen);
	}
	if (!err)
		err = sl_buf_putc(b, ']');
	if (scratch != stackbuf)
		free(scratch);
	return err;
}

/* Value a NOT NULL column gets when the tuple lacks it (the old-key tuple
 * of REPLICA IDENTITY DEFAULT): Debezium's convertValue() fallback. */
static enum sl_err put_fallback(struct ctx *x, struct sl_buf *b, const struct colenc *e)
{
	static const uint8_t zero[1] = {0};
	if (e->array)
		return sl_buf_puts(b, "[]");
	switch (e->k) {
	case K_BOOL:
	case K_BIT_BOOL: return sl_buf_puts(b, "false");
	case K_INT16:
	case K_INT32:
	case K_INT64:
	case K_TS_MICRO:
	case K_TS_MILLI:
	case K_DATE:
	case K_TIME_MICRO:
	case K_TIME_MILLI:
	case K_INTERVAL_MICRO: return sl_buf_puts(b, "0");
	case K_FLOAT32:
	case K_FLOAT64:
	case K_DEC_DOUBLE:
	case K_MONEY_DOUBLE: return sl_buf_puts(b, "0.0");
	case K_DEC_FIXED:
	case K_MONEY_PRECISE: return sl_json_base64(b, zero, 1, 0);
	case K_DEC_VAR: return put_numeric_struct(b, 0, zero, 1);
	case K_DEC_STRING: return sl_buf_puts(b, "\"0\"");
	case K_MONEY_STRING:
		PUT(sl_buf_puts(b, "\"0"));
		for (int i = 0; i < e->scale; i++)
			PUT(sl_buf_puts(b, i ? "0" : ".0"));
		return sl_buf_putc(b, '"');
	case K_STRING: return sl_buf_puts(b, "\"\"");
	case K_TSTZ: return sl_buf_puts(b, "\"1970-01-01T00:00:00Z\"");
	case K_TIMETZ: return sl_buf_puts(b, "\"00:00:00Z\"");
	case K_INTERVAL_STRING: return sl_buf_puts(b, "\"P0Y0M0DT0H0M0S\"");
	case K_BINARY:
	case K_UNKNOWN: return put_binary(b, x->o->binary, "", 0);
	case K_BITS: return sl_buf_puts(b, "\"\"");
	case K_POINT: return put_point_struct(b, 0, 0);
	case K_GEOM_SHAPE: {
		/* Debezium's geometryFallback() shapes */
		static const double corners[] = {0, 0, 1, 1}; /* the unit square */
		static const double seg[] = {0, 0, 1, 0};
		static const double triangle[] = {0, 0, 1, 0, 0, 1, 0, 0};
		switch (e->shape) {
		case SL_GEO_BOX: return put_geom_shape_xy(x->c, b, e->shape, corners, 2, -1);
		case SL_GEO_POLYGON: return put_geom_shape_xy(x->c, b, e->shape, triangle, 4, -1);
		default: return put_geom_shape_xy(x->c, b, e->shape, seg, 2, -1);
		}
	}
	case K_CIRCLE:
		PUT(sl_buf_puts(b, "{\"center\":"));
		PUT(put_point_struct(b, 0, 0));
		return sl_buf_puts(b, ",\"radius\":0.0}");
	case K_LINE: return sl_buf_puts(b, "{\"a\":0.0,\"b\":1.0,\"c\":0.0}");
	case K_POSTGIS:
		/* GEOMETRYCOLLECTION EMPTY */
		return sl_buf_puts(b, "{\"wkb\":\"AQcAAAAAAAAA\",\"srid\":null,\"extensions\":null}");
	case K_GEOGRAPHY: return sl_buf_puts(b, "{\"wkb\":\"AQcAAAAAAAAA\",\"srid\":null}");
	case K_DVECTOR:
	case K_FVECTOR:
	case K_SPVECTOR: return sl_buf_puts(b, "[]");
	case K_HSTORE_JSON: return sl_buf_puts(b, "\"{}\"");
	case K_HSTORE_MAP: return sl_buf_puts(b, "{}");
	case K_OMIT: break;
	}
	return sl_buf_puts(b, "null");
}

/* Unchanged-TOAST placeholder, shaped like the column's type. */
static enum sl_err put_toast(struct ctx *x, struct sl_buf *b, const struct sl_column *col,
			     const struct colenc *e)
{
	const char *ph = x->o->unavailable_placeholder ? x->o->unavailable_placeholder
						       : "__debezium_unavailable_value";
	size_t pl = strlen(ph);
	if (e->array) {
		if (e->is_int_array_toast) {
			/* the placeholder's bytes as a list of numbers */
			PUT(sl_buf_putc(b, '['));
			for (size_t i = 0; i < pl; i++) {
				if (i)
					PUT(sl_buf_putc(b, ','));
				PUT(sl_json_i64(b, (int8_t)ph[i]));
			}
			return sl_buf_putc(b, ']');
		}
		if (col->base_oid == SL_PG_UUID && strcmp(ph, "__debezium_unavailable_value") == 0)
			/* UUID.nameUUIDFromBytes(placeholder) */
			return sl_buf_puts(b, "[\"b68a35a7-17ad-35b3-af2a-ae46edb4545a\"]");
		if (e->k == K_STRING) {
			PUT(sl_buf_putc(b, '['));
			PUT(sl_json_str(b, ph, pl));
			return sl_buf_putc(b, ']');
		}
		return sl_buf_puts(b, "null");
	}
	switch (e->k) {
	case K_STRING:
	case K_DEC_STRING:
	case K_MONEY_STRING:
	case K_INTERVAL_STRING:
	case K_TSTZ:
	case K_TIMETZ: return sl_json_str(b, ph, pl);
	/* An unknown type's marker is UNCHANGED_TOAST_VALUE, as bytea's, and
	 * takes the same convertBinary() path. */
	case K_BINARY:
	case K_UNKNOWN: return put_binary(b, x->o->binary, ph, pl);
	case K_HSTORE_JSON:
	case K_HSTORE_MAP: {
		/* UnchangedToastedPlaceholder: the map {placeholder: placeholder},
		 * as its JSON text in json mode. */
		struct sl_buf *sb = e->k == K_HSTORE_MAP ? b : &x->c->scratch;
		if (sb != b)
			sl_buf_reset(sb);
		PUT(sl_buf_putc(sb, '{'));
		PUT(sl_json_str(sb, ph, pl));
		PUT(sl_buf_putc(sb, ':'));
		PUT(sl_json_str(sb, ph, pl));
		PUT(sl_buf_putc(sb, '}'));
		return sb == b ? SL_OK : sl_json_str(b, sb->data, sb->len);
	}
	default: return sl_buf_puts(b, "null");
	}
}

/* A row as a JSON object of the given columns (all, or key only). */
static enum sl_err put_row(struct ctx *x, struct sl_buf *b, const struct sl_row *row, bool key_only)
{
	const struct sl_relation *rel = x->rel;
	if (row->ncols != rel->ncols)
		return sl_err_set(x->eb, SL_ERR_PROTO,
				  "could not encode a row of table \"%s.%s\": %d values for %d columns",
				  rel->schema, rel->table, row->ncols, rel->ncols);
	PUT(sl_buf_putc(b, '{'));
	bool first = true;
	for (int i = 0; i < rel->ncols; i++) {
		const struct sl_column *col = &rel->cols[i];
		const struct colenc *e = &x->c->cols[i];
		if (e->k == K_OMIT || (key_only ? !col->is_key : col->excluded))
			continue;
		if (!first)
			PUT(sl_buf_putc(b, ','));
		first = false;
		PUT(sl_buf_append(b, x->c->names.data + x->c->name_off[i],
				  x->c->name_off[i + 1] - x->c->name_off[i]));
		const struct sl_value *v = &row->vals[i];
		switch (v->kind) {
		case SL_VAL_NULL: PUT(sl_buf_puts(b, "null")); break;
		case SL_VAL_ABSENT:
			if (col->optional)
				PUT(sl_buf_puts(b, "null"));
			else
				PUT(put_fallback(x, b, e));
			break;
		case SL_VAL_TOAST: PUT(put_toast(x, b, col, e)); break;
		case SL_VAL_TEXT:
			if (!v->data && v->len)
				return bad_value(x, col, "", 0);
			if (e->array)
				PUT(put_array(x, b, col, e, v->data ? v->data : "", v->len));
			else
				PUT(put_scalar(x, b, col, e, v->data ? v->data : "", v->len));
			break;
		default: return bad_value(x, col, "", 0);
		}
	}
	return sl_buf_putc(b, '}');
}

/* Column i of a before/after block, as put_row() writes it (typed form). */
enum sl_err sl_dbz_column_tvalue(const struct sl_dbz_opts *o, const struct sl_relation *rel,
				 int i, const struct sl_value *v, struct sl_buf *scratch,
				 struct sl_tvalue *out, struct sl_errbuf *eb)
{
	tv_set(out, SL_TV_NONE);
	if (!o || !rel || !v || !scratch || i < 0 || i >= rel->ncols)
		return sl_err_set(eb, SL_ERR_ARG, "typed value of a column that does not exist");
	struct ctx x = {.o = o, .rel = rel, .eb = eb};
	enum sl_err err = get_cache(o, rel, &x.c, eb);
	if (err)
		return err;
	const struct sl_column *col = &rel->cols[i];
	const struct colenc *e = &x.c->cols[i];
	if (e->k == K_OMIT || col->excluded)
		return SL_OK; /* not in the block at all */
	if (eb)
		eb->msg[0] = '\0';
	switch (v->kind) {
	case SL_VAL_NULL: tv_set(out, SL_TV_NULL); return SL_OK;
	case SL_VAL_ABSENT:
		/* NOT NULL columns get put_fallback()'s value: left to the JSON. */
		if (col->optional)
			tv_set(out, SL_TV_NULL);
		return SL_OK;
	case SL_VAL_TOAST: return SL_OK; /* the placeholder: left to the JSON */
	case SL_VAL_TEXT:
		if (!v->data && v->len)
			return bad_value(&x, col, "", 0);
		if (e->array) {
			/* No typed form, but the encoder's verdict holds. */
			sl_buf_reset(scratch);
			err = put_array(&x, scratch, col, e, v->data ? v->data : "", v->len);
			sl_buf_reset(scratch);
		} else {
			err = scalar_tvalue(&x, scratch, col, e, v->data ? v->data : "", v->len, out);
		}
		break;
	default: return bad_value(&x, col, "", 0);
	}
	if (err) {
		tv_set(out, SL_TV_NONE);
		if (eb && (!eb->msg[0] || err == SL_ERR_TOO_LARGE || err == SL_ERR_NOMEM))
			sl_err_set(eb, err, "could not encode column \"%s\" of table \"%s.%s\": %s",
				   col->name, rel->schema, rel->table,
				   err == SL_ERR_TOO_LARGE ? "value too large" : sl_err_str(err));
	}
	return err;
}

bool sl_dbz_column_in_value(const struct sl_dbz_opts *o, const struct sl_relation *rel, int i,
			    struct sl_errbuf *eb)
{
	struct cache *c;
	if (!o || !rel || i < 0 || i >= rel->ncols || get_cache(o, rel, &c, eb))
		return false;
	return !rel->cols[i].excluded && c->cols[i].k != K_OMIT;
}

/* ---- envelope --------------------------------------------------------------- */

static enum sl_err put_lsn_str(struct sl_buf *b, uint64_t lsn)
{
	if (!lsn)
		return sl_buf_puts(b, "null");
	PUT(sl_buf_append(b, "\\\"", 2));
	PUT(sl_json_u64(b, lsn));
	return sl_buf_append(b, "\\\"", 2);
}

static enum sl_err put_opt_u64(struct sl_buf *b, uint64_t v)
{
	return v ? sl_json_u64(b, v) : sl_buf_puts(b, "null");
}

/* The source block up to and including `"sequence":"[<prev>,`. */
static enum sl_err put_source_head(struct sl_buf *b, const struct sl_dbz_opts *o,
				   const struct sl_source_info *src)
{
	PUT(sl_buf_puts(b, "{\"version\":"));
	PUT(sl_json_cstr(b, o->version ? o->version : ""));
	PUT(sl_buf_puts(b, ",\"connector\":\"postgresql\",\"name\":"));
	PUT(sl_json_cstr(b, o->topic_prefix ? o->topic_prefix : ""));
	PUT(sl_buf_puts(b, ",\"ts_ms\":"));
	PUT(sl_json_i64(b, floordiv(src->commit_ts_us, 1000)));
	PUT(sl_buf_puts(b, ",\"snapshot\":"));
	PUT(sl_json_cstr(b, src->snapshot ? src->snapshot : "false"));
	PUT(sl_buf_puts(b, ",\"db\":"));
	PUT(sl_json_cstr(b, o->db_name ? o->db_name : ""));
	PUT(sl_buf_puts(b, ",\"sequence\":\"["));
	PUT(put_lsn_str(b, src->last_commit_lsn));
	return sl_buf_putc(b, ',');
}

/* From the end of "sequence" up to `"lsn":`. */
static enum sl_err put_source_mid(struct sl_buf *b, const struct sl_source_info *src,
				  const char *schema, const char *table)
{
	int64_t ts_us = src->commit_ts_us;
	PUT(sl_buf_puts(b, "]\",\"ts_us\":"));
	PUT(sl_json_i64(b, ts_us));
	PUT(sl_buf_puts(b, ",\"ts_ns\":"));
	PUT(sl_json_i64(b, ts_us * 1000));
	PUT(sl_buf_puts(b, ",\"schema\":"));
	PUT(sl_json_cstr(b, schema));
	PUT(sl_buf_puts(b, ",\"table\":"));
	PUT(sl_json_cstr(b, table));
	PUT(sl_buf_puts(b, ",\"txId\":"));
	PUT(put_opt_u64(b, src->xid));
	return sl_buf_puts(b, ",\"lsn\":");
}

static enum sl_err put_source(struct sl_buf *b, const struct sl_dbz_opts *o,
			      const struct sl_source_info *src, const char *schema,
			      const char *table)
{
	PUT(put_source_head(b, o, src));
	PUT(put_lsn_str(b, src->lsn));
	PUT(put_source_mid(b, src, schema, table));
	PUT(put_opt_u64(b, src->lsn));
	return sl_buf_puts(b, ",\"xmin\":null}");
}

/* put_source() for a relation, from the cache's pre-rendered pieces (see
 * struct src_cache); only pieces whose inputs changed are rendered. */
static enum sl_err put_source_cached(struct sl_buf *b, const struct sl_dbz_opts *o,
				     struct cache *c, const struct sl_source_info *src,
				     const struct sl_relation *rel)
{
	struct src_cache *sc = &c->src;
	const char *snap = src->snapshot ? src->snapshot : "false";
	size_t snap_len = strlen(snap);
	if (snap_len >= sizeof sc->snapshot)
		return put_source(b, o, src, rel->schema, rel->table);
	if (!sc->head_ok || sc->head_ts_us != src->commit_ts_us ||
	    sc->last_commit_lsn != src->last_commit_lsn || sc->version != o->version ||
	    sc->name != o->topic_prefix || sc->db != o->db_name || strcmp(sc->snapshot, snap)) {
		sc->head_ok = false;
		sl_buf_reset(&sc->head);
		PUT(put_source_head(&sc->head, o, src));
		sc->head_ts_us = src->commit_ts_us;
		sc->last_commit_lsn = src->last_commit_lsn;
		sc->version = o->version;
		sc->name = o->topic_prefix;
		sc->db = o->db_name;
		memcpy(sc->snapshot, snap, snap_len + 1);
		sc->head_ok = true;
	}
	if (!sc->mid_ok || sc->mid_ts_us != src->commit_ts_us || sc->xid != src->xid) {
		sc->mid_ok = false;
		sl_buf_reset(&sc->mid);
		PUT(put_source_mid(&sc->mid, src, rel->schema, rel->table));
		sc->mid_ts_us = src->commit_ts_us;
		sc->xid = src->xid;
		sc->mid_ok = true;
	}
	if (!sc->lsn_ok || sc->lsn != src->lsn) {
		if (src->lsn) {
			size_t n = sl_json_fmt_u64(sc->lsn_n, src->lsn);
			sc->lsn_nlen = n;
			memcpy(sc->lsn_q, "\\\"", 2);
			memcpy(sc->lsn_q + 2, sc->lsn_n, n);
			memcpy(sc->lsn_q + 2 + n, "\\\"", 2);
			sc->lsn_qlen = n + 4;
		} else {
			memcpy(sc->lsn_n, "null", 4);
			memcpy(sc->lsn_q, "null", 4);
			sc->lsn_nlen = sc->lsn_qlen = 4;
		}
		sc->lsn = src->lsn;
		sc->lsn_ok = true;
	}
	static const char xmin[] = ",\"xmin\":null}";
	size_t need = sc->head.len + sc->lsn_qlen + sc->mid.len + sc->lsn_nlen + sizeof xmin - 1;
	PUT(sl_buf_ensure(b, need));
	char *p = b->data + b->len;
	memcpy(p, sc->head.data, sc->head.len);
	p += sc->head.len;
	memcpy(p, sc->lsn_q, sc->lsn_qlen);
	p += sc->lsn_qlen;
	memcpy(p, sc->mid.data, sc->mid.len);
	p += sc->mid.len;
	memcpy(p, sc->lsn_n, sc->lsn_nlen);
	p += sc->lsn_nlen;
	memcpy(p, xmin, sizeof xmin); /* with the NUL */
	b->len += need;
	return SL_OK;
}

static enum sl_err put_txn(struct sl_buf *b, const struct sl_dbz_opts *o, const struct sl_txn_info *t)
{
	if (!o->provide_txn_metadata || !t->id)
		return sl_buf_puts(b, "\"transaction\":null");
	PUT(sl_buf_puts(b, "\"transaction\":{\"id\":"));
	PUT(sl_json_cstr(b, t->id));
	PUT(sl_buf_puts(b, ",\"total_order\":"));
	PUT(sl_json_u64(b, t->total_order));
	PUT(sl_buf_puts(b, ",\"data_collection_order\":"));
	PUT(sl_json_u64(b, t->data_collection_order));
	return sl_buf_putc(b, '}');
}

/* "op":"c","ts_ms":M[,"ts_us":U,"ts_ns":N] into out (128 bytes); returns the length. */
static size_t fmt_op_ts(char *out, char op, int64_t now_ns, bool with_us_ns)
{
	static const char head[] = "\"op\":\"?\",\"ts_ms\":";
	size_t n = sizeof head - 1;
	memcpy(out, head, n);
	out[6] = op;
	n += sl_json_fmt_i64(out + n, floordiv(now_ns, 1000000));
	if (!with_us_ns)
		return n;
	memcpy(out + n, ",\"ts_us\":", 9);
	n += 9;
	n += sl_json_fmt_i64(out + n, floordiv(now_ns, 1000));
	memcpy(out + n, ",\"ts_ns\":", 9);
	n += 9;
	n += sl_json_fmt_i64(out + n, now_ns);
	return n;
}

static enum sl_err put_op_ts(struct sl_buf *b, char op, int64_t now_ns, bool with_us_ns)
{
	char tmp[128];
	return sl_buf_append(b, tmp, fmt_op_ts(tmp, op, now_ns, with_us_ns));
}

/* put_op_ts(.., true) remembered per relation: the clock is read once per
 * batch of rows, so consecutive events share it. */
static enum sl_err put_op_ts_cached(struct sl_buf *b, struct cache *c, char op, int64_t now_ns)
{
	struct src_cache *sc = &c->src;
	if (!sc->tail_ok || sc->op != op || sc->now_ns != now_ns) {
		sc->tail_len = fmt_op_ts(sc->tail, op, now_ns, true);
		sc->op = op;
		sc->now_ns = now_ns;
		sc->tail_ok = true;
	}
	return sl_buf_append(b, sc->tail, sc->tail_len);
}

static enum sl_err check_change(const struct sl_change *ch, struct sl_errbuf *eb)
{
	if (ch->op != SL_OP_MESSAGE && !ch->rel)
		return sl_err_set(eb, SL_ERR_ARG, "change without a relation");
	return SL_OK;
}

/* ---- typed envelope fields ---------------------------------------------------
 * The fields put_source(), put_txn() and fmt_op_ts() write, by path. */

enum meta_field {
	M_OP,
	M_TS_MS,
	M_TS_US,
	M_TS_NS,
	M_SOURCE,
	M_SRC_VERSION,
	M_SRC_CONNECTOR,
	M_SRC_NAME,
	M_SRC_TS_MS,
	M_SRC_SNAPSHOT,
	M_SRC_DB,
	M_SRC_SEQUENCE,
	M_SRC_TS_US,
	M_SRC_TS_NS,
	M_SRC_SCHEMA,
	M_SRC_TABLE,
	M_SRC_TXID,
	M_SRC_LSN,
	M_SRC_XMIN,
	M_TXN,
	M_TXN_ID,
	M_TXN_TOTAL_ORDER,
	M_TXN_DC_ORDER,
	M_COUNT
};

static const char *const meta_paths[M_COUNT] = {
	[M_OP] = "op",
	[M_TS_MS] = "ts_ms",
	[M_TS_US] = "ts_us",
	[M_TS_NS] = "ts_ns",
	[M_SOURCE] = "source",
	[M_SRC_VERSION] = "source.version",
	[M_SRC_CONNECTOR] = "source.connector",
	[M_SRC_NAME] = "source.name",
	[M_SRC_TS_MS] = "source.ts_ms",
	[M_SRC_SNAPSHOT] = "source.snapshot",
	[M_SRC_DB] = "source.db",
	[M_SRC_SEQUENCE] = "source.sequence",
	[M_SRC_TS_US] = "source.ts_us",
	[M_SRC_TS_NS] = "source.ts_ns",
	[M_SRC_SCHEMA] = "source.schema",
	[M_SRC_TABLE] = "source.table",
	[M_SRC_TXID] = "source.txId",
	[M_SRC_LSN] = "source.lsn",
	[M_SRC_XMIN] = "source.xmin",
	[M_TXN] = "transaction",
	[M_TXN_ID] = "transaction.id",
	[M_TXN_TOTAL_ORDER] = "transaction.total_order",
	[M_TXN_DC_ORDER] = "transaction.data_collection_order",
};

int sl_dbz_meta_field(const char *path)
{
	if (!path)
		return -1;
	for (int f = 0; f < M_COUNT; f++)
		if (strcmp(path, meta_paths[f]) == 0)
			return f;
	return -1;
}

/* `sequence`'s content: ["<last commit lsn>","<lsn>"], null for 0. */
static enum sl_err tv_sequence(struct sl_buf *sb, const struct sl_source_info *src,
			       struct sl_tvalue *out)
{
	char num[24];
	sl_buf_reset(sb);
	PUT(sl_buf_putc(sb, '['));
	for (int k = 0; k < 2; k++) {
		uint64_t lsn = k ? src->lsn : src->last_commit_lsn;
		if (k)
			PUT(sl_buf_putc(sb, ','));
		if (!lsn) {
			PUT(sl_buf_puts(sb, "null"));
			continue;
		}
		PUT(sl_buf_putc(sb, '"'));
		PUT(sl_buf_append(sb, num, sl_json_fmt_u64(num, lsn)));
		PUT(sl_buf_putc(sb, '"'));
	}
	PUT(sl_buf_putc(sb, ']'));
	tv_set(out, SL_TV_STR);
	out->p = sb->data;
	out->n = sb->len;
	return SL_OK;
}

static enum sl_err meta_tvalue(const struct sl_dbz_opts *o, const struct sl_change *ch,
			       int64_t now_ns, int field, struct sl_buf *sb,
			       struct sl_tvalue *out)
{
	const struct sl_source_info *src = &ch->src;
	const struct sl_txn_info *t = &ch->txn;
	bool msg = ch->op == SL_OP_MESSAGE;
	/* message_value(): no ts_us/ts_ns, no transaction, schema and table "" */
	const char *schema = msg ? "" : ch->rel->schema, *table = msg ? "" : ch->rel->table;
	bool txn_null = !o->provide_txn_metadata || !t->id;
	switch ((enum meta_field)field) {
	case M_OP:
		sl_buf_reset(sb);
		PUT(sl_buf_putc(sb, (char)ch->op));
		tv_set(out, SL_TV_STR);
		out->p = sb->data;
		out->n = 1;
		return SL_OK;
	case M_TS_MS: tv_int(out, floordiv(now_ns, 1000000)); return SL_OK;
	case M_TS_US:
		if (!msg)
			tv_int(out, floordiv(now_ns, 1000));
		return SL_OK;
	case M_TS_NS:
		if (!msg)
			tv_int(out, now_ns);
		return SL_OK;
	case M_SOURCE: return SL_OK;
	case M_SRC_VERSION: return tv_text(sb, o->version ? o->version : "",
					   strlen(o->version ? o->version : ""), out);
	case M_SRC_CONNECTOR: tv_const_str(out, "postgresql"); return SL_OK;
	case M_SRC_NAME: {
		const char *s = o->topic_prefix ? o->topic_prefix : "";
		return tv_text(sb, s, strlen(s), out);
	}
	case M_SRC_TS_MS: tv_int(out, floordiv(src->commit_ts_us, 1000)); return SL_OK;
	case M_SRC_SNAPSHOT: {
		const char *s = src->snapshot ? src->snapshot : "false";
		return tv_text(sb, s, strlen(s), out);
	}
	case M_SRC_DB: {
		const char *s = o->db_name ? o->db_name : "";
		return tv_text(sb, s, strlen(s), out);
	}
	case M_SRC_SEQUENCE: return tv_sequence(sb, src, out);
	case M_SRC_TS_US: tv_int(out, src->commit_ts_us); return SL_OK;
	case M_SRC_TS_NS: tv_int(out, src->commit_ts_us * 1000); return SL_OK;
	case M_SRC_SCHEMA: return tv_text(sb, schema, strlen(schema), out);
	case M_SRC_TABLE: return tv_text(sb, table, strlen(table), out);
	case M_SRC_TXID:
		if (src->xid)
			tv_int(out, src->xid);
		else
			tv_set(out, SL_TV_NULL);
		return SL_OK;
	case M_SRC_LSN:
		if (src->lsn)
			tv_u64(out, src->lsn);
		else
			tv_set(out, SL_TV_NULL);
		return SL_OK;
	case M_SRC_XMIN: tv_set(out, SL_TV_NULL); return SL_OK;
	case M_TXN:
		if (!msg && txn_null)
			tv_set(out, SL_TV_NULL);
		return SL_OK;
	case M_TXN_ID:
	case M_TXN_TOTAL_ORDER:
	case M_TXN_DC_ORDER:
		if (msg)
			return SL_OK;
		if (txn_null) {
			tv_set(out, SL_TV_NULL);
			return SL_OK;
		}
		if (field == M_TXN_ID)
			return tv_text(sb, t->id, strlen(t->id), out);
		tv_u64(out, field == M_TXN_TOTAL_ORDER ? t->total_order : t->data_collection_order);
		return SL_OK;
	case M_COUNT: break;
	}
	return SL_OK;
}

enum sl_err sl_dbz_meta_tvalue(const struct sl_dbz_opts *o, const struct sl_change *ch,
			       int64_t now_ns, int field, struct sl_buf *scratch,
			       struct sl_tvalue *out, struct sl_errbuf *eb)
{
	tv_set(out, SL_TV_NONE);
	if (!o || !ch || !scratch || field < 0 || field >= M_COUNT)
		return sl_err_set(eb, SL_ERR_ARG, "typed value of an envelope field that does not exist");
	enum sl_err err = check_change(ch, eb);
	if (err)
		return err;
	err = meta_tvalue(o, ch, now_ns, field, scratch, out);
	if (err) {
		tv_set(out, SL_TV_NONE);
		sl_err_set(eb, err, "could not encode field \"%s\" of an event: %s", meta_paths[field],
			   sl_err_str(err));
	}
	return err;
}

static const char msg_value_schema[] =
	"{\"schema\":{\"type\":\"struct\",\"fields\":["
	"{\"type\":\"string\",\"optional\":false,\"field\":\"op\"},"
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"},";
static const char msg_value_schema_tail[] =
	",{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":\"prefix\"},"
	"{\"type\":\"bytes\",\"optional\":true,\"field\":\"content\"}],\"optional\":false,"
	"\"name\":\"io.debezium.connector.postgresql.Message\",\"field\":\"message\"}],"
	"\"optional\":false,\"name\":\"io.debezium.connector.postgresql.MessageValue\"},"
	"\"payload\":";

static enum sl_err message_value(const struct sl_dbz_opts *o, const struct sl_change *ch,
				 int64_t now_ns, struct sl_buf *out)
{
	if (o->value_schemas) {
		PUT(sl_buf_puts(out, msg_value_schema));
		PUT(sl_buf_puts(out, source_schema));
		PUT(sl_buf_puts(out, msg_value_schema_tail));
	}
	PUT(sl_buf_putc(out, '{'));
	PUT(put_op_ts(out, 'm', now_ns, false));
	PUT(sl_buf_puts(out, ",\"source\":"));
	PUT(put_source(out, o, &ch->src, "", ""));
	PUT(sl_buf_puts(out, ",\"message\":{\"prefix\":"));
	PUT(sl_json_cstr(out, ch->msg_prefix ? ch->msg_prefix : ""));
	PUT(sl_buf_puts(out, ",\"content\":"));
	PUT(sl_json_base64(out, ch->msg_content ? (const void *)ch->msg_content : "", ch->msg_len, 0));
	PUT(sl_buf_puts(out, "}}"));
	if (o->value_schemas)
		PUT(sl_buf_putc(out, '}'));
	return SL_OK;
}

enum sl_err sl_dbz_value(const struct sl_dbz_opts *o, const struct sl_change *ch,
			 int64_t now_ns, struct sl_buf *out, struct sl_errbuf *eb)
{
	enum sl_err err = check_change(ch, eb);
	if (err)
		return err;
	size_t start = out->len;
	if (ch->op == SL_OP_MESSAGE) {
		err = message_value(o, ch, now_ns, out);
		goto done;
	}
	struct ctx x = {.o = o, .rel = ch->rel, .eb = eb};
	if ((err = get_cache(o, ch->rel, &x.c, eb)))
		return err;
	if (o->value_schemas && (err = sl_buf_append(out, x.c->value_schema.data, x.c->value_schema.len)))
		goto done;
	if (eb)
		eb->msg[0] = '\0';
	if ((err = sl_buf_puts(out, "{\"before\":")))
		goto done;
	if (ch->before && ch->op != SL_OP_TRUNCATE)
		err = put_row(&x, out, ch->before, false);
	else
		err = sl_buf_puts(out, "null");
	if (!err)
		err = sl_buf_puts(out, ",\"after\":");
	if (!err) {
		if (ch->after && ch->op != SL_OP_TRUNCATE && ch->op != SL_OP_DELETE)
			err = put_row(&x, out, ch->after, false);
		else
			err = sl_buf_puts(out, "null");
	}
	if (!err)
		err = sl_buf_puts(out, ",\"source\":");
	if (!err)
		err = put_source_cached(out, o, x.c, &ch->src, ch->rel);
	if (!err && !o->legacy_txn_last) {
		if (!(err = sl_buf_putc(out, ',')))
			err = put_txn(out, o, &ch->txn);
	}
	if (!err && !(err = sl_buf_putc(out, ',')))
		err = put_op_ts_cached(out, x.c, (char)ch->op, now_ns);
	if (!err && o->legacy_txn_last) {
		if (!(err = sl_buf_putc(out, ',')))
			err = put_txn(out, o, &ch->txn);
	}
	if (!err)
		err = sl_buf_putc(out, '}');
	if (!err && o->value_schemas)
		err = sl_buf_putc(out, '}');
done:
	if (err) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
		if (eb && (!eb->msg[0] || err == SL_ERR_TOO_LARGE || err == SL_ERR_NOMEM))
			sl_err_set(eb, err, "could not encode the %s event of table \"%s.%s\": %s",
				   "change", ch->rel ? ch->rel->schema : "", ch->rel ? ch->rel->table : "",
				   err == SL_ERR_TOO_LARGE ? "event too large" : sl_err_str(err));
	}
	return err;
}

enum sl_err sl_dbz_key(const struct sl_dbz_opts *o, const struct sl_change *ch,
		       struct sl_buf *out, bool *is_null, struct sl_errbuf *eb)
{
	enum sl_err err = check_change(ch, eb);
	if (err)
		return err;
	*is_null = false;
	size_t start = out->len;
	if (ch->op == SL_OP_MESSAGE) {
		if (o->key_schemas)
			PUT(sl_buf_puts(out, "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":"
					     "\"string\",\"optional\":false,\"field\":\"prefix\"}],"
					     "\"optional\":false,\"name\":"
					     "\"io.debezium.connector.postgresql.MessageKey\"},\"payload\":"));
		PUT(sl_buf_puts(out, "{\"prefix\":"));
		PUT(sl_json_cstr(out, ch->msg_prefix ? ch->msg_prefix : ""));
		PUT(sl_buf_putc(out, '}'));
		if (o->key_schemas)
			PUT(sl_buf_putc(out, '}'));
		return SL_OK;
	}
	const struct sl_row *row = ch->op == SL_OP_DELETE ? ch->before : ch->after;
	if (ch->op == SL_OP_TRUNCATE || !ch->rel->has_key || !row) {
		*is_null = true;
		return SL_OK;
	}
	struct ctx x = {.o = o, .rel = ch->rel, .eb = eb};
	if ((err = get_cache(o, ch->rel, &x.c, eb)))
		return err;
	if (eb)
		eb->msg[0] = '\0';
	if (o->key_schemas)
		err = sl_buf_append(out, x.c->key_schema.data, x.c->key_schema.len);
	if (!err)
		err = put_row(&x, out, row, true);
	if (!err && o->key_schemas)
		err = sl_buf_putc(out, '}');
	if (err) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
		if (eb && !eb->msg[0])
			sl_err_set(eb, err, "could not encode the key of table \"%s.%s\": %s",
				   ch->rel->schema, ch->rel->table, sl_err_str(err));
	}
	return err;
}

/* ---- transaction metadata and heartbeats ------------------------------------ */

static const char txn_key_schema[] =
	"{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,"
	"\"field\":\"id\"}],\"optional\":false,"
	"\"name\":\"io.debezium.connector.common.TransactionMetadataKey\",\"version\":1},"
	"\"payload\":";
static const char txn_value_schema[] =
	"{\"schema\":{\"type\":\"struct\",\"fields\":["
	"{\"type\":\"string\",\"optional\":false,\"field\":\"status\"},"
	"{\"type\":\"string\",\"optional\":false,\"field\":\"id\"},"
	"{\"type\":\"int64\",\"optional\":true,\"field\":\"event_count\"},"
	"{\"type\":\"array\",\"items\":{\"type\":\"struct\",\"fields\":["
	"{\"type\":\"string\",\"optional\":false,\"field\":\"data_collection\"},"
	"{\"type\":\"int64\",\"optional\":false,\"field\":\"event_count\"}],"
	"\"optional\":true,\"name\":\"event.collection\",\"version\":1},"
	"\"optional\":true,\"field\":\"data_collections\"},"
	"{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"}],\"optional\":false,"
	"\"name\":\"io.debezium.connector.common.TransactionMetadataValue\",\"version\":1},"
	"\"payload\":";

static enum sl_err txn_event(const struct sl_dbz_opts *o, const char *status, const char *id,
			     int64_t ts_ms, const struct sl_dbz_collection_count *counts,
			     size_t ncounts, bool end, struct sl_buf *key, struct sl_buf *value)
{
	if (o->key_schemas)
		PUT(sl_buf_puts(key, txn_key_schema));
	PUT(sl_buf_puts(key, "{\"id\":"));
	PUT(sl_json_cstr(key, id));
	PUT(sl_buf_putc(key, '}'));
	if (o->key_schemas)
		PUT(sl_buf_putc(key, '}'));

	if (o->value_schemas)
		PUT(sl_buf_puts(value, txn_value_schema));
	PUT(sl_buf_appendf(value, "{\"status\":\"%s\",\"id\":", status));
	PUT(sl_json_cstr(value, id));
	if (!end) {
		PUT(sl_buf_puts(value, ",\"event_count\":null,\"data_collections\":null"));
	} else {
		uint64_t total = 0;
		for (size_t i = 0; i < ncounts; i++)
			total += counts[i].event_count;
		PUT(sl_buf_puts(value, ",\"event_count\":"));
		PUT(sl_json_u64(value, total));
		PUT(sl_buf_puts(value, ",\"data_collections\":["));
		for (size_t i = 0; i < ncounts; i++) {
			PUT(sl_buf_puts(value, i ? ",{\"data_collection\":" : "{\"data_collection\":"));
			PUT(sl_json_cstr(value, counts[i].data_collection ? counts[i].data_collection : ""));
			PUT(sl_buf_puts(value, ",\"event_count\":"));
			PUT(sl_json_u64(value, counts[i].event_count));
			PUT(sl_buf_putc(value, '}'));
		}
		PUT(sl_buf_putc(value, ']'));
	}
	PUT(sl_buf_puts(value, ",\"ts_ms\":"));
	PUT(sl_json_i64(value, ts_ms));
	PUT(sl_buf_putc(value, '}'));
	if (o->value_schemas)
		PUT(sl_buf_putc(value, '}'));
	return SL_OK;
}

enum sl_err sl_dbz_txn_begin(const struct sl_dbz_opts *o, const char *txn_id, int64_t ts_ms,
			     struct sl_buf *key, struct sl_buf *value, struct sl_errbuf *eb)
{
	if (!txn_id)
		return sl_err_set(eb, SL_ERR_ARG, "transaction event without an id");
	enum sl_err err = txn_event(o, "BEGIN", txn_id, ts_ms, NULL, 0, false, key, value);
	if (err)
		return sl_err_set(eb, err, "could not encode transaction BEGIN event \"%s\"", txn_id);
	return SL_OK;
}

enum sl_err sl_dbz_txn_end(const struct sl_dbz_opts *o, const char *txn_id, int64_t ts_ms,
			   const struct sl_dbz_collection_count *counts, size_t ncounts,
			   struct sl_buf *key, struct sl_buf *value, struct sl_errbuf *eb)
{
	if (!txn_id || (ncounts && !counts))
		return sl_err_set(eb, SL_ERR_ARG, "transaction event without an id or counts");
	enum sl_err err = txn_event(o, "END", txn_id, ts_ms, counts, ncounts, true, key, value);
	if (err)
		return sl_err_set(eb, err, "could not encode transaction END event \"%s\"", txn_id);
	return SL_OK;
}

enum sl_err sl_dbz_heartbeat(const struct sl_dbz_opts *o, int64_t now_ms, struct sl_buf *key,
			     struct sl_buf *value, struct sl_errbuf *eb)
{
	enum sl_err err = SL_OK;
	if (o->key_schemas)
		err = sl_buf_puts(key, "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"string\","
				       "\"optional\":false,\"field\":\"serverName\"}],\"optional\":false,"
				       "\"name\":\"io.debezium.connector.common.ServerNameKey\","
				       "\"version\":1},\"payload\":");
	if (!err)
		err = sl_buf_puts(key, "{\"serverName\":");
	if (!err)
		err = sl_json_cstr(key, o->topic_prefix ? o->topic_prefix : "");
	if (!err)
		err = sl_buf_puts(key, o->key_schemas ? "}}" : "}");
	if (!err && o->value_schemas)
		err = sl_buf_puts(value, "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\","
					 "\"optional\":false,\"field\":\"ts_ms\"}],\"optional\":false,"
					 "\"name\":\"io.debezium.connector.common.Heartbeat\","
					 "\"version\":1},\"payload\":");
	if (!err)
		err = sl_buf_puts(value, "{\"ts_ms\":");
	if (!err)
		err = sl_json_i64(value, now_ms);
	if (!err)
		err = sl_buf_puts(value, o->value_schemas ? "}}" : "}");
	if (err)
		return sl_err_set(eb, err, "could not encode the heartbeat event");
	return SL_OK;
}
