/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_s3xml.c -- the S3 response scanner on arbitrary bytes: listing,
 * error, upload id and entity decoding must never read out of bounds,
 * leak or crash, whatever the server (or a proxy) sends.
 */
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "s3/xml.h"

static enum sl_err on_obj(void *ctx, const char *key, uint64_t size, struct sl_errbuf *eb)
{
	(void)eb;
	size_t *n = ctx;
	*n += strlen(key) + (size_t)(size & 1);
	return SL_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct sl_errbuf eb;
	struct sl_buf tok = {0}, out = {0};
	size_t n = 0;
	bool trunc;
	sl_s3_xml_list(p, size, on_obj, &n, &trunc, &tok, &eb);
	char code[64], msg[256];
	sl_s3_xml_error(p, size, code, sizeof code, msg, sizeof msg);
	sl_s3_xml_get(p, size, "UploadId", &out);
	sl_buf_reset(&out);
	sl_s3_xml_text(p, size, &out);
	sl_buf_free(&tok);
	sl_buf_free(&out);
	return 0;
}
