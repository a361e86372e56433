/* SPDX-License-Identifier: Apache-2.0
 *
 * router.c -- request routing for the HTTP endpoint (see router.h).
 *
 * The path is split on '/' into at most a handful of segments, each
 * bounded; nothing is copied past SL_HTTP_PATH_MAX and the connector name
 * is compared, never interpreted.  Bodies are built into the reply's
 * buffer, which has a hard cap (a scrape with very many series fails with
 * 500 rather than eating memory).
 */
#include "obs/router.h"

#include <stdbool.h>
#include <string.h>

#include "core/json.h"
#include "core/version.h"
#include "obs/metrics.h"
#include "obs/status.h"

#define BODY_MAX (64u << 20)
#define MAX_SEGS 6

static const char JSON[] = "application/json";

static void error(struct sl_http_reply *r, int status, const char *msg)
{
	r->status = status;
	r->content_type = JSON;
	sl_buf_reset(&r->body);
	sl_buf_appendf(&r->body, "{\"error_code\":%d,\"message\":", status);
	sl_json_cstr(&r->body, msg);
	sl_buf_putc(&r->body, '}');
}

static void not_found(struct sl_http_reply *r)
{
	error(r, 404, "HTTP 404 Not Found");
}

static void bad_method(struct sl_http_reply *r, const char *allow)
{
	error(r, 405, "HTTP 405 Method Not Allowed");
	r->allow = allow;
}

static bool is_get(const char *m)
{
	return !strcmp(m, "GET") || !strcmp(m, "HEAD");
}

/* Check the method: true if allowed (GET also allows HEAD). */
static bool method_ok(struct sl_http_reply *r, const char *method, const char *want)
{
	bool ok = !strcmp(want, "GET") ? is_get(method) : !strcmp(method, want);
	if (!ok)
		bad_method(r, !strcmp(want, "GET") ? "GET, HEAD" : want);
	return ok;
}

static void json_ok(struct sl_http_reply *r, int status)
{
	r->status = status;
	r->content_type = JSON;
}

static void metrics(struct sl_http_reply *r)
{
	if (sl_metrics_expose(&r->body)) {
		error(r, 500, "metrics exposition too large");
		return;
	}
	r->status = 200;
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

static void readyz(struct sl_http_reply *r)
{
	char reason[128];
	bool ready = sl_status_ready(reason, sizeof reason);
	json_ok(r, ready ? 200 : 503);
	sl_buf_puts(&r->body, "{\"status\":");
	sl_json_cstr(&r->body, ready ? "READY" : "NOT_READY");
	sl_buf_puts(&r->body, ",\"state\":");
	sl_json_cstr(&r->body, sl_conn_state_name(sl_status_state()));
	if (!ready) {
		sl_buf_puts(&r->body, ",\"reason\":");
		sl_json_cstr(&r->body, reason);
	}
	sl_buf_putc(&r->body, '}');
}

/* A name is malformed if empty, too long, or holding control bytes. */
static bool name_ok(const char *s, size_t n)
{
	if (n == 0 || n > SL_HTTP_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* /connectors/<name>/... ; segs[0] is "connectors". */
static void connector(struct sl_http_reply *r, const char *method, const char **segs,
		      const size_t *lens, int nseg)
{
	if (!name_ok(segs[1], lens[1])) {
		error(r, 400, "invalid connector name");
		return;
	}
	const char *name = sl_status_name();
	if (strlen(name) != lens[1] || memcmp(name, segs[1], lens[1])) {
		/* Kafka Connect: "Connector <name> not found". */
		struct sl_buf msg;
		sl_buf_init(&msg, 1024);
		sl_buf_puts(&msg, "Connector ");
		sl_buf_append(&msg, segs[1], lens[1]);
		sl_buf_puts(&msg, " not found");
		error(r, 404, msg.data ? msg.data : "Connector not found");
		sl_buf_free(&msg);
		return;
	}
#define SEG(i, s) (lens[i] == sizeof(s) - 1 && !memcmp(segs[i], s, sizeof(s) - 1))
	if (nseg == 2) {
		if (method_ok(r, method, "GET")) {
			json_ok(r, 200);
			sl_status_info_json(&r->body);
		}
	} else if (nseg == 3 && SEG(2, "status")) {
		if (method_ok(r, method, "GET")) {
			json_ok(r, 200);
			sl_status_json(&r->body);
		}
	} else if (nseg == 3 && SEG(2, "config")) {
		if (method_ok(r, method, "GET")) {
			json_ok(r, 200);
			sl_status_config_json(&r->body);
		}
	} else if (nseg == 3 && (SEG(2, "pause") || SEG(2, "resume"))) {
		if (method_ok(r, method, "PUT")) {
			sl_status_request_pause(SEG(2, "pause"));
			r->status = 202;
		}
	} else if (nseg == 3 && SEG(2, "restart")) {
		if (method_ok(r, method, "POST")) {
			sl_status_request_restart();
			r->status = 204;
		}
	} else if (nseg == 3 && SEG(2, "tasks")) {
		if (method_ok(r, method, "GET")) {
			json_ok(r, 200);
			sl_buf_puts(&r->body, "[{\"id\":{\"connector\":");
			sl_json_cstr(&r->body, name);
			sl_buf_puts(&r->body, ",\"task\":0},\"config\":{}}]");
		}
	} else if (nseg == 5 && SEG(2, "tasks") && (SEG(4, "status") || SEG(4, "restart"))) {
		if (!SEG(3, "0")) {
			struct sl_buf msg;
			sl_buf_init(&msg, 1024);
			sl_buf_appendf(&msg, "Task %s-", name);
			sl_buf_append(&msg, segs[3], lens[3] > 64 ? 64 : lens[3]);
			sl_buf_puts(&msg, " not found");
			error(r, 404, msg.data ? msg.data : "Task not found");
			sl_buf_free(&msg);
		} else if (SEG(4, "status")) {
			if (method_ok(r, method, "GET")) {
				json_ok(r, 200);
				sl_status_task_json(&r->body);
			}
		} else if (method_ok(r, method, "POST")) {
			sl_status_request_restart();
			r->status = 204;
		}
	} else {
		not_found(r);
	}
#undef SEG
}

void sl_http_route(const char *method, const char *path, struct sl_http_reply *r)
{
	memset(r, 0, sizeof *r);
	sl_buf_init(&r->body, BODY_MAX);
	r->content_type = JSON;
	if (!method)
		method = "";
	if (!path)
		path = "";
	size_t plen = strnlen(path, SL_HTTP_PATH_MAX + 1);
	if (plen > SL_HTTP_PATH_MAX) {
		error(r, 414, "HTTP 414 URI Too Long");
		return;
	}
	if (path[0] != '/') {
		error(r, 400, "HTTP 400 Bad Request");
		return;
	}
	/* Split "/a/b/c" into segments; a trailing '/' is ignored, "//" is an
	 * empty segment (and so matches nothing). */
	const char *segs[MAX_SEGS];
	size_t lens[MAX_SEGS];
	int nseg = 0;
	const char *p = path + 1, *end = path + plen;
	if (end > p && end[-1] == '/')
		end--;
	while (p < end) {
		if (nseg == MAX_SEGS) {
			not_found(r);
			return;
		}
		const char *q = memchr(p, '/', (size_t)(end - p));
		if (!q)
			q = end;
		segs[nseg] = p;
		lens[nseg++] = (size_t)(q - p);
		p = q + 1;
	}
#define IS(i, s) (lens[i] == sizeof(s) - 1 && !memcmp(segs[i], s, sizeof(s) - 1))
	if (nseg == 0) {
		if (method_ok(r, method, "GET")) {
			json_ok(r, 200);
			sl_buf_puts(&r->body, "{\"version\":");
			sl_json_cstr(&r->body, SL_VERSION);
			sl_buf_puts(&r->body, ",\"commit\":\"\",\"kafka_cluster_id\":null}");
		}
	} else if (nseg == 1 && IS(0, "metrics")) {
		if (method_ok(r, method, "GET"))
			metrics(r);
	} else if (nseg == 1 && IS(0, "healthz")) {
		/* Liveness: the process is up and its HTTP thread answers.  A
		 * FAILED connector stays live (Kafka Connect keeps the worker). */
		if (method_ok(r, method, "GET")) {
			json_ok(r, 200);
			sl_buf_puts(&r->body, "{\"status\":\"UP\"}");
		}
	} else if (nseg == 1 && IS(0, "readyz")) {
		if (method_ok(r, method, "GET"))
			readyz(r);
	} else if (nseg == 1 && IS(0, "connectors")) {
		if (method_ok(r, method, "GET")) {
			json_ok(r, 200);
			sl_buf_putc(&r->body, '[');
			if (*sl_status_name())
				sl_json_cstr(&r->body, sl_status_name());
			sl_buf_putc(&r->body, ']');
		}
	} else if (nseg >= 2 && IS(0, "connectors")) {
		connector(r, method, segs, lens, nseg);
	} else {
		not_found(r);
	}
#undef IS
}

void sl_http_reply_free(struct sl_http_reply *r)
{
	sl_buf_free(&r->body);
}
