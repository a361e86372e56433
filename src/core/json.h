/* SPDX-License-Identifier: Apache-2.0
 *
 * json.h -- append-only JSON writer primitives on struct sl_buf.
 *
 * The hot path of every encoder: no tree, no allocation beyond the output
 * buffer.  Strings are escaped per RFC 8259 (", \\, control characters);
 * invalid UTF-8 bytes are replaced by U+FFFD so output is always valid JSON.
 */
#ifndef SL_CORE_JSON_H
#define SL_CORE_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Append s[0..n) as a quoted, escaped JSON string. */
enum sl_err sl_json_str(struct sl_buf *b, const char *s, size_t n);
/* Append a NUL-terminated string as a JSON string. */
enum sl_err sl_json_cstr(struct sl_buf *b, const char *s);
enum sl_err sl_json_i64(struct sl_buf *b, int64_t v);
enum sl_err sl_json_u64(struct sl_buf *b, uint64_t v);

#endif
