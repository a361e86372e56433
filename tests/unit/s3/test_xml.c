/* SPDX-License-Identifier: Apache-2.0
 *
 * test_xml.c -- the S3 response scanner on documents shaped like the S3
 * API reference examples, plus malformed and hostile input.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "lib/test.h"
#include "s3/client.h"
#include "s3/xml.h"

struct seen {
	char keys[16][64];
	uint64_t sizes[16];
	int n;
};

static enum sl_err on_obj(void *ctx, const char *key, uint64_t size, struct sl_errbuf *eb)
{
	(void)eb;
	struct seen *s = ctx;
	if (s->n < 16) {
		snprintf(s->keys[s->n], sizeof s->keys[0], "%s", key);
		s->sizes[s->n] = size;
	}
	s->n++;
	return SL_OK;
}

static const char list_page[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
	"  <Name>bucket</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>\n"
	"  <IsTruncated>true</IsTruncated>\n"
	"  <Contents><Key>p/a&amp;b.txt</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>"
	"<ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size>"
	"<StorageClass>STANDARD</StorageClass></Contents>\n"
	"  <Contents><Key>p/&#x1234;&#65;</Key><Size>0</Size></Contents>\n"
	"  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>\n"
	"</ListBucketResult>";

static void test_list(void)
{
	struct seen s = {0};
	bool trunc = false;
	struct sl_buf tok = {0};
	struct sl_errbuf eb = {{0}};
	is_int(sl_s3_xml_list(list_page, strlen(list_page), on_obj, &s, &trunc, &tok, &eb), SL_OK,
	       "list page parses (%s)", eb.msg);
	is_int(s.n, 2, "two objects");
	is_str(s.keys[0], "p/a&b.txt", "entity in key decoded");
	is_int(s.sizes[0], 434234, "size parsed");
	is_str(s.keys[1], "p/\xe1\x88\xb4" "A", "numeric references decoded to UTF-8");
	ok(trunc, "truncated");
	is_str(tok.data, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=", "continuation token");

	const char last[] = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";
	s.n = 0;
	is_int(sl_s3_xml_list(last, strlen(last), on_obj, &s, &trunc, &tok, &eb), SL_OK, "empty page");
	ok(!trunc && s.n == 0, "not truncated, no objects");

	const char bad1[] = "<ListBucketResult><Contents><Key>x</Key></Contents></ListBucketResult>";
	is_int(sl_s3_xml_list(bad1, strlen(bad1), on_obj, &s, &trunc, &tok, &eb), SL_ERR_PROTO,
	       "Contents without Size is an error");
	const char bad2[] = "<ListBucketResult><Contents><Key>x</Key><Size>-1</Size></Contents></ListBucketResult>";
	is_int(sl_s3_xml_list(bad2, strlen(bad2), on_obj, &s, &trunc, &tok, &eb), SL_ERR_PROTO,
	       "negative size is an error");
	const char bad3[] = "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>";
	is_int(sl_s3_xml_list(bad3, strlen(bad3), on_obj, &s, &trunc, &tok, &eb), SL_ERR_PROTO,
	       "truncated without a token is an error (no endless loop)");
	const char bad4[] = "<ListBucketResult><Contents><Key>a&#0;b</Key><Size>1</Size></Contents></ListBucketResult>";
	is_int(sl_s3_xml_list(bad4, strlen(bad4), on_obj, &s, &trunc, &tok, &eb), SL_ERR_PROTO,
	       "NUL character reference refused");
	is_int(sl_s3_xml_list("<Error/>", 8, on_obj, &s, &trunc, &tok, &eb), SL_ERR_PROTO,
	       "not a listing");
	sl_buf_free(&tok);
}

static void test_error_and_upload(void)
{
	const char err[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code>"
			   "<Message>The request signature we calculated does not match</Message>"
			   "<RequestId>tx1</RequestId></Error>";
	char code[64], msg[256];
	ok(sl_s3_xml_error(err, strlen(err), code, sizeof code, msg, sizeof msg), "error found");
	is_str(code, "SignatureDoesNotMatch", "error code");
	is_str(msg, "The request signature we calculated does not match", "error message");
	ok(!sl_s3_xml_error("<Other/>", 8, code, sizeof code, msg, sizeof msg), "no error element");
	is_str(code, "", "code cleared");
	/* Control bytes never reach logs. */
	const char ctl[] = "<Error><Code>X\x1b[31m</Code></Error>";
	sl_s3_xml_error(ctl, strlen(ctl), code, sizeof code, msg, sizeof msg);
	is_str(code, "X?[31m", "control characters replaced");

	const char init[] = "<InitiateMultipartUploadResult xmlns=\"x\"><Bucket>b</Bucket><Key>k</Key>"
			    "<UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>"
			    "</InitiateMultipartUploadResult>";
	struct sl_buf id = {0};
	is_int(sl_s3_xml_get(init, strlen(init), "UploadId", &id), SL_OK, "upload id found");
	is_str(id.data, "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA", "upload id");
	sl_buf_free(&id);
	is_int(sl_s3_xml_get(init, strlen(init), "Upload", &id), SL_ERR_NOTFOUND,
	       "a tag name is not matched by its prefix");
	sl_buf_free(&id);

	/* Bounded: a tag cut at the end of the buffer is not found, and the scan
	 * never reads past n (ASan checks the exact-size copy). */
	const char *cut = "<Error><Code>Slow";
	char *exact = malloc(strlen(cut));
	memcpy(exact, cut, strlen(cut));
	ok(sl_s3_xml_error(exact, strlen(cut), code, sizeof code, msg, sizeof msg) == false,
	   "unterminated element not found");
	free(exact);

	struct sl_buf out = {0};
	is_int(sl_s3_xml_text("a&bogus;b", 9, &out), SL_ERR_PROTO, "unknown entity refused");
	sl_buf_reset(&out);
	is_int(sl_s3_xml_text("a&#x110000;", 11, &out), SL_ERR_PROTO, "out-of-range code point refused");
	sl_buf_reset(&out);
	sl_s3_xml_escape(&out, "\"a\"<&>'");
	is_str(out.data, "&quot;a&quot;&lt;&amp;&gt;&apos;", "escape");
	sl_buf_free(&out);
}

static void test_client_helpers(void)
{
	/* Equal jitter: within [ceil/2, ceil], ceil = min(cap, base*2^(n-1)). */
	for (int a = 1; a <= 12; a++) {
		int ceil = 100;
		for (int i = 1; i < a && ceil < 2000; i++)
			ceil *= 2;
		if (ceil > 2000)
			ceil = 2000;
		int half = ceil / 2;
		ok(sl_s3_backoff_ms(a, 100, 2000, 0xffffffffu) <= ceil, "backoff attempt %d capped", a);
		is_int(sl_s3_backoff_ms(a, 100, 2000, (uint32_t)(ceil - half)), ceil,
		       "backoff attempt %d reaches its ceiling", a);
		is_int(sl_s3_backoff_ms(a, 100, 2000, 0), half, "backoff attempt %d never below half its ceiling", a);
		bool floor_ok = true;
		for (uint32_t r = 1; r < 5000; r += 7)
			floor_ok = floor_ok && sl_s3_backoff_ms(a, 100, 2000, r * 2654435761u) >= half &&
				   sl_s3_backoff_ms(a, 100, 2000, r * 2654435761u) <= ceil;
		ok(floor_ok, "backoff attempt %d stays within [ceil/2, ceil]", a);
	}
	/* The default budget (10 attempts, 100 ms base, 20 s cap) lasts at
	 * least 22.75 s whatever the random draws: a short outage never
	 * exhausts it. */
	int total = 0;
	for (int a = 1; a < 10; a++)
		total += sl_s3_backoff_ms(a, 100, 20000, 0);
	is_int(total, 22750, "default retries span at least 22.75 s");
	ok(sl_s3_code_retryable("SlowDown") && sl_s3_code_retryable("InternalError"), "transient codes");
	ok(!sl_s3_code_retryable("AccessDenied") && !sl_s3_code_retryable(""), "permanent codes");

	struct sl_s3_response rs = {.status = 403};
	snprintf(rs.code, sizeof rs.code, "SignatureDoesNotMatch");
	snprintf(rs.message, sizeof rs.message, "bad signature");
	struct sl_errbuf eb;
	is_int(sl_s3_client_status_err(&rs, "put s3://b/k", &eb), SL_ERR_AUTH, "403 is SL_ERR_AUTH");
	is_str(eb.msg, "could not put s3://b/k: SignatureDoesNotMatch (HTTP 403): bad signature", "message");
	rs.status = 404;
	snprintf(rs.code, sizeof rs.code, "NoSuchBucket");
	is_int(sl_s3_client_status_err(&rs, "x", &eb), SL_ERR_NOTFOUND, "404 is SL_ERR_NOTFOUND");
	rs.status = 400;
	snprintf(rs.code, sizeof rs.code, "EntityTooSmall");
	is_int(sl_s3_client_status_err(&rs, "x", &eb), SL_ERR_IO, "other 4xx is SL_ERR_IO");
	rs.status = 400;
	snprintf(rs.code, sizeof rs.code, "InvalidAccessKeyId");
	is_int(sl_s3_client_status_err(&rs, "x", &eb), SL_ERR_AUTH, "credential codes are SL_ERR_AUTH");

	/* Client construction validates without network I/O. */
	struct sl_s3_client *c = NULL;
	struct sl_s3_client_opts o = {.bucket = "ab", .access_key = "a", .secret_key = "s"};
	is_int(sl_s3_client_new(&o, &c, &eb), SL_ERR_CONFIG, "2-char bucket refused");
	o.bucket = "bucket";
	o.secret_key = NULL;
	is_int(sl_s3_client_new(&o, &c, &eb), SL_ERR_CONFIG, "missing secret refused");
	o.secret_key = "s";
	o.endpoint = "ftp://x";
	is_int(sl_s3_client_new(&o, &c, &eb), SL_ERR_CONFIG, "non-http endpoint refused");
	o.endpoint = "http://user:pw@host";
	is_int(sl_s3_client_new(&o, &c, &eb), SL_ERR_CONFIG, "credentials in endpoint refused");
	o.endpoint = "http://127.0.0.1:9/";
	is_int(sl_s3_client_new(&o, &c, &eb), SL_OK, "valid client");
	sl_s3_client_free(c);
}

int main(void)
{
	test_list();
	test_error_and_upload();
	test_client_helpers();
	return t_done();
}
