/* SPDX-License-Identifier: Apache-2.0
 *
 * partitioner.c -- Confluent-compatible directory names (partitioner.h).
 * The Joda pattern is compiled once into tokens; encoding is a walk over
 * the tokens with the broken-down time of the bucket start.
 */
#include "lake/partitioner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lake/envelope.h"
#include "config/config.h"

enum pkind { P_DEFAULT, P_TIME, P_FIELD };

struct sl_lake_part {
	enum pkind kind;
	char *fmt;           /* Joda pattern */
	int64_t dur_ms;
	char **fields;       /* one allocation (sl_config_split_list) */
	size_t nfields;
	bool tz_local;       /* named zone applied through TZ */
	int64_t tz_fixed_s;  /* fixed offset when !tz_local */
};

static bool fixed_offset(const char *tz, int64_t *off)
{
	if (!tz || !*tz || !strcmp(tz, "UTC") || !strcmp(tz, "Z") || !strcmp(tz, "GMT") ||
	    !strcmp(tz, "Etc/UTC")) {
		*off = 0;
		return true;
	}
	if ((tz[0] == '+' || tz[0] == '-') && strlen(tz) >= 3) {
		int sign = tz[0] == '-' ? -1 : 1;
		int h = 0, m = 0;
		const char *p = tz + 1;
		if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
			return false;
		h = (p[0] - '0') * 10 + (p[1] - '0');
		p += 2;
		if (*p == ':')
			p++;
		if (*p) {
			if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' || p[2])
				return false;
			m = (p[0] - '0') * 10 + (p[1] - '0');
		}
		if (h > 18 || m > 59)
			return false;
		*off = sign * (h * 3600 + m * 60);
		return true;
	}
	return false;
}

static enum sl_err encode_time(const struct sl_lake_part *p, int64_t ts_ms, struct sl_buf *out,
			       struct sl_errbuf *eb);

enum sl_err sl_lake_part_new(const struct sl_lake_part_opts *o, struct sl_lake_part **out,
			    struct sl_errbuf *eb)
{
	*out = NULL;
	struct sl_lake_part *p = calloc(1, sizeof *p);
	if (!p)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	const char *cls = o->cls ? o->cls : "Default";
	const char *fmt = NULL;
	enum sl_err err = SL_OK;
	if (!strcmp(cls, "Default")) {
		p->kind = P_DEFAULT;
	} else if (!strcmp(cls, "Field")) {
		p->kind = P_FIELD;
		err = sl_config_split_list(o->fields ? o->fields : "", &p->fields, &p->nfields, eb);
		if (!err && !p->nfields)
			err = sl_err_set(eb, SL_ERR_CONFIG,
					 "partitioner.class=Field needs partition.field.name");
	} else if (!strcmp(cls, "Daily")) {
		p->kind = P_TIME, fmt = "'year'=YYYY/'month'=MM/'day'=dd", p->dur_ms = 86400000;
	} else if (!strcmp(cls, "Hourly")) {
		p->kind = P_TIME, fmt = "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH",
		p->dur_ms = 3600000;
	} else if (!strcmp(cls, "TimeBased")) {
		p->kind = P_TIME, fmt = o->path_format, p->dur_ms = o->duration_ms;
		if (!fmt || !*fmt || p->dur_ms <= 0)
			err = sl_err_set(eb, SL_ERR_CONFIG, "partitioner.class=TimeBased needs "
							    "path.format and partition.duration.ms");
	} else {
		err = sl_err_set(eb, SL_ERR_CONFIG, "unknown partitioner.class \"%s\"", cls);
	}
	if (!err && fmt && !(p->fmt = strdup(fmt)))
		err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	if (!err && p->kind == P_TIME && !fixed_offset(o->timezone, &p->tz_fixed_s)) {
		/* A named zone: it must exist in the zone database. */
		char path[512];
		struct stat sb;
		snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", o->timezone);
		if (strstr(o->timezone, "..") || stat(path, &sb) || !S_ISREG(sb.st_mode)) {
			err = sl_err_set(eb, SL_ERR_CONFIG, "unknown timezone \"%s\"", o->timezone);
		} else {
			setenv("TZ", o->timezone, 1);
			tzset();
			p->tz_local = true;
		}
	}
	if (!err && p->kind == P_TIME) {
		/* Check the pattern now, so an unsupported letter is a startup
		 * error naming path.format rather than a failure per record. */
		struct sl_buf probe;
		sl_buf_init(&probe, 0);
		err = encode_time(p, 0, &probe, eb);
		sl_buf_free(&probe);
	}
	if (err) {
		sl_lake_part_free(p);
		return err;
	}
	*out = p;
	return SL_OK;
}

void sl_lake_part_free(struct sl_lake_part *p)
{
	if (!p)
		return;
	free(p->fmt);
	free(p->fields);
	free(p);
}

bool sl_lake_part_uses_time(const struct sl_lake_part *p)
{
	return p->kind == P_TIME;
}

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static enum sl_err encode_time(const struct sl_lake_part *p, int64_t ts_ms, struct sl_buf *out,
			       struct sl_errbuf *eb)
{
	/* Far enough from the int64 edges that the zone offset and the
	 * bucket floor cannot overflow (about +-3 million years). */
	if (ts_ms > INT64_C(100000000000000000) || ts_ms < -INT64_C(100000000000000000))
		return sl_err_set(eb, SL_ERR_PROTO, "record time %lld out of range",
				  (long long)ts_ms);
	/* Offset of the zone at this instant, then bucket on local time. */
	int64_t off_s = p->tz_fixed_s;
	if (p->tz_local) {
		time_t t = (time_t)floordiv(ts_ms, 1000);
		struct tm lt;
		if (!localtime_r(&t, &lt))
			return sl_err_set(eb, SL_ERR_PROTO, "record time %lld out of range",
					  (long long)ts_ms);
		off_s = lt.tm_gmtoff;
	}
	int64_t local = ts_ms + off_s * 1000;
	int64_t bucket = floordiv(local, p->dur_ms) * p->dur_ms;
	time_t bt = (time_t)floordiv(bucket, 1000);
	struct tm tm;
	if (!gmtime_r(&bt, &tm))
		return sl_err_set(eb, SL_ERR_PROTO, "record time %lld out of range",
				  (long long)ts_ms);
	int ms = (int)(bucket - (int64_t)bt * 1000);
	enum sl_err err = SL_OK;
	for (const char *f = p->fmt; *f && !err;) {
		if (*f == '\'') {
			f++;
			if (*f == '\'') { /* '' is a quote */
				err = sl_buf_putc(out, '\'');
				f++;
				continue;
			}
			while (*f && !err) {
				if (*f == '\'') {
					if (f[1] == '\'') {
						err = sl_buf_putc(out, '\'');
						f += 2;
						continue;
					}
					f++;
					break;
				}
				err = sl_buf_putc(out, *f++);
			}
			continue;
		}
		char c = *f;
		int n = 0;
		while (f[n] == c)
			n++;
		long long v;
		switch (c) {
		case 'Y':
		case 'y':
		case 'u': v = tm.tm_year + 1900LL; break;
		case 'M': v = tm.tm_mon + 1; break;
		case 'd': v = tm.tm_mday; break;
		case 'H': v = tm.tm_hour; break;
		case 'm': v = tm.tm_min; break;
		case 's': v = tm.tm_sec; break;
		case 'S': v = ms; break;
		case 'D': v = tm.tm_yday + 1; break;
		default:
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
				return sl_err_set(eb, SL_ERR_CONFIG,
						  "path.format: unsupported pattern letter '%c'", c);
			err = sl_buf_append(out, f, (size_t)n);
			f += n;
			continue;
		}
		if (c == 'M' && n >= 3)
			return sl_err_set(eb, SL_ERR_CONFIG,
					  "path.format: month names (MMM) are not supported; use MM");
		if (c == 'S') {
			/* Joda: S..S is the fraction of the second to n digits
			 * (S tenths, SSS millis, more are zeros), not a count. */
			char frac[8];
			snprintf(frac, sizeof frac, "%03d", ms);
			err = sl_buf_append(out, frac, n < 3 ? (size_t)n : 3);
			for (int k = 3; k < n && !err; k++)
				err = sl_buf_putc(out, '0');
			f += n;
			continue;
		}
		if ((c == 'Y' || c == 'y') && n == 2)
			v %= 100;
		err = sl_buf_appendf(out, "%0*lld", n, v);
		f += n;
	}
	return err;
}

bool sl_lake_part_uses_payload(const struct sl_lake_part *p)
{
	return p->kind == P_FIELD;
}

enum sl_err sl_lake_part_encode(const struct sl_lake_part *p, int32_t kafka_partition,
			       int64_t ts_ms, const struct sl_jsonr *j, uint32_t payload,
			       struct sl_buf *out, struct sl_errbuf *eb)
{
	if (p->kind == P_DEFAULT)
		return sl_buf_appendf(out, "partition=%d", (int)kafka_partition);
	if (p->kind == P_TIME)
		return encode_time(p, ts_ms, out, eb);
	enum sl_err err = SL_OK;
	for (size_t i = 0; i < p->nfields && !err; i++) {
		if (i)
			err = sl_buf_putc(out, '/');
		uint32_t v = j && payload != SL_ARC_JSON_NONE ? sl_jsonr_path(j, payload, p->fields[i])
							       : SL_ARC_JSON_NONE;
		if (!err)
			err = sl_buf_appendf(out, "%s=", p->fields[i]);
		if (err)
			break;
		if (v == SL_ARC_JSON_NONE || j->v[v].type == SL_ARC_JSON_NULL) {
			err = sl_buf_puts(out, "null");
			continue;
		}
		const struct sl_jsonr_node *nd = &j->v[v];
		if (nd->type == SL_ARC_JSON_TRUE || nd->type == SL_ARC_JSON_FALSE) {
			err = sl_buf_puts(out, nd->type == SL_ARC_JSON_TRUE ? "true" : "false");
			continue;
		}
		if (nd->type != SL_ARC_JSON_STRING && nd->type != SL_ARC_JSON_NUMBER)
			return sl_err_set(eb, SL_ERR_PROTO,
					  "partition field \"%s\" is not a string, number or boolean",
					  p->fields[i]);
		const char *s = sl_jsonr_text(j, v);
		if (!nd->len || strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, "..") ||
		    strlen(s) != nd->len)
			return sl_err_set(eb, SL_ERR_PROTO,
					  "partition field \"%s\" has a value that cannot name a "
					  "directory", p->fields[i]);
		err = sl_buf_append(out, s, nd->len);
	}
	return err;
}
