/* SPDX-License-Identifier: Apache-2.0
 *
 * props.c -- Java-properties parser.
 *
 * Two steps per entry: gather one logical line (natural lines joined where
 * a line ends in an odd number of backslashes, leading blanks of each
 * continuation dropped) into a scratch buffer, then split it into key and
 * value and decode escapes.  Everything is bounded by the input length and
 * the key/value caps; all scratch memory is owned here and freed on return.
 */
#include "config/props.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/hex.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\f';
}

static bool is_eol(char c)
{
	return c == '\n' || c == '\r';
}

/* Consume one line terminator (\n, \r or \r\n) at text[p]. */
static size_t eat_eol(const char *text, size_t len, size_t p, int *line)
{
	if (p < len && text[p] == '\r') {
		p++;
		if (p < len && text[p] == '\n')
			p++;
	} else if (p < len && text[p] == '\n') {
		p++;
	}
	(*line)++;
	return p;
}

/* Read 4 hex digits after "\u" at s[k]; -1 if malformed or short. */
static long read_u4(const char *s, size_t k, size_t end)
{
	if (end - k < 4)
		return -1;
	long v = 0;
	for (int i = 0; i < 4; i++) {
		int h = sl_hex_digit(s[k + (size_t)i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static enum sl_err put_utf8(struct sl_buf *b, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return sl_buf_append(b, u, n);
}

/* Decode escapes of s[from..to) into out (emptied first).  Trailing
 * unescaped blanks are dropped. */
static enum sl_err unescape(const char *s, size_t from, size_t to, struct sl_buf *out,
			    const char *what, int line, struct sl_errbuf *eb)
{
	sl_buf_reset(out);
	enum sl_err e = sl_buf_reserve(out, 1); /* data is never NULL afterwards */
	if (e == SL_OK)
		out->data[0] = '\0';
	size_t keep = 0;
	for (size_t k = from; k < to && e == SL_OK;) {
		char c = s[k++];
		if (c != '\\') {
			e = sl_buf_putc(out, c);
			if (!is_blank(c))
				keep = out->len;
			continue;
		}
		if (k >= to)
			break; /* a lone final backslash means nothing */
		char x = s[k++];
		switch (x) {
		case 't': e = sl_buf_putc(out, '\t'); break;
		case 'n': e = sl_buf_putc(out, '\n'); break;
		case 'r': e = sl_buf_putc(out, '\r'); break;
		case 'f': e = sl_buf_putc(out, '\f'); break;
		case 'u': {
			long cp = read_u4(s, k, to);
			if (cp < 0)
				return sl_err_set(eb, SL_ERR_CONFIG,
						  "line %d: malformed \\uXXXX escape in %s", line,
						  what);
			k += 4;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				long lo = -1;
				if (to - k >= 6 && s[k] == '\\' && s[k + 1] == 'u')
					lo = read_u4(s, k + 2, to);
				if (lo < 0xDC00 || lo > 0xDFFF)
					return sl_err_set(eb, SL_ERR_CONFIG,
							  "line %d: unpaired surrogate \\u%04lX in %s",
							  line, (unsigned long)cp, what);
				k += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
				return sl_err_set(eb, SL_ERR_CONFIG,
						  "line %d: unpaired surrogate \\u%04lX in %s", line,
						  (unsigned long)cp, what);
			} else if (cp == 0) {
				return sl_err_set(eb, SL_ERR_CONFIG,
						  "line %d: \\u0000 is not allowed in %s", line, what);
			}
			e = put_utf8(out, (uint32_t)cp);
			break;
		}
		default: e = sl_buf_putc(out, x); break;
		}
		keep = out->len;
	}
	if (e == SL_ERR_TOO_LARGE)
		return sl_err_set(eb, SL_ERR_CONFIG, "line %d: %s is longer than %zu bytes", line,
				  what, out->max);
	if (e != SL_OK)
		return sl_err_set(eb, e, "line %d: out of memory", line);
	out->len = keep;
	out->data[keep] = '\0';
	return SL_OK;
}

/* Split one logical line into key and value and hand them to fn. */
static enum sl_err entry(const char *raw, size_t rl, int line, struct sl_buf *key,
			 struct sl_buf *val, sl_props_fn fn, void *ctx, struct sl_errbuf *eb)
{
	size_t i = 0;
	while (i < rl) {
		char c = raw[i];
		if (c == '\\') {
			i += 2;
			continue;
		}
		if (c == '=' || c == ':' || is_blank(c))
			break;
		i++;
	}
	size_t key_end = i < rl ? i : rl;
	size_t j = key_end;
	while (j < rl && is_blank(raw[j]))
		j++;
	if (j < rl && (raw[j] == '=' || raw[j] == ':')) {
		j++;
		while (j < rl && is_blank(raw[j]))
			j++;
	}
	enum sl_err e = unescape(raw, 0, key_end, key, "key", line, eb);
	if (e != SL_OK)
		return e;
	if (key->len == 0)
		return sl_err_set(eb, SL_ERR_CONFIG, "line %d: missing key before the value", line);
	if (strlen(key->data) != key->len)
		return sl_err_set(eb, SL_ERR_CONFIG, "line %d: NUL byte in key", line);
	e = unescape(raw, j, rl, val, "value", line, eb);
	if (e != SL_OK)
		return e;
	return fn(ctx, key->data, val->data, line, eb);
}

enum sl_err sl_props_parse(const char *text, size_t len, sl_props_fn fn, void *ctx,
			   struct sl_errbuf *eb)
{
	if (len && memchr(text, '\0', len)) {
		/* Find the line for the message. */
		int line = 1;
		const char *nul = memchr(text, '\0', len);
		for (const char *q = text; q < nul; q++)
			if (*q == '\n' || (*q == '\r' && (q + 1 >= nul || q[1] != '\n')))
				line++;
		return sl_err_set(eb, SL_ERR_CONFIG, "line %d: NUL byte in configuration text",
				  line);
	}
	struct sl_buf raw, key, val;
	sl_buf_init(&raw, 0);
	sl_buf_init(&key, SL_PROPS_KEY_MAX);
	sl_buf_init(&val, SL_PROPS_VALUE_MAX);
	enum sl_err e = SL_OK;
	size_t p = 0;
	int line = 1;
	while (p < len && e == SL_OK) {
		while (p < len && is_blank(text[p]))
			p++;
		if (p >= len)
			break;
		if (is_eol(text[p])) {
			p = eat_eol(text, len, p, &line);
			continue;
		}
		if (text[p] == '#' || text[p] == '!') {
			while (p < len && !is_eol(text[p]))
				p++;
			if (p < len)
				p = eat_eol(text, len, p, &line);
			continue;
		}
		int start_line = line;
		sl_buf_reset(&raw);
		for (;;) {
			size_t s = p;
			while (p < len && !is_eol(text[p]))
				p++;
			size_t nb = 0;
			while (nb < p - s && text[p - 1 - nb] == '\\')
				nb++;
			bool cont = nb % 2 == 1;
			e = sl_buf_append(&raw, text + s, p - s - (cont ? 1 : 0));
			if (e != SL_OK)
				break;
			if (p < len)
				p = eat_eol(text, len, p, &line);
			if (!cont || p >= len)
				break;
			while (p < len && is_blank(text[p]))
				p++;
		}
		if (e != SL_OK) {
			e = sl_err_set(eb, e, "line %d: out of memory", start_line);
			break;
		}
		e = entry(raw.data ? raw.data : "", raw.len, start_line, &key, &val, fn, ctx, eb);
	}
	sl_buf_free(&raw);
	sl_buf_free(&key);
	sl_buf_free(&val);
	return e;
}
