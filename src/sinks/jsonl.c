/* SPDX-License-Identifier: Apache-2.0
 *
 * jsonl.c -- the file and stdout sinks: one JSON object per line,
 *   {"topic":"...","key":<json|null>,"value":<json|null>}
 *
 * Keys and values are already JSON text, so they are written verbatim.
 * Durability is grouped: records are written through a stdio buffer and
 * become "pending"; poll() fsyncs when the oldest pending record is older
 * than sync_interval_ms (or flush() is called), then acks every pending
 * record.  For stdout there is nothing to fsync: a record is acked once
 * it has been written to the pipe.  A write error is fatal (SL_ERR_IO):
 * nothing after a failed write is acked.
 */
#include "sinks/sink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"

struct jsonl_sink {
	struct sl_sink base;
	FILE *f;
	bool is_stdout;
	int sync_interval_ms;
	struct sl_buf line;
	uint64_t *pending;       /* seqs written but not yet durable */
	size_t npending, cap;
	int64_t oldest_pending_us;
	bool failed;
};

static enum sl_err jsonl_sync(struct jsonl_sink *s, struct sl_errbuf *eb)
{
	if (!s->npending)
		return SL_OK;
	if (fflush(s->f) != 0 || (!s->is_stdout && fsync(fileno(s->f)) != 0)) {
		s->failed = true;
		return sl_err_set(eb, SL_ERR_IO, "could not write sink file: %s", strerror(errno));
	}
	for (size_t i = 0; i < s->npending; i++)
		s->base.on_ack(s->base.ack_ctx, s->pending[i], SL_OK, NULL);
	s->npending = 0;
	return SL_OK;
}

static enum sl_err jsonl_produce(struct sl_sink *base, const struct sl_record *rec,
				 struct sl_errbuf *eb)
{
	struct jsonl_sink *s = (struct jsonl_sink *)base;
	if (s->failed)
		return sl_err_set(eb, SL_ERR_IO, "sink file failed earlier");
	struct sl_buf *b = &s->line;
	sl_buf_reset(b);
	enum sl_err err = sl_buf_puts(b, "{\"topic\":");
	if (!err)
		err = sl_json_cstr(b, rec->topic);
	if (!err)
		err = sl_buf_puts(b, ",\"key\":");
	if (!err)
		err = rec->key ? sl_buf_append(b, rec->key, rec->key_len) : sl_buf_puts(b, "null");
	if (!err)
		err = sl_buf_puts(b, ",\"value\":");
	if (!err)
		err = rec->value ? sl_buf_append(b, rec->value, rec->value_len) : sl_buf_puts(b, "null");
	if (!err)
		err = sl_buf_puts(b, "}\n");
	if (err)
		return sl_err_set(eb, err, "could not format record for topic \"%s\"", rec->topic);
	if (s->npending == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		uint64_t *p = realloc(s->pending, cap * sizeof *p);
		if (!p)
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		s->pending = p;
		s->cap = cap;
	}
	if (fwrite(b->data, 1, b->len, s->f) != b->len) {
		s->failed = true;
		return sl_err_set(eb, SL_ERR_IO, "could not write sink file: %s", strerror(errno));
	}
	if (!s->npending)
		s->oldest_pending_us = sl_clock_mono_us();
	s->pending[s->npending++] = rec->seq;
	return SL_OK;
}

static enum sl_err jsonl_poll(struct sl_sink *base, int timeout_ms, struct sl_errbuf *eb)
{
	struct jsonl_sink *s = (struct jsonl_sink *)base;
	(void)timeout_ms; /* writes are synchronous: nothing to wait for */
	/* Group commit: one flush (and fsync, for files) covers every record
	 * written in the last sync_interval_ms, or a full batch. */
	if (s->npending &&
	    (s->npending >= 65536 ||
	     sl_clock_mono_us() - s->oldest_pending_us >= (int64_t)s->sync_interval_ms * 1000))
		return jsonl_sync(s, eb);
	return SL_OK;
}

static enum sl_err jsonl_flush(struct sl_sink *base, int timeout_ms, struct sl_errbuf *eb)
{
	(void)timeout_ms;
	return jsonl_sync((struct jsonl_sink *)base, eb);
}

static size_t jsonl_in_flight(struct sl_sink *base)
{
	return ((struct jsonl_sink *)base)->npending;
}

static void jsonl_destroy(struct sl_sink *base)
{
	struct jsonl_sink *s = (struct jsonl_sink *)base;
	if (s->f && !s->is_stdout)
		fclose(s->f);
	else if (s->f)
		fflush(s->f);
	sl_buf_free(&s->line);
	free(s->pending);
	free(s);
}

/* Truncate after the last '\n' (or to 0 when there is none). */
static int repair_tail(int fd)
{
	off_t end = lseek(fd, 0, SEEK_END);
	if (end <= 0)
		return end < 0 ? -1 : 0;
	off_t pos = end;
	char buf[4096];
	while (pos > 0) {
		off_t chunk = pos > (off_t)sizeof buf ? (off_t)sizeof buf : pos;
		if (pread(fd, buf, (size_t)chunk, pos - chunk) != chunk)
			return -1;
		for (off_t i = chunk - 1; i >= 0; i--)
			if (buf[i] == '\n') {
				off_t keep = pos - chunk + i + 1;
				return keep == end ? 0 : ftruncate(fd, keep);
			}
		pos -= chunk;
	}
	return ftruncate(fd, 0);
}

static const struct sl_sink_ops jsonl_ops = {
	.name = "jsonl",
	.produce = jsonl_produce,
	.poll = jsonl_poll,
	.flush = jsonl_flush,
	.in_flight = jsonl_in_flight,
	.destroy = jsonl_destroy,
};

enum sl_err sl_sink_jsonl_new(const char *path, int sync_interval_ms, struct sl_sink **out,
			      struct sl_errbuf *eb)
{
	struct jsonl_sink *s = calloc(1, sizeof *s);
	if (!s)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	s->base.ops = &jsonl_ops;
	s->sync_interval_ms = sync_interval_ms;
	if (!path || !strcmp(path, "-")) {
		s->f = stdout;
		s->is_stdout = true;
	} else {
		s->f = fopen(path, "a+b");
		if (!s->f) {
			int e = errno;
			free(s);
			return sl_err_set(eb, SL_ERR_IO, "could not open sink file \"%s\": %s", path,
					  strerror(e));
		}
		setvbuf(s->f, NULL, _IOFBF, 1 << 16);
		/* A crash can leave a torn last line: that record was never
		 * fsynced, so never acked, and PostgreSQL sends it again.  Cut
		 * the file back to its last complete line. */
		if (repair_tail(fileno(s->f)) != 0) {
			int e = errno;
			fclose(s->f);
			free(s);
			return sl_err_set(eb, SL_ERR_IO, "could not repair sink file \"%s\": %s", path,
					  strerror(e));
		}
	}
	*out = &s->base;
	return SL_OK;
}
