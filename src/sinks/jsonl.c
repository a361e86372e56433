/* SPDX-License-Identifier: Apache-2.0
 *
 * jsonl.c -- the file and stdout sinks: one JSON object per line,
 *   {"topic":"...","key":<json|null>,"value":<json|null>}
 *
 * Keys and values are already JSON text, so they are written verbatim.
 * Durability is grouped: each record is formatted once, straight into an
 * output buffer (no per-record line copy, no stdio), and becomes "pending";
 * the buffer goes to the file descriptor when it passes OUT_FLUSH bytes.
 * poll() writes and fsyncs when the oldest pending record is older than
 * sync_interval_ms (or flush() is called), then acks every pending
 * record.  For stdout there is nothing to fsync: a record is acked once
 * it has been written to the pipe.  A write error is fatal (SL_ERR_IO):
 * nothing after a failed write is acked.  The sink owns `out` and the
 * file descriptor (stdout's is borrowed and left open).
 *
 * The write(2) calls run on a writer thread, one buffer behind: a full
 * `out` is swapped with the writer's empty buffer and formatting goes on
 * while the kernel copies the previous one (write(2) was the largest
 * syscall cost of replaying a large transaction; bench/README.md).  Before an
 * fsync, and before acking, the writer is drained, so an ack still means
 * written (and, for a file, fsynced).
 */
#include "sinks/sink.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"

/* Write the output buffer once it holds this much. */
#define OUT_FLUSH (256 * 1024)

struct jsonl_sink {
	struct sl_sink base;
	int fd;
	bool is_stdout;
	int sync_interval_ms;
	struct sl_buf out;        /* formatted records not yet written */
	char *topic;              /* last topic, and its `{"topic":"..","key":` */
	struct sl_buf topic_head;
	uint64_t *pending;       /* seqs written but not yet durable */
	size_t npending, cap;
	int64_t oldest_pending_us;
	off_t written;            /* file offset after the last write (writer thread) */
	bool failed;
	/* The writer thread: `busy` is its buffer, handed over full
	 * (busy_full) and given back empty; under mu. */
	pthread_t thr;
	bool have_thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct sl_buf busy;
	bool busy_full, stop, werr;
	char werr_msg[160];
};

/* Writer thread: write each handed-over buffer, then give it back. */
static void *writer_main(void *arg)
{
	struct jsonl_sink *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->busy_full && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (!s->busy_full)
			break; /* stopping, nothing left */
		pthread_mutex_unlock(&s->mu);
		size_t off = 0;
		off_t start = s->written;
		const char *why = NULL;
		while (off < s->busy.len) {
			ssize_t n = write(s->fd, s->busy.data + off, s->busy.len - off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				why = n < 0 ? strerror(errno) : "short write";
				break;
			}
			off += (size_t)n;
		}
		s->written += (off_t)off;
		/* Advisory: an error here (a file system without it) changes
		 * nothing, since durability comes from the fsync. */
		if (!why && !s->is_stdout && off)
			(void)sync_file_range(s->fd, start, (off_t)off, SYNC_FILE_RANGE_WRITE);
		pthread_mutex_lock(&s->mu);
		if (why && !s->werr) {
			s->werr = true;
			snprintf(s->werr_msg, sizeof s->werr_msg, "%s", why);
		}
		sl_buf_reset(&s->busy);
		s->busy_full = false;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Wait until the writer holds nothing; SL_ERR_IO if a write failed. */
static enum sl_err drain(struct jsonl_sink *s, struct sl_errbuf *eb)
{
	pthread_mutex_lock(&s->mu);
	while (s->busy_full)
		pthread_cond_wait(&s->cv, &s->mu);
	bool bad = s->werr;
	pthread_mutex_unlock(&s->mu);
	if (bad) {
		s->failed = true;
		return sl_err_set(eb, SL_ERR_IO, "could not write sink file: %s", s->werr_msg);
	}
	return SL_OK;
}

/* Hand all of `out` to the writer thread (after the previous buffer is
 * written).  For a file, the writer asks the kernel to start writing those
 * pages back at once (sync_file_range without waiting): the disk then
 * works while the next records are encoded, and the group fsync finds
 * little left to do. */
static enum sl_err write_out(struct jsonl_sink *s, struct sl_errbuf *eb)
{
	enum sl_err err = drain(s, eb);
	if (err || !s->out.len)
		return err;
	pthread_mutex_lock(&s->mu);
	struct sl_buf t = s->busy;
	s->busy = s->out;
	s->out = t;
	s->busy_full = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return SL_OK;
}

static enum sl_err jsonl_sync(struct jsonl_sink *s, struct sl_errbuf *eb)
{
	if (!s->npending)
		return SL_OK;
	enum sl_err err = write_out(s, eb);
	if (!err)
		err = drain(s, eb);
	if (err)
		return err;
	if (!s->is_stdout && fsync(s->fd) != 0) {
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
	enum sl_err err = SL_OK;
	/* The escaped topic is rendered once per topic change, not per record. */
	if (!s->topic || strcmp(s->topic, rec->topic)) {
		free(s->topic);
		s->topic = strdup(rec->topic);
		sl_buf_reset(&s->topic_head);
		if (!s->topic)
			err = SL_ERR_NOMEM;
		if (!err)
			err = sl_buf_puts(&s->topic_head, "{\"topic\":");
		if (!err)
			err = sl_json_cstr(&s->topic_head, rec->topic);
		if (!err)
			err = sl_buf_puts(&s->topic_head, ",\"key\":");
		if (err) {
			free(s->topic);
			s->topic = NULL;
			return sl_err_set(eb, err, "could not format record for topic \"%s\"", rec->topic);
		}
	}
	static const char mid[] = ",\"value\":";
	size_t klen = rec->key ? rec->key_len : 4, vlen = rec->value ? rec->value_len : 4;
	size_t need = s->topic_head.len + klen + sizeof mid - 1 + vlen + 2;
	if (need < klen || (err = sl_buf_ensure(&s->out, need)))
		return sl_err_set(eb, err ? err : SL_ERR_TOO_LARGE,
				  "could not format record for topic \"%s\"", rec->topic);
	if (s->npending == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		uint64_t *p = realloc(s->pending, cap * sizeof *p);
		if (!p)
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		s->pending = p;
		s->cap = cap;
	}
	char *o = s->out.data + s->out.len;
	memcpy(o, s->topic_head.data, s->topic_head.len);
	o += s->topic_head.len;
	memcpy(o, rec->key ? rec->key : "null", klen);
	o += klen;
	memcpy(o, mid, sizeof mid - 1);
	o += sizeof mid - 1;
	memcpy(o, rec->value ? rec->value : "null", vlen);
	o += vlen;
	*o++ = '}';
	*o++ = '\n';
	*o = '\0';
	s->out.len += need;
	if (s->out.len >= OUT_FLUSH && (err = write_out(s, eb)))
		return err;
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
	/* Written but unacked records are re-sent by the source after a
	 * restart; still hand them over (stdout readers expect them). */
	if (s->have_thr) {
		struct sl_errbuf eb;
		if (!s->failed && s->out.len && !write_out(s, &eb))
			drain(s, &eb);
		pthread_mutex_lock(&s->mu);
		s->stop = true;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thr, NULL);
	}
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	if (s->fd >= 0 && !s->is_stdout)
		close(s->fd);
	sl_buf_free(&s->out);
	sl_buf_free(&s->busy);
	sl_buf_free(&s->topic_head);
	free(s->topic);
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
	s->fd = -1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (!path || !strcmp(path, "-")) {
		/* Whatever stdio already buffered for stdout goes first. */
		fflush(stdout);
		s->fd = STDOUT_FILENO;
		s->is_stdout = true;
	} else {
		s->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (s->fd < 0) {
			int e = errno;
			jsonl_destroy(&s->base);
			return sl_err_set(eb, SL_ERR_IO, "could not open sink file \"%s\": %s", path,
					  strerror(e));
		}
		/* A crash can leave a torn last line: that record was never
		 * fsynced, so never acked, and PostgreSQL sends it again.  Cut
		 * the file back to its last complete line. */
		if (repair_tail(s->fd) != 0 || (s->written = lseek(s->fd, 0, SEEK_END)) < 0) {
			int e = errno;
			jsonl_destroy(&s->base);
			return sl_err_set(eb, SL_ERR_IO, "could not repair sink file \"%s\": %s", path,
					  strerror(e));
		}
	}
	if (pthread_create(&s->thr, NULL, writer_main, s)) {
		jsonl_destroy(&s->base);
		return sl_err_set(eb, SL_ERR_NOMEM, "could not start the sink's writer thread");
	}
	s->have_thr = true;
	*out = &s->base;
	return SL_OK;
}
