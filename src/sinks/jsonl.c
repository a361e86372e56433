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
 * The writes run on a writer thread, up to NBUF buffers behind: a full
 * `out` is swapped into a ring the writer works through, and formatting
 * goes on while the kernel takes the earlier ones (write(2) was the largest
 * syscall cost of replaying a large transaction; bench/README.md).  Before an
 * fsync, and before acking, the writer is drained, so an ack still means
 * written (and, for a file, fsynced).  After a failed write the writer
 * writes nothing more, so no later record lands where a lost one belongs.
 *
 * A file is written with direct I/O where the file system allows it: the
 * writer gathers records in an aligned stage and writes whole DIO_CHUNKs
 * past the page cache, at offsets that are multiples of DIO_ALIGN.  A
 * record stream does not end on a block boundary, so at a sync the
 * unaligned tail is written through the page cache by an ordinary
 * pwrite and stays in the stage: the next direct write starts at the
 * aligned offset below it and writes those bytes again with what follows.
 * The fsync then finds only that tail and the metadata to flush, where
 * through the page cache it had to wait for the writeback of every byte
 * (bench/README.md: on the benchmark's disk, 600 MB took 1.35-1.47 s
 * through the page cache with an fsync and 0.34-0.53 s direct).  A file
 * system that refuses direct I/O (EINVAL at open or at the first write)
 * gets the page cache path, as does sink.file.direct.io=false.
 */
#include "sinks/sink.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"

/* Write the output buffer once it holds this much. */
#define OUT_FLUSH (256 * 1024)
/* Direct I/O: the alignment of offsets, lengths and memory (covers 512-byte
 * and 4 KiB logical blocks), and the size of one direct write. */
#define DIO_ALIGN 4096
#define DIO_CHUNK (1024 * 1024)
/* Buffers queued for the writer thread before the encoder waits. */
#define NBUF 4

struct jsonl_sink {
	struct sl_sink base;
	int fd;
	bool is_stdout;
	/* stdout, or a sink.file.path that is no regular file (a FIFO, a
	 * character device): written with write(2), nothing to fsync, and a
	 * record is acked once written, as for stdout. */
	bool is_stream;
	int sync_interval_ms;
	struct sl_buf out;        /* formatted records not yet written */
	char *topic;              /* last topic, and its `{"topic":"..","key":` */
	struct sl_buf topic_head;
	uint64_t *pending;       /* seqs written but not yet durable */
	size_t npending, cap;
	int64_t oldest_pending_us;
	off_t written;            /* file size as written so far (writer thread) */
	bool failed;
	/* Direct I/O (writer thread): dfd is the O_DIRECT descriptor or -1;
	 * stage holds the bytes from stage_off (a multiple of DIO_ALIGN) on,
	 * of which those below `written` are already in the file. */
	int dfd;
	char *stage;
	size_t stage_len;
	off_t stage_off;
	bool dio_ok;              /* a direct write has succeeded */
	bool dio_refused;         /* the first direct write failed with EINVAL */
	bool dio_said;            /* ...and the main thread has logged it */
	/* The writer thread works through a ring of NBUF buffers: the
	 * `filled` ones from ring[head] on are handed over full (q_sync: with
	 * a sync request) and given back empty; under mu. */
	pthread_t thr;
	bool have_thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct sl_buf ring[NBUF];
	bool q_sync[NBUF];
	size_t head, filled;
	bool stop, werr;
	char werr_msg[160];
};

/* Write all of [p, p+n) at off, or with write(2) where off < 0 (a pipe,
 * stdout): 0, or the errno of the failure. */
static int pwrite_all(int fd, const char *p, size_t n, off_t off)
{
	while (n) {
		ssize_t w = off < 0 ? write(fd, p, n) : pwrite(fd, p, n, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		p += w;
		n -= (size_t)w;
		if (off >= 0)
			off += w;
	}
	return 0;
}

/* The page cache path: append at `written`, and start writeback at once
 * (sync_file_range without waiting), so the disk works while the next
 * records are encoded and the group fsync finds little left to do. */
static const char *cached_put(struct jsonl_sink *s, const char *p, size_t n)
{
	if (!n)
		return NULL;
	off_t start = s->written;
	int e = pwrite_all(s->fd, p, n, start);
	if (e)
		return strerror(e);
	s->written += (off_t)n;
	/* Advisory: an error here (a file system without it) changes nothing,
	 * since durability comes from the fsync. */
	(void)sync_file_range(s->fd, start, (off_t)n, SYNC_FILE_RANGE_WRITE);
	return NULL;
}

/* Give up direct I/O: what the stage holds past `written` goes through the
 * page cache, and so does everything after it. */
static const char *dio_give_up(struct jsonl_sink *s)
{
	close(s->dfd);
	s->dfd = -1;
	s->dio_refused = true;
	size_t done = (size_t)(s->written - s->stage_off);
	const char *why = cached_put(s, s->stage + done, s->stage_len - done);
	s->stage_len = 0;
	return why;
}

/* Write the stage's whole blocks direct; with `tail`, also the bytes after
 * them through the page cache (they stay staged for the next direct write). */
static const char *dio_write(struct jsonl_sink *s, bool tail)
{
	size_t whole = s->stage_len & ~(size_t)(DIO_ALIGN - 1);
	if (whole) {
		int e = pwrite_all(s->dfd, s->stage, whole, s->stage_off);
		if (e) {
			/* Refused at the first write (the file system or the
			 * device wants another alignment): fall back. */
			if (e == EINVAL && !s->dio_ok)
				return dio_give_up(s);
			return strerror(e);
		}
		s->dio_ok = true;
		s->stage_off += (off_t)whole;
		if (s->written < s->stage_off)
			s->written = s->stage_off;
		s->stage_len -= whole;
		memmove(s->stage, s->stage + whole, s->stage_len);
	}
	off_t end = s->stage_off + (off_t)s->stage_len;
	if (tail && end > s->written) {
		size_t done = (size_t)(s->written - s->stage_off);
		int e = pwrite_all(s->fd, s->stage + done, s->stage_len - done, s->written);
		if (e)
			return strerror(e);
		s->written = end;
	}
	return NULL;
}

static const char *dio_put(struct jsonl_sink *s, const char *p, size_t n, bool sync)
{
	while (n && s->dfd >= 0) {
		size_t k = DIO_CHUNK - s->stage_len;
		if (k > n)
			k = n;
		memcpy(s->stage + s->stage_len, p, k);
		s->stage_len += k;
		p += k;
		n -= k;
		if (s->stage_len == DIO_CHUNK) {
			const char *why = dio_write(s, false);
			if (why)
				return why;
		}
	}
	if (s->dfd < 0) /* direct I/O was refused just now */
		return cached_put(s, p, n);
	return sync ? dio_write(s, true) : NULL;
}

/* Writer thread: write each handed-over buffer, then give it back. */
static void *writer_main(void *arg)
{
	struct jsonl_sink *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->filled && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (!s->filled)
			break; /* stopping, nothing left */
		struct sl_buf *b = &s->ring[s->head];
		bool sync = s->q_sync[s->head];
		/* After a failed write nothing more goes to the file: later
		 * records must not land where the lost ones belong. */
		bool skip = s->werr;
		pthread_mutex_unlock(&s->mu);
		const char *why = NULL;
		if (skip) {
			/* dropped; none of it is acked */
		} else if (s->is_stream) {
			int e = pwrite_all(s->fd, b->data, b->len, -1);
			why = e ? strerror(e) : NULL;
		} else if (s->dfd >= 0) {
			why = dio_put(s, b->data, b->len, sync);
		} else {
			why = cached_put(s, b->data, b->len);
		}
		pthread_mutex_lock(&s->mu);
		if (why && !s->werr) {
			s->werr = true;
			snprintf(s->werr_msg, sizeof s->werr_msg, "%s", why);
		}
		sl_buf_reset(b);
		s->head = (s->head + 1) % NBUF;
		s->filled--;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Wait until the writer holds nothing; SL_ERR_IO if a write failed. */
static enum sl_err drain(struct jsonl_sink *s, struct sl_errbuf *eb)
{
	pthread_mutex_lock(&s->mu);
	while (s->filled)
		pthread_cond_wait(&s->cv, &s->mu);
	bool bad = s->werr, refused = s->dio_refused;
	pthread_mutex_unlock(&s->mu);
	if (refused && !s->dio_said) {
		s->dio_said = true;
		sl_info("sink file: the file system refused direct I/O; writing through the page cache");
	}
	if (bad) {
		s->failed = true;
		return sl_err_set(eb, SL_ERR_IO, "could not write sink file: %s", s->werr_msg);
	}
	return SL_OK;
}

/* Queue all of `out` for the writer thread, waiting only while the ring is
 * full, so encoding goes on while up to NBUF buffers are being written.
 * With `sync` the writer also puts what it has staged for direct I/O into
 * the file, so that a drain after it leaves every record in the file. */
static enum sl_err write_out(struct jsonl_sink *s, bool sync, struct sl_errbuf *eb)
{
	pthread_mutex_lock(&s->mu);
	while (s->filled == NBUF)
		pthread_cond_wait(&s->cv, &s->mu);
	bool bad = s->werr;
	/* Read after the ring was seen empty or with the lock held: the
	 * writer touches dfd and stage_len only while it owns a buffer. */
	bool staged = !s->filled && s->dfd >= 0 && s->stage_len;
	if (!bad && (s->out.len || (sync && (s->filled || staged)))) {
		size_t i = (s->head + s->filled) % NBUF;
		struct sl_buf t = s->ring[i];
		s->ring[i] = s->out;
		s->out = t;
		s->q_sync[i] = sync;
		s->filled++;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return bad ? drain(s, eb) : SL_OK;
}

static enum sl_err jsonl_sync(struct jsonl_sink *s, struct sl_errbuf *eb)
{
	if (!s->npending)
		return SL_OK;
	enum sl_err err = write_out(s, true, eb);
	if (!err)
		err = drain(s, eb);
	if (err)
		return err;
	if (!s->is_stream && fsync(s->fd) != 0) {
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
	if (s->out.len >= OUT_FLUSH && (err = write_out(s, false, eb)))
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
		if (!s->failed && !write_out(s, true, &eb))
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
	if (s->dfd >= 0)
		close(s->dfd);
	free(s->stage);
	sl_buf_free(&s->out);
	for (size_t i = 0; i < NBUF; i++)
		sl_buf_free(&s->ring[i]);
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

/* Open the direct descriptor and stage the file's last partial block (its
 * bytes from the aligned offset below the end), or leave dfd at -1 where
 * the file system has no direct I/O. */
static enum sl_err dio_open(struct jsonl_sink *s, const char *path, struct sl_errbuf *eb)
{
	s->dfd = open(path, O_WRONLY | O_DIRECT | O_CLOEXEC);
	if (s->dfd < 0) {
		if (errno == EINVAL) {
			sl_info("sink file: the file system has no direct I/O; writing through the page cache");
			return SL_OK;
		}
		return sl_err_set(eb, SL_ERR_IO, "could not open sink file \"%s\": %s", path,
				  strerror(errno));
	}
	void *mem = NULL;
	if (posix_memalign(&mem, DIO_ALIGN, DIO_CHUNK))
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	s->stage = mem;
	s->stage_off = s->written & ~(off_t)(DIO_ALIGN - 1);
	s->stage_len = (size_t)(s->written - s->stage_off);
	if (s->stage_len && pread(s->fd, s->stage, s->stage_len, s->stage_off) != (ssize_t)s->stage_len)
		return sl_err_set(eb, SL_ERR_IO, "could not read sink file \"%s\": %s", path,
				  strerror(errno ? errno : EIO));
	return SL_OK;
}

enum sl_err sl_sink_jsonl_new(const char *path, int sync_interval_ms, bool direct_io,
			      struct sl_sink **out, struct sl_errbuf *eb)
{
	struct jsonl_sink *s = calloc(1, sizeof *s);
	if (!s)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	s->base.ops = &jsonl_ops;
	s->sync_interval_ms = sync_interval_ms;
	s->fd = -1;
	s->dfd = -1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (!path || !strcmp(path, "-")) {
		/* Whatever stdio already buffered for stdout goes first. */
		fflush(stdout);
		s->fd = STDOUT_FILENO;
		s->is_stdout = true;
		s->is_stream = true;
	} else {
		/* No O_APPEND: the writer thread writes at offsets it tracks. */
		s->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (s->fd < 0) {
			int e = errno;
			jsonl_destroy(&s->base);
			return sl_err_set(eb, SL_ERR_IO, "could not open sink file \"%s\": %s", path,
					  strerror(e));
		}
		struct stat st;
		if (fstat(s->fd, &st) == 0 && !S_ISREG(st.st_mode))
			s->is_stream = true; /* a FIFO or a device: no offsets, no fsync */
		/* A crash can leave a torn last line: that record was never
		 * fsynced, so never acked, and PostgreSQL sends it again.  Cut
		 * the file back to its last complete line. */
		if (!s->is_stream &&
		    (repair_tail(s->fd) != 0 || (s->written = lseek(s->fd, 0, SEEK_END)) < 0)) {
			int e = errno;
			jsonl_destroy(&s->base);
			return sl_err_set(eb, SL_ERR_IO, "could not repair sink file \"%s\": %s", path,
					  strerror(e));
		}
		enum sl_err err = direct_io && !s->is_stream ? dio_open(s, path, eb) : SL_OK;
		if (err) {
			jsonl_destroy(&s->base);
			return err;
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
