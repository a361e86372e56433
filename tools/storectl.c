/* SPDX-License-Identifier: Apache-2.0
 *
 * storectl.c -- drive the object store from a shell (tests, operators).
 *
 *   storectl [options] URL put KEY [FILE]    stream FILE (default stdin) into KEY
 *   storectl [options] URL get KEY           object to stdout
 *   storectl [options] URL head KEY          "exists SIZE" or "absent"
 *   storectl [options] URL list [PREFIX]     "KEY SIZE" per line
 *   storectl [options] URL delete KEY
 *   storectl [options] URL abort KEY [FILE]  stream, then abort instead of commit
 *   storectl [options] s3://bucket uploads   in-progress multipart uploads (KEY per line)
 *
 * Options: --endpoint URL --region R --path-style --part-size BYTES
 *          --max-keys N --attempts N --backoff-ms N --backoff-max-ms N
 *          --if-none-match (put: conditional create) --inm-native 0|1
 *          --ca-file PEM (extra trusted CA; peers are always verified)
 *          --crash-after BYTES (put: _exit(3) after writing that much,
 *          without commit or abort, as a crash would)
 * Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
 * AWS_SESSION_TOKEN.  Errors print "error SL_ERR_X: message" on stderr and
 * exit 1; a conditional put that found the key prints "existed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "s3/client.h"
#include "s3/xml.h"
#include "store/store.h"

static int fail(enum sl_err e, const struct sl_errbuf *eb)
{
	fprintf(stderr, "error %s: %s\n", sl_err_str(e), eb->msg);
	return 1;
}

static enum sl_err print_obj(void *ctx, const char *key, uint64_t size, struct sl_errbuf *eb)
{
	(void)ctx;
	(void)eb;
	printf("%s %llu\n", key, (unsigned long long)size);
	return SL_OK;
}

static int usage(void)
{
	fprintf(stderr, "usage: storectl [options] URL put|get|head|list|delete|abort|uploads [KEY] [FILE]\n");
	return 2;
}

/* List in-progress multipart uploads with the raw client (not part of the
 * store interface: only tests need it, to prove aborts happened). */
static int list_uploads(const char *url, const struct sl_store_opts *o)
{
	struct sl_errbuf eb = {{0}};
	char bucket[256];
	const char *b = url + 5;
	snprintf(bucket, sizeof bucket, "%.*s", (int)strcspn(b, "/"), b);
	struct sl_s3_client_opts co = {
		.endpoint = o->endpoint, .region = o->region, .bucket = bucket,
		.path_style = o->path_style, .access_key = getenv("AWS_ACCESS_KEY_ID"),
		.secret_key = getenv("AWS_SECRET_ACCESS_KEY"),
		.session_token = getenv("AWS_SESSION_TOKEN"), .max_attempts = o->max_attempts};
	struct sl_s3_client *c;
	enum sl_err e = sl_s3_client_new(&co, &c, &eb);
	if (e)
		return fail(e, &eb);
	struct sl_sigv4_kv q[] = {{"uploads", NULL}};
	struct sl_buf body = {0};
	struct sl_s3_request rq = {.method = "GET", .query = q, .n_query = 1, .resp_body = &body};
	struct sl_s3_response rs;
	e = sl_s3_client_do(c, &rq, &rs, &eb);
	if (!e && (rs.status < 200 || rs.status >= 300))
		e = sl_s3_client_status_err(&rs, "list multipart uploads", &eb);
	if (!e) {
		size_t pos = 0;
		const char *in;
		size_t inl;
		while (sl_s3_xml_next(body.data, body.len, &pos, "Upload", &in, &inl)) {
			struct sl_buf k = {0};
			if (sl_s3_xml_get(in, inl, "Key", &k) == SL_OK && k.data)
				printf("%s\n", k.data);
			sl_buf_free(&k);
		}
	}
	sl_buf_free(&body);
	sl_s3_client_free(c);
	return e ? fail(e, &eb) : 0;
}

int main(int argc, char **argv)
{
	struct sl_store_opts o;
	sl_store_opts_init(&o);
	unsigned flags = 0;
	long long crash_after = -1;
	int i = 1;
	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--path-style")) {
			o.path_style = true;
			continue;
		}
		if (!strcmp(a, "--if-none-match")) {
			flags |= SL_STORE_IF_NONE_MATCH;
			continue;
		}
		if (!v)
			return usage();
		i++;
		if (!strcmp(a, "--endpoint"))
			o.endpoint = v;
		else if (!strcmp(a, "--region"))
			o.region = v;
		else if (!strcmp(a, "--part-size"))
			o.part_size = (size_t)strtoull(v, NULL, 10);
		else if (!strcmp(a, "--max-keys"))
			o.list_page_size = atoi(v);
		else if (!strcmp(a, "--attempts"))
			o.max_attempts = atoi(v);
		else if (!strcmp(a, "--backoff-ms"))
			o.backoff_base_ms = atoi(v);
		else if (!strcmp(a, "--backoff-max-ms"))
			o.backoff_max_ms = atoi(v);
		else if (!strcmp(a, "--inm-native"))
			o.if_none_match = atoi(v);
		else if (!strcmp(a, "--ca-file"))
			o.ca_file = v;
		else if (!strcmp(a, "--crash-after"))
			crash_after = atoll(v);
		else
			return usage();
	}
	if (argc - i < 2)
		return usage();
	sl_log_setup("text", NULL);
	const char *url = argv[i], *cmd = argv[i + 1];
	const char *key = argc - i > 2 ? argv[i + 2] : NULL;
	const char *file = argc - i > 3 ? argv[i + 3] : NULL;
	if (!strcmp(cmd, "uploads"))
		return list_uploads(url, &o);

	struct sl_errbuf eb = {{0}};
	struct sl_store *st;
	enum sl_err e = sl_store_open(url, &o, &st, &eb);
	if (e)
		return fail(e, &eb);
	int rc = 0;
	if (!strcmp(cmd, "put") || !strcmp(cmd, "abort")) {
		if (!key) {
			sl_store_close(st);
			return usage();
		}
		FILE *in = file && strcmp(file, "-") ? fopen(file, "rb") : stdin;
		if (!in) {
			perror(file);
			sl_store_close(st);
			return 1;
		}
		struct sl_store_writer *w;
		e = sl_store_writer_open(st, key, flags, &w, &eb);
		if (!e) {
			static char chunk[1 << 16];
			size_t n;
			long long total = 0;
			while (!e && (n = fread(chunk, 1, sizeof chunk, in)) > 0) {
				e = sl_store_writer_write(w, chunk, n, &eb);
				total += (long long)n;
				if (!e && crash_after >= 0 && total >= crash_after)
					_exit(3); /* as a crash: no commit, no abort */
			}
			if (!e && !strcmp(cmd, "put")) {
				bool existed = false;
				e = sl_store_writer_commit(w, &existed, &eb);
				if (!e)
					printf("%s\n", existed ? "existed" : "ok");
			} else if (!e) {
				e = sl_store_writer_abort(w, &eb);
				/* abort is idempotent: a second call is a no-op */
				if (!e)
					e = sl_store_writer_abort(w, &eb);
				if (!e)
					printf("aborted\n");
			}
			sl_store_writer_free(w);
		}
		if (in != stdin)
			fclose(in);
		if (e)
			rc = fail(e, &eb);
	} else if (!strcmp(cmd, "get") && key) {
		struct sl_buf b = {0};
		e = sl_store_get(st, key, &b, &eb);
		if (!e && b.len)
			fwrite(b.data, 1, b.len, stdout);
		sl_buf_free(&b);
		if (e)
			rc = fail(e, &eb);
	} else if (!strcmp(cmd, "head") && key) {
		bool ex;
		uint64_t size = 0;
		e = sl_store_head(st, key, &ex, &size, &eb);
		if (!e) {
			if (ex)
				printf("exists %llu\n", (unsigned long long)size);
			else
				printf("absent\n");
		} else {
			rc = fail(e, &eb);
		}
	} else if (!strcmp(cmd, "list")) {
		e = sl_store_list(st, key ? key : "", print_obj, NULL, &eb);
		if (e)
			rc = fail(e, &eb);
	} else if (!strcmp(cmd, "delete") && key) {
		e = sl_store_delete(st, key, &eb);
		if (e)
			rc = fail(e, &eb);
	} else {
		rc = usage();
	}
	sl_store_close(st);
	return rc;
}
