/* SPDX-License-Identifier: Apache-2.0
 *
 * main.c -- the subcommand table.  Each command lives in src/cli/.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int main(int argc, char **argv)
{
	return sl_cli_main(argc, argv);
}
