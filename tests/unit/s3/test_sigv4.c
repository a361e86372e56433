/* SPDX-License-Identifier: Apache-2.0
 *
 * test_sigv4.c -- the signer against AWS's published vectors
 * (tests/unit/s3/vectors/: the SigV4 test suite and the S3 API reference
 * examples), step by step: canonical request, string to sign, signature.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "s3/sigv4.h"
#include "lib/test.h"

#define MAXKV 16

struct vcase {
	char name[128], method[16], path[256];
	bool normalize;
	char *qname[MAXKV], *qval[MAXKV];
	int nq;
	char *hname[MAXKV], *hval[MAXKV];
	int nh;
	struct sl_buf body, creq, sts;
	char creq_sha[80], authz[512];
	bool has_body, has_creq, has_sts;
};

static void vcase_free(struct vcase *c)
{
	for (int i = 0; i < c->nq; i++) {
		free(c->qname[i]);
		free(c->qval[i]);
	}
	for (int i = 0; i < c->nh; i++) {
		free(c->hname[i]);
		free(c->hval[i]);
	}
	sl_buf_free(&c->body);
	sl_buf_free(&c->creq);
	sl_buf_free(&c->sts);
	memset(c, 0, sizeof *c);
}

static void add_line(struct sl_buf *b, bool *has, const char *v)
{
	if (*has)
		sl_buf_putc(b, '\n');
	sl_buf_puts(b, v);
	*has = true;
}

static void run_case(struct vcase *c, const char *access, const char *secret, const char *region,
		     const char *service)
{
	struct sl_sigv4_kv q[MAXKV], h[MAXKV];
	for (int i = 0; i < c->nq; i++)
		q[i] = (struct sl_sigv4_kv){c->qname[i], c->qval[i]};
	const char *amz = NULL;
	for (int i = 0; i < c->nh; i++) {
		h[i] = (struct sl_sigv4_kv){c->hname[i], c->hval[i]};
		if (!strcmp(c->hname[i], "x-amz-date"))
			amz = c->hval[i];
	}
	char ph[65];
	sl_sigv4_sha256_hex(c->body.data ? c->body.data : "", c->body.len, ph);
	struct sl_sigv4_req r = {.method = c->method,
				 .path = c->path,
				 .query = q,
				 .n_query = (size_t)c->nq,
				 .headers = h,
				 .n_headers = (size_t)c->nh,
				 .payload_sha256 = ph,
				 .normalize_path = c->normalize};
	struct sl_sigv4_key k = {access, secret, region, service};
	struct sl_sigv4_out o;
	struct sl_errbuf eb = {{0}};
	enum sl_err e = sl_sigv4_sign(&r, &k, amz, &o, &eb);
	is_int(e, SL_OK, "%s: signs (%s)", c->name, eb.msg);
	if (e)
		return;
	if (c->has_creq)
		is_str(o.canonical_request.data, c->creq.data, "%s: canonical request", c->name);
	if (c->creq_sha[0]) {
		char hh[65];
		sl_sigv4_sha256_hex(o.canonical_request.data, o.canonical_request.len, hh);
		is_str(hh, c->creq_sha, "%s: canonical request hash", c->name);
	}
	if (c->has_sts)
		is_str(o.string_to_sign.data, c->sts.data, "%s: string to sign", c->name);
	is_str(o.authorization.data, c->authz, "%s: authorization", c->name);
	sl_sigv4_out_free(&o);
}

static int run_file(const char *file, const char *access, const char *secret, const char *region,
		    const char *service)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/tests/unit/s3/vectors/%s", t_src_root(), file);
	FILE *f = fopen(path, "r");
	if (!ok(f != NULL, "open %s", path))
		return 0;
	struct vcase c;
	memset(&c, 0, sizeof c);
	char line[1024];
	int n = 0;
	for (;;) {
		char *got = fgets(line, sizeof line, f);
		size_t len = got ? strlen(line) : 0;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (!got || len == 0) {
			if (c.name[0]) {
				run_case(&c, access, secret, region, service);
				n++;
			}
			vcase_free(&c);
			if (!got)
				break;
			continue;
		}
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = 0;
		char *v = colon + 1;
		if (*v == ' ')
			v++;
		if (!strcmp(line, "name"))
			snprintf(c.name, sizeof c.name, "%s", v);
		else if (!strcmp(line, "method"))
			snprintf(c.method, sizeof c.method, "%s", v);
		else if (!strcmp(line, "path"))
			snprintf(c.path, sizeof c.path, "%s", v);
		else if (!strcmp(line, "normalize"))
			c.normalize = atoi(v) != 0;
		else if (!strcmp(line, "query") && c.nq < MAXKV) {
			char *eq = strchr(v, '=');
			if (eq)
				*eq = 0;
			c.qname[c.nq] = strdup(v);
			c.qval[c.nq] = eq ? strdup(eq + 1) : NULL;
			c.nq++;
		} else if (!strcmp(line, "header") && c.nh < MAXKV) {
			char *hc = strchr(v, ':');
			if (!hc)
				continue;
			*hc = 0;
			c.hname[c.nh] = strdup(v);
			c.hval[c.nh] = strdup(hc + 1);
			c.nh++;
		} else if (!strcmp(line, "body"))
			sl_buf_puts(&c.body, v), c.has_body = true;
		else if (!strcmp(line, "creq"))
			add_line(&c.creq, &c.has_creq, v);
		else if (!strcmp(line, "sts"))
			add_line(&c.sts, &c.has_sts, v);
		else if (!strcmp(line, "creq_sha256"))
			snprintf(c.creq_sha, sizeof c.creq_sha, "%s", v);
		else if (!strcmp(line, "authz"))
			snprintf(c.authz, sizeof c.authz, "%s", v);
	}
	fclose(f);
	return n;
}

static void test_helpers(void)
{
	char d[17];
	sl_sigv4_amz_date(1369353600, d);
	is_str(d, "20130524T000000Z", "amz date");
	sl_sigv4_amz_date(1709251199, d);
	is_str(d, "20240229T235959Z", "amz date on a leap day");
	char h[65];
	sl_sigv4_sha256_hex("", 0, h);
	is_str(h, SL_SIGV4_EMPTY_SHA256, "empty sha256");
	struct sl_buf b = {0};
	sl_sigv4_uri_encode(&b, "a b/c+d~é", strlen("a b/c+d~é"), true);
	is_str(b.data, "a%20b/c%2Bd~%C3%A9", "encode path");
	sl_buf_reset(&b);
	sl_sigv4_uri_encode(&b, "a/b=c", 5, false);
	is_str(b.data, "a%2Fb%3Dc", "encode query component");
	sl_buf_free(&b);
}

/* Valueless sub-resources become "name=", and a multipart query is sorted. */
static void test_subresources(void)
{
	struct sl_sigv4_kv q[] = {{"uploadId", "a/b+c"}, {"partNumber", "2"}};
	struct sl_sigv4_kv h[] = {{"Host", "b.example"}, {"x-amz-date", "20130524T000000Z"}};
	struct sl_sigv4_req r = {"PUT", "/k", q, 2, h, 2, SL_SIGV4_EMPTY_SHA256, false};
	struct sl_sigv4_key k = {"AK", "SK", "us-east-1", "s3"};
	struct sl_sigv4_out o;
	is_int(sl_sigv4_sign(&r, &k, "20130524T000000Z", &o, NULL), SL_OK, "sign multipart");
	is_str(o.canonical_query.data, "partNumber=2&uploadId=a%2Fb%2Bc", "multipart query sorted");
	sl_sigv4_out_free(&o);
	struct sl_sigv4_kv q2[] = {{"uploads", NULL}};
	struct sl_sigv4_req r2 = {"POST", "/k", q2, 1, h, 2, SL_SIGV4_EMPTY_SHA256, false};
	is_int(sl_sigv4_sign(&r2, &k, "20130524T000000Z", &o, NULL), SL_OK, "sign uploads");
	is_str(o.canonical_query.data, "uploads=", "valueless sub-resource");
	sl_sigv4_out_free(&o);
	/* A bad request is refused, not signed. */
	struct sl_sigv4_req r3 = {"GET", "noslash", NULL, 0, h, 2, SL_SIGV4_EMPTY_SHA256, false};
	struct sl_errbuf eb;
	is_int(sl_sigv4_sign(&r3, &k, "20130524T000000Z", &o, &eb), SL_ERR_ARG, "relative path refused");
}

int main(void)
{
	int n = run_file("suite.txt", "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
			 "us-east-1", "service");
	ok(n >= 15, "suite cases run: %d", n);
	n = run_file("s3.txt", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		     "us-east-1", "s3");
	ok(n == 4, "s3 cases run: %d", n);
	test_helpers();
	test_subresources();
	return t_done();
}
