/* SPDX-License-Identifier: Apache-2.0
 *
 * version.h -- the one place the version lives (events' source.version,
 * Parquet created_by, --version).
 */
#ifndef SL_CORE_VERSION_H
#define SL_CORE_VERSION_H

#define SL_VERSION "0.1.0"

#endif
