/* SPDX-License-Identifier: Apache-2.0
 *
 * resolve.h -- ${provider:[path:]key} references in config values, after
 * Kafka's config providers.
 *
 *   ${env:NAME}           the environment variable NAME (may be empty)
 *   ${file:/path:key}     key in the Java-properties file /path (Kafka's
 *                         FileConfigProvider); the path ends at the last ':'
 *
 * Text that does not look like a reference (no ':' inside, or a provider
 * name with characters outside [A-Za-z0-9_.-]) is kept literally.  An
 * unknown provider, a missing variable, file or key is SL_ERR_CONFIG with a
 * message naming the config key and the reference -- never a value.
 * Resolved text is not scanned again.  Referenced files must be regular
 * files of at most SL_RESOLVE_FILE_MAX bytes.
 */
#ifndef SL_CONFIG_RESOLVE_H
#define SL_CONFIG_RESOLVE_H

#include <stdbool.h>

#include "core/err.h"

#define SL_RESOLVE_FILE_MAX (1024 * 1024)

/* Resolve every reference in value.  *out is a new string the caller frees;
 * *had_ref tells whether any reference was replaced.  cfg_key names the
 * config key in messages. */
enum sl_err sl_config_resolve(const char *cfg_key, const char *value, char **out, bool *had_ref,
			   struct sl_errbuf *eb);

/* Read a whole regular file (at most max bytes) into a NUL-terminated
 * allocation the caller frees; what names the file's role in messages. */
enum sl_err sl_config_read_file(const char *path, size_t max, char **out, size_t *len,
			     struct sl_errbuf *eb);

#endif
