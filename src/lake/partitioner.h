/* SPDX-License-Identifier: Apache-2.0
 *
 * partitioner.h -- the directory ("encoded partition") of a record under
 * <topics.dir>/<topic>/, as Confluent's storage partitioners compute it.
 *
 *   Default    partition=<kafka partition>
 *   Field      <f1>=<value>/<f2>=<value> from partition.field.name
 *   TimeBased  path.format (Joda-Time pattern: 'literal', YYYY/yyyy, MM,
 *              dd, HH, mm, ss, SSS) of the record time floored to
 *              partition.duration.ms, in `timezone`
 *   Daily      'year'=YYYY/'month'=MM/'day'=dd
 *   Hourly     'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH
 *
 * Time zones: UTC (default), fixed offsets (+02:00) or IANA names; a name
 * is applied by setting the process TZ once at setup (localtime_r), so
 * every partitioner of one process must use the same zone.
 *
 * Ownership: the partitioner copies its settings; free with
 * sl_lake_part_free().  Encoding is pure: the same record and time always
 * give the same directory, which keeps object names deterministic.
 */
#ifndef SL_LAKE_PARTITIONER_H
#define SL_LAKE_PARTITIONER_H

#include <stdint.h>

#include "core/jsonr.h"
#include "core/buf.h"
#include "core/err.h"

struct sl_lake_part;

struct sl_lake_part_opts {
	const char *cls;         /* Default|TimeBased|Daily|Hourly|Field */
	const char *path_format; /* TimeBased */
	int64_t duration_ms;     /* TimeBased (Daily/Hourly set their own) */
	const char *fields;      /* Field: comma-separated */
	const char *timezone;    /* NULL/"" = UTC */
};

enum sl_err sl_lake_part_new(const struct sl_lake_part_opts *o, struct sl_lake_part **out,
			    struct sl_errbuf *eb);
void sl_lake_part_free(struct sl_lake_part *p);
/* Whether the partitioner reads fields of the payload (Field). */
bool sl_lake_part_uses_payload(const struct sl_lake_part *p);
/* Whether the partitioner needs the record time. */
bool sl_lake_part_uses_time(const struct sl_lake_part *p);
/* Append the encoded partition of a record to out.  payload may be
 * SL_ARC_JSON_NONE (then Field uses "null" values).  Field values that
 * contain '/' or are not scalars are SL_ERR_PROTO. */
enum sl_err sl_lake_part_encode(const struct sl_lake_part *p, int32_t kafka_partition,
			       int64_t ts_ms, const struct sl_jsonr *j, uint32_t payload,
			       struct sl_buf *out, struct sl_errbuf *eb);

#endif
