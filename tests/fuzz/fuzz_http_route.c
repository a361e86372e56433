/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_http_route.c -- libFuzzer target over sl_http_route, the part of
 * the HTTP endpoint that parses request paths (libmicrohttpd parses the
 * request itself).
 *
 * Input: method, a NUL byte, then the path (both arbitrary bytes).  The
 * status is set up once with a known connector so that the connector
 * routes are reached; pause/resume/restart requests only flip flags.
 * Every reply must have a status in 200..599 and a body that frees
 * cleanly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "obs/metrics.h"
#include "obs/router.h"
#include "obs/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		struct sl_errbuf eb;
		sl_status_init("fuzz-capture", "source", "localhost:8083", NULL, &eb);
		ready = 1;
	}
	char *buf = malloc(size + 2);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	buf[size + 1] = '\0';
	const char *method = buf;
	const char *nul = memchr(buf, '\0', size + 1);
	const char *path = nul + 1;
	struct sl_http_reply r;
	sl_http_route(method, path, &r);
	if (r.status < 200 || r.status > 599)
		abort();
	sl_http_reply_free(&r);
	free(buf);
	sl_status_take_restart();
	return 0;
}
