/* SPDX-License-Identifier: Apache-2.0
 *
 * cli.h -- command-line entry points.  Only cli/ calls exit().
 */
#ifndef SL_CLI_CLI_H
#define SL_CLI_CLI_H

#include "core/version.h"
#define SLUICE_VERSION SL_VERSION

int sl_cli_main(int argc, char **argv);

#endif
