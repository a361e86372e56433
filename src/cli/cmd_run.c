/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_run.c -- `sluice run -c pipeline.properties`: capture and archive in
 * one process, with no broker (the capture pipeline with the lake sink).
 */
#include "cli/commands.h"

#include <stdio.h>

#include "cli/common.h"
#include "core/log.h"
#include "core/lsn.h"
#include "pipeline/capture.h"

int sl_cmd_run(int argc, char **argv)
{
	struct sl_cli_opts o;
	if (!sl_cli_parse(argc, argv, "run", &o))
		return 2;
	if (o.help) {
		sl_cli_help("run", SL_ROLE_RUN,
			    "sluice run -c pipeline.properties [--check] [--print-config] [-D key=value]...",
			    "Capture PostgreSQL changes and archive them as Parquet files in a local\n"
			    "directory (default ./lake) or S3, in one process with no broker. Files are laid\n"
			    "out like sluice archive's (topics.dir/<topic>/<partition>/...); each row is a\n"
			    "Debezium event with typed before/after/source columns, op, ts_ms, _topic,\n"
			    "_partition (0) and _offset (a per-topic sequence that survives restarts). An LSN\n"
			    "is confirmed to PostgreSQL only after the files holding its events are durable,\n"
			    "and replayed events are recognised after a crash, so each event lands once.\n"
			    "Open files are committed every rotate.schedule.interval.ms (5 s when unset).\n"
			    "A transaction bigger than logical_decoding_work_mem is sent by PostgreSQL\n"
			    "after its commit and written as it arrives; streaming.in.progress=true has it\n"
			    "streamed while in progress and spooled instead (what sluice capture does).\n\n"
			    "HTTP endpoint (http.listen): GET /metrics (capture and lake metrics;\n"
			    "docs/METRICS.md), /healthz, /readyz, and Kafka Connect's\n"
			    "/connectors/<name>/status (type \"source\": the connector reads PostgreSQL),\n"
			    "/config, PUT .../pause and .../resume, POST .../restart. <name> is the name\n"
			    "key, else <topic.prefix>-run. Failures behave as in sluice capture.\n\n"
			    "  --check          run the preflight checks only and print a report\n"
			    "  --print-config   print the effective configuration (secrets redacted)\n"
			    "  --until-lsn LSN  stop cleanly once everything up to LSN is confirmed\n"
			    "  -D key=value     override one configuration key");
		return 0;
	}
	uint64_t until = 0;
	if (o.until_lsn && !sl_lsn_parse(o.until_lsn, &until)) {
		fprintf(stderr, "sluice run: --until-lsn expects an LSN like 0/16B3748, got \"%s\"\n",
			o.until_lsn);
		return 2;
	}
	sl_capture_set_until_lsn(until);
	/* The lake needs typed columns and each event's position in its
	 * transaction (to recognise replays), whatever the file says. */
	static const char *const forced[] = {"sink.type=lake", "value.converter.schemas.enable=true",
					     "provide.transaction.metadata=true"};
	for (size_t i = 0; i < sizeof forced / sizeof forced[0]; i++) {
		if (o.noverrides >= 64) {
			fprintf(stderr, "sluice run: too many -D options\n");
			return 2;
		}
		o.overrides[o.noverrides++] = forced[i];
	}
	struct sl_config *cfg = sl_cli_load_config(&o, SL_ROLE_RUN, "run");
	if (!cfg)
		return 2;
	int rc = 0;
	struct sl_errbuf eb = {{0}};
	if (o.print_config) {
		sl_config_print(cfg, stdout);
	} else if (o.check) {
		int problems = 0;
		if (sl_capture_check(cfg, stdout, &problems, &eb)) {
			fprintf(stderr, "sluice run: %s\n", eb.msg);
			rc = 1;
		} else {
			rc = problems ? 1 : 0;
		}
	} else if (!sl_cli_obs_start(cfg, SL_ROLE_RUN, "run")) {
		rc = 2;
	} else {
		/* The capture pipeline reports state, readiness and metrics and
		 * handles pause/resume/restart itself (pipeline/capture.c). */
		volatile sig_atomic_t *stop = sl_cli_stop_flag();
		for (;;) {
			enum sl_err err = sl_capture_run(cfg, stop, &eb);
			if (!err)
				break;
			if (*stop && err == SL_ERR_RETRY) {
				/* SIGTERM while a server was being retried: a clean
				 * stop (nothing unconfirmed was confirmed). */
				sl_info("stopped while retrying: %s", eb.msg);
				break;
			}
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
