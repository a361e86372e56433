/* SPDX-License-Identifier: Apache-2.0
 *
 * log.c -- formatter behind log.h.  Each line is built in a stack buffer
 * and written with one write(2), so lines from threads never interleave.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static bool g_json;
static bool g_configured;
static enum sl_log_level g_level = SL_LOG_INFO;
static const char *g_component = "sluice";

static const char *const level_names[] = {"debug", "info", "warn", "error"};

enum sl_err sl_log_setup(const char *format, const char *level)
{
	if (!format || !*format)
		g_json = !isatty(2);
	else if (!strcmp(format, "json"))
		g_json = true;
	else if (!strcmp(format, "text"))
		g_json = false;
	else
		return SL_ERR_CONFIG;
	if (level && *level) {
		int i;
		for (i = 0; i < 4; i++)
			if (!strcmp(level, level_names[i]))
				break;
		if (i == 4)
			return SL_ERR_CONFIG;
		g_level = (enum sl_log_level)i;
	}
	g_configured = true;
	return SL_OK;
}

void sl_log_set_component(const char *component)
{
	g_component = component;
}

bool sl_log_enabled(enum sl_log_level lvl)
{
	return lvl >= g_level;
}

/* Append s to out as JSON string content; returns new length. */
static size_t json_escape(char *out, size_t pos, size_t cap, const char *s)
{
	for (; *s && pos + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[pos++] = '\\';
			out[pos++] = (char)c;
		} else if (c == '\n') {
			out[pos++] = '\\';
			out[pos++] = 'n';
		} else if (c < 0x20) {
			pos += (size_t)snprintf(out + pos, cap - pos, "\\u%04x", c);
		} else {
			out[pos++] = (char)c;
		}
	}
	return pos;
}

void sl_log(enum sl_log_level lvl, const char *fmt, ...)
{
	if (!g_configured)
		sl_log_setup(NULL, NULL);
	if (lvl < g_level)
		return;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);

	struct timeval tv;
	gettimeofday(&tv, NULL);
	struct tm tm;
	gmtime_r(&tv.tv_sec, &tm);
	char ts[96];
	snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(tv.tv_usec / 1000));

	char line[4608];
	size_t n;
	if (g_json) {
		n = (size_t)snprintf(line, sizeof line,
				     "{\"ts\":\"%s\",\"level\":\"%s\",\"component\":\"%s\",\"msg\":\"",
				     ts, level_names[lvl], g_component);
		n = json_escape(line, n, sizeof line - 3, msg);
		line[n++] = '"';
		line[n++] = '}';
		line[n++] = '\n';
	} else {
		n = (size_t)snprintf(line, sizeof line, "%s %-5s %s: %s\n", ts, level_names[lvl],
				     g_component, msg);
		if (n >= sizeof line)
			n = sizeof line - 1;
	}
	ssize_t w = write(2, line, n);
	(void)w;
}
