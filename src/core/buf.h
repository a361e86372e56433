/* SPDX-License-Identifier: Apache-2.0
 *
 * buf.h -- growable byte buffer with a hard cap (sds / StringInfo / curl dynbuf).
 *
 * The data is always NUL-terminated so text can be used in place; len
 * excludes the NUL.  A buffer whose append would pass `max` fails with
 * SL_ERR_TOO_LARGE and keeps its content, so the caller can report what
 * it was building.  A zeroed struct is a valid empty buffer with no cap.
 */
#ifndef SL_CORE_BUF_H
#define SL_CORE_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"

struct sl_buf {
	char *data;  /* owned; NULL until the first append */
	size_t len;  /* bytes used, excluding the NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* hard cap on len; 0 = none */
};

void sl_buf_init(struct sl_buf *b, size_t max);
enum sl_err sl_buf_reserve(struct sl_buf *b, size_t extra);
/* Out-of-line growth path of the inline appenders below. */
enum sl_err sl_buf_append_slow(struct sl_buf *b, const void *p, size_t n);

/* Append n bytes.  Inline: encoders call this for every token, and the
 * common case (room left, no cap reached) is a memcpy. */
static inline enum sl_err sl_buf_append(struct sl_buf *b, const void *p, size_t n)
{
	if (b->cap - b->len > n && (!b->max || b->len + n <= b->max)) {
		if (n)
			memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return SL_OK;
	}
	return sl_buf_append_slow(b, p, n);
}

/* Make room for n more bytes (plus the NUL) without appending: the caller
 * then writes at data + len and advances len itself (and re-terminates).
 * Inline for the same reason as sl_buf_append. */
static inline enum sl_err sl_buf_ensure(struct sl_buf *b, size_t n)
{
	if (b->cap - b->len > n && (!b->max || b->len + n <= b->max))
		return SL_OK;
	return sl_buf_reserve(b, n);
}

static inline enum sl_err sl_buf_putc(struct sl_buf *b, char c)
{
	return sl_buf_append(b, &c, 1);
}

/* Inline so that strlen() of a literal is folded at compile time. */
static inline enum sl_err sl_buf_puts(struct sl_buf *b, const char *s)
{
	return sl_buf_append(b, s, strlen(s));
}
enum sl_err sl_buf_appendf(struct sl_buf *b, const char *fmt, ...) SL_PRINTF(2, 3);
/* Empty the buffer but keep its memory. */
void sl_buf_reset(struct sl_buf *b);
/* Release memory; the buffer is then empty and reusable.  NULL is a no-op. */
void sl_buf_free(struct sl_buf *b);
/* Hand the data to the caller (who frees it); the buffer becomes empty. */
char *sl_buf_steal(struct sl_buf *b);

#endif
