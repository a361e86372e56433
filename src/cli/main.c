/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/main.c -- dispatch `sluice <command>` and print help.
 */
#include "cli/cli.h"
#include "cli/commands.h"

#include <stdio.h>
#include <string.h>

struct command {
	const char *name;
	const char *summary;
	int (*fn)(int argc, char **argv);
};

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("sluice %s\n", SLUICE_VERSION);
	return 0;
}

static const struct command commands[] = {
	{"capture", "PostgreSQL changes -> Debezium events on Kafka, a file or stdout", sl_cmd_capture},
	{"archive", "Kafka topics -> time-partitioned Parquet on S3 or disk, exactly once", sl_cmd_archive},
	{"run", "PostgreSQL changes -> Parquet lake in one process, no broker", sl_cmd_run},
	{"version", "print the version", cmd_version},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: sluice <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun 'sluice help <command>' or 'sluice <command> --help' for details.\n");
}

int sl_cli_main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		if (!strcmp(name, "help") && argc > 2) {
			for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
				if (!strcmp(commands[i].name, argv[2])) {
					char *args[] = {argv[2], (char *)"--help", NULL};
					return commands[i].fn(2, args);
				}
		}
		usage(stdout);
		return 0;
	}
	if (!strcmp(name, "--version"))
		return cmd_version(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(commands[i].name, name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "sluice: unknown command \"%s\"\n\n", name);
	usage(stderr);
	return 2;
}
