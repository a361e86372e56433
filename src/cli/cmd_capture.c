/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_capture.c -- `sluice capture -c capture.properties`.
 */
#include "cli/commands.h"

#include <stdio.h>

#include "cli/common.h"
#include "core/log.h"
#include "core/lsn.h"
#include "pipeline/capture.h"

int sl_cmd_capture(int argc, char **argv)
{
	struct sl_cli_opts o;
	if (!sl_cli_parse(argc, argv, "capture", &o))
		return 2;
	if (o.help) {
		sl_cli_help("capture", SL_ROLE_CAPTURE,
			    "sluice capture -c capture.properties [--check] [--print-config] [-D key=value]...",
			    "Stream PostgreSQL changes (logical replication, pgoutput) as Debezium-compatible\n"
			    "change events to Kafka, a JSON-lines file or stdout. Takes a consistent initial\n"
			    "snapshot first (snapshot.mode), then streams from the replication slot. An LSN is\n"
			    "confirmed to PostgreSQL only after every event before it is durable in the sink,\n"
			    "so a crash or SIGKILL loses nothing. SIGTERM drains and exits 0.\n\n"
			    "HTTP endpoint (http.listen): GET /metrics (Prometheus; docs/METRICS.md),\n"
			    "/healthz, /readyz, and Kafka Connect's /connectors/<name>/status, /config,\n"
			    "PUT .../pause and .../resume, POST .../restart. <name> is the name key, else\n"
			    "<topic.prefix>-capture. On a fatal error the connector is FAILED; with\n"
			    "http.listen set explicitly the process keeps serving that status until\n"
			    "SIGTERM (exit 1) or POST .../restart, otherwise it exits 1 at once.\n\n"
			    "  --check          run the preflight checks only and print a report\n"
			    "  --print-config   print the effective configuration (secrets redacted)\n"
			    "  --until-lsn LSN  stop cleanly once everything up to LSN (e.g. 0/16B3748) is confirmed\n"
			    "  -D key=value     override one configuration key");
		return 0;
	}
	uint64_t until = 0;
	if (o.until_lsn && !sl_lsn_parse(o.until_lsn, &until)) {
		fprintf(stderr, "sluice capture: --until-lsn expects an LSN like 0/16B3748, got \"%s\"\n",
			o.until_lsn);
		return 2;
	}
	sl_capture_set_until_lsn(until);
	struct sl_config *cfg = sl_cli_load_config(&o, SL_ROLE_CAPTURE, "capture");
	if (!cfg)
		return 2;
	int rc = 0;
	struct sl_errbuf eb = {{0}};
	if (o.print_config) {
		sl_config_print(cfg, stdout);
	} else if (o.check) {
		int problems = 0;
		if (sl_capture_check(cfg, stdout, &problems, &eb)) {
			fprintf(stderr, "sluice capture: %s\n", eb.msg);
			rc = 1;
		} else {
			rc = problems ? 1 : 0;
		}
	} else if (!sl_cli_obs_start(cfg, SL_ROLE_CAPTURE, "capture")) {
		rc = 2;
	} else {
		volatile sig_atomic_t *stop = sl_cli_stop_flag();
		for (;;) {
			enum sl_err err = sl_capture_run(cfg, stop, &eb);
			if (!err)
				break;
			/* The FAILED state change logs the error once. */
			if (sl_cli_obs_failed(cfg, eb.msg, stop))
				continue; /* POST .../restart */
			rc = err == SL_ERR_CONFIG ? 2 : 1;
			break;
		}
		sl_cli_obs_stop();
	}
	sl_config_free(cfg);
	return rc;
}
