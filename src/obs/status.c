/* SPDX-License-Identifier: Apache-2.0
 *
 * status.c -- the connector state singleton behind status.h.
 *
 * `mu` guards the strings and the state; the pause and restart flags are
 * atomics because the pipeline reads them once per batch.  JSON bodies
 * are built under `mu` into the caller's buffer, so a reader never sees a
 * half-changed state.  The module owns its copies of name, type, worker
 * id, trace, ready reason and the rendered config body.
 */
#include "obs/status.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/props.h"
#include "core/json.h"
#include "core/log.h"
#include "obs/metrics.h"

static struct {
	pthread_mutex_t mu;
	char *name, *type, *worker, *trace, *config_json;
	enum sl_conn_state state;
	bool ready;
	char reason[128];
	atomic_bool pause;
	atomic_int restart;
} g = {.mu = PTHREAD_MUTEX_INITIALIZER};

static const char *const state_names[] = {"UNASSIGNED", "RUNNING", "PAUSED", "FAILED"};

const char *sl_conn_state_name(enum sl_conn_state s)
{
	return (unsigned)s < 4 ? state_names[s] : "UNASSIGNED";
}

static void publish_metrics_locked(void)
{
	for (int i = 0; i < 4; i++)
		sl_metric_set(sl_metric1(SL_M_CONNECTOR_STATE, state_names[i]),
			      (int)g.state == i ? 1 : 0);
	sl_metric_set(sl_metric0(SL_M_CONNECTOR_READY), g.ready ? 1 : 0);
}

/* ---- config body ------------------------------------------------------------ */

struct cfg_ctx {
	struct sl_buf *out;
	int n;
};

static enum sl_err cfg_entry(void *ctx, const char *key, const char *value, int line,
			     struct sl_errbuf *eb)
{
	(void)line;
	(void)eb;
	struct cfg_ctx *c = ctx;
	static const char marker[] = "  # default";
	size_t vl = strlen(value), ml = sizeof marker - 1;
	if (vl >= ml && !strcmp(value + vl - ml, marker))
		return SL_OK; /* Kafka Connect shows what was configured, not defaults */
	if (!strcmp(key, "name"))
		return SL_OK; /* written first, from the status */
	sl_buf_putc(c->out, ',');
	sl_json_cstr(c->out, key);
	sl_buf_putc(c->out, ':');
	sl_json_cstr(c->out, value);
	c->n++;
	return SL_OK;
}

/* {"name":"x","k":"v",...}: sl_config_print's explicit lines (secrets
 * already "[redacted]", references shown as their ${...} text). */
static char *render_config(const struct sl_config *cfg, const char *name)
{
	struct sl_buf out;
	sl_buf_init(&out, 4 << 20);
	sl_buf_puts(&out, "{\"name\":");
	sl_json_cstr(&out, name);
	if (cfg) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		if (f) {
			sl_config_print(cfg, f);
			fclose(f);
			struct cfg_ctx c = {&out, 0};
			struct sl_errbuf eb;
			sl_props_parse(text, len, cfg_entry, &c, &eb);
			free(text);
		}
	}
	sl_buf_putc(&out, '}');
	return sl_buf_steal(&out);
}

/* ---- lifecycle -------------------------------------------------------------- */

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static void free_strings_locked(void)
{
	free(g.name);
	free(g.type);
	free(g.worker);
	free(g.trace);
	free(g.config_json);
	g.name = g.type = g.worker = g.trace = g.config_json = NULL;
}

enum sl_err sl_status_init(const char *name, const char *type, const char *worker_id,
			   const struct sl_config *cfg, struct sl_errbuf *eb)
{
	char *cj = render_config(cfg, name ? name : "");
	pthread_mutex_lock(&g.mu);
	free_strings_locked();
	g.name = dup_or_empty(name);
	g.type = dup_or_empty(type);
	g.worker = dup_or_empty(worker_id);
	g.config_json = cj;
	g.state = SL_CONN_UNASSIGNED;
	g.ready = false;
	snprintf(g.reason, sizeof g.reason, "starting");
	atomic_store(&g.pause, false);
	atomic_store(&g.restart, 0);
	bool ok = g.name && g.type && g.worker && g.config_json;
	if (ok)
		publish_metrics_locked();
	else
		free_strings_locked();
	pthread_mutex_unlock(&g.mu);
	return ok ? SL_OK : sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
}

void sl_status_free(void)
{
	pthread_mutex_lock(&g.mu);
	free_strings_locked();
	pthread_mutex_unlock(&g.mu);
}

const char *sl_status_name(void)
{
	/* Set once at startup before the HTTP thread exists; stable after. */
	return g.name ? g.name : "";
}

void sl_status_default_name(const struct sl_config *cfg, unsigned role, char *out, size_t n)
{
	const char *name = cfg ? sl_config_get(cfg, "name") : NULL;
	if (name && *name) {
		snprintf(out, n, "%s", name);
		return;
	}
	const char *prefix = NULL;
	if (cfg && (sl_config_role(cfg) & (SL_ROLE_CAPTURE | SL_ROLE_RUN)))
		prefix = sl_config_get(cfg, "topic.prefix");
	snprintf(out, n, "%s-%s", prefix && *prefix ? prefix : "sluice", sl_config_role_name(role));
}

/* ---- state ------------------------------------------------------------------ */

void sl_status_set_state(enum sl_conn_state s, const char *trace)
{
	if ((unsigned)s > SL_CONN_FAILED)
		return;
	pthread_mutex_lock(&g.mu);
	enum sl_conn_state old = g.state;
	bool same_trace = (!trace && !g.trace) || (trace && g.trace && !strcmp(trace, g.trace));
	if (old == s && same_trace) {
		pthread_mutex_unlock(&g.mu);
		return;
	}
	g.state = s;
	free(g.trace);
	g.trace = s == SL_CONN_FAILED && trace ? strdup(trace) : NULL;
	publish_metrics_locked();
	char name[256];
	snprintf(name, sizeof name, "%s", g.name ? g.name : "");
	pthread_mutex_unlock(&g.mu);
	if (old == s)
		return; /* same state, new trace: not a state change */
	if (s == SL_CONN_FAILED)
		sl_error("connector \"%s\" is FAILED (was %s): %s", name, state_names[old],
			 trace ? trace : "unknown error");
	else
		sl_info("connector \"%s\" is %s (was %s)", name, state_names[s], state_names[old]);
}

enum sl_conn_state sl_status_state(void)
{
	pthread_mutex_lock(&g.mu);
	enum sl_conn_state s = g.state;
	pthread_mutex_unlock(&g.mu);
	return s;
}

void sl_status_set_ready(bool ready, const char *reason)
{
	pthread_mutex_lock(&g.mu);
	g.ready = ready;
	snprintf(g.reason, sizeof g.reason, "%s", ready || !reason ? "" : reason);
	publish_metrics_locked();
	pthread_mutex_unlock(&g.mu);
}

bool sl_status_ready(char *reason, size_t n)
{
	pthread_mutex_lock(&g.mu);
	bool r = g.ready;
	if (reason && n)
		snprintf(reason, n, "%s", g.reason);
	pthread_mutex_unlock(&g.mu);
	return r;
}

void sl_status_request_pause(bool pause)
{
	atomic_store(&g.pause, pause);
}

bool sl_status_pause_requested(void)
{
	return atomic_load_explicit(&g.pause, memory_order_relaxed);
}

void sl_status_request_restart(void)
{
	atomic_store(&g.restart, 1);
}

bool sl_status_take_restart(void)
{
	return atomic_exchange(&g.restart, 0) != 0;
}

bool sl_status_restart_pending(void)
{
	return atomic_load(&g.restart) != 0;
}

/* ---- JSON --------------------------------------------------------------- */

static void state_obj_locked(struct sl_buf *out, bool task)
{
	if (task)
		sl_buf_puts(out, "{\"id\":0,");
	else
		sl_buf_putc(out, '{');
	sl_buf_puts(out, "\"state\":");
	sl_json_cstr(out, state_names[g.state]);
	sl_buf_puts(out, ",\"worker_id\":");
	sl_json_cstr(out, g.worker ? g.worker : "");
	if (g.state == SL_CONN_FAILED) {
		sl_buf_puts(out, ",\"trace\":");
		sl_json_cstr(out, g.trace ? g.trace : "");
	}
	sl_buf_putc(out, '}');
}

/* sl_buf keeps its content when an append would pass its cap, so a
 * full buffer is the sign that something was cut. */
static enum sl_err finish(struct sl_buf *out)
{
	return out->max && out->len >= out->max ? SL_ERR_TOO_LARGE : SL_OK;
}

enum sl_err sl_status_json(struct sl_buf *out)
{
	pthread_mutex_lock(&g.mu);
	sl_buf_puts(out, "{\"name\":");
	sl_json_cstr(out, g.name ? g.name : "");
	sl_buf_puts(out, ",\"connector\":");
	state_obj_locked(out, false);
	sl_buf_puts(out, ",\"tasks\":[");
	state_obj_locked(out, true);
	sl_buf_puts(out, "],\"type\":");
	sl_json_cstr(out, g.type ? g.type : "");
	sl_buf_putc(out, '}');
	pthread_mutex_unlock(&g.mu);
	return finish(out);
}

enum sl_err sl_status_task_json(struct sl_buf *out)
{
	pthread_mutex_lock(&g.mu);
	state_obj_locked(out, true);
	pthread_mutex_unlock(&g.mu);
	return finish(out);
}

enum sl_err sl_status_config_json(struct sl_buf *out)
{
	pthread_mutex_lock(&g.mu);
	sl_buf_puts(out, g.config_json ? g.config_json : "{}");
	pthread_mutex_unlock(&g.mu);
	return finish(out);
}

enum sl_err sl_status_info_json(struct sl_buf *out)
{
	pthread_mutex_lock(&g.mu);
	sl_buf_puts(out, "{\"name\":");
	sl_json_cstr(out, g.name ? g.name : "");
	sl_buf_puts(out, ",\"config\":");
	sl_buf_puts(out, g.config_json ? g.config_json : "{}");
	sl_buf_puts(out, ",\"tasks\":[{\"connector\":");
	sl_json_cstr(out, g.name ? g.name : "");
	sl_buf_puts(out, ",\"task\":0}],\"type\":");
	sl_json_cstr(out, g.type ? g.type : "");
	sl_buf_putc(out, '}');
	pthread_mutex_unlock(&g.mu);
	return finish(out);
}
