/* SPDX-License-Identifier: Apache-2.0
 *
 * common.c -- shared command-line plumbing.
 */
#include "cli/common.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/stop.h"
#include "obs/http.h"
#include "obs/metrics.h"
#include "obs/status.h"
#include "core/version.h"

static struct sl_http *g_http;

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

volatile sig_atomic_t *sl_cli_stop_flag(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sl_stop_register(&g_stop);
	return &g_stop;
}

bool sl_cli_parse(int argc, char **argv, const char *cmd, struct sl_cli_opts *o)
{
	memset(o, 0, sizeof *o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if ((!strcmp(a, "-c") || !strcmp(a, "--config")) && i + 1 < argc) {
			o->config_path = argv[++i];
		} else if (!strncmp(a, "--config=", 9)) {
			o->config_path = a + 9;
		} else if (!strcmp(a, "--print-config")) {
			o->print_config = true;
		} else if (!strcmp(a, "--until-lsn") && i + 1 < argc) {
			o->until_lsn = argv[++i];
		} else if (!strcmp(a, "--check")) {
			o->check = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			o->help = true;
		} else if (!strcmp(a, "-D") && i + 1 < argc && o->noverrides < 64) {
			o->overrides[o->noverrides++] = argv[++i];
		} else {
			fprintf(stderr, "sluice %s: unknown option \"%s\" (see sluice %s --help)\n", cmd, a,
				cmd);
			return false;
		}
	}
	if (!o->help && !o->config_path) {
		fprintf(stderr, "sluice %s: missing -c <file.properties> (see sluice %s --help)\n", cmd,
			cmd);
		return false;
	}
	return true;
}

struct sl_config *sl_cli_load_config(const struct sl_cli_opts *o, unsigned role, const char *cmd)
{
	struct sl_config *cfg = NULL;
	struct sl_errbuf eb = {{0}};
	enum sl_err err = sl_config_new(role, &cfg, &eb);
	if (!err)
		err = sl_config_add_file(cfg, o->config_path, &eb);
	for (int i = 0; !err && i < o->noverrides; i++) {
		char key[256];
		const char *eq = strchr(o->overrides[i], '=');
		if (!eq || (size_t)(eq - o->overrides[i]) >= sizeof key) {
			fprintf(stderr, "sluice %s: -D expects key=value, got \"%s\"\n", cmd, o->overrides[i]);
			sl_config_free(cfg);
			return NULL;
		}
		snprintf(key, sizeof key, "%.*s", (int)(eq - o->overrides[i]), o->overrides[i]);
		err = sl_config_set(cfg, key, eq + 1, &eb);
	}
	if (!err)
		err = sl_config_validate(cfg, &eb);
	if (err) {
		fprintf(stderr, "sluice %s: %s\n", cmd, eb.msg);
		sl_config_free(cfg);
		return NULL;
	}
	if (sl_log_setup(sl_config_get(cfg, "log.format"), sl_config_get(cfg, "log.level")) != SL_OK) {
		fprintf(stderr, "sluice %s: bad log.format or log.level\n", cmd);
		sl_config_free(cfg);
		return NULL;
	}
	sl_log_set_component(cmd);
	return cfg;
}

void sl_cli_help(const char *cmd, unsigned role, const char *usage, const char *description)
{
	printf("usage: %s\n\n%s\n\nconfiguration keys (Java properties; any value may be "
	       "${env:NAME} or ${file:/path:key}):\n",
	       usage, description);
	size_t n;
	const struct sl_config_key *keys = sl_config_keys(&n);
	for (size_t i = 0; i < n; i++) {
		if (!(keys[i].roles & role))
			continue;
		printf("  %-40s", keys[i].name);
		if (keys[i].required & role)
			printf(" (required)");
		else if (keys[i].def && *keys[i].def)
			printf(" default: %s", keys[i].def);
		if (keys[i].enum_values)
			printf("  [%s]", keys[i].enum_values);
		printf("\n      %s\n", keys[i].doc ? keys[i].doc : "");
	}
	printf("  %-40s\n      passed to librdkafka as <key> (e.g. kafka.bootstrap.servers)\n",
	       "kafka.<key>");
	(void)cmd;
}

/* Kafka Connect's worker_id is the advertised host:port of the REST
 * server: the listen host, or this host's name for a wildcard address. */
static void worker_id(const char *listen, int port, char *out, size_t n)
{
	char host[256] = "";
	if (!sl_http_disabled(listen)) {
		const char *colon = strrchr(listen, ':');
		size_t hl = colon ? (size_t)(colon - listen) : 0;
		if (hl < sizeof host)
			snprintf(host, sizeof host, "%.*s", (int)hl, listen);
	}
	if (!*host || !strcmp(host, "0.0.0.0") || !strcmp(host, "[::]")) {
		if (gethostname(host, sizeof host))
			snprintf(host, sizeof host, "localhost");
		host[sizeof host - 1] = '\0';
	}
	snprintf(out, n, "%s:%d", host, port);
}

bool sl_cli_obs_start(const struct sl_config *cfg, unsigned role, const char *cmd)
{
	sl_metrics_init(role);
	sl_metric_set(sl_metric1(SL_M_BUILD_INFO, SL_VERSION), 1);
	const char *listen = sl_config_get(cfg, "http.listen");
	struct sl_errbuf eb = {{0}};
	if (!sl_http_disabled(listen)) {
		enum sl_err err = sl_http_start(listen, &g_http, &eb);
		if (err == SL_ERR_CONFIG || err == SL_ERR_NOMEM) {
			fprintf(stderr, "sluice %s: %s\n", cmd, eb.msg);
			return false;
		}
		if (err)
			sl_warn("%s; running without the HTTP endpoint", eb.msg);
	}
	char name[256], worker[300];
	sl_status_default_name(cfg, role, name, sizeof name);
	worker_id(listen, g_http ? sl_http_port(g_http) : 0, worker, sizeof worker);
	if (sl_status_init(name, role == SL_ROLE_ARCHIVE ? "sink" : "source", worker, cfg, &eb)) {
		fprintf(stderr, "sluice %s: %s\n", cmd, eb.msg);
		sl_cli_obs_stop();
		return false;
	}
	if (g_http)
		sl_info("http: serving /metrics, /healthz, /readyz and /connectors/%s on %s (port %d)",
			name, listen, sl_http_port(g_http));
	return true;
}

void sl_cli_obs_stop(void)
{
	sl_http_stop(g_http);
	g_http = NULL;
	sl_status_free();
	sl_metrics_reset();
}

bool sl_cli_obs_failed(const struct sl_config *cfg, const char *trace,
		       volatile sig_atomic_t *stop)
{
	sl_status_set_state(SL_CONN_FAILED, trace);
	sl_status_set_ready(false, "failed");
	if (!g_http || !sl_config_is_set(cfg, "http.listen"))
		return false;
	sl_info("serving the FAILED status until SIGTERM or POST /connectors/%s/restart",
		sl_status_name());
	sl_status_take_restart(); /* a request from before the failure does not count */
	while (!*stop) {
		if (sl_status_take_restart()) {
			sl_status_set_state(SL_CONN_UNASSIGNED, NULL);
			return true;
		}
		struct timespec ts = {0, 100 * 1000000};
		nanosleep(&ts, NULL);
	}
	return false;
}
