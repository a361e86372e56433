/* SPDX-License-Identifier: Apache-2.0
 *
 * xml.c -- bounded tag scanner for S3 response documents (see xml.h).
 *
 * Every index is checked against n before it is read; nothing here relies
 * on NUL termination of the input.  Nested elements of the same name are
 * not expected in S3 documents; the scanner pairs an open tag with the
 * first matching close tag after it.
 */
#include "s3/xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"

static bool name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == ':';
}

/* Position of the first '>' at or after i, or n. */
static size_t find_gt(const char *p, size_t n, size_t i)
{
	const char *g = i < n ? memchr(p + i, '>', n - i) : NULL;
	return g ? (size_t)(g - p) : n;
}

bool sl_s3_xml_next(const char *p, size_t n, size_t *pos, const char *tag, const char **inner,
		    size_t *inner_len)
{
	size_t tl = strlen(tag);
	size_t i = *pos;
	if (!p || tl == 0)
		return false;
	while (i < n) {
		const char *lt = memchr(p + i, '<', n - i);
		if (!lt)
			return false;
		i = (size_t)(lt - p) + 1;
		/* Skip comments and CDATA wholesale. */
		if (n - i >= 3 && !memcmp(p + i, "!--", 3)) {
			size_t j = i + 3;
			while (j + 3 <= n && memcmp(p + j, "-->", 3))
				j++;
			if (j + 3 > n)
				return false;
			i = j + 3;
			continue;
		}
		if (n - i < tl || memcmp(p + i, tag, tl) != 0)
			continue;
		size_t after = i + tl;
		if (after < n && name_char(p[after]))
			continue; /* a longer name with tag as its prefix */
		size_t gt = find_gt(p, n, after);
		if (gt >= n)
			return false;
		if (gt > after && p[gt - 1] == '/') { /* <tag/> */
			*inner = p + gt + 1;
			*inner_len = 0;
			*pos = gt + 1;
			return true;
		}
		size_t start = gt + 1;
		/* Find "</tag" followed by optional spaces and '>'. */
		size_t j = start;
		while (j < n) {
			const char *c = memchr(p + j, '<', n - j);
			if (!c)
				return false;
			j = (size_t)(c - p);
			if (n - j >= 2 + tl && p[j + 1] == '/' && !memcmp(p + j + 2, tag, tl) &&
			    (j + 2 + tl == n || !name_char(p[j + 2 + tl]))) {
				size_t end_gt = find_gt(p, n, j + 2 + tl);
				if (end_gt >= n)
					return false;
				*inner = p + start;
				*inner_len = j - start;
				*pos = end_gt + 1;
				return true;
			}
			j++;
		}
		return false;
	}
	return false;
}

static enum sl_err put_utf8(struct sl_buf *out, uint32_t cp)
{
	char b[4];
	size_t n;
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return SL_ERR_PROTO;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return sl_buf_append(out, b, n);
}

enum sl_err sl_s3_xml_text(const char *p, size_t n, struct sl_buf *out)
{
	enum sl_err e = sl_buf_reserve(out, n);
	if (e)
		return e;
	size_t i = 0;
	while (i < n) {
		const char *amp = memchr(p + i, '&', n - i);
		size_t run = amp ? (size_t)(amp - p) - i : n - i;
		if (run && (e = sl_buf_append(out, p + i, run)))
			return e;
		i += run;
		if (!amp)
			break;
		const char *semi = memchr(p + i, ';', n - i < 12 ? n - i : 12);
		if (!semi)
			return SL_ERR_PROTO;
		size_t el = (size_t)(semi - (p + i)) + 1; /* "&...;" length */
		const char *ent = p + i + 1;
		size_t en = el - 2;
		char c = 0;
		if (en == 3 && !memcmp(ent, "amp", 3))
			c = '&';
		else if (en == 2 && !memcmp(ent, "lt", 2))
			c = '<';
		else if (en == 2 && !memcmp(ent, "gt", 2))
			c = '>';
		else if (en == 4 && !memcmp(ent, "quot", 4))
			c = '"';
		else if (en == 4 && !memcmp(ent, "apos", 4))
			c = '\'';
		if (c) {
			e = sl_buf_putc(out, c);
		} else if (en >= 2 && ent[0] == '#') {
			uint32_t cp = 0;
			bool hex = ent[1] == 'x' || ent[1] == 'X';
			size_t k = hex ? 2 : 1;
			if (k >= en)
				return SL_ERR_PROTO;
			for (; k < en; k++) {
				int v = hex ? sl_hex_digit(ent[k]) : (ent[k] >= '0' && ent[k] <= '9' ? ent[k] - '0' : -1);
				if (v < 0 || cp > 0x10FFFF)
					return SL_ERR_PROTO;
				cp = cp * (hex ? 16 : 10) + (uint32_t)v;
			}
			e = put_utf8(out, cp);
		} else {
			return SL_ERR_PROTO;
		}
		if (e)
			return e;
		i += el;
	}
	return SL_OK;
}

enum sl_err sl_s3_xml_get(const char *p, size_t n, const char *tag, struct sl_buf *out)
{
	size_t pos = 0;
	const char *in;
	size_t inl;
	if (!sl_s3_xml_next(p, n, &pos, tag, &in, &inl))
		return SL_ERR_NOTFOUND;
	return sl_s3_xml_text(in, inl, out);
}

enum sl_err sl_s3_xml_escape(struct sl_buf *out, const char *s)
{
	enum sl_err e = SL_OK;
	for (; *s && !e; s++) {
		switch (*s) {
		case '&': e = sl_buf_puts(out, "&amp;"); break;
		case '<': e = sl_buf_puts(out, "&lt;"); break;
		case '>': e = sl_buf_puts(out, "&gt;"); break;
		case '"': e = sl_buf_puts(out, "&quot;"); break;
		case '\'': e = sl_buf_puts(out, "&apos;"); break;
		default: e = sl_buf_putc(out, *s);
		}
	}
	return e;
}

/* Copy decoded text of tag inside [p,n) into a fixed buffer, truncating. */
static void get_fixed(const char *p, size_t n, const char *tag, char *dst, size_t sz)
{
	struct sl_buf b = {0};
	if (sz == 0)
		return;
	dst[0] = 0;
	if (sl_s3_xml_get(p, n, tag, &b) == SL_OK && b.data) {
		/* Keep printable ASCII only: the text ends up in logs and errbufs. */
		size_t j = 0;
		for (size_t i = 0; i < b.len && j + 1 < sz; i++) {
			unsigned char c = (unsigned char)b.data[i];
			dst[j++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
		}
		dst[j] = 0;
	}
	sl_buf_free(&b);
}

bool sl_s3_xml_error(const char *p, size_t n, char *code, size_t code_sz, char *msg,
		     size_t msg_sz)
{
	size_t pos = 0;
	const char *in;
	size_t inl;
	if (code_sz)
		code[0] = 0;
	if (msg_sz)
		msg[0] = 0;
	if (!sl_s3_xml_next(p, n, &pos, "Error", &in, &inl))
		return false;
	get_fixed(in, inl, "Code", code, code_sz);
	get_fixed(in, inl, "Message", msg, msg_sz);
	return true;
}

static bool parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r'))
		i++;
	if (i == n)
		return false;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

enum sl_err sl_s3_xml_list(const char *p, size_t n, sl_s3_xml_obj_fn fn, void *ctx,
			   bool *truncated, struct sl_buf *next_token, struct sl_errbuf *eb)
{
	size_t pos = 0;
	const char *in;
	size_t inl;
	enum sl_err e = SL_OK;
	struct sl_buf key = {0};
	*truncated = false;
	sl_buf_reset(next_token);
	if (!sl_s3_xml_next(p, n, &pos, "ListBucketResult", &in, &inl))
		return sl_err_set(eb, SL_ERR_PROTO, "could not parse ListObjectsV2 response: no ListBucketResult");
	p = in;
	n = inl;
	pos = 0;
	const char *c;
	size_t cl;
	while (sl_s3_xml_next(p, n, &pos, "Contents", &c, &cl)) {
		size_t kp = 0, sp = 0;
		const char *k, *s;
		size_t kl, sl;
		uint64_t size;
		if (!sl_s3_xml_next(c, cl, &kp, "Key", &k, &kl) ||
		    !sl_s3_xml_next(c, cl, &sp, "Size", &s, &sl) || !parse_u64(s, sl, &size)) {
			e = sl_err_set(eb, SL_ERR_PROTO,
				       "could not parse ListObjectsV2 response: Contents without Key or Size");
			goto done;
		}
		sl_buf_reset(&key);
		if ((e = sl_s3_xml_text(k, kl, &key)) || (e = sl_buf_puts(&key, ""))) {
			sl_err_set(eb, e, "could not parse ListObjectsV2 response: bad key text");
			goto done;
		}
		if (strlen(key.data) != key.len) {
			e = sl_err_set(eb, SL_ERR_PROTO, "could not parse ListObjectsV2 response: NUL in key");
			goto done;
		}
		if ((e = fn(ctx, key.data, size, eb)))
			goto done;
	}
	size_t tp = 0;
	const char *t;
	size_t tl;
	if (sl_s3_xml_next(p, n, &tp, "IsTruncated", &t, &tl))
		*truncated = tl >= 4 && !memcmp(t, "true", 4);
	if (*truncated) {
		e = sl_s3_xml_get(p, n, "NextContinuationToken", next_token);
		if (e == SL_OK)
			e = sl_buf_puts(next_token, "");
		if (e || next_token->len == 0) {
			e = sl_err_set(eb, SL_ERR_PROTO,
				       "could not parse ListObjectsV2 response: truncated without NextContinuationToken");
			goto done;
		}
	}
done:
	sl_buf_free(&key);
	return e;
}
