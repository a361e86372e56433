/* SPDX-License-Identifier: Apache-2.0
 *
 * router.h -- what the HTTP endpoint answers, without the HTTP.
 *
 * sl_http_route() maps a method and an (already percent-decoded) path to
 * a status code and a body, reading obs/status.h and obs/metrics.h and
 * recording pause/resume/restart requests there.  It is pure request
 * handling -- no sockets -- so the fuzz target and unit tests drive it
 * directly; obs/http.c is the libmicrohttpd glue around it.
 *
 * Paths: /metrics, /healthz, /readyz, /, /connectors, and under
 * /connectors/<name>: (nothing), /status, /config, /pause (PUT), /resume
 * (PUT), /restart (POST), /tasks, /tasks/0/status, /tasks/0/restart (POST).
 * Errors use Kafka Connect's body {"error_code":N,"message":"..."}: 404
 * for unknown paths and connectors, 405 for a wrong method (with Allow),
 * 400 for a malformed connector name, 414 for an over-long path.
 * Any input gives one of these; none crashes.
 */
#ifndef SL_OBS_ROUTER_H
#define SL_OBS_ROUTER_H

#include <stddef.h>

#include "core/buf.h"

#define SL_HTTP_PATH_MAX 2048
#define SL_HTTP_NAME_MAX 255

struct sl_http_reply {
	int status;
	const char *content_type; /* static string */
	const char *allow;        /* static; set with 405 */
	struct sl_buf body;       /* owned by the reply: free with sl_http_reply_free */
};

/* Fill r (which the function initialises).  method and path may be any
 * bytes (NUL-terminated); NULL counts as empty. */
void sl_http_route(const char *method, const char *path, struct sl_http_reply *r);
void sl_http_reply_free(struct sl_http_reply *r);

#endif
