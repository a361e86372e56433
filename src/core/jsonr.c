/* SPDX-License-Identifier: Apache-2.0
 *
 * jsonr.c -- the strict JSON parser of jsonr.h: recursive descent with an
 * explicit depth bound; every read is checked against the end pointer.
 * Nodes and the string pool grow geometrically and are reused across
 * parses, so steady-state parsing allocates nothing.
 */
#include "core/jsonr.h"

#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/declit.h"
#include "core/hex.h"
#include "core/json.h"

struct parser {
	struct sl_jsonr *j;
	const unsigned char *p, *s, *e;
	struct sl_errbuf *eb;
	bool memo_seen; /* the first container member of the root was handled */
	bool memo_kept; /* ... and the memo was reused or recorded */
};

void sl_jsonr_init(struct sl_jsonr *j)
{
	memset(j, 0, sizeof *j);
}

void sl_jsonr_free(struct sl_jsonr *j)
{
	free(j->v);
	free(j->pool);
	free(j->memo);
	memset(j, 0, sizeof *j);
}

static enum sl_err bad(struct parser *ps, const char *what)
{
	return sl_err_set(ps->eb, SL_ERR_PROTO, "invalid JSON at byte %zu: %s",
			  (size_t)(ps->p - ps->s), what);
}

static enum sl_err new_node(struct parser *ps, uint8_t type, uint32_t *out)
{
	struct sl_jsonr *j = ps->j;
	if (j->nv >= SL_ARC_JSON_MAX_NODES)
		return bad(ps, "too many values");
	if (j->nv == j->capv) {
		uint32_t nc = j->capv ? j->capv * 2 : 64;
		void *nv = realloc(j->v, (size_t)nc * sizeof *j->v);
		if (!nv)
			return sl_err_set(ps->eb, SL_ERR_NOMEM, "out of memory");
		j->v = nv;
		j->capv = nc;
	}
	*out = j->nv++;
	j->v[*out] = (struct sl_jsonr_node){.type = type,
						.first = SL_ARC_JSON_NONE,
						.next = SL_ARC_JSON_NONE};
	return SL_OK;
}

static enum sl_err pool_reserve(struct parser *ps, size_t extra)
{
	struct sl_jsonr *j = ps->j;
	if (j->npool + extra + 1 > UINT32_MAX)
		return bad(ps, "document too large");
	if (j->npool + extra + 1 <= j->cappool)
		return SL_OK;
	size_t nc = j->cappool ? j->cappool : 256;
	while (nc < j->npool + extra + 1)
		nc *= 2;
	char *np = realloc(j->pool, nc);
	if (!np)
		return sl_err_set(ps->eb, SL_ERR_NOMEM, "out of memory");
	j->pool = np;
	j->cappool = nc;
	return SL_OK;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->e && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static bool read_u4(struct parser *ps, unsigned *out)
{
	if (ps->e - ps->p < 4)
		return false;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = sl_hex_digit(ps->p[i]);
		if (h < 0)
			return false;
		v = v << 4 | (unsigned)h;
	}
	ps->p += 4;
	*out = v;
	return true;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Length of a valid UTF-8 sequence at p (< e), or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *e)
{
	unsigned c = p[0];
	size_t n;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, min = 0x10000;
	else
		return 0;
	if ((size_t)(e - p) < n)
		return 0;
	unsigned cp = c & (0x7F >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* Parse a string at ps->p (on the opening quote) into the pool. */
static enum sl_err parse_string(struct parser *ps, uint32_t *off, uint32_t *len)
{
	ps->p++; /* opening quote */
	/* Decoded text is never longer than the raw text. */
	const unsigned char *q = ps->p;
	bool plain = true; /* printable ASCII only, no escapes: copied as is */
	while (q < ps->e && *q != '"') {
		if (*q == '\\' && q + 1 < ps->e) {
			q++;
			plain = false;
		} else if (*q < 0x20 || *q >= 0x80) {
			plain = false;
		}
		q++;
	}
	if (q >= ps->e)
		return bad(ps, "unterminated string");
	enum sl_err err = pool_reserve(ps, (size_t)(q - ps->p));
	if (err)
		return err;
	struct sl_jsonr *j = ps->j;
	char *o = j->pool + j->npool;
	size_t w = 0;
	if (plain) {
		w = (size_t)(q - ps->p);
		memcpy(o, ps->p, w);
		o[w] = 0;
		*off = (uint32_t)j->npool;
		*len = (uint32_t)w;
		j->npool += w + 1;
		ps->p = q + 1;
		return SL_OK;
	}
	while (ps->p < ps->e) {
		unsigned char c = *ps->p;
		if (c == '"') {
			ps->p++;
			o[w] = 0;
			*off = (uint32_t)j->npool;
			*len = (uint32_t)w;
			j->npool += w + 1;
			return SL_OK;
		}
		if (c < 0x20)
			return bad(ps, "control character in string");
		if (c == '\\') {
			if (ps->e - ps->p < 2)
				return bad(ps, "unterminated escape");
			unsigned char x = ps->p[1];
			ps->p += 2;
			switch (x) {
			case '"': o[w++] = '"'; break;
			case '\\': o[w++] = '\\'; break;
			case '/': o[w++] = '/'; break;
			case 'b': o[w++] = '\b'; break;
			case 'f': o[w++] = '\f'; break;
			case 'n': o[w++] = '\n'; break;
			case 'r': o[w++] = '\r'; break;
			case 't': o[w++] = '\t'; break;
			case 'u': {
				unsigned cp;
				if (!read_u4(ps, &cp))
					return bad(ps, "bad \\u escape");
				if (cp >= 0xDC00 && cp <= 0xDFFF)
					return bad(ps, "lone low surrogate");
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					unsigned lo;
					if (ps->e - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
						return bad(ps, "lone high surrogate");
					ps->p += 2;
					if (!read_u4(ps, &lo) || lo < 0xDC00 || lo > 0xDFFF)
						return bad(ps, "bad surrogate pair");
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				}
				/* 6 raw bytes (or 12 for a pair) always cover the 1-4 written. */
				w += put_utf8(o + w, cp);
				break;
			}
			default: return bad(ps, "unknown escape");
			}
			continue;
		}
		size_t n = utf8_len(ps->p, ps->e);
		if (!n)
			return bad(ps, "invalid UTF-8");
		memcpy(o + w, ps->p, n);
		w += n;
		ps->p += n;
	}
	return bad(ps, "unterminated string");
}

static enum sl_err parse_number(struct parser *ps, uint32_t node)
{
	const unsigned char *st = ps->p, *e = ps->e;
	const unsigned char *q = st;
	if (q < e && *q == '-')
		q++;
	if (q >= e || *q < '0' || *q > '9')
		return bad(ps, "bad number");
	if (*q == '0')
		q++;
	else
		while (q < e && *q >= '0' && *q <= '9')
			q++;
	if (q < e && *q == '.') {
		q++;
		if (q >= e || *q < '0' || *q > '9')
			return bad(ps, "bad fraction");
		while (q < e && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < e && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < e && (*q == '+' || *q == '-'))
			q++;
		if (q >= e || *q < '0' || *q > '9')
			return bad(ps, "bad exponent");
		while (q < e && *q >= '0' && *q <= '9')
			q++;
	}
	size_t n = (size_t)(q - st);
	enum sl_err err = pool_reserve(ps, n);
	if (err)
		return err;
	struct sl_jsonr *j = ps->j;
	memcpy(j->pool + j->npool, st, n);
	j->pool[j->npool + n] = 0;
	j->v[node].str = (uint32_t)j->npool;
	j->v[node].len = (uint32_t)n;
	j->npool += n + 1;
	ps->p = q;
	return SL_OK;
}

static bool lit(struct parser *ps, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(ps->e - ps->p) < n || memcmp(ps->p, w, n))
		return false;
	ps->p += n;
	return true;
}

static enum sl_err parse_value(struct parser *ps, int depth, uint32_t *out);
static enum sl_err parse_body(struct parser *ps, int depth, uint8_t type, uint32_t node);

/* A member value of the root object: reuse the memo when it matches,
 * else parse, and remember the first container value (see jsonr.h). */
static enum sl_err member_memo(struct parser *ps, uint32_t *child)
{
	struct sl_jsonr *j = ps->j;
	skip_ws(ps);
	if (ps->p >= ps->e || (*ps->p != '{' && *ps->p != '['))
		return parse_value(ps, 1, child);
	ps->memo_seen = true;
	size_t at = (size_t)(ps->p - ps->s);
	if (j->memo_ok && j->memo_node == j->nv && j->memo_pool == j->npool && j->memo_raw == at &&
	    (size_t)(ps->e - ps->p) >= j->memo_len && !memcmp(ps->p, j->memo, j->memo_len)) {
		/* Nodes [memo_node, memo_nv_end) and the pool text up to
		 * memo_pool_end still hold this subtree; only the sibling link
		 * of its root depends on what follows. */
		*child = j->memo_node;
		j->v[*child].next = SL_ARC_JSON_NONE;
		j->nv = j->memo_nv_end;
		j->npool = j->memo_pool_end;
		ps->p += j->memo_len;
		ps->memo_kept = true;
		return SL_OK;
	}
	uint32_t first = j->nv;
	size_t pool0 = j->npool;
	enum sl_err err = parse_value(ps, 1, child);
	if (err)
		return err;
	size_t n = (size_t)(ps->p - ps->s) - at;
	if (n < SL_ARC_JSON_MEMO_MIN)
		return SL_OK;
	if (n > j->memo_cap) {
		char *m = realloc(j->memo, n);
		if (!m)
			return SL_OK; /* the memo is only an optimisation */
		j->memo = m;
		j->memo_cap = n;
	}
	static atomic_uint_fast64_t gens = 1;
	memcpy(j->memo, ps->s + at, n);
	j->memo_gen = atomic_fetch_add(&gens, 1);
	j->memo_len = n;
	j->memo_raw = (uint32_t)at;
	j->memo_node = first;
	j->memo_nv_end = j->nv;
	j->memo_pool = pool0;
	j->memo_pool_end = j->npool;
	ps->memo_kept = true;
	return SL_OK;
}

static enum sl_err parse_container(struct parser *ps, int depth, bool obj, uint32_t node)
{
	ps->p++;
	skip_ws(ps);
	char close = obj ? '}' : ']';
	if (ps->p < ps->e && *ps->p == close) {
		ps->p++;
		return SL_OK;
	}
	uint32_t prev = SL_ARC_JSON_NONE;
	for (;;) {
		uint32_t koff = 0, klen = 0;
		enum sl_err err;
		if (obj) {
			skip_ws(ps);
			if (ps->p >= ps->e || *ps->p != '"')
				return bad(ps, "expected a member name");
			if ((err = parse_string(ps, &koff, &klen)))
				return err;
			skip_ws(ps);
			if (ps->p >= ps->e || *ps->p != ':')
				return bad(ps, "expected ':'");
			ps->p++;
		}
		uint32_t child;
		if (obj && depth == 0 && !ps->memo_seen) {
			if ((err = member_memo(ps, &child)))
				return err;
		} else if ((err = parse_value(ps, depth + 1, &child))) {
			return err;
		}
		struct sl_jsonr *j = ps->j;
		j->v[child].key = koff;
		j->v[child].klen = klen;
		if (prev == SL_ARC_JSON_NONE)
			j->v[node].first = child;
		else
			j->v[prev].next = child;
		prev = child;
		j->v[node].len++;
		skip_ws(ps);
		if (ps->p >= ps->e)
			return bad(ps, obj ? "unterminated object" : "unterminated array");
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			return SL_OK;
		}
		return bad(ps, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static enum sl_err parse_value(struct parser *ps, int depth, uint32_t *out)
{
	if (depth > SL_ARC_JSON_MAX_DEPTH)
		return bad(ps, "nesting too deep");
	skip_ws(ps);
	if (ps->p >= ps->e)
		return bad(ps, "unexpected end");
	enum sl_err err;
	unsigned char c = *ps->p;
	uint8_t type;
	switch (c) {
	case '{': type = SL_ARC_JSON_OBJECT; break;
	case '[': type = SL_ARC_JSON_ARRAY; break;
	case '"': type = SL_ARC_JSON_STRING; break;
	case 't': type = SL_ARC_JSON_TRUE; break;
	case 'f': type = SL_ARC_JSON_FALSE; break;
	case 'n': type = SL_ARC_JSON_NULL; break;
	default:
		if (c == '-' || (c >= '0' && c <= '9')) {
			type = SL_ARC_JSON_NUMBER;
			break;
		}
		return bad(ps, "unexpected character");
	}
	if ((err = new_node(ps, type, out)))
		return err;
	uint32_t node = *out;
	ps->j->v[node].raw = (uint32_t)(ps->p - ps->s);
	err = parse_body(ps, depth, type, node);
	ps->j->v[node].rawlen = (uint32_t)(ps->p - ps->s) - ps->j->v[node].raw;
	return err;
}

static enum sl_err parse_body(struct parser *ps, int depth, uint8_t type, uint32_t node)
{
	enum sl_err err;
	uint32_t *out = &node;
	switch (type) {
	case SL_ARC_JSON_OBJECT:
	case SL_ARC_JSON_ARRAY:
		return parse_container(ps, depth, type == SL_ARC_JSON_OBJECT, *out);
	case SL_ARC_JSON_STRING: {
		uint32_t off, len;
		if ((err = parse_string(ps, &off, &len)))
			return err;
		ps->j->v[*out].str = off;
		ps->j->v[*out].len = len;
		return SL_OK;
	}
	case SL_ARC_JSON_NUMBER: return parse_number(ps, *out);
	case SL_ARC_JSON_TRUE: return lit(ps, "true") ? SL_OK : bad(ps, "bad literal");
	case SL_ARC_JSON_FALSE: return lit(ps, "false") ? SL_OK : bad(ps, "bad literal");
	default: return lit(ps, "null") ? SL_OK : bad(ps, "bad literal");
	}
}

enum sl_err sl_jsonr_parse(struct sl_jsonr *j, const char *p, size_t n,
			      struct sl_errbuf *eb)
{
	j->nv = 0;
	j->npool = 0;
	if (n >= (size_t)INT32_MAX)
		return sl_err_set(eb, SL_ERR_PROTO, "invalid JSON: document of %zu bytes is too large", n);
	struct parser ps = {.j = j,
			    .p = (const unsigned char *)p,
			    .s = (const unsigned char *)p,
			    .e = (const unsigned char *)p + n,
			    .eb = eb};
	uint32_t root;
	enum sl_err err = parse_value(&ps, 0, &root);
	if (!err) {
		skip_ws(&ps);
		if (ps.p != ps.e)
			err = bad(&ps, "trailing bytes after the value");
	}
	/* Nodes or pool text under the memo may have been rewritten. */
	j->memo_ok = ps.memo_kept;
	return err;
}

uint64_t sl_jsonr_memo_id(const struct sl_jsonr *j, uint32_t i)
{
	return j->memo_ok && i != SL_ARC_JSON_NONE && i == j->memo_node ? j->memo_gen : 0;
}

uint32_t sl_jsonr_get(const struct sl_jsonr *j, uint32_t i, const char *key)
{
	if (i == SL_ARC_JSON_NONE || i >= j->nv || j->v[i].type != SL_ARC_JSON_OBJECT)
		return SL_ARC_JSON_NONE;
	size_t kl = strlen(key);
	for (uint32_t c = j->v[i].first; c != SL_ARC_JSON_NONE; c = j->v[c].next)
		if (j->v[c].klen == kl && !memcmp(j->pool + j->v[c].key, key, kl))
			return c;
	return SL_ARC_JSON_NONE;
}

/* Hint states besides "next member to try": every member so far was
 * matched in order and none is left, or a lookup needed a full scan. */
#define HINT_END (SL_ARC_JSON_NONE - 1)
#define HINT_OFF (SL_ARC_JSON_NONE - 2)

uint32_t sl_jsonr_get_hint(const struct sl_jsonr *j, uint32_t i, const char *key,
			      size_t kl, uint32_t *hint)
{
	if (i == SL_ARC_JSON_NONE || i >= j->nv || j->v[i].type != SL_ARC_JSON_OBJECT)
		return SL_ARC_JSON_NONE;
	uint32_t c = *hint == SL_ARC_JSON_NONE ? j->v[i].first : *hint;
	if (c < j->nv && j->v[c].klen == kl && !memcmp(j->pool + j->v[c].key, key, kl)) {
		/* Every member before c was matched by an earlier, different
		 * key, so c is the first member named key. */
		*hint = j->v[c].next == SL_ARC_JSON_NONE ? HINT_END : j->v[c].next;
		return c;
	}
	*hint = HINT_OFF;
	return sl_jsonr_get(j, i, key);
}

bool sl_jsonr_i64(const struct sl_jsonr *j, uint32_t i, int64_t *out)
{
	if (i == SL_ARC_JSON_NONE || j->v[i].type != SL_ARC_JSON_NUMBER)
		return false;
	const char *s = j->pool + j->v[i].str;
	/* Up to 18 digits cannot overflow: the common case without strtoll.
	 * The parser has checked the JSON number grammar already. */
	size_t n = j->v[i].len, k = s[0] == '-';
	if (n > k && n - k <= 18) {
		int64_t v = 0;
		for (; k < n && s[k] >= '0' && s[k] <= '9'; k++)
			v = v * 10 + (s[k] - '0');
		if (k == n) {
			*out = s[0] == '-' ? -v : v;
			return true;
		}
	}
	if (strpbrk(s, ".eE"))
		return false;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

bool sl_jsonr_f64(const struct sl_jsonr *j, uint32_t i, double *out)
{
	if (i == SL_ARC_JSON_NONE)
		return false;
	const struct sl_jsonr_node *nd = &j->v[i];
	if (nd->type != SL_ARC_JSON_STRING && nd->type != SL_ARC_JSON_NUMBER)
		return false;
	/* Only now: a document without strings or numbers has no pool, and
	 * NULL + 0 is undefined. */
	const char *s = j->pool + nd->str;
	if (nd->type == SL_ARC_JSON_STRING) {
		if (!strcmp(s, "NaN"))
			*out = NAN;
		else if (!strcmp(s, "Infinity"))
			*out = INFINITY;
		else if (!strcmp(s, "-Infinity"))
			*out = -INFINITY;
		else
			return false;
		return true;
	}
	if (nd->type != SL_ARC_JSON_NUMBER)
		return false;
	if (!sl_declit_to_f64(s, strlen(s), out))
		*out = strtod(s, NULL);
	return true;
}

bool sl_jsonr_is_str(const struct sl_jsonr *j, uint32_t i, const char *s)
{
	return i != SL_ARC_JSON_NONE && j->v[i].type == SL_ARC_JSON_STRING &&
	       !strcmp(j->pool + j->v[i].str, s);
}

static enum sl_err write_node(const struct sl_jsonr *j, uint32_t i, struct sl_buf *out,
			      int depth)
{
	const struct sl_jsonr_node *nd = &j->v[i];
	enum sl_err err = SL_OK;
	if (depth > SL_ARC_JSON_MAX_DEPTH + 1)
		return SL_ERR_ARG;
	switch (nd->type) {
	case SL_ARC_JSON_NULL: return sl_buf_puts(out, "null");
	case SL_ARC_JSON_TRUE: return sl_buf_puts(out, "true");
	case SL_ARC_JSON_FALSE: return sl_buf_puts(out, "false");
	case SL_ARC_JSON_NUMBER: return sl_buf_append(out, j->pool + nd->str, nd->len);
	case SL_ARC_JSON_STRING: return sl_json_str(out, j->pool + nd->str, nd->len);
	default: break;
	}
	bool obj = nd->type == SL_ARC_JSON_OBJECT;
	if ((err = sl_buf_putc(out, obj ? '{' : '[')))
		return err;
	for (uint32_t c = nd->first; c != SL_ARC_JSON_NONE && !err; c = j->v[c].next) {
		if (c != nd->first && (err = sl_buf_putc(out, ',')))
			break;
		if (obj) {
			if ((err = sl_json_str(out, j->pool + j->v[c].key, j->v[c].klen)) ||
			    (err = sl_buf_putc(out, ':')))
				break;
		}
		err = write_node(j, c, out, depth + 1);
	}
	return err ? err : sl_buf_putc(out, obj ? '}' : ']');
}

enum sl_err sl_jsonr_write(const struct sl_jsonr *j, uint32_t i, struct sl_buf *out)
{
	if (i == SL_ARC_JSON_NONE || i >= j->nv)
		return SL_ERR_ARG;
	return write_node(j, i, out, 0);
}
