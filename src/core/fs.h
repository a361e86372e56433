/* SPDX-License-Identifier: Apache-2.0
 *
 * fs.h -- small filesystem helpers shared by the state file and the spool.
 */
#ifndef SL_CORE_FS_H
#define SL_CORE_FS_H

/* mkdir -p with mode 0700; 0 on success, -1 with errno set. */
int sl_mkdir_p(const char *dir);

#endif
