/* SPDX-License-Identifier: Apache-2.0
 *
 * setup.c -- archive settings from the configuration (setup.h).
 */
#include "lake/setup.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"

static enum sl_err mkdirs(const char *path, struct sl_errbuf *eb)
{
	char tmp[4096];
	if (strlen(path) >= sizeof tmp)
		return sl_err_set(eb, SL_ERR_CONFIG, "path \"%s\" is too long", path);
	strcpy(tmp, path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return sl_err_set(eb, SL_ERR_IO, "could not create directory \"%s\": %s", tmp,
					  strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return sl_err_set(eb, SL_ERR_IO, "could not create directory \"%s\": %s", tmp,
				  strerror(errno));
	return SL_OK;
}

enum sl_err sl_lake_setup_open(const struct sl_config *cfg, struct sl_lake_setup *s,
			      struct sl_errbuf *eb)
{
	memset(s, 0, sizeof *s);
	const char *url = sl_config_get(cfg, "store.url");
	if (!url || !*url)
		return sl_err_set(eb, SL_ERR_CONFIG, "no store: set store.url or s3.bucket.name");
	enum sl_err err;
	if (!strncmp(url, "file://", 7) && url[7] != '/') {
		/* Relative local directory, e.g. file://./lake */
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof cwd))
			return sl_err_set(eb, SL_ERR_IO, "could not get the working directory: %s",
					  strerror(errno));
		const char *rel = url + 7;
		if (!strncmp(rel, "./", 2))
			rel += 2;
		if ((size_t)snprintf(s->url, sizeof s->url, "file://%s/%s", cwd, rel) >= sizeof s->url)
			return sl_err_set(eb, SL_ERR_CONFIG, "store.url is too long");
	} else if ((size_t)snprintf(s->url, sizeof s->url, "%s", url) >= sizeof s->url) {
		return sl_err_set(eb, SL_ERR_CONFIG, "store.url is too long");
	}
	if (!strncmp(s->url, "file://", 7) && (err = mkdirs(s->url + 7, eb)))
		return err;
	struct sl_store_opts so;
	sl_store_opts_init(&so);
	so.endpoint = sl_config_get(cfg, "s3.endpoint");
	if (so.endpoint && !*so.endpoint)
		so.endpoint = NULL;
	so.region = sl_config_get(cfg, "s3.region");
	so.path_style = sl_config_get_bool(cfg, "s3.path.style.access.enabled");
	so.part_size = (size_t)sl_config_get_int(cfg, "s3.part.size");
	so.access_key = sl_config_get(cfg, "aws.access.key.id");
	so.secret_key = sl_config_get(cfg, "aws.secret.access.key");
	const char *cc = sl_config_get(cfg, "s3.conditional.create");
	so.if_none_match = !strcmp(cc, "true") ? 1 : !strcmp(cc, "false") ? 0 : -1;
	if ((err = sl_store_open(s->url, &so, &s->store, eb)))
		return err;
	struct sl_lake_part_opts po = {
		.cls = sl_config_get(cfg, "partitioner.class"),
		.path_format = sl_config_get(cfg, "path.format"),
		.duration_ms = sl_config_get_int(cfg, "partition.duration.ms"),
		.fields = sl_config_get(cfg, "partition.field.name"),
		.timezone = sl_config_get(cfg, "timezone"),
	};
	if ((err = sl_lake_part_new(&po, &s->part, eb))) {
		sl_lake_setup_close(s);
		return err;
	}
	struct sl_lake_writer_opts *w = &s->wopts;
	w->store = s->store;
	w->part = s->part;
	w->topics_dir = sl_config_get(cfg, "topics.dir");
	w->format = !strcmp(sl_config_get(cfg, "format.class"), "json") ? SL_ARC_JSON : SL_ARC_PARQUET;
	sl_pq_options_default(&w->pq);
	const char *codec = sl_config_get(cfg, "parquet.codec");
	w->pq.codec = !strcmp(codec, "none")	? SL_PQ_UNCOMPRESSED
		      : !strcmp(codec, "gzip")	? SL_PQ_GZIP
		      : !strcmp(codec, "zstd")	? SL_PQ_ZSTD
						: SL_PQ_SNAPPY;
	/* Many files can be open at once: keep row groups modest. */
	w->pq.row_group_bytes = 32u << 20;
	w->rot.flush_size = sl_config_get_int(cfg, "flush.size");
	w->rot.interval_ms = sl_config_get_int(cfg, "rotate.interval.ms");
	w->rot.schedule_ms = sl_config_get_int(cfg, "rotate.schedule.interval.ms");
	const char *ex = sl_config_get(cfg, "timestamp.extractor");
	s->extractor = !strcmp(ex, "Record")	  ? SL_ARC_TS_RECORD
		       : !strcmp(ex, "RecordField") ? SL_ARC_TS_FIELD
						    : SL_ARC_TS_WALLCLOCK;
	s->ts_field = sl_config_get(cfg, "timestamp.field");
	s->null_fail = !strcmp(sl_config_get(cfg, "behavior.on.null.values"), "fail");
	return SL_OK;
}

void sl_lake_setup_close(struct sl_lake_setup *s)
{
	sl_lake_part_free(s->part);
	sl_store_close(s->store);
	s->part = NULL;
	s->store = NULL;
}

enum sl_err sl_lake_setup_ts(const struct sl_lake_setup *s, const struct sl_jsonr *j,
			    uint32_t payload, int64_t record_ts_ms, int64_t *ts,
			    struct sl_errbuf *eb)
{
	switch (s->extractor) {
	case SL_ARC_TS_RECORD: *ts = record_ts_ms; return SL_OK;
	case SL_ARC_TS_WALLCLOCK: *ts = sl_clock_wall_us() / 1000; return SL_OK;
	case SL_ARC_TS_FIELD: break;
	}
	uint32_t v = j ? sl_jsonr_path(j, payload, s->ts_field) : SL_ARC_JSON_NONE;
	if (v != SL_ARC_JSON_NONE && sl_jsonr_i64(j, v, ts))
		return SL_OK;
	int64_t us;
	if (v != SL_ARC_JSON_NONE && j->v[v].type == SL_ARC_JSON_STRING &&
	    sl_lake_parse_iso_us(sl_jsonr_text(j, v), &us)) {
		*ts = us / 1000;
		return SL_OK;
	}
	return sl_err_set(eb, SL_ERR_PROTO,
			  "timestamp.field \"%s\" is missing or not a time (epoch ms or ISO-8601)",
			  s->ts_field);
}
