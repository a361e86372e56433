/* SPDX-License-Identifier: Apache-2.0
 *
 * props.h -- Java-properties parser (java.util.Properties.load syntax).
 *
 * Supports `key=value`, `key: value`, `key value`, `#` and `!` comment
 * lines, trailing-backslash continuation lines, and the escapes \t \n \r \f
 * \\ \uXXXX (surrogate pairs joined, output UTF-8); a backslash before any
 * other character yields that character.  Blanks around keys and values are
 * trimmed (an escaped blank is kept).  Bytes other than escapes pass through
 * unchanged (UTF-8 in, UTF-8 out).  NUL bytes, a \u0000 escape, a malformed
 * \u escape, an empty key and keys over SL_PROPS_KEY_MAX bytes are errors
 * (SL_ERR_CONFIG, message "line N: ...").
 *
 * The key and value passed to the callback are NUL-terminated and borrowed
 * for the duration of the call.
 */
#ifndef SL_CONFIG_PROPS_H
#define SL_CONFIG_PROPS_H

#include <stddef.h>

#include "core/err.h"

#define SL_PROPS_KEY_MAX 255
#define SL_PROPS_VALUE_MAX (64 * 1024)

typedef enum sl_err (*sl_props_fn)(void *ctx, const char *key, const char *value, int line,
				    struct sl_errbuf *eb);

/* Parse text[0..len) and call fn for each entry in order.  A non-SL_OK
 * return from fn stops the parse and is returned. */
enum sl_err sl_props_parse(const char *text, size_t len, sl_props_fn fn, void *ctx,
			   struct sl_errbuf *eb);

#endif
