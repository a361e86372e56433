/* SPDX-License-Identifier: Apache-2.0
 *
 * tvalue.h -- a Debezium JSON value in typed form.
 *
 * The Debezium encoder (event/debezium.h) can hand a column or source field
 * to a consumer that does not want JSON text -- the lake of `sluice run`
 * writes Parquet columns straight from it -- as the value its JSON would
 * carry, already parsed: sl_dbz_tvalue() gives exactly what a JSON reader
 * would get back from sl_dbz_value()'s output for that field, minus the
 * text round trip.  Where a JSON string only wraps bytes (Connect bytes and
 * Decimal are base64 text; ZonedTimestamp is ISO-8601 text) the typed form
 * carries what the text encodes, so neither side formats or parses it.
 *
 * Pointers are borrowed: valid until the next call that produced them.
 */
#ifndef SL_EVENT_TVALUE_H
#define SL_EVENT_TVALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sl_tv_kind {
	SL_TV_NONE = 0, /* no typed form here: use the JSON encoding instead */
	SL_TV_NULL,     /* JSON null */
	SL_TV_BOOL,     /* JSON true/false: b */
	SL_TV_INT,      /* JSON integer: i */
	SL_TV_DOUBLE,   /* JSON number, or the strings "NaN"/"Infinity"/"-Infinity": d */
	SL_TV_STR,      /* JSON string, unescaped UTF-8: p[0..n) */
	SL_TV_BIN,      /* JSON string holding the standard base64 of p[0..n) */
	SL_TV_TSTZ      /* JSON string holding an ISO-8601 UTC time: i microseconds since 1970 */
};

struct sl_tvalue {
	enum sl_tv_kind kind;
	bool b;
	int64_t i;
	double d;
	const void *p;
	size_t n;
};

#endif
