/* SPDX-License-Identifier: Apache-2.0
 *
 * buf.c -- growable byte buffer.  Growth doubles, so appends are amortised O(1).
 */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sl_buf_init(struct sl_buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

enum sl_err sl_buf_reserve(struct sl_buf *b, size_t extra)
{
	if (extra > SIZE_MAX - b->len - 1)
		return SL_ERR_TOO_LARGE;
	size_t need = b->len + extra + 1;
	if (b->max && b->len + extra > b->max)
		return SL_ERR_TOO_LARGE;
	if (need <= b->cap)
		return SL_OK;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *p = realloc(b->data, cap);
	if (!p)
		return SL_ERR_NOMEM;
	b->data = p;
	b->cap = cap;
	return SL_OK;
}

enum sl_err sl_buf_append_slow(struct sl_buf *b, const void *p, size_t n)
{
	enum sl_err err = sl_buf_reserve(b, n);
	if (err)
		return err;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return SL_OK;
}

enum sl_err sl_buf_appendf(struct sl_buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return SL_ERR_ARG;
	if ((size_t)n < sizeof small)
		return sl_buf_append(b, small, (size_t)n);
	enum sl_err err = sl_buf_reserve(b, (size_t)n);
	if (err)
		return err;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return SL_OK;
}

void sl_buf_reset(struct sl_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void sl_buf_free(struct sl_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *sl_buf_steal(struct sl_buf *b)
{
	char *p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
