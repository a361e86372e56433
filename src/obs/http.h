/* SPDX-License-Identifier: Apache-2.0
 *
 * http.h -- the HTTP endpoint (libmicrohttpd): metrics, probes and the
 * Kafka Connect REST subset, answered by obs/router.h.
 *
 * One internal polling thread serves every connection, so requests are
 * handled one at a time and never touch the pipeline's data directly: they
 * read obs/status and obs/metrics (thread-safe) and leave pause/resume/
 * restart requests there.  Limits keep bad clients harmless: 64
 * connections, a 10 s idle timeout, 32 KiB per connection for the request
 * line and headers (more gets 431), request bodies discarded.
 */
#ifndef SL_OBS_HTTP_H
#define SL_OBS_HTTP_H

#include <stdbool.h>

#include "core/err.h"

struct sl_http;

/* Whether a listen value turns the endpoint off ("", "off", NULL). */
bool sl_http_disabled(const char *listen);
/* Listen on "host:port" ("[v6addr]:port"; port 0 picks a free one).
 * SL_ERR_CONFIG for a malformed value, SL_ERR_IO if the socket cannot be
 * bound (message names the address).  The caller stops it. */
enum sl_err sl_http_start(const char *listen, struct sl_http **out, struct sl_errbuf *eb);
/* The bound port (useful with port 0). */
int sl_http_port(const struct sl_http *h);
/* Stop the thread, close the socket, free.  NULL is a no-op. */
void sl_http_stop(struct sl_http *h);

#endif
