/* SPDX-License-Identifier: Apache-2.0
 *
 * metrics.c -- the registry behind metrics.h.
 *
 * Series live in one chained hash table keyed by (metric, label values)
 * for lookups, and in a per-metric list in creation order for output.
 * Both are only changed under `mu`; series are never freed before
 * sl_metrics_reset(), so pointers handed out stay valid and updates are
 * plain relaxed atomics with no lock.  The registry owns every series and
 * its label strings.
 */
#include "obs/metrics.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obs/process.h"

#define NHASH 1024
#define MAX_COLLECTORS 8

struct sl_metric {
	struct sl_metric *hnext; /* hash chain */
	struct sl_metric *next;  /* creation order within the metric */
	enum sl_metric_id id;
	uint64_t hash;
	char *labels[SL_METRICS_MAX_LABELS];
	int nlabels;
	atomic_bool hidden;    /* left out of the exposition (sl_metric_set_visible) */
	_Atomic int64_t value; /* counter, gauge; histogram: unused (count = sum of buckets) */
	_Atomic int64_t sum;   /* histogram: sum of observations */
	_Atomic int64_t buckets[SL_METRICS_MAX_BUCKETS + 1]; /* non-cumulative; last = +Inf */
};

static struct {
	pthread_mutex_t mu;
	pthread_mutex_t collect_mu;
	struct sl_metric *hash[NHASH];
	struct sl_metric *head[SL_M__COUNT], *tail[SL_M__COUNT];
	size_t count[SL_M__COUNT];
	unsigned role;
	struct {
		sl_metrics_collect_fn fn;
		void *ctx;
	} coll[MAX_COLLECTORS];
} g = {.mu = PTHREAD_MUTEX_INITIALIZER, .collect_mu = PTHREAD_MUTEX_INITIALIZER};

/* Updates that cannot get a real series land here; never exported. */
static struct sl_metric g_void;

static int nlabels_of(const struct sl_metric_def *d)
{
	if (!d->labels || !*d->labels)
		return 0;
	int n = 1;
	for (const char *p = d->labels; *p; p++)
		n += *p == ',';
	return n;
}

void sl_metrics_init(unsigned role)
{
	g.role = role;
}

void sl_metrics_reset(void)
{
	pthread_mutex_lock(&g.mu);
	for (int id = 0; id < SL_M__COUNT; id++) {
		struct sl_metric *m = g.head[id];
		while (m) {
			struct sl_metric *nx = m->next;
			for (int i = 0; i < m->nlabels; i++)
				free(m->labels[i]);
			free(m);
			m = nx;
		}
		g.head[id] = g.tail[id] = NULL;
		g.count[id] = 0;
	}
	memset(g.hash, 0, sizeof g.hash);
	pthread_mutex_unlock(&g.mu);
}

static uint64_t hash_of(enum sl_metric_id id, const char *const *v, int n)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)id;
	for (int i = 0; i < n; i++) {
		for (const unsigned char *p = (const unsigned char *)v[i]; *p; p++)
			h = (h ^ *p) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL; /* separator: ("ab","") != ("a","b") */
	}
	return h;
}

struct sl_metric *sl_metric_get(enum sl_metric_id id, const char *const *values, int nvalues)
{
	if ((unsigned)id >= SL_M__COUNT)
		return &g_void;
	size_t nd;
	const struct sl_metric_def *d = &sl_metrics_defs(&nd)[id];
	if (nvalues != nlabels_of(d) || nvalues > SL_METRICS_MAX_LABELS)
		return &g_void;
	const char *vals[SL_METRICS_MAX_LABELS];
	for (int i = 0; i < nvalues; i++)
		vals[i] = values[i] ? values[i] : "";
	uint64_t h = hash_of(id, vals, nvalues);
	pthread_mutex_lock(&g.mu);
	struct sl_metric *m;
	for (m = g.hash[h % NHASH]; m; m = m->hnext) {
		if (m->hash != h || m->id != id)
			continue;
		int i;
		for (i = 0; i < nvalues; i++)
			if (strcmp(m->labels[i], vals[i]))
				break;
		if (i == nvalues)
			break;
	}
	if (!m && g.count[id] < SL_METRICS_MAX_CHILDREN && (m = calloc(1, sizeof *m))) {
		m->id = id;
		m->hash = h;
		for (int i = 0; i < nvalues; i++) {
			if (!(m->labels[i] = strdup(vals[i]))) {
				for (int j = 0; j < i; j++)
					free(m->labels[j]);
				free(m);
				m = NULL;
				break;
			}
		}
		if (m) {
			m->nlabels = nvalues;
			m->hnext = g.hash[h % NHASH];
			g.hash[h % NHASH] = m;
			if (g.tail[id])
				g.tail[id]->next = m;
			else
				g.head[id] = m;
			g.tail[id] = m;
			g.count[id]++;
		}
	}
	pthread_mutex_unlock(&g.mu);
	return m ? m : &g_void;
}

struct sl_metric *sl_metric0(enum sl_metric_id id)
{
	return sl_metric_get(id, NULL, 0);
}

struct sl_metric *sl_metric1(enum sl_metric_id id, const char *v1)
{
	const char *v[] = {v1};
	return sl_metric_get(id, v, 1);
}

struct sl_metric *sl_metric2(enum sl_metric_id id, const char *v1, const char *v2)
{
	const char *v[] = {v1, v2};
	return sl_metric_get(id, v, 2);
}

void sl_metric_add(struct sl_metric *m, int64_t v)
{
	atomic_fetch_add_explicit(&m->value, v, memory_order_relaxed);
}

void sl_metric_set(struct sl_metric *m, int64_t v)
{
	atomic_store_explicit(&m->value, v, memory_order_relaxed);
}

void sl_metric_observe(struct sl_metric *m, int64_t v)
{
	if (m == &g_void)
		return;
	size_t nd;
	const struct sl_metric_def *d = &sl_metrics_defs(&nd)[m->id];
	double scale = d->scale > 1 ? (double)d->scale : 1.0;
	int i = 0;
	int nb = d->nbuckets < SL_METRICS_MAX_BUCKETS ? d->nbuckets : SL_METRICS_MAX_BUCKETS;
	while (i < nb && (double)v > d->buckets[i] * scale)
		i++;
	atomic_fetch_add_explicit(&m->buckets[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->sum, v, memory_order_relaxed);
}

void sl_metric_set_visible(struct sl_metric *m, bool visible)
{
	if (m != &g_void)
		atomic_store_explicit(&m->hidden, !visible, memory_order_relaxed);
}

int64_t sl_metric_value(const struct sl_metric *m)
{
	size_t nd;
	if (m != &g_void && sl_metrics_defs(&nd)[m->id].type == SL_METRIC_HISTOGRAM) {
		int64_t n = 0;
		for (int i = 0; i <= SL_METRICS_MAX_BUCKETS; i++)
			n += atomic_load_explicit(&m->buckets[i], memory_order_relaxed);
		return n;
	}
	return atomic_load_explicit(&m->value, memory_order_relaxed);
}

void sl_metrics_inc(enum sl_metric_id id, const char *v1)
{
	sl_metric_add(v1 ? sl_metric1(id, v1) : sl_metric0(id), 1);
}

enum sl_err sl_metrics_add_collector(sl_metrics_collect_fn fn, void *ctx)
{
	pthread_mutex_lock(&g.collect_mu);
	for (int i = 0; i < MAX_COLLECTORS; i++) {
		if (!g.coll[i].fn) {
			g.coll[i].fn = fn;
			g.coll[i].ctx = ctx;
			pthread_mutex_unlock(&g.collect_mu);
			return SL_OK;
		}
	}
	pthread_mutex_unlock(&g.collect_mu);
	return SL_ERR_TOO_LARGE;
}

void sl_metrics_remove_collector(sl_metrics_collect_fn fn, void *ctx)
{
	/* Taking collect_mu also waits for a running exposition to finish
	 * with ctx before the caller frees it. */
	pthread_mutex_lock(&g.collect_mu);
	for (int i = 0; i < MAX_COLLECTORS; i++)
		if (g.coll[i].fn == fn && g.coll[i].ctx == ctx)
			g.coll[i].fn = NULL;
	pthread_mutex_unlock(&g.collect_mu);
}

const char *sl_metrics_err_kind(enum sl_err err)
{
	static const char *const kinds[SL_ERR__COUNT] = {
		[SL_OK] = "none",          [SL_ERR_NOMEM] = "nomem",   [SL_ERR_IO] = "io",
		[SL_ERR_PROTO] = "proto",  [SL_ERR_CONFIG] = "config", [SL_ERR_TOO_LARGE] = "too_large",
		[SL_ERR_RETRY] = "transient", [SL_ERR_STATE] = "state", [SL_ERR_ARG] = "arg",
		[SL_ERR_NOTFOUND] = "notfound", [SL_ERR_AUTH] = "auth", [SL_ERR_FATAL] = "fatal",
	};
	return (unsigned)err < SL_ERR__COUNT && kinds[err] ? kinds[err] : "fatal";
}

/* ---- exposition ---------------------------------------------------------- */

enum sl_err sl_metrics_escape_label(struct sl_buf *out, const char *v)
{
	enum sl_err err = SL_OK;
	for (; *v && !err; v++) {
		if (*v == '\\')
			err = sl_buf_puts(out, "\\\\");
		else if (*v == '"')
			err = sl_buf_puts(out, "\\\"");
		else if (*v == '\n')
			err = sl_buf_puts(out, "\\n");
		else
			err = sl_buf_putc(out, *v);
	}
	return err;
}

static void put_help(struct sl_buf *out, const char *s)
{
	/* HELP text escapes only backslash and newline. */
	for (; *s; s++) {
		if (*s == '\\')
			sl_buf_puts(out, "\\\\");
		else if (*s == '\n')
			sl_buf_puts(out, "\\n");
		else
			sl_buf_putc(out, *s);
	}
}

static void put_value(struct sl_buf *out, int64_t v, int64_t scale)
{
	if (scale <= 1)
		sl_buf_appendf(out, " %" PRId64 "\n", v);
	else
		sl_buf_appendf(out, " %.6f\n", (double)v / (double)scale);
}

/* name{l1="v1",l2="v2"[,extra]} */
static void put_series(struct sl_buf *out, const char *name, const char *suffix,
		       const struct sl_metric_def *d, const struct sl_metric *m, const char *extra)
{
	sl_buf_puts(out, name);
	sl_buf_puts(out, suffix);
	if (!m->nlabels && !extra)
		return;
	sl_buf_putc(out, '{');
	const char *p = d->labels;
	for (int i = 0; i < m->nlabels; i++) {
		size_t n = strcspn(p, ",");
		sl_buf_appendf(out, "%s%.*s=\"", i ? "," : "", (int)n, p);
		sl_metrics_escape_label(out, m->labels[i]);
		sl_buf_putc(out, '"');
		p += n + (p[n] == ',');
	}
	if (extra)
		sl_buf_appendf(out, "%s%s", m->nlabels ? "," : "", extra);
	sl_buf_putc(out, '}');
}

static const char *type_word(enum sl_metric_type t)
{
	return t == SL_METRIC_COUNTER ? "counter" : t == SL_METRIC_GAUGE ? "gauge" : "histogram";
}

enum sl_err sl_metrics_expose(struct sl_buf *out)
{
	pthread_mutex_lock(&g.collect_mu);
	for (int i = 0; i < MAX_COLLECTORS; i++)
		if (g.coll[i].fn)
			g.coll[i].fn(g.coll[i].ctx);
	pthread_mutex_unlock(&g.collect_mu);

	size_t nd;
	const struct sl_metric_def *defs = sl_metrics_defs(&nd);
	pthread_mutex_lock(&g.mu);
	for (size_t id = 0; id < nd; id++) {
		const struct sl_metric_def *d = &defs[id];
		if (g.role && !(d->roles & g.role))
			continue;
		/* A metric without labels always has its one series, so it is
		 * exported (as 0) before its first update. */
		if (!g.head[id] && nlabels_of(d) == 0) {
			pthread_mutex_unlock(&g.mu);
			(void)sl_metric0((enum sl_metric_id)id);
			pthread_mutex_lock(&g.mu);
		}
		if (!g.head[id])
			continue;
		sl_buf_appendf(out, "# HELP %s ", d->name);
		put_help(out, d->help);
		sl_buf_appendf(out, "\n# TYPE %s %s\n", d->name, type_word(d->type));
		for (const struct sl_metric *m = g.head[id]; m; m = m->next) {
			if (atomic_load_explicit(&m->hidden, memory_order_relaxed))
				continue;
			if (d->type != SL_METRIC_HISTOGRAM) {
				put_series(out, d->name, "", d, m, NULL);
				put_value(out, atomic_load_explicit(&m->value, memory_order_relaxed),
					  d->scale);
				continue;
			}
			int nb = d->nbuckets < SL_METRICS_MAX_BUCKETS ? d->nbuckets
								      : SL_METRICS_MAX_BUCKETS;
			int64_t cum = 0;
			char le[64];
			for (int b = 0; b <= nb; b++) {
				/* buckets[nb] is +Inf whatever the table's count. */
				int idx = b < nb ? b : nb;
				cum += atomic_load_explicit(&m->buckets[idx], memory_order_relaxed);
				if (b < nb)
					snprintf(le, sizeof le, "le=\"%g\"", d->buckets[b]);
				else
					snprintf(le, sizeof le, "le=\"+Inf\"");
				put_series(out, d->name, "_bucket", d, m, le);
				sl_buf_appendf(out, " %" PRId64 "\n", cum);
			}
			put_series(out, d->name, "_sum", d, m, NULL);
			put_value(out, atomic_load_explicit(&m->sum, memory_order_relaxed),
				  d->scale);
			put_series(out, d->name, "_count", d, m, NULL);
			sl_buf_appendf(out, " %" PRId64 "\n", cum);
		}
	}
	pthread_mutex_unlock(&g.mu);
	sl_process_metrics_expose(out);
	if (out->max && out->len >= out->max)
		return SL_ERR_TOO_LARGE;
	return SL_OK;
}
