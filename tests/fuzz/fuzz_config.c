/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_config.c -- libFuzzer target over sl_config_load_string.
 *
 * The first byte picks the role (capture, archive, run); the rest is the
 * configuration text.  A config that loads is then read back through every
 * accessor, printed and walked, so those paths see fuzzed values too.
 * Anything the loader returns must be a clean error or a config that frees
 * without leaks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

static void visit(const char *key, const char *value, void *ctx)
{
	size_t *n = ctx;
	*n += strlen(key) + strlen(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const unsigned roles[] = {SL_ROLE_CAPTURE, SL_ROLE_ARCHIVE, SL_ROLE_RUN};
	unsigned role = roles[data[0] % 3];
	struct sl_config *cfg = NULL;
	struct sl_errbuf eb;
	enum sl_err e = sl_config_load_string((const char *)data + 1, size - 1, role, &cfg, &eb);
	if (e != SL_OK) {
		/* The message must be a terminated string. */
		if (strlen(eb.msg) >= sizeof eb.msg)
			__builtin_trap();
		return 0;
	}
	size_t nkeys, acc = 0;
	const struct sl_config_key *keys = sl_config_keys(&nkeys);
	for (size_t i = 0; i < nkeys; i++) {
		const char *v = sl_config_get(cfg, keys[i].name);
		acc += v ? strlen(v) : 0;
		acc += (size_t)sl_config_get_int(cfg, keys[i].name);
		acc += sl_config_get_bool(cfg, keys[i].name);
		acc += sl_config_is_set(cfg, keys[i].name);
		if (keys[i].type == SL_CFG_LIST && v) {
			char **items;
			size_t n;
			if (sl_config_split_list(v, &items, &n, &eb) == SL_OK) {
				for (size_t j = 0; j < n; j++)
					acc += strlen(items[j]);
				free(items);
			}
		}
	}
	sl_config_foreach_prefix(cfg, "kafka.", visit, &acc);
	static FILE *devnull;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (devnull)
		sl_config_print(cfg, devnull);
	/* Validating twice must be stable. */
	if (sl_config_validate(cfg, &eb) != SL_OK)
		__builtin_trap();
	sl_config_free(cfg);
	(void)acc;
	return 0;
}
