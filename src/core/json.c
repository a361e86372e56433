/* SPDX-License-Identifier: Apache-2.0
 *
 * json.c -- JSON string escaping and integer formatting.
 */
#include "core/json.h"

#include <string.h>

static const char hex[] = "0123456789abcdef";

/* Length of a valid UTF-8 sequence starting at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		len = 2;
		cp = c & 0x1F;
	} else if (c < 0xF0) {
		len = 3;
		cp = c & 0x0F;
	} else if (c < 0xF5) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

enum sl_err sl_json_str(struct sl_buf *b, const char *s, size_t n)
{
	/* Worst case: every byte becomes \u00XX (6 bytes); plus quotes. */
	enum sl_err err = sl_buf_reserve(b, n + 2);
	if (err)
		return err;
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + n;
	if ((err = sl_buf_putc(b, '"')))
		return err;
	while (p < end) {
		/* Copy the longest run that needs no escaping in one append. */
		const unsigned char *run = p;
		while (p < end && *p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80)
			p++;
		if (p > run && (err = sl_buf_append(b, run, (size_t)(p - run))))
			return err;
		if (p >= end)
			break;
		unsigned char c = *p;
		char esc[8];
		size_t elen = 0;
		if (c >= 0x80) {
			size_t l = utf8_len(p, (size_t)(end - p));
			if (l) {
				if ((err = sl_buf_append(b, p, l)))
					return err;
				p += l;
				continue;
			}
			/* Invalid UTF-8: U+FFFD. */
			if ((err = sl_buf_append(b, "\xEF\xBF\xBD", 3)))
				return err;
			p++;
			continue;
		}
		esc[elen++] = '\\';
		switch (c) {
		case '"': esc[elen++] = '"'; break;
		case '\\': esc[elen++] = '\\'; break;
		case '\n': esc[elen++] = 'n'; break;
		case '\r': esc[elen++] = 'r'; break;
		case '\t': esc[elen++] = 't'; break;
		case '\b': esc[elen++] = 'b'; break;
		case '\f': esc[elen++] = 'f'; break;
		default:
			esc[elen++] = 'u';
			esc[elen++] = '0';
			esc[elen++] = '0';
			esc[elen++] = hex[c >> 4];
			esc[elen++] = hex[c & 15];
		}
		if ((err = sl_buf_append(b, esc, elen)))
			return err;
		p++;
	}
	return sl_buf_putc(b, '"');
}

enum sl_err sl_json_cstr(struct sl_buf *b, const char *s)
{
	return sl_json_str(b, s, strlen(s));
}

enum sl_err sl_json_u64(struct sl_buf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof tmp;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return sl_buf_append(b, tmp + i, sizeof tmp - i);
}

enum sl_err sl_json_i64(struct sl_buf *b, int64_t v)
{
	if (v < 0) {
		enum sl_err err = sl_buf_putc(b, '-');
		if (err)
			return err;
		return sl_json_u64(b, (uint64_t)0 - (uint64_t)v);
	}
	return sl_json_u64(b, (uint64_t)v);
}
