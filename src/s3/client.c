/* SPDX-License-Identifier: Apache-2.0
 *
 * client.c -- S3 request loop: build URL and headers, sign, send, retry.
 *
 * The client owns copies of every option string and one CURL easy handle,
 * reset before each attempt (curl keeps its connection cache across
 * resets).  Per attempt everything is rebuilt -- date, signature, header
 * list -- so a retry after a long backoff is signed with a fresh time.
 * Response bodies are collected in c->body (capped) so error documents can
 * be parsed; a 2xx body is then appended to the caller's buffer.
 */
#include "s3/client.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/stop.h"

#include "core/clock.h"
#include "core/log.h"
#include "obs/metrics.h"
#include "s3/xml.h"

#define ERR_BODY_MAX ((size_t)1 << 20)
#define RESP_BODY_MAX ((size_t)1 << 30)

struct sl_s3_client {
	char *scheme;    /* "http" or "https" */
	char *authority; /* host[:port] of the endpoint */
	char *region;
	char *bucket;
	bool path_style;
	char *access_key;
	char *secret_key;
	char *session_token;
	int max_attempts, base_ms, max_ms;
	long timeout_ms, connect_timeout_ms;
	char *ca_file;
	CURL *curl;
	struct sl_buf body;
	struct sl_s3_response *cur; /* response being filled by the header callback */
	uint64_t rng;
};

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void wipe_free(char *s)
{
	if (!s)
		return;
	volatile char *v = s;
	while (*v)
		*v++ = 0;
	free(s);
}

void sl_s3_client_free(struct sl_s3_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c->scheme);
	free(c->authority);
	free(c->region);
	free(c->bucket);
	free(c->access_key);
	wipe_free(c->secret_key);
	wipe_free(c->session_token);
	free(c->ca_file);
	sl_buf_free(&c->body);
	free(c);
}

const char *sl_s3_client_bucket(const struct sl_s3_client *c)
{
	return c->bucket;
}

int sl_s3_client_max_attempts(const struct sl_s3_client *c)
{
	return c->max_attempts;
}

static bool valid_bucket(const char *b)
{
	size_t n = strlen(b);
	if (n < 3 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = b[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		      ch == '_' || (ch >= 'A' && ch <= 'Z')))
			return false;
	}
	return true;
}

enum sl_err sl_s3_client_new(const struct sl_s3_client_opts *o, struct sl_s3_client **out,
			     struct sl_errbuf *eb)
{
	*out = NULL;
	if (!o->bucket || !valid_bucket(o->bucket))
		return sl_err_set(eb, SL_ERR_CONFIG, "invalid S3 bucket name \"%s\"",
				  o->bucket ? o->bucket : "");
	if (!o->access_key || !*o->access_key || !o->secret_key || !*o->secret_key)
		return sl_err_set(eb, SL_ERR_CONFIG,
				  "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
	pthread_once(&g_curl_once, curl_init_once);
	struct sl_s3_client *c = calloc(1, sizeof *c);
	if (!c)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	const char *region = o->region && *o->region ? o->region : "us-east-1";
	char def[256];
	const char *ep = o->endpoint;
	if (!ep || !*ep) {
		snprintf(def, sizeof def, "https://s3.%s.amazonaws.com", region);
		ep = def;
	}
	const char *sep = strstr(ep, "://");
	if (!sep || (strncmp(ep, "http://", 7) && strncmp(ep, "https://", 8))) {
		sl_s3_client_free(c);
		return sl_err_set(eb, SL_ERR_CONFIG,
				  "invalid S3 endpoint \"%s\": must start with http:// or https://", ep);
	}
	c->scheme = strndup(ep, (size_t)(sep - ep));
	const char *auth = sep + 3;
	size_t alen = strcspn(auth, "/?#");
	/* A path on the endpoint is not supported; a trailing '/' is fine. */
	if (alen == 0 || (auth[alen] && strcmp(auth + alen, "/"))) {
		sl_s3_client_free(c);
		return sl_err_set(eb, SL_ERR_CONFIG,
				  "invalid S3 endpoint \"%s\": expected scheme://host[:port]", ep);
	}
	if (memchr(auth, '@', alen)) {
		sl_s3_client_free(c);
		return sl_err_set(eb, SL_ERR_CONFIG,
				  "invalid S3 endpoint: credentials in the URL are not accepted");
	}
	c->authority = strndup(auth, alen);
	c->region = strdup(region);
	c->bucket = strdup(o->bucket);
	c->path_style = o->path_style;
	c->access_key = strdup(o->access_key);
	c->secret_key = strdup(o->secret_key);
	c->session_token = o->session_token && *o->session_token ? strdup(o->session_token) : NULL;
	c->ca_file = dup_or_null(o->ca_file);
	c->max_attempts = o->max_attempts > 0 ? o->max_attempts : 10;
	c->base_ms = o->backoff_base_ms > 0 ? o->backoff_base_ms : 100;
	c->max_ms = o->backoff_max_ms > 0 ? o->backoff_max_ms : 20000;
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 300000;
	c->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
	c->curl = curl_easy_init();
	c->rng = (uint64_t)sl_clock_mono_us() ^ ((uint64_t)getpid() << 32) ^ (uintptr_t)c;
	sl_buf_init(&c->body, RESP_BODY_MAX);
	if (!c->scheme || !c->authority || !c->region || !c->bucket || !c->access_key ||
	    !c->secret_key || !c->curl || (o->ca_file && !c->ca_file)) {
		sl_s3_client_free(c);
		return sl_err_set(eb, SL_ERR_NOMEM, "could not create S3 client: out of memory");
	}
	*out = c;
	return SL_OK;
}

static uint32_t next_rand(struct sl_s3_client *c)
{
	/* xorshift64*: jitter only, no security role. */
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return (uint32_t)((c->rng * 2685821657736338717ULL) >> 32);
}

int sl_s3_backoff_ms(int attempt, int base_ms, int max_ms, uint32_t rnd)
{
	/* Equal jitter: uniform in [ceil/2, ceil], ceil = min(cap, base *
	 * 2^(attempt-1)).  The floor keeps a guaranteed total retry time
	 * (client.h); the random half still spreads out clients that failed
	 * together. */
	int64_t ceil_ms = base_ms;
	for (int i = 1; i < attempt && ceil_ms < max_ms; i++)
		ceil_ms *= 2;
	if (ceil_ms > max_ms)
		ceil_ms = max_ms;
	int64_t half = ceil_ms / 2;
	return (int)(half + (int64_t)(rnd % (uint64_t)(ceil_ms - half + 1)));
}

bool sl_s3_code_retryable(const char *code)
{
	static const char *const codes[] = {"SlowDown", "InternalError", "ServiceUnavailable",
					    "RequestTimeout",
					    "OperationAborted", "ThrottlingException", NULL};
	for (int i = 0; codes[i]; i++)
		if (!strcmp(code, codes[i]))
			return true;
	return false;
}

enum sl_err sl_s3_client_status_err(const struct sl_s3_response *rs, const char *what,
				    struct sl_errbuf *eb)
{
	static const char *const auth_codes[] = {
		"SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied", "ExpiredToken",
		"InvalidToken", "TokenRefreshRequired", "AuthorizationHeaderMalformed", NULL};
	enum sl_err e = SL_ERR_IO;
	if (rs->status == 401 || rs->status == 403)
		e = SL_ERR_AUTH;
	for (int i = 0; auth_codes[i]; i++)
		if (!strcmp(rs->code, auth_codes[i]))
			e = SL_ERR_AUTH;
	if (rs->status == 404)
		e = SL_ERR_NOTFOUND;
	const char *code = rs->code[0] ? rs->code : "no error code";
	if (rs->message[0])
		return sl_err_set(eb, e, "could not %s: %s (HTTP %ld): %s", what, code, rs->status,
				  rs->message);
	return sl_err_set(eb, e, "could not %s: %s (HTTP %ld)", what, code, rs->status);
}

static size_t on_body(char *p, size_t sz, size_t nm, void *ud)
{
	struct sl_s3_client *c = ud;
	size_t n = sz * nm;
	if (sl_buf_append(&c->body, p, n) != SL_OK)
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	return n;
}

static void trim_copy(char *dst, size_t dsz, const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	if (n >= dsz)
		n = dsz - 1;
	memcpy(dst, v, n);
	dst[n] = 0;
}

static size_t on_header(char *p, size_t sz, size_t nm, void *ud)
{
	struct sl_s3_client *c = ud;
	struct sl_s3_response *rs = c->cur;
	size_t n = sz * nm;
	if (n >= 5 && !memcmp(p, "HTTP/", 5)) { /* a new header block */
		rs->etag[0] = 0;
		rs->has_length = false;
		return n;
	}
	if (n > 5 && !strncasecmp(p, "ETag:", 5)) {
		trim_copy(rs->etag, sizeof rs->etag, p + 5, n - 5);
	} else if (n > 15 && !strncasecmp(p, "Content-Length:", 15)) {
		char tmp[32];
		trim_copy(tmp, sizeof tmp, p + 15, n - 15);
		char *end;
		errno = 0;
		unsigned long long v = strtoull(tmp, &end, 10);
		if (!errno && end != tmp && !*end) {
			rs->content_length = v;
			rs->has_length = true;
		}
	}
	return n;
}

/* --- metrics (obs/metrics.h; obs sits beside core, below this layer) --- */

static bool has_query(const struct sl_s3_request *rq, const char *name)
{
	for (size_t i = 0; i < rq->n_query; i++)
		if (rq->query[i].name && !strcmp(rq->query[i].name, name))
			return true;
	return false;
}

/* The S3 API operation a request is, for sluice_s3_requests_total. */
static const char *op_name(const struct sl_s3_request *rq)
{
	const char *m = rq->method;
	bool upload = has_query(rq, "uploadId");
	if (!strcmp(m, "POST"))
		return upload ? "CompleteMultipartUpload"
		       : has_query(rq, "uploads") ? "CreateMultipartUpload" : "PostObject";
	if (!strcmp(m, "PUT"))
		return upload ? "UploadPart" : "PutObject";
	if (!strcmp(m, "DELETE"))
		return upload ? "AbortMultipartUpload" : "DeleteObject";
	if (!strcmp(m, "HEAD"))
		return rq->key ? "HeadObject" : "HeadBucket";
	if (!strcmp(m, "GET"))
		return rq->key ? "GetObject" : "ListObjectsV2";
	return "other";
}

/* One attempt went out: status 0 means no HTTP response came. */
static void count_attempt(const struct sl_s3_request *rq, long status, size_t received)
{
	char code[24] = "error";
	if (status > 0)
		snprintf(code, sizeof code, "%ld", status);
	sl_metric_add(sl_metric2(SL_M_S3_REQUESTS, op_name(rq), code), 1);
	if (rq->body && rq->body_len)
		sl_metric_add(sl_metric1(SL_M_S3_BYTES, "sent"), (int64_t)rq->body_len);
	if (received)
		sl_metric_add(sl_metric1(SL_M_S3_BYTES, "received"), (int64_t)received);
}

static void count_retry(const struct sl_s3_request *rq)
{
	sl_metrics_inc(SL_M_RETRIES, "s3");
	if (!strcmp(rq->method, "PUT") && has_query(rq, "partNumber"))
		sl_metric_add(sl_metric0(SL_M_S3_PART_RETRIES), 1);
}

/* Sleep between retries; a stop request (core/stop.h) cuts it short. */
static void sleep_ms(int ms)
{
	while (ms > 0 && !sl_stop_requested()) {
		int slice = ms < 50 ? ms : 50;
		struct timespec ts = {0, (long)slice * 1000000L};
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		ms -= slice;
	}
}

/* Non-retryable transport failures: misconfiguration, TLS trust. */
static bool curl_retryable(CURLcode cc)
{
	switch (cc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CIPHER:
	case CURLE_OUT_OF_MEMORY:
	case CURLE_WRITE_ERROR:
	case CURLE_BAD_FUNCTION_ARGUMENT:
		return false;
	default:
		return true;
	}
}

struct attempt {
	struct sl_buf url, path;
	struct curl_slist *hl;
	struct sl_sigv4_out sig;
};

static void attempt_free(struct attempt *a)
{
	sl_buf_free(&a->url);
	sl_buf_free(&a->path);
	curl_slist_free_all(a->hl);
	sl_sigv4_out_free(&a->sig);
	memset(a, 0, sizeof *a);
}

static enum sl_err add_hdr(struct curl_slist **hl, const char *name, const char *value)
{
	struct sl_buf b = {0};
	enum sl_err e = sl_buf_appendf(&b, "%s: %s", name, value);
	if (!e) {
		struct curl_slist *n = curl_slist_append(*hl, b.data);
		if (!n)
			e = SL_ERR_NOMEM;
		else
			*hl = n;
	}
	/* The Authorization value is not secret (it is a MAC), but keep the
	 * buffer hygiene simple: free it right away. */
	sl_buf_free(&b);
	return e;
}

/* Build, sign and configure one attempt on c->curl. */
static enum sl_err prepare(struct sl_s3_client *c, const struct sl_s3_request *rq,
			   const char *payload_hash, struct attempt *a, struct sl_errbuf *eb)
{
	enum sl_err e;
	char host[512];
	if (c->path_style)
		snprintf(host, sizeof host, "%s", c->authority);
	else
		snprintf(host, sizeof host, "%s.%s", c->bucket, c->authority);
	/* Raw (unencoded) path; the signer encodes it and we reuse that. */
	if (c->path_style)
		e = sl_buf_appendf(&a->path, "/%s", c->bucket);
	else
		e = sl_buf_puts(&a->path, "");
	if (!e && rq->key)
		e = sl_buf_appendf(&a->path, "/%s", rq->key);
	if (!e && a->path.len == 0)
		e = sl_buf_putc(&a->path, '/');
	if (e)
		return sl_err_set(eb, e, "could not build S3 request: out of memory");

	char amz[17];
	sl_sigv4_amz_date(sl_clock_wall_us() / 1000000, amz);
	size_t nh = rq->n_headers + 4;
	struct sl_sigv4_kv *h = calloc(nh, sizeof *h);
	if (!h)
		return sl_err_set(eb, SL_ERR_NOMEM, "could not build S3 request: out of memory");
	size_t k = 0;
	h[k++] = (struct sl_sigv4_kv){"host", host};
	h[k++] = (struct sl_sigv4_kv){"x-amz-content-sha256", payload_hash};
	h[k++] = (struct sl_sigv4_kv){"x-amz-date", amz};
	if (c->session_token)
		h[k++] = (struct sl_sigv4_kv){"x-amz-security-token", c->session_token};
	for (size_t i = 0; i < rq->n_headers; i++)
		h[k++] = (struct sl_sigv4_kv){rq->headers[i].name, rq->headers[i].value};
	struct sl_sigv4_req sr = {.method = rq->method,
				  .path = a->path.data,
				  .query = rq->query,
				  .n_query = rq->n_query,
				  .headers = h,
				  .n_headers = k,
				  .payload_sha256 = payload_hash,
				  .normalize_path = false};
	struct sl_sigv4_key key = {c->access_key, c->secret_key, c->region, "s3"};
	e = sl_sigv4_sign(&sr, &key, amz, &a->sig, eb);
	if (e) {
		free(h);
		return e;
	}
	e = sl_buf_appendf(&a->url, "%s://%s%s%s%s", c->scheme, host, a->sig.canonical_uri.data,
			   a->sig.canonical_query.len ? "?" : "",
			   a->sig.canonical_query.len ? a->sig.canonical_query.data : "");
	for (size_t i = 0; i < k && !e; i++)
		e = add_hdr(&a->hl, h[i].name, h[i].value);
	free(h);
	if (!e)
		e = add_hdr(&a->hl, "Authorization", a->sig.authorization.data);
	if (!e && rq->body) {
		e = add_hdr(&a->hl, "Content-Type",
			    rq->content_type ? rq->content_type : "application/octet-stream");
	}
	if (!e) {
		struct curl_slist *n = curl_slist_append(a->hl, "Expect:");
		if (!n)
			e = SL_ERR_NOMEM;
		else
			a->hl = n;
	}
	if (e)
		return sl_err_set(eb, e, "could not build S3 request: out of memory");

	CURL *cu = c->curl;
	curl_easy_reset(cu);
	curl_easy_setopt(cu, CURLOPT_URL, a->url.data);
	curl_easy_setopt(cu, CURLOPT_HTTPHEADER, a->hl);
	curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(cu, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(cu, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file)
		curl_easy_setopt(cu, CURLOPT_CAINFO, c->ca_file);
	curl_easy_setopt(cu, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(cu, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(cu, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(cu, CURLOPT_HEADERDATA, c);
	if (!strcmp(rq->method, "HEAD")) {
		curl_easy_setopt(cu, CURLOPT_NOBODY, 1L);
	} else if (rq->body || !strcmp(rq->method, "PUT") || !strcmp(rq->method, "POST")) {
		curl_easy_setopt(cu, CURLOPT_POSTFIELDS, rq->body ? (const char *)rq->body : "");
		curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
		curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, rq->method);
	} else if (strcmp(rq->method, "GET")) {
		curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, rq->method);
	}
	return SL_OK;
}

enum sl_err sl_s3_client_do(struct sl_s3_client *c, const struct sl_s3_request *rq,
			    struct sl_s3_response *rs, struct sl_errbuf *eb)
{
	char payload_hash[65];
	char reason[400] = "";
	enum sl_err e;
	memset(rs, 0, sizeof *rs);
	sl_sigv4_sha256_hex(rq->body ? rq->body : "", rq->body ? rq->body_len : 0, payload_hash);
	const char *what = rq->key ? rq->key : "(bucket)";

	int stop_left = 2;
	for (int attempt = 1;; attempt++) {
		struct attempt a = {0};
		memset(rs, 0, sizeof *rs);
		rs->attempts = attempt;
		sl_buf_reset(&c->body);
		c->cur = rs;
		if ((e = prepare(c, rq, payload_hash, &a, eb))) {
			attempt_free(&a);
			return e;
		}
		CURLcode cc = curl_easy_perform(c->curl);
		c->cur = NULL;
		bool retry = false;
		long st = 0;
		if (cc == CURLE_OK || cc == CURLE_WRITE_ERROR)
			curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &st);
		count_attempt(rq, st, c->body.len);
		if (cc != CURLE_OK) {
			snprintf(reason, sizeof reason, "%s", curl_easy_strerror(cc));
			if (!curl_retryable(cc)) {
				attempt_free(&a);
				return sl_err_set(eb, SL_ERR_IO, "could not %s s3://%s/%s: %s",
						  rq->method, c->bucket, rq->key ? rq->key : "", reason);
			}
			retry = true;
		} else {
			curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &rs->status);
			if (rs->status < 200 || rs->status >= 300)
				sl_s3_xml_error(c->body.data, c->body.len, rs->code, sizeof rs->code,
						rs->message, sizeof rs->message);
			if (rs->status >= 500 || rs->status == 429 || sl_s3_code_retryable(rs->code)) {
				retry = true;
				snprintf(reason, sizeof reason, "HTTP %ld %s", rs->status,
					 rs->code[0] ? rs->code : "");
			}
		}
		attempt_free(&a);
		if (!retry) {
			if (attempt > 1)
				sl_info("s3: %s %s recovered after %d retries", rq->method, what,
					attempt - 1);
			if (rs->status >= 200 && rs->status < 300 && rq->resp_body && c->body.len &&
			    (e = sl_buf_append(rq->resp_body, c->body.data, c->body.len)))
				return sl_err_set(eb, e, "could not read s3://%s/%s: response too large",
						  c->bucket, rq->key ? rq->key : "");
			return SL_OK;
		}
		/* Asked to stop: two more tries, then give up (nothing is lost:
		 * whatever this request was for is not committed). */
		if (sl_stop_requested() && stop_left-- <= 0) {
			sl_warn("s3: %s %s: giving up after %d attempts, stopping: %s", rq->method,
				what, attempt, reason);
			return sl_err_set(eb, SL_ERR_RETRY,
					  "could not %s s3://%s/%s (stopping after %d attempts): %s",
					  rq->method, c->bucket, rq->key ? rq->key : "", attempt, reason);
		}
		if (attempt >= c->max_attempts) {
			sl_warn("s3: %s %s failed after %d attempts: %s", rq->method, what, attempt,
				reason);
			return sl_err_set(eb, SL_ERR_RETRY, "could not %s s3://%s/%s after %d attempts: %s",
					  rq->method, c->bucket, rq->key ? rq->key : "", attempt, reason);
		}
		if (attempt == 1)
			sl_warn("s3: %s %s failed (%s); retrying with backoff, up to %d attempts",
				rq->method, what, reason, c->max_attempts);
		count_retry(rq);
		sleep_ms(sl_s3_backoff_ms(attempt, c->base_ms, c->max_ms, next_rand(c)));
	}
}
