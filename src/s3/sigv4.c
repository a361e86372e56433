/* SPDX-License-Identifier: Apache-2.0
 *
 * sigv4.c -- AWS Signature Version 4 over OpenSSL's SHA-256 and HMAC.
 *
 * Everything is built into sl_buf outputs; temporary arrays (sorted query
 * pairs and headers) are heap-allocated per call and freed before return.
 * The signing key is derived per call (four HMACs, cheap next to the
 * request itself) and wiped from the stack afterwards.
 */
#include "s3/sigv4.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char hexd[] = "0123456789abcdef";

static void hex_encode(const unsigned char *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexd[p[i] >> 4];
		out[2 * i + 1] = hexd[p[i] & 15];
	}
	out[2 * n] = 0;
}

void sl_sigv4_sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256(p, n, md);
	hex_encode(md, sizeof md, out);
}

void sl_sigv4_amz_date(int64_t unix_s, char out[17])
{
	time_t t = (time_t)unix_s;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

enum sl_err sl_sigv4_uri_encode(struct sl_buf *b, const char *s, size_t n, bool keep_slash)
{
	enum sl_err e = sl_buf_reserve(b, n * 3);
	if (e)
		return e;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (unreserved(c) || (keep_slash && c == '/')) {
			b->data[b->len++] = (char)c;
		} else {
			b->data[b->len++] = '%';
			b->data[b->len++] = "0123456789ABCDEF"[c >> 4];
			b->data[b->len++] = "0123456789ABCDEF"[c & 15];
		}
	}
	b->data[b->len] = 0;
	return SL_OK;
}

/* Resolve "." / ".." segments and empty segments (RFC 3986 remove_dot_segments
 * plus slash collapsing), keeping a trailing slash.  Result into out. */
static enum sl_err normalize(const char *path, struct sl_buf *out)
{
	size_t n = strlen(path);
	/* segment start offsets in out, to pop on ".." */
	size_t *stack = malloc((n + 1) * sizeof *stack);
	size_t depth = 0;
	enum sl_err e = SL_OK;
	if (!stack)
		return SL_ERR_NOMEM;
	sl_buf_reset(out);
	size_t i = 0;
	bool trailing = n > 0 && path[n - 1] == '/';
	while (i < n) {
		while (i < n && path[i] == '/')
			i++;
		size_t s = i;
		while (i < n && path[i] != '/')
			i++;
		size_t len = i - s;
		if (len == 0 || (len == 1 && path[s] == '.'))
			continue;
		if (len == 2 && path[s] == '.' && path[s + 1] == '.') {
			if (depth > 0)
				out->len = stack[--depth];
			continue;
		}
		stack[depth++] = out->len;
		if ((e = sl_buf_putc(out, '/')) || (e = sl_buf_append(out, path + s, len)))
			goto done;
	}
	/* ".." or "." at the end means a directory: keep the slash. */
	if (n >= 2 && (!strcmp(path + n - 2, "/.") || (n >= 3 && !strcmp(path + n - 3, "/.."))))
		trailing = true;
	if (out->len == 0 || trailing)
		e = sl_buf_putc(out, '/');
	if (!e && out->data)
		out->data[out->len] = 0;
done:
	free(stack);
	return e;
}

struct pair {
	char *name; /* encoded, owned by the arena buffer below */
	char *value;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->value, y->value);
}

static enum sl_err canonical_query(const struct sl_sigv4_req *r, struct sl_buf *out)
{
	enum sl_err e = SL_OK;
	if (r->n_query == 0)
		return sl_buf_puts(out, "");
	struct pair *v = calloc(r->n_query, sizeof *v);
	if (!v)
		return SL_ERR_NOMEM;
	for (size_t i = 0; i < r->n_query && !e; i++) {
		struct sl_buf nb = {0}, vb = {0};
		const char *val = r->query[i].value ? r->query[i].value : "";
		e = sl_sigv4_uri_encode(&nb, r->query[i].name, strlen(r->query[i].name), false);
		if (!e)
			e = sl_buf_puts(&nb, "");
		if (!e)
			e = sl_sigv4_uri_encode(&vb, val, strlen(val), false);
		if (!e)
			e = sl_buf_puts(&vb, "");
		v[i].name = sl_buf_steal(&nb);
		v[i].value = sl_buf_steal(&vb);
		sl_buf_free(&nb);
		sl_buf_free(&vb);
	}
	if (!e) {
		qsort(v, r->n_query, sizeof *v, cmp_pair);
		for (size_t i = 0; i < r->n_query && !e; i++)
			e = sl_buf_appendf(out, "%s%s=%s", i ? "&" : "", v[i].name, v[i].value);
	}
	for (size_t i = 0; i < r->n_query; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
	return e;
}

struct hdr {
	char *name; /* lower-cased copy */
	const char *value;
	size_t idx; /* original position, for a stable sort */
};

static int cmp_hdr(const void *a, const void *b)
{
	const struct hdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Append a header value trimmed, with runs of whitespace collapsed to one space. */
static enum sl_err put_trimmed(struct sl_buf *b, const char *v)
{
	enum sl_err e = SL_OK;
	while (*v && isspace((unsigned char)*v))
		v++;
	bool space = false;
	for (; *v && !e; v++) {
		if (isspace((unsigned char)*v)) {
			space = true;
			continue;
		}
		if (space)
			e = sl_buf_putc(b, ' ');
		space = false;
		if (!e)
			e = sl_buf_putc(b, *v);
	}
	return e;
}

static enum sl_err canonical_headers(const struct sl_sigv4_req *r, struct sl_buf *ch,
				     struct sl_buf *signed_h)
{
	enum sl_err e = SL_OK;
	struct hdr *v = calloc(r->n_headers ? r->n_headers : 1, sizeof *v);
	if (!v)
		return SL_ERR_NOMEM;
	for (size_t i = 0; i < r->n_headers; i++) {
		v[i].name = strdup(r->headers[i].name);
		if (!v[i].name) {
			e = SL_ERR_NOMEM;
			goto done;
		}
		for (char *p = v[i].name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		v[i].value = r->headers[i].value ? r->headers[i].value : "";
		v[i].idx = i;
	}
	qsort(v, r->n_headers, sizeof *v, cmp_hdr);
	for (size_t i = 0; i < r->n_headers && !e; i++) {
		bool same = i > 0 && !strcmp(v[i].name, v[i - 1].name);
		if (same) {
			/* Repeated header: join values with ',' on the same line. */
			ch->len--; /* drop the '\n' */
			e = sl_buf_putc(ch, ',');
		} else {
			e = sl_buf_appendf(ch, "%s:", v[i].name);
			if (!e)
				e = sl_buf_appendf(signed_h, "%s%s", signed_h->len ? ";" : "", v[i].name);
		}
		if (!e)
			e = put_trimmed(ch, v[i].value);
		if (!e)
			e = sl_buf_putc(ch, '\n');
	}
done:
	for (size_t i = 0; i < r->n_headers; i++)
		free(v[i].name);
	free(v);
	return e;
}

static bool hmac(const void *key, size_t klen, const void *msg, size_t mlen, unsigned char out[32])
{
	unsigned int len = 32;
	return HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out, &len) != NULL && len == 32;
}

void sl_sigv4_out_free(struct sl_sigv4_out *o)
{
	if (!o)
		return;
	sl_buf_free(&o->canonical_uri);
	sl_buf_free(&o->canonical_query);
	sl_buf_free(&o->canonical_request);
	sl_buf_free(&o->string_to_sign);
	sl_buf_free(&o->signed_headers);
	sl_buf_free(&o->authorization);
	o->signature[0] = 0;
}

enum sl_err sl_sigv4_sign(const struct sl_sigv4_req *r, const struct sl_sigv4_key *k,
			  const char *amz_date, struct sl_sigv4_out *o, struct sl_errbuf *eb)
{
	enum sl_err e;
	struct sl_buf chdr = {0}, norm = {0};
	memset(o, 0, sizeof *o);
	if (!r->method || !r->path || r->path[0] != '/' || !r->payload_sha256 || !amz_date ||
	    strlen(amz_date) != 16 || !k->access_key || !k->secret_key || !k->region || !k->service)
		return sl_err_set(eb, SL_ERR_ARG, "could not sign request: incomplete request or key");

	const char *path = r->path;
	if (r->normalize_path) {
		if ((e = normalize(r->path, &norm)))
			goto fail;
		path = norm.data;
	}
	if ((e = sl_sigv4_uri_encode(&o->canonical_uri, path, strlen(path), true)) ||
	    (e = canonical_query(r, &o->canonical_query)) ||
	    (e = canonical_headers(r, &chdr, &o->signed_headers)) ||
	    (e = sl_buf_puts(&o->signed_headers, "")))
		goto fail;

	e = sl_buf_appendf(&o->canonical_request, "%s\n%s\n%s\n%s\n%s\n%s", r->method,
			   o->canonical_uri.data, o->canonical_query.data ? o->canonical_query.data : "",
			   chdr.data ? chdr.data : "", o->signed_headers.data, r->payload_sha256);
	if (e)
		goto fail;

	char creq_hash[65];
	sl_sigv4_sha256_hex(o->canonical_request.data, o->canonical_request.len, creq_hash);
	char day[9];
	memcpy(day, amz_date, 8);
	day[8] = 0;
	e = sl_buf_appendf(&o->string_to_sign, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s",
			   amz_date, day, k->region, k->service, creq_hash);
	if (e)
		goto fail;

	/* kSecret = "AWS4" + secret; kDate; kRegion; kService; kSigning. */
	struct sl_buf ks = {0};
	if ((e = sl_buf_appendf(&ks, "AWS4%s", k->secret_key)))
		goto fail;
	unsigned char a[32], b[32];
	bool okh = hmac(ks.data, ks.len, day, 8, a) &&
		   hmac(a, 32, k->region, strlen(k->region), b) &&
		   hmac(b, 32, k->service, strlen(k->service), a) &&
		   hmac(a, 32, "aws4_request", 12, b) &&
		   hmac(b, 32, o->string_to_sign.data, o->string_to_sign.len, a);
	OPENSSL_cleanse(ks.data, ks.len);
	sl_buf_free(&ks);
	if (!okh) {
		e = sl_err_set(eb, SL_ERR_FATAL, "could not sign request: HMAC-SHA256 failed");
		goto fail;
	}
	hex_encode(a, 32, o->signature);
	OPENSSL_cleanse(b, sizeof b);
	OPENSSL_cleanse(a, sizeof a);
	e = sl_buf_appendf(&o->authorization,
			   "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, "
			   "Signature=%s",
			   k->access_key, day, k->region, k->service, o->signed_headers.data,
			   o->signature);
	if (e)
		goto fail;
	sl_buf_free(&chdr);
	sl_buf_free(&norm);
	return SL_OK;
fail:
	sl_buf_free(&chdr);
	sl_buf_free(&norm);
	sl_sigv4_out_free(o);
	if (e == SL_ERR_NOMEM)
		return sl_err_set(eb, e, "could not sign request: out of memory");
	return e;
}
