/* SPDX-License-Identifier: Apache-2.0
 *
 * commands.h -- one entry point per subcommand.
 */
#ifndef SL_CLI_COMMANDS_H
#define SL_CLI_COMMANDS_H

int sl_cmd_capture(int argc, char **argv);
int sl_cmd_archive(int argc, char **argv);
int sl_cmd_run(int argc, char **argv);

#endif
