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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Append s[0..n) as a quoted, escaped JSON string. */
enum sl_err sl_json_str(struct sl_buf *b, const char *s, size_t n);
/* Length of a valid UTF-8 sequence starting at s (n >= 1 bytes left), or
 * 0: the rule by which sl_json_str() keeps a byte >= 0x80 (every other
 * such byte becomes U+FFFD). */
size_t sl_json_utf8_len(const unsigned char *s, size_t n);
/* Append a NUL-terminated string as a JSON string. */
enum sl_err sl_json_cstr(struct sl_buf *b, const char *s);
enum sl_err sl_json_i64(struct sl_buf *b, int64_t v);
enum sl_err sl_json_u64(struct sl_buf *b, uint64_t v);
/* The same digits into out (20 bytes for u64, 21 for i64), no NUL;
 * returns the length.  For callers that assemble fragments. */
size_t sl_json_fmt_u64(char *out, uint64_t v);
size_t sl_json_fmt_i64(char *out, int64_t v);

/* Doubles and floats as Jackson writes Java's Double/Float.toString():
 * shortest digits that round-trip; plain notation for 1e-3 <= |v| < 1e7
 * ("1.0", "0.001", "1234567.5"), otherwise "d.dddE[-]n" ("1.0E7",
 * "1.0E-4"); -0.0 keeps its sign.  NaN and infinities are written as the
 * quoted strings "NaN", "Infinity", "-Infinity" (Jackson's default
 * WRITE_NAN_AS_STRINGS). */
enum sl_err sl_json_f64(struct sl_buf *b, double v);
enum sl_err sl_json_f32(struct sl_buf *b, float v);
/* The same digits without quotes or JSON context (for tests and callers
 * that embed the text elsewhere).  out needs 32 bytes; returns length. */
size_t sl_json_fmt_f64(char *out, double v);
size_t sl_json_fmt_f32(char *out, float v);
/* sl_json_f64 for a double read from the decimal literal s[0..n) (as
 * PostgreSQL prints float8 and numeric): the literal's digit count bounds
 * the search for the shortest digits.  The same output as sl_json_f64(b,
 * strtod(s)). */
enum sl_err sl_json_f64_from(struct sl_buf *b, double v, const char *s, size_t n);
/* Straight from the literal, without a double: when s[0..n) is a finite,
 * non-zero decimal with at most 15 significant digits and a decimal
 * exponent within +-300, every such literal is the shortest rendering of
 * the double it parses to, so only the layout changes.  Returns the length
 * written to out (32 bytes), or 0 when s does not qualify. */
size_t sl_json_fmt_f64_literal(char *out, const char *s, size_t n);

/* p[0..n) base64-encoded (RFC 4648 section 4, or the URL-safe alphabet of
 * section 5; both padded, as java.util.Base64 does) as a JSON string. */
enum sl_err sl_json_base64(struct sl_buf *b, const void *p, size_t n, int url_safe);
/* p[0..n) as a lower-case hex JSON string. */
enum sl_err sl_json_hex(struct sl_buf *b, const void *p, size_t n);

#endif
