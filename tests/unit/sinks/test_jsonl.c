/* SPDX-License-Identifier: Apache-2.0
 *
 * test_jsonl.c -- the file sink's bytes and acks, through the direct I/O
 * path and the page cache path: records of many sizes (crossing the 4 KiB
 * blocks and the 1 MiB direct writes), flushes at odd points, appends to a
 * file whose end is not aligned, a torn last line cut on open, and a file
 * system that refuses the first direct write.  The file must hold exactly
 * the lines produced, in order, and every record is acked once, only by a
 * flush or poll after it was produced.
 *
 * jsonl.c is compiled into this test (not linked from the library) so that
 * pwrite can be wrapped: with g_refuse_direct set, a write through an
 * O_DIRECT descriptor fails with EINVAL, as on a file system or device
 * that wants another alignment.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int g_refuse_direct;
static long g_direct_writes, g_cached_writes;

static ssize_t test_pwrite(int fd, const void *p, size_t n, off_t off)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0 && (fl & O_DIRECT)) {
		if (g_refuse_direct) {
			errno = EINVAL;
			return -1;
		}
		__atomic_add_fetch(&g_direct_writes, 1, __ATOMIC_RELAXED);
	} else {
		__atomic_add_fetch(&g_cached_writes, 1, __ATOMIC_RELAXED);
	}
	return pwrite(fd, p, n, off);
}
#define pwrite test_pwrite
#include "sinks/jsonl.c"
#undef pwrite

#include "core/buf.h"
#include "lib/test.h"

static uint64_t g_acked_upto; /* every seq below it is acked */
static int g_ack_bad;

static void on_ack(void *ctx, uint64_t seq, enum sl_err err, const char *msg)
{
	(void)ctx;
	(void)msg;
	if (err != SL_OK || seq != g_acked_upto)
		g_ack_bad++;
	g_acked_upto = seq + 1;
}

static struct sl_buf g_want; /* what the file must hold */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* A value of `n` bytes (n >= 2): a JSON string of letters cycling with i. */
static void make_value(struct sl_buf *v, size_t n, uint64_t i)
{
	sl_buf_reset(v);
	sl_buf_ensure(v, n + 1);
	v->data[0] = '"';
	for (size_t k = 1; k + 1 < n; k++)
		v->data[k] = (char)('a' + (i + k) % 26);
	v->data[n - 1] = '"';
	v->len = n;
}

static uint64_t g_seq;

/* Produce `count` records of sizes drawn from `sizes` (cycling), flushing
 * every `flush_every` records (0: never in between); returns false on an
 * error. */
static bool produce_run(struct sl_sink *sink, int count, const size_t *sizes, size_t nsizes,
			int flush_every, const char *topic)
{
	struct sl_buf v;
	sl_buf_init(&v, 0);
	struct sl_errbuf eb;
	bool good = true;
	for (int i = 0; i < count && good; i++) {
		make_value(&v, sizes[(size_t)i % nsizes], g_seq);
		char key[32];
		int kl = snprintf(key, sizeof key, "{\"id\":%llu}", (unsigned long long)g_seq);
		bool tomb = g_seq % 7 == 6;
		struct sl_record r = {.topic = topic, .key = key, .key_len = (size_t)kl,
				      .value = tomb ? NULL : v.data, .value_len = tomb ? 0 : v.len,
				      .seq = g_seq++};
		good = sl_sink_produce(sink, &r, &eb) == SL_OK;
		sl_buf_puts(&g_want, "{\"topic\":\"");
		sl_buf_puts(&g_want, topic);
		sl_buf_puts(&g_want, "\",\"key\":");
		sl_buf_append(&g_want, key, (size_t)kl);
		sl_buf_puts(&g_want, ",\"value\":");
		if (tomb)
			sl_buf_puts(&g_want, "null");
		else
			sl_buf_append(&g_want, v.data, v.len);
		sl_buf_puts(&g_want, "}\n");
		if (good && flush_every && i % flush_every == flush_every - 1)
			good = sl_sink_flush(sink, 1000, &eb) == SL_OK;
	}
	sl_buf_free(&v);
	return good;
}

static void check_file(const char *path, const char *what)
{
	size_t n = 0;
	char *got = read_file(path, &n);
	ok(got != NULL, "%s: file readable", what);
	if (!got)
		return;
	bool same = n == g_want.len && !memcmp(got, g_want.data, n);
	if (!ok(same, "%s: file holds exactly the produced lines", what)) {
		size_t i = 0;
		while (i < n && i < g_want.len && got[i] == g_want.data[i])
			i++;
		printf("#   %zu bytes, want %zu; first difference at %zu\n", n, g_want.len, i);
	}
	free(got);
}

static struct sl_sink *open_sink(const char *path, bool direct)
{
	struct sl_sink *sink = NULL;
	struct sl_errbuf eb;
	enum sl_err err = sl_sink_jsonl_new(path, 1000000, direct, &sink, &eb);
	ok(err == SL_OK, "open %s (direct %d): %s", path, direct, err ? eb.msg : "ok");
	if (sink) {
		sink->on_ack = on_ack;
		sink->ack_ctx = NULL;
	}
	return sink;
}

static void scenario(const char *dir, bool direct, bool refuse)
{
	char path[512], what[128];
	snprintf(path, sizeof path, "%s/out-%d-%d.jsonl", dir, direct, refuse);
	snprintf(what, sizeof what, "direct=%d refuse=%d", direct, refuse);
	unlink(path);
	sl_buf_reset(&g_want);
	g_seq = g_acked_upto = 0;
	g_ack_bad = 0;
	g_refuse_direct = refuse;
	g_direct_writes = g_cached_writes = 0;
	struct sl_errbuf eb;

	/* 1: small and large records, flushed at odd points. */
	static const size_t mix[] = {2, 37, 4095, 1, 600, 4096, 70000, 3, 1048576, 511, 9000};
	static const size_t mix2[] = {2, 37, 4094, 600, 4097, 70000, 3, 1048577, 511, 9000};
	struct sl_sink *sink = open_sink(path, direct);
	if (!sink)
		return;
	ok(produce_run(sink, 200, mix + 1, 10, 13, "dbserver1.app.users"), "%s: run 1", what);
	uint64_t before = g_acked_upto;
	ok(before < g_seq, "%s: records after the last flush are not acked yet", what);
	ok(sl_sink_flush(sink, 1000, &eb) == SL_OK, "%s: flush", what);
	is_int(g_acked_upto, g_seq, "%s: a flush acks every record", what);
	check_file(path, what);
	/* An empty flush, then tiny records with a flush after each. */
	ok(sl_sink_flush(sink, 1000, &eb) == SL_OK, "%s: empty flush", what);
	ok(produce_run(sink, 50, mix, 1, 1, "t.small"), "%s: run 2", what);
	check_file(path, what);
	/* Many records without a flush: whole 1 MiB direct writes. */
	ok(produce_run(sink, 3000, mix2, 10, 0, "dbserver1.public.orders"), "%s: run 3", what);
	ok(sl_sink_flush(sink, 1000, &eb) == SL_OK, "%s: flush 3", what);
	check_file(path, what);
	is_int(sl_sink_in_flight(sink), 0, "%s: nothing in flight", what);
	sl_sink_destroy(sink);
	if (direct && !refuse)
		ok(g_direct_writes > 0, "%s: direct writes were made (%ld)", what, g_direct_writes);
	if (!direct || refuse)
		is_int(g_direct_writes, 0, "%s: no direct write succeeded", what);

	/* 2: reopen: appends after an unaligned end (the stage is preloaded). */
	struct stat st;
	stat(path, &st);
	ok(st.st_size % DIO_ALIGN != 0, "%s: the file ends off a block boundary (%lld)", what,
	   (long long)st.st_size);
	sink = open_sink(path, direct);
	if (!sink)
		return;
	ok(produce_run(sink, 400, mix, 11, 29, "again"), "%s: run 4", what);
	ok(sl_sink_flush(sink, 1000, &eb) == SL_OK, "%s: flush 4", what);
	check_file(path, what);
	sl_sink_destroy(sink);

	/* 3: a torn last line (a crash before the fsync) is cut on open. */
	int fd = open(path, O_WRONLY | O_APPEND);
	ok(fd >= 0 && write(fd, "{\"topic\":\"torn", 14) == 14, "%s: tear the last line", what);
	if (fd >= 0)
		close(fd);
	sink = open_sink(path, direct);
	if (!sink)
		return;
	ok(produce_run(sink, 100, mix2 + 2, 5, 17, "after.tear"), "%s: run 5", what);
	/* destroy without a flush still hands the records to the file. */
	sl_sink_destroy(sink);
	check_file(path, what);
	is_int(g_ack_bad, 0, "%s: every ack in order, once, without error", what);
	unlink(path);
}

/* A FIFO with a reader on the other end, and /dev/null: written with
 * write(2), acked once written, never fsynced (fsync fails on both). */
struct fifo_reader {
	const char *path;
	struct sl_buf got;
};

static void *fifo_read_main(void *arg)
{
	struct fifo_reader *r = arg;
	int fd = open(r->path, O_RDONLY);
	char buf[65536];
	ssize_t n;
	while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
		sl_buf_append(&r->got, buf, (size_t)n);
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void stream_files(const char *dir)
{
	char path[512];
	snprintf(path, sizeof path, "%s/pipe", dir);
	ok(mkfifo(path, 0600) == 0, "mkfifo");
	struct fifo_reader r = {.path = path};
	sl_buf_init(&r.got, 0);
	pthread_t thr;
	ok(pthread_create(&thr, NULL, fifo_read_main, &r) == 0, "FIFO reader");
	sl_buf_reset(&g_want);
	g_seq = g_acked_upto = 0;
	g_ack_bad = 0;
	g_refuse_direct = 0;
	g_direct_writes = 0;
	struct sl_errbuf eb;
	static const size_t mix[] = {2, 37, 4095, 600, 70000, 3, 1048577};
	struct sl_sink *sink = open_sink(path, true);
	if (sink) {
		ok(produce_run(sink, 300, mix, 7, 41, "fifo.topic"), "FIFO: records written");
		ok(sl_sink_flush(sink, 1000, &eb) == SL_OK, "FIFO: flush (no fsync)");
		is_int(g_acked_upto, g_seq, "FIFO: every record acked once written");
		sl_sink_destroy(sink);
	} else {
		/* Let the reader's open return, so the test ends. */
		int fd = open(path, O_WRONLY);
		if (fd >= 0)
			close(fd);
	}
	pthread_join(thr, NULL);
	is_mem(r.got.data ? r.got.data : "", r.got.len, g_want.data, g_want.len,
	       "FIFO: the reader got exactly the lines");
	is_int(g_direct_writes, 0, "FIFO: no direct I/O");
	is_int(g_ack_bad, 0, "FIFO: acks in order, without error");
	sl_buf_free(&r.got);
	unlink(path);

	sl_buf_reset(&g_want);
	g_seq = g_acked_upto = 0;
	sink = open_sink("/dev/null", true);
	if (sink) {
		ok(produce_run(sink, 50, mix, 7, 9, "null.topic"), "/dev/null: records written");
		ok(sl_sink_flush(sink, 1000, &eb) == SL_OK, "/dev/null: flush (no fsync)");
		is_int(g_acked_upto, g_seq, "/dev/null: every record acked");
		sl_sink_destroy(sink);
	}
}

int main(void)
{
	sl_buf_init(&g_want, 0);
	char dir[] = "/tmp/sluice-jsonl.XXXXXX";
	ok(mkdtemp(dir) != NULL, "temporary directory");
	scenario(dir, true, false);
	scenario(dir, false, false);
	scenario(dir, true, true);
	stream_files(dir);
	rmdir(dir);
	sl_buf_free(&g_want);
	return t_done();
}
