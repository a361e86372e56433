/* SPDX-License-Identifier: Apache-2.0
 *
 * err.c -- names of error codes and the errbuf formatter.
 */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const names[SL_ERR__COUNT] = {
	[SL_OK] = "SL_OK",
	[SL_ERR_NOMEM] = "SL_ERR_NOMEM",
	[SL_ERR_IO] = "SL_ERR_IO",
	[SL_ERR_PROTO] = "SL_ERR_PROTO",
	[SL_ERR_CONFIG] = "SL_ERR_CONFIG",
	[SL_ERR_TOO_LARGE] = "SL_ERR_TOO_LARGE",
	[SL_ERR_RETRY] = "SL_ERR_RETRY",
	[SL_ERR_STATE] = "SL_ERR_STATE",
	[SL_ERR_ARG] = "SL_ERR_ARG",
	[SL_ERR_NOTFOUND] = "SL_ERR_NOTFOUND",
	[SL_ERR_AUTH] = "SL_ERR_AUTH",
	[SL_ERR_FATAL] = "SL_ERR_FATAL",
};

const char *sl_err_str(enum sl_err err)
{
	if ((unsigned)err >= SL_ERR__COUNT || !names[err])
		return "SL_ERR_UNKNOWN";
	return names[err];
}

enum sl_err sl_err_set(struct sl_errbuf *eb, enum sl_err err, const char *fmt, ...)
{
	if (eb) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(eb->msg, sizeof eb->msg, fmt, ap);
		va_end(ap);
	}
	return err;
}
