/* SPDX-License-Identifier: Apache-2.0
 *
 * test_store.c -- the store interface on the file backend: URL parsing,
 * key rules, the writer state machine, conditional create, list order.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/test.h"
#include "store/store.h"

struct acc {
	struct sl_buf b;
};

static enum sl_err collect(void *ctx, const char *key, uint64_t size, struct sl_errbuf *eb)
{
	(void)eb;
	struct acc *a = ctx;
	sl_buf_appendf(&a->b, "%s:%llu;", key, (unsigned long long)size);
	return SL_OK;
}

static enum sl_err stop_at_second(void *ctx, const char *key, uint64_t size, struct sl_errbuf *eb)
{
	(void)key;
	(void)size;
	int *n = ctx;
	if (++*n == 2)
		return sl_err_set(eb, SL_ERR_STATE, "stop");
	return SL_OK;
}

static int count_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, ".sluice-tmp-", 12))
			n++;
	if (d)
		closedir(d);
	return n;
}

static void test_keys(void)
{
	struct sl_errbuf eb;
	const char *good[] = {"a", "a/b/c.parquet", "topics/t/dt=2024-01-01/t+0+0000000001.parquet",
			      "a b/é", ".hidden", "a..b", NULL};
	const char *bad[] = {"", "/a", "a//b", "a/", "./a", "a/../b", "..", "a/./b", "a\nb",
			     "d/.sluice-tmp-x", NULL};
	for (int i = 0; good[i]; i++)
		is_int(sl_store_key_check(good[i], &eb), SL_OK, "key ok: %s", good[i]);
	for (int i = 0; bad[i]; i++)
		is_int(sl_store_key_check(bad[i], &eb), SL_ERR_ARG, "key refused: %s", bad[i]);
	char longk[1100];
	memset(longk, 'k', sizeof longk - 1);
	longk[sizeof longk - 1] = 0;
	is_int(sl_store_key_check(longk, &eb), SL_ERR_ARG, "key over 1024 bytes refused");
}

static void test_urls(void)
{
	struct sl_store *st = NULL;
	struct sl_errbuf eb;
	struct sl_store_opts o;
	sl_store_opts_init(&o);
	o.access_key = "AK";
	o.secret_key = "SK";
	is_int(sl_store_open("http://x", &o, &st, &eb), SL_ERR_CONFIG, "unknown scheme");
	is_int(sl_store_open("file://rel", &o, &st, &eb), SL_ERR_CONFIG, "relative file URL");
	is_int(sl_store_open("s3://", &o, &st, &eb), SL_ERR_CONFIG, "s3 URL without bucket");
	is_int(sl_store_open("s3://bucket/a//b", &o, &st, &eb), SL_ERR_CONFIG, "bad s3 prefix");
	o.part_size = 1 << 20;
	is_int(sl_store_open("s3://bucket/p", &o, &st, &eb), SL_ERR_CONFIG, "part size under 5 MiB");
	ok(strstr(eb.msg, "s3.part.size") != NULL, "message names s3.part.size: %s", eb.msg);
	o.part_size = 0;
	is_int(sl_store_open("s3://bucket/p/", &o, &st, &eb), SL_OK, "s3 store opens without I/O");
	is_str(sl_store_scheme(st), "s3", "scheme s3");
	ok(!sl_store_can_if_none_match(st), "If-None-Match not assumed on S3");
	sl_store_close(st);
	o.if_none_match = 1;
	is_int(sl_store_open("s3://bucket", &o, &st, &eb), SL_OK, "bucket-only URL");
	ok(sl_store_can_if_none_match(st), "If-None-Match declared");
	sl_store_close(st);
}

static void test_file_store(void)
{
	char root[] = "/tmp/sl-store-test.XXXXXX";
	ok(mkdtemp(root) != NULL, "temp dir");
	char url[128];
	snprintf(url, sizeof url, "file://%s", root);
	struct sl_store *st;
	struct sl_errbuf eb = {{0}};
	is_int(sl_store_open(url, NULL, &st, &eb), SL_OK, "open file store (%s)", eb.msg);
	is_str(sl_store_scheme(st), "file", "scheme file");
	ok(sl_store_can_if_none_match(st), "file store enforces conditional create");

	/* Streaming writes larger than the staging buffer. */
	struct sl_store_writer *w;
	is_int(sl_store_writer_open(st, "t/p=1/obj.bin", 0, &w, &eb), SL_OK, "writer open");
	char *chunk = malloc(100000);
	for (int i = 0; i < 100000; i++)
		chunk[i] = (char)(i * 7);
	for (int i = 0; i < 5; i++)
		is_int(sl_store_writer_write(w, chunk, 100000, &eb), SL_OK, "write %d", i);
	is_int(sl_store_writer_size(w), 500000, "size counted");
	bool ex, existed = true;
	uint64_t size;
	is_int(sl_store_head(st, "t/p=1/obj.bin", &ex, &size, &eb), SL_OK, "head before commit");
	ok(!ex, "nothing visible before commit");
	is_int(sl_store_writer_commit(w, &existed, &eb), SL_OK, "commit");
	ok(!existed, "not existed");
	is_int(sl_store_writer_write(w, "x", 1, &eb), SL_ERR_STATE, "write after commit refused");
	is_int(sl_store_writer_commit(w, NULL, &eb), SL_ERR_STATE, "second commit refused");
	is_int(sl_store_writer_abort(w, &eb), SL_OK, "abort after commit is a no-op");
	sl_store_writer_free(w);
	is_int(sl_store_head(st, "t/p=1/obj.bin", &ex, &size, &eb), SL_OK, "head after commit");
	ok(ex && size == 500000, "visible with full size");
	struct sl_buf got = {0};
	is_int(sl_store_get(st, "t/p=1/obj.bin", &got, &eb), SL_OK, "get");
	ok(got.len == 500000 && !memcmp(got.data + 400000, chunk, 100000), "content round trip");
	sl_buf_free(&got);

	/* Conditional create: second writer sees existed, content kept. */
	is_int(sl_store_put(st, "c/k", SL_STORE_IF_NONE_MATCH, "one", 3, &existed, &eb), SL_OK, "cond put 1");
	ok(!existed, "created");
	is_int(sl_store_put(st, "c/k", SL_STORE_IF_NONE_MATCH, "two!", 4, &existed, &eb), SL_OK, "cond put 2");
	ok(existed, "existed reported");
	is_int(sl_store_get(st, "c/k", &got, &eb), SL_OK, "get c/k");
	is_str(got.data, "one", "first content kept");
	sl_buf_free(&got);

	/* Abort and free-without-commit leave no object and no temp file. */
	char dir[256];
	snprintf(dir, sizeof dir, "%s/c", root);
	is_int(sl_store_writer_open(st, "c/aborted", 0, &w, &eb), SL_OK, "writer 2");
	sl_store_writer_write(w, chunk, 1000, &eb);
	is_int(count_tmp(dir), 1, "temp file while writing");
	is_int(sl_store_writer_abort(w, &eb), SL_OK, "abort");
	is_int(sl_store_writer_abort(w, &eb), SL_OK, "abort again (idempotent)");
	is_int(sl_store_writer_write(w, "x", 1, &eb), SL_ERR_STATE, "write after abort refused");
	sl_store_writer_free(w);
	is_int(sl_store_writer_open(st, "c/dropped", 0, &w, &eb), SL_OK, "writer 3");
	sl_store_writer_write(w, chunk, 1000, &eb);
	sl_store_writer_free(w);
	is_int(count_tmp(dir), 0, "no temp files left");
	is_int(sl_store_head(st, "c/aborted", &ex, NULL, &eb), SL_OK, "head aborted");
	ok(!ex, "aborted object absent");
	is_int(sl_store_get(st, "c/dropped", &got, &eb), SL_ERR_NOTFOUND, "freed writer's object absent");
	sl_buf_free(&got);

	/* Empty objects are objects. */
	is_int(sl_store_put(st, "c/empty", 0, "", 0, NULL, &eb), SL_OK, "empty put");
	is_int(sl_store_head(st, "c/empty", &ex, &size, &eb), SL_OK, "head empty");
	ok(ex && size == 0, "empty object exists with size 0");

	/* List: key order, prefix filter, callback can stop it. */
	struct acc a = {{0}};
	is_int(sl_store_list(st, "", collect, &a, &eb), SL_OK, "list all");
	is_str(a.b.data, "c/empty:0;c/k:3;t/p=1/obj.bin:500000;", "all keys sorted");
	sl_buf_reset(&a.b);
	is_int(sl_store_list(st, "c/", collect, &a, &eb), SL_OK, "list c/");
	is_str(a.b.data, "c/empty:0;c/k:3;", "prefix filter");
	sl_buf_reset(&a.b);
	is_int(sl_store_list(st, "zzz", collect, &a, &eb), SL_OK, "list missing prefix");
	ok(a.b.len == 0, "nothing listed");
	sl_buf_free(&a.b);
	int n = 0;
	is_int(sl_store_list(st, "", stop_at_second, &n, &eb), SL_ERR_STATE, "callback error stops listing");
	is_int(n, 2, "stopped at the second key");
	is_int(sl_store_list(st, "../", collect, &a, &eb), SL_ERR_ARG, "prefix escaping refused");

	is_int(sl_store_delete(st, "c/k", &eb), SL_OK, "delete");
	is_int(sl_store_delete(st, "c/k", &eb), SL_OK, "delete of an absent key is ok");
	is_int(sl_store_head(st, "c/k", &ex, NULL, &eb), SL_OK, "head deleted");
	ok(!ex, "deleted");
	free(chunk);
	sl_store_close(st);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	ok(system(cmd) == 0, "cleanup");
}

int main(void)
{
	test_keys();
	test_urls();
	test_file_store();
	return t_done();
}
