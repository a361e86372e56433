/* SPDX-License-Identifier: Apache-2.0
 *
 * http.c -- libmicrohttpd glue for the endpoint in router.c.
 *
 * The access handler is called several times per request: once when the
 * headers are in (we only mark the request), then for each body chunk
 * (discarded: no route takes a body), then once more with no data, when
 * the reply is built and queued.  The daemon owns its thread and sockets;
 * struct sl_http owns the daemon.
 */
#include "obs/http.h"

#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "obs/metrics.h"
#include "obs/router.h"

struct sl_http {
	struct MHD_Daemon *d;
	int port;
};

static int g_marker; /* *con_cls after the first call of a request */

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
			       const char *method, const char *version, const char *upload,
			       size_t *upload_size, void **con_cls)
{
	(void)cls;
	(void)version;
	(void)upload;
	if (!*con_cls) {
		*con_cls = &g_marker;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0; /* discard the body */
		return MHD_YES;
	}
	struct sl_http_reply r;
	sl_http_route(method, url, &r);
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		r.body.len, r.body.len ? r.body.data : (void *)"", MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret = MHD_NO;
	if (resp) {
		if (r.body.len || r.status != 204)
			MHD_add_response_header(resp, "Content-Type", r.content_type);
		if (r.allow)
			MHD_add_response_header(resp, "Allow", r.allow);
		ret = MHD_queue_response(conn, (unsigned)r.status, resp);
		MHD_destroy_response(resp);
	}
	char code[8];
	snprintf(code, sizeof code, "%d", r.status);
	sl_metric_add(sl_metric1(SL_M_HTTP_REQUESTS, code), 1);
	sl_http_reply_free(&r);
	return ret;
}

bool sl_http_disabled(const char *listen)
{
	return !listen || !*listen || !strcmp(listen, "off");
}

/* Split "host:port" / "[v6]:port" into host and port text. */
static bool split(const char *listen, char *host, size_t hn, char *port, size_t pn)
{
	const char *colon;
	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');
		if (!close || close[1] != ':')
			return false;
		if ((size_t)(close - listen - 1) >= hn)
			return false;
		snprintf(host, hn, "%.*s", (int)(close - listen - 1), listen + 1);
		colon = close + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon || (size_t)(colon - listen) >= hn)
			return false;
		snprintf(host, hn, "%.*s", (int)(colon - listen), listen);
		if (strchr(host, ':'))
			return false; /* a bare IPv6 address needs brackets */
	}
	const char *p = colon + 1;
	if (!*p || strlen(p) >= pn || strspn(p, "0123456789") != strlen(p) || atoi(p) > 65535)
		return false;
	snprintf(port, pn, "%s", p);
	return true;
}

enum sl_err sl_http_start(const char *listen, struct sl_http **out, struct sl_errbuf *eb)
{
	*out = NULL;
	char host[256], port[8];
	if (sl_http_disabled(listen) || !split(listen, host, sizeof host, port, sizeof port))
		return sl_err_set(eb, SL_ERR_CONFIG,
				  "invalid http.listen \"%.100s\": expected host:port, e.g. "
				  "127.0.0.1:8083, or off",
				  listen ? listen : "");
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	int rc = getaddrinfo(*host ? host : NULL, port, &hints, &ai);
	if (rc || !ai)
		return sl_err_set(eb, SL_ERR_CONFIG, "could not resolve http.listen host \"%s\": %s",
				  host, gai_strerror(rc));
	struct sl_http *h = calloc(1, sizeof *h);
	if (!h) {
		freeaddrinfo(ai);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	unsigned flags = MHD_USE_POLL_INTERNAL_THREAD;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, h,
				MHD_OPTION_SOCK_ADDR, ai->ai_addr,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
				MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!h->d) {
		free(h);
		return sl_err_set(eb, SL_ERR_IO,
				  "could not listen on %s (http.listen): address in use or not local",
				  listen);
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : atoi(port);
	*out = h;
	return SL_OK;
}

int sl_http_port(const struct sl_http *h)
{
	return h ? h->port : 0;
}

void sl_http_stop(struct sl_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}
