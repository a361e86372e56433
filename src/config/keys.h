/* SPDX-License-Identifier: Apache-2.0
 *
 * keys.h -- lookups over the key table defined in keys.c (internal).
 *
 * keys.c is the one place a key is declared; everything here reads that
 * static table and returns pointers into it (never freed).
 */
#ifndef SL_CONFIG_KEYS_H
#define SL_CONFIG_KEYS_H

#include <stdbool.h>

#include "config/config.h"

/* The table entry for name or one of its aliases (exact match); NULL if
 * none. */
const struct sl_config_key *sl_config_key_find(const char *name);
/* For an enum value alias of key k (e.g. a Confluent class name), the
 * table's spelling; NULL if value is no alias.  Case-insensitive. */
const char *sl_config_enum_alias(const struct sl_config_key *k, const char *value);
/* Every alias of k's values as "alias -> value" pairs, for docs: returns
 * the i-th pair or false when there are no more. */
bool sl_config_enum_alias_at(const struct sl_config_key *k, unsigned i, const char **alias,
			  const char **value);
/* The passthrough prefix name starts with ("kafka."), or NULL. */
const char *sl_config_passthrough_prefix(const char *name);
/* Whether a passthrough key holds a secret (password, secret, sasl.jaas,
 * ssl.key in its name, case-insensitive). */
bool sl_config_passthrough_secret(const char *name);
/* Where an old or foreign key name went, as a hint sentence; NULL if the
 * name is not known. */
const char *sl_config_renamed_hint(const char *name);

#endif
