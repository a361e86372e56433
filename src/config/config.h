/* SPDX-License-Identifier: Apache-2.0
 *
 * config.h -- sluice configuration: Java-properties files validated against
 * one key table (keys.c), with ${env:NAME} and ${file:/path:key} references.
 *
 * Key names and defaults follow Debezium's PostgreSQL connector and
 * Confluent's S3 sink, so an existing connector config works unchanged.
 * Every key is declared once in keys.c with its type, default, allowed
 * values, roles (which commands accept it) and a doc sentence; docs/CONFIG.md
 * is generated from that table.  Keys under a passthrough prefix ("kafka.")
 * are not in the table and are handed to librdkafka as they are.
 *
 * Ownership: a struct sl_config owns every string it stores.  Pointers
 * returned by the getters stay valid until the next sl_config_set(),
 * sl_config_validate() or sl_config_free() on that config.  The key table
 * is static and lives forever.  A config is not thread-safe for writes;
 * concurrent reads after loading are fine.
 *
 * Secrets: keys marked secret, passthrough keys whose name contains
 * "password", "secret", "sasl.jaas" or "ssl.key", and every value that came
 * from a ${env:}/${file:} reference never appear in an error message or in
 * sl_config_print() output.
 */
#ifndef SL_CONFIG_CONFIG_H
#define SL_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

/* Bitmask: which commands accept a key. */
enum sl_config_role { SL_ROLE_CAPTURE = 1, SL_ROLE_ARCHIVE = 2, SL_ROLE_RUN = 4 };
#define SL_ROLE_ALL (SL_ROLE_CAPTURE | SL_ROLE_ARCHIVE | SL_ROLE_RUN)

enum sl_config_type {
	SL_CFG_STRING,      /* any text, may be empty */
	SL_CFG_INT,         /* signed 64-bit decimal within [min, max] */
	SL_CFG_BOOL,        /* true|false, case-insensitive; stored as "true"/"false" */
	SL_CFG_ENUM,        /* one of enum_values, case-insensitive; stored in the table's spelling */
	SL_CFG_LIST,        /* comma-separated; if enum_values is set, each item must be one of them */
	SL_CFG_DURATION_MS, /* milliseconds: "1500" or with a unit "1500ms", "10s", "5m", "1h";
			       stored as plain milliseconds; [min, max] in ms */
};

struct sl_config_key {
	const char *name;
	enum sl_config_type type;
	const char *def;         /* default as text; NULL = no default (see doc) */
	const char *enum_values; /* "a|b|c" for ENUM and LIST; NULL otherwise */
	int64_t min, max;        /* INT and DURATION_MS bounds (inclusive) */
	bool secret;             /* never printed or echoed in messages */
	unsigned roles;          /* enum sl_config_role bits that accept the key */
	const char *doc;         /* one or two sentences for docs and --help */
	unsigned required;       /* roles for which the key must be set */
	const char *aliases;     /* "old|other" accepted names, stored under `name`; NULL if none */
	bool no_effect;          /* accepted for compatibility only: setting it changes nothing
				    (the doc says why); capture warns when it is set */
};

struct sl_config;

/* Parse, resolve ${env:NAME} and ${file:/path:key}, validate every key
 * against the table for `role` (one SL_ROLE_* bit).  Unknown key ->
 * SL_ERR_CONFIG naming the key and "did you mean \"x\"?" when one is close.
 * Bad value -> message naming the key, the value (unless secret) and what is
 * allowed.  A missing required key too.  Errors in a file are prefixed
 * "path:line: ".  A missing file is SL_ERR_NOTFOUND; every other problem is
 * SL_ERR_CONFIG (SL_ERR_NOMEM aside).  On error *out is NULL. */
enum sl_err sl_config_load_file(const char *path, unsigned role, struct sl_config **out,
				struct sl_errbuf *eb);
enum sl_err sl_config_load_string(const char *text, size_t len, unsigned role,
				  struct sl_config **out, struct sl_errbuf *eb);

/* Staged loading, for command-line overrides that must apply before the
 * required-key checks: new -> add_file/add_string -> set... -> validate.
 * add_* and set check each key and value as they arrive (unknown key, bad
 * value, bad reference); validate checks what needs the whole picture
 * (required keys, keys that need each other) and fills derived defaults.
 * `origin` names the text in messages (e.g. a file name); may be NULL. */
enum sl_err sl_config_new(unsigned role, struct sl_config **out, struct sl_errbuf *eb);
enum sl_err sl_config_add_file(struct sl_config *cfg, const char *path, struct sl_errbuf *eb);
enum sl_err sl_config_add_string(struct sl_config *cfg, const char *text, size_t len,
				 const char *origin, struct sl_errbuf *eb);
/* Set one key (overrides an earlier value; references are resolved).
 * value NULL removes an explicit setting, so the default applies again. */
enum sl_err sl_config_set(struct sl_config *cfg, const char *key, const char *value,
			  struct sl_errbuf *eb);
enum sl_err sl_config_validate(struct sl_config *cfg, struct sl_errbuf *eb);

/* Effective value (explicit, else default); NULL if neither.  Enum values
 * come back in the table's spelling (aliases such as Confluent class names
 * are mapped), durations as plain milliseconds. */
const char *sl_config_get(const struct sl_config *cfg, const char *key);
/* INT/DURATION_MS keys: the effective value; 0 if unset with no default. */
int64_t sl_config_get_int(const struct sl_config *cfg, const char *key);
/* BOOL keys: the effective value; false if unset with no default. */
bool sl_config_get_bool(const struct sl_config *cfg, const char *key);
/* True if set explicitly (file, string or sl_config_set). */
bool sl_config_is_set(const struct sl_config *cfg, const char *key);
/* The role the config was loaded for. */
unsigned sl_config_role(const struct sl_config *cfg);

/* Visit explicitly set keys starting with prefix (e.g. "kafka." for the
 * librdkafka passthrough), in the order first set, with the prefix
 * stripped.  Values are the resolved values (may be secret: do not log). */
void sl_config_foreach_prefix(const struct sl_config *cfg, const char *prefix,
			      void (*fn)(const char *key, const char *value, void *ctx),
			      void *ctx);

/* Split a LIST value on commas, trimming blanks and dropping empty items.
 * *items is one allocation (array + strings): free(*items) releases all. */
enum sl_err sl_config_split_list(const char *value, char ***items, size_t *n,
				 struct sl_errbuf *eb);

/* Effective config, one `key=value` per line sorted by key: secrets as
 * "[redacted]", values from references as the reference text, defaults
 * followed by "  # default".  Values and keys are escaped in properties
 * syntax, so the lines without the marker load back unchanged. */
enum sl_err sl_config_print(const struct sl_config *cfg, FILE *out);

/* The key table, for docs and --help. */
const struct sl_config_key *sl_config_keys(size_t *n);
/* Passthrough prefixes ("kafka.", ...), NULL-terminated. */
const char *const *sl_config_passthrough_prefixes(void);
/* Name of a role bit: "capture", "archive", "run". */
const char *sl_config_role_name(unsigned role);

void sl_config_free(struct sl_config *cfg);

#endif
