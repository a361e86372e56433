/* SPDX-License-Identifier: Apache-2.0
 *
 * common.h -- pieces every subcommand shares: option parsing for
 * -c/--config, --print-config, -D key=value overrides, help text from the
 * config table, and signal handling.
 */
#ifndef SL_CLI_COMMON_H
#define SL_CLI_COMMON_H

#include <signal.h>
#include <stdbool.h>

#include "config/config.h"

struct sl_cli_opts {
	const char *config_path;
	bool print_config;
	bool check;
	bool help;
	const char *until_lsn;
	const char *overrides[64]; /* "key=value" */
	int noverrides;
};

/* Parse argv; prints an error and returns false on bad usage. */
bool sl_cli_parse(int argc, char **argv, const char *cmd, struct sl_cli_opts *o);
/* Load the config for role; prints the error (which never contains a secret)
 * and returns NULL on failure. */
struct sl_config *sl_cli_load_config(const struct sl_cli_opts *o, unsigned role, const char *cmd);
/* Print help: usage, description, then every key the role accepts. */
void sl_cli_help(const char *cmd, unsigned role, const char *usage, const char *description);
/* SIGTERM/SIGINT set the returned flag. */
volatile sig_atomic_t *sl_cli_stop_flag(void);

/* Observability for a command (obs/): choose the metrics the role exports,
 * set up the connector status (name from `name`, else
 * "<topic.prefix>-<role>"; type "source" or "sink") and start the HTTP
 * endpoint on http.listen unless it is off.  A malformed http.listen is a
 * configuration error (message printed, returns false); an address that
 * cannot be bound is logged as a warning and the command runs without the
 * endpoint (the probes then fail, which is what an orchestrator should
 * see).  Pair with sl_cli_obs_stop(). */
bool sl_cli_obs_start(const struct sl_config *cfg, unsigned role, const char *cmd);
void sl_cli_obs_stop(void);
/* The pipeline failed with `trace` (an error message, never a secret):
 * mark the connector FAILED (logged once).  When http.listen is set
 * explicitly and the endpoint runs, keep serving the FAILED status --
 * as Kafka Connect keeps a worker with a failed task -- until SIGTERM
 * (returns false) or POST .../restart (returns true: run the pipeline
 * again).  Otherwise return false at once, so the process exits 1. */
bool sl_cli_obs_failed(const struct sl_config *cfg, const char *trace,
		       volatile sig_atomic_t *stop);

#endif
