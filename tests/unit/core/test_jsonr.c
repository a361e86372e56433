/* SPDX-License-Identifier: Apache-2.0
 *
 * test_jsonr.c -- the strict JSON parser (core/jsonr.h).
 *
 * What is pinned here: decoded string bytes (escapes, \u pairs joined into
 * UTF-8, lone surrogates and bad UTF-8 refused), number text kept verbatim
 * with the integer/double accessors at the int64 edges, the nesting bound
 * (a value may sit inside at most SL_ARC_JSON_MAX_DEPTH containers), the
 * size bound, trailing bytes, duplicate keys (lookups return the first),
 * error messages carrying the byte offset, re-serialisation, and reuse of
 * one parser across documents.  Each input is copied to an exact-size heap
 * block so ASan flags any read past its end.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lake/envelope.h"
#include "core/jsonr.h"
#include "core/buf.h"
#include "lib/test.h"

static struct sl_jsonr J;
static struct sl_errbuf EB;

/* Parse p[0..n) from an exact-size copy. */
static enum sl_err parse_n(const char *p, size_t n)
{
	char *c = malloc(n ? n : 1);
	if (n)
		memcpy(c, p, n);
	enum sl_err e = sl_jsonr_parse(&J, c, n, &EB);
	free(c);
	return e;
}

static enum sl_err parse(const char *s)
{
	return parse_n(s, strlen(s));
}

/* The only string in ["..."] parses to want[0..wn). */
static void str_is(const char *doc, const char *want, size_t wn, const char *what)
{
	enum sl_err e = parse(doc);
	is_int(e, SL_OK, "%s: parses (%s)", what, e ? EB.msg : "");
	if (e)
		return;
	uint32_t s = J.v[0].first;
	ok(s != SL_ARC_JSON_NONE && J.v[s].type == SL_ARC_JSON_STRING, "%s: a string", what);
	if (s == SL_ARC_JSON_NONE)
		return;
	is_mem(sl_jsonr_text(&J, s), J.v[s].len, want, wn, "%s: decoded bytes", what);
	is_int(sl_jsonr_text(&J, s)[wn], 0, "%s: NUL-terminated", what);
}

/* doc is refused with SL_ERR_PROTO and a message containing frag. */
static void refused_n(const char *doc, size_t n, const char *frag, const char *what)
{
	enum sl_err e = parse_n(doc, n);
	is_int(e, SL_ERR_PROTO, "%s: refused", what);
	ok(e && strstr(EB.msg, frag) != NULL, "%s: message \"%s\" mentions \"%s\"", what,
	   e ? EB.msg : "", frag);
}

static void refused(const char *doc, const char *frag, const char *what)
{
	refused_n(doc, strlen(doc), frag, what);
}

static void test_strings(void)
{
	str_is("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", "\"\\/\b\f\n\r\t", 8, "simple escapes");
	str_is("[\"\\u00e9\"]", "\xc3\xa9", 2, "\\u00e9 -> 2-byte UTF-8");
	str_is("[\"\\u20AC\"]", "\xe2\x82\xac", 3, "\\u20AC (upper-case hex) -> 3 bytes");
	str_is("[\"\\ud83d\\ude00\"]", "\xf0\x9f\x98\x80", 4, "surrogate pair -> U+1F600");
	str_is("[\"\\uD834\\uDD1E\"]", "\xf0\x9d\x84\x9e", 4, "surrogate pair U+1D11E");
	str_is("[\"\\udbff\\udfff\"]", "\xf4\x8f\xbf\xbf", 4, "highest pair -> U+10FFFF");
	str_is("[\"a\\u0000b\"]", "a\0b", 3, "\\u0000 kept inside the length");
	str_is("[\"\\u007f\\u0080\\u07ff\\u0800\\uffff\"]",
	       "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf", 11, "UTF-8 length boundaries");
	str_is("[\"h\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]", "h\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
	       10, "raw UTF-8 passes through");
	str_is("[\"\x7f\"]", "\x7f", 1, "DEL is not a control character in JSON");
	str_is("[\"\"]", "", 0, "empty string");

	refused("[\"\\ud800\"]", "surrogate", "lone high surrogate");
	refused("[\"\\ud800x\"]", "surrogate", "high surrogate followed by a character");
	refused("[\"\\udc00\"]", "surrogate", "lone low surrogate");
	refused("[\"\\ud800\\u0041\"]", "surrogate", "high surrogate + non-surrogate");
	refused("[\"\\ud800\\ud800\"]", "surrogate", "two high surrogates");
	refused("[\"\\x\"]", "escape", "unknown escape");
	refused("[\"\\u12\"]", "\\u", "short \\u escape");
	refused("[\"\\u12g4\"]", "\\u", "non-hex \\u escape");
	refused("[\"a\x01\"]", "control", "raw control character");
	refused("[\"a\nb\"]", "control", "raw newline");
	refused("[\"\xc0\xaf\"]", "UTF-8", "overlong 2-byte");
	refused("[\"\xe0\x80\xaf\"]", "UTF-8", "overlong 3-byte");
	refused("[\"\xed\xa0\x80\"]", "UTF-8", "UTF-8-encoded surrogate");
	refused("[\"\xf4\x90\x80\x80\"]", "UTF-8", "above U+10FFFF");
	refused("[\"\xf5\x80\x80\x80\"]", "UTF-8", "F5 lead byte");
	refused("[\"\x80\"]", "UTF-8", "lone continuation byte");
	refused("[\"\xe2\x82\"]", "UTF-8", "truncated sequence before the quote");
	refused_n("[\"\xe2\x82", 4, "", "truncated sequence at the end of input");
	refused("[\"abc", "unterminated", "unterminated string");
	refused("[\"abc\\", "unterminated", "backslash at the end");
	refused("[\"abc\\\"]", "unterminated", "escaped closing quote");
	refused("{\"a\x01\":1}", "control", "control character in a key");
}

static void test_numbers(void)
{
	int64_t i;
	double d;
	is_int(parse("[9223372036854775807,-9223372036854775808,9223372036854775808,"
		     "-9223372036854775809,-0,0,1e3,2.5,1E400]"),
	       SL_OK, "numbers parse");
	uint32_t n[9], c = J.v[0].first;
	for (int k = 0; k < 9; k++, c = c == SL_ARC_JSON_NONE ? c : J.v[c].next)
		n[k] = c;
	ok(n[8] != SL_ARC_JSON_NONE, "nine numbers");
	if (n[8] == SL_ARC_JSON_NONE)
		return;
	ok(sl_jsonr_i64(&J, n[0], &i) && i == INT64_MAX, "INT64_MAX");
	ok(sl_jsonr_i64(&J, n[1], &i) && i == INT64_MIN, "INT64_MIN");
	ok(!sl_jsonr_i64(&J, n[2], &i), "INT64_MAX + 1 is not an integer");
	is_str(sl_jsonr_text(&J, n[2]), "9223372036854775808", "... but its text is kept");
	ok(!sl_jsonr_i64(&J, n[3], &i), "INT64_MIN - 1 is not an integer");
	ok(sl_jsonr_f64(&J, n[2], &d) && d == 9223372036854775808.0, "... and is a double");
	ok(sl_jsonr_i64(&J, n[4], &i) && i == 0, "-0 as an integer is 0");
	ok(sl_jsonr_f64(&J, n[4], &d) && d == 0 && signbit(d), "-0 as a double keeps its sign");
	is_str(sl_jsonr_text(&J, n[4]), "-0", "-0 text");
	ok(!sl_jsonr_i64(&J, n[6], &i), "1e3 is not an integer (exponent)");
	ok(sl_jsonr_f64(&J, n[6], &d) && d == 1000, "1e3 as a double");
	ok(!sl_jsonr_i64(&J, n[7], &i), "2.5 is not an integer");
	ok(sl_jsonr_f64(&J, n[7], &d) && d == 2.5, "2.5 as a double");
	ok(sl_jsonr_f64(&J, n[8], &d) && isinf(d), "1E400 overflows to infinity");
	is_str(sl_jsonr_text(&J, n[8]), "1E400", "1E400 text kept verbatim");

	const char *big = "123456789012345678901234567890.123456789012345678901234567890";
	char doc[128];
	snprintf(doc, sizeof doc, "{\"n\":%s}", big);
	is_int(parse(doc), SL_OK, "big decimal parses");
	uint32_t b = sl_jsonr_get(&J, 0, "n");
	ok(b != SL_ARC_JSON_NONE && J.v[b].type == SL_ARC_JSON_NUMBER, "big decimal is a number");
	if (b != SL_ARC_JSON_NONE) {
		is_str(sl_jsonr_text(&J, b), big, "big decimal kept as text, every digit");
		is_int(J.v[b].len, strlen(big), "big decimal length");
	}

	is_int(parse("[\"NaN\",\"Infinity\",\"-Infinity\",\"nan\",\"1\"]"), SL_OK, "specials parse");
	c = J.v[0].first;
	ok(sl_jsonr_f64(&J, c, &d) && isnan(d), "\"NaN\" (Jackson) as a double");
	c = J.v[c].next;
	ok(sl_jsonr_f64(&J, c, &d) && isinf(d) && d > 0, "\"Infinity\"");
	c = J.v[c].next;
	ok(sl_jsonr_f64(&J, c, &d) && isinf(d) && d < 0, "\"-Infinity\"");
	c = J.v[c].next;
	ok(!sl_jsonr_f64(&J, c, &d), "\"nan\" is not a number");
	c = J.v[c].next;
	ok(!sl_jsonr_f64(&J, c, &d) && !sl_jsonr_i64(&J, c, &i), "\"1\" is a string");

	/* Accessors on documents without strings or numbers (no pool). */
	is_int(parse("[true,null,{}]"), SL_OK, "no scalars with text");
	for (c = 0; c < J.nv; c++)
		ok(!sl_jsonr_f64(&J, c, &d) && !sl_jsonr_i64(&J, c, &i) &&
		   !sl_jsonr_is_str(&J, c, ""), "node %u is neither number nor string", c);

	refused("[01]", "", "leading zero");
	refused("[-]", "number", "lone minus");
	refused("[1.]", "fraction", "dot without digits");
	refused("[.5]", "unexpected", "leading dot");
	refused("[1e]", "exponent", "exponent without digits");
	refused("[1e+]", "exponent", "exponent sign without digits");
	refused("[+1]", "unexpected", "plus sign");
	refused("[NaN]", "unexpected", "bare NaN");
	refused("[Infinity]", "unexpected", "bare Infinity");
	refused("[0x10]", "", "hex");
	refused_n("-", 1, "number", "lone minus at the end of input");
	is_int(parse("-12.5e-3"), SL_OK, "a number as the whole document");
	ok(sl_jsonr_f64(&J, 0, &d) && d == -0.0125, "its value");
}

static void nest(struct sl_buf *b, int levels, const char *inner)
{
	sl_buf_reset(b);
	for (int k = 0; k < levels; k++)
		sl_buf_putc(b, '[');
	sl_buf_puts(b, inner);
	for (int k = 0; k < levels; k++)
		sl_buf_putc(b, ']');
}

static void test_limits(void)
{
	struct sl_buf b;
	sl_buf_init(&b, 0);
	int max = SL_ARC_JSON_MAX_DEPTH;
	nest(&b, max, "1");
	is_int(parse_n(b.data, b.len), SL_OK, "a scalar inside %d arrays", max);
	nest(&b, max + 1, "1");
	refused_n(b.data, b.len, "nesting too deep", "a scalar inside 65 arrays");
	nest(&b, max + 1, "");
	is_int(parse_n(b.data, b.len), SL_OK, "an empty array inside %d arrays", max);
	nest(&b, max + 2, "");
	refused_n(b.data, b.len, "nesting too deep", "an empty array inside 65 arrays");
	nest(&b, 100000, "");
	refused_n(b.data, b.len, "nesting too deep", "100000 levels refused without recursion");
	sl_buf_reset(&b);
	for (int k = 0; k < max + 1; k++)
		sl_buf_puts(&b, "{\"k\":");
	sl_buf_puts(&b, "1");
	for (int k = 0; k < max + 1; k++)
		sl_buf_putc(&b, '}');
	refused_n(b.data, b.len, "nesting too deep", "65 nested objects around a value");
	sl_buf_free(&b);

	/* The size check comes before any byte is read, so a short buffer with
	 * an oversized length is safe to pass. */
	char two[2] = "[]";
	enum sl_err e = sl_jsonr_parse(&J, two, (size_t)INT32_MAX, &EB);
	is_int(e, SL_ERR_PROTO, "a 2 GiB document is refused");
	ok(strstr(EB.msg, "too large") != NULL, "size message: %s", EB.msg);
}

static void test_structure(void)
{
	refused("{} x", "trailing", "trailing garbage");
	refused("{}{}", "trailing", "two values");
	refused("1 2", "trailing", "two numbers");
	is_int(parse(" \t\r\n{}\n "), SL_OK, "surrounding whitespace");
	refused("", "unexpected end", "empty input");
	refused(" \n", "unexpected end", "whitespace only");
	refused("[1,]", "unexpected character", "trailing comma in an array");
	ok(strstr(EB.msg, "at byte 3") != NULL, "offset of the bad byte: %s", EB.msg);
	refused("{\"a\":1,}", "member name", "trailing comma in an object");
	refused("{\"a\" 1}", "':'", "missing colon");
	refused("{a:1}", "member name", "unquoted key");
	refused("[1 2]", "','", "missing comma");
	refused("[1", "unterminated array", "unterminated array");
	refused("{\"a\":1", "unterminated object", "unterminated object");
	refused("[tru]", "literal", "short true");
	refused("[True]", "unexpected", "capitalised literal");
	refused("[nul", "literal", "truncated null");
	refused("/* c */ {}", "unexpected", "comments");
	refused("['a']", "unexpected", "single quotes");

	is_int(parse("{\"op\":\"c\",\"op\":\"d\",\"after\":{\"id\":1},\"n\":null}"), SL_OK,
	       "duplicate keys parse");
	uint32_t op = sl_jsonr_get(&J, 0, "op");
	ok(sl_jsonr_is_str(&J, op, "c"), "a lookup returns the first of duplicate keys");
	is_int(J.v[0].len, 4, "every member is kept (4)");
	ok(sl_jsonr_get(&J, 0, "missing") == SL_ARC_JSON_NONE, "missing key");
	ok(sl_jsonr_get(&J, 0, "o") == SL_ARC_JSON_NONE, "prefix of a key is not a match");
	ok(sl_jsonr_get(&J, op, "x") == SL_ARC_JSON_NONE, "lookup in a string");
	ok(sl_jsonr_get(&J, SL_ARC_JSON_NONE, "x") == SL_ARC_JSON_NONE, "lookup in NONE");
	uint32_t n = sl_jsonr_get(&J, 0, "n");
	ok(n != SL_ARC_JSON_NONE && J.v[n].type == SL_ARC_JSON_NULL, "a null member is present");
	ok(!sl_jsonr_is_str(&J, n, "null"), "null is not the string \"null\"");
	uint32_t id = sl_jsonr_path(&J, 0, "after.id");
	int64_t v = 0;
	ok(sl_jsonr_i64(&J, id, &v) && v == 1, "dotted path after.id");
	ok(sl_jsonr_path(&J, 0, "after.id.x") == SL_ARC_JSON_NONE, "path through a number");
	ok(sl_jsonr_path(&J, 0, "before.id") == SL_ARC_JSON_NONE, "path through a missing key");
	const struct sl_jsonr_node *a = sl_jsonr_at(&J, sl_jsonr_get(&J, 0, "after"));
	ok(a && a->raw == 27 && a->rawlen == 8, "raw span of a value (%u+%u)", a ? a->raw : 0,
	   a ? a->rawlen : 0);

	/* Keys with escapes are decoded before comparison. */
	is_int(parse("{\"a\\u0062\":1,\"\\u00e9\":2}"), SL_OK, "escaped keys");
	ok(sl_jsonr_get(&J, 0, "ab") != SL_ARC_JSON_NONE, "a\\u0062 is found as ab");
	ok(sl_jsonr_get(&J, 0, "\xc3\xa9") != SL_ARC_JSON_NONE, "\\u00e9 is found as UTF-8");
	is_int(parse("{\"a\\u0000b\":1}"), SL_OK, "a key with a NUL");
	ok(sl_jsonr_get(&J, 0, "a") == SL_ARC_JSON_NONE, "a key with a NUL does not match its prefix");
}

static void test_write(void)
{
	struct sl_buf b;
	sl_buf_init(&b, 0);
	is_int(parse(" { \"a\" : [ 1 , -2.50e+3 , \"x\\u00e9\\n\\\"\" , true , false , null ] ,"
		     " \"b\" : { } , \"c\" : [ ] } "),
	       SL_OK, "document for write");
	is_int(sl_jsonr_write(&J, 0, &b), SL_OK, "write");
	const char *want = "{\"a\":[1,-2.50e+3,\"x\xc3\xa9\\n\\\"\",true,false,null],\"b\":{},\"c\":[]}";
	is_mem(b.data, b.len, want, strlen(want), "compact re-serialisation, numbers verbatim");
	sl_buf_reset(&b);
	is_int(sl_jsonr_write(&J, sl_jsonr_get(&J, 0, "b"), &b), SL_OK, "write a member");
	is_mem(b.data, b.len, "{}", 2, "member re-serialised");
	sl_buf_reset(&b);
	is_int(sl_jsonr_write(&J, SL_ARC_JSON_NONE, &b), SL_ERR_ARG, "write NONE");
	is_int(sl_jsonr_write(&J, J.nv, &b), SL_ERR_ARG, "write out of range");

	/* A deepest-allowed document re-serialises (the writer's own bound). */
	struct sl_buf d;
	sl_buf_init(&d, 0);
	nest(&d, SL_ARC_JSON_MAX_DEPTH, "\"\\u0001\"");
	is_int(parse_n(d.data, d.len), SL_OK, "deep document");
	sl_buf_reset(&b);
	is_int(sl_jsonr_write(&J, 0, &b), SL_OK, "deep document written");
	ok(b.len > 0 && parse_n(b.data, b.len) == SL_OK, "and parses again");
	sl_buf_free(&d);
	sl_buf_free(&b);
}

static void test_reuse(void)
{
	is_int(parse("{\"a\":\"first\",\"b\":[1,2,3]}"), SL_OK, "first document");
	uint32_t n1 = J.nv;
	is_int(parse("[\"\\ud800\"]"), SL_ERR_PROTO, "a bad document in between");
	is_int(parse("{\"z\":\"second\"}"), SL_OK, "second document");
	ok(J.nv < n1, "node count restarts (%u)", J.nv);
	ok(sl_jsonr_get(&J, 0, "a") == SL_ARC_JSON_NONE, "nothing of the first remains");
	ok(sl_jsonr_is_str(&J, sl_jsonr_get(&J, 0, "z"), "second"), "second value");

	/* Many nodes and long strings force both arrays to grow mid-parse. */
	struct sl_buf b;
	sl_buf_init(&b, 0);
	sl_buf_putc(&b, '[');
	for (int k = 0; k < 5000; k++)
		sl_buf_appendf(&b, "%s{\"k%d\":\"%0300d\"}", k ? "," : "", k, k);
	sl_buf_putc(&b, ']');
	is_int(parse_n(b.data, b.len), SL_OK, "5000 objects with long strings");
	is_int(J.nv, 10001, "node count");
	uint32_t last = J.v[0].first;
	for (uint32_t c = last; c != SL_ARC_JSON_NONE; c = J.v[c].next)
		last = c;
	uint32_t s = sl_jsonr_get(&J, last, "k4999");
	ok(s != SL_ARC_JSON_NONE && J.v[s].len == 300 && !strcmp(sl_jsonr_text(&J, s) + 296, "4999"),
	   "last string intact after growth");
	sl_buf_free(&b);
}

/* Hinted lookups give what plain lookups give, in any order, with missing
 * and duplicate keys. */
static void test_hint(void)
{
	is_int(parse("{\"a\":1,\"b\":2,\"x\":0,\"c\":3,\"a\":9,\"d\":4}"), SL_OK, "hint doc");
	static const char *const orders[][5] = {
		{"a", "b", "x", "c", "d"}, /* in order */
		{"a", "b", "c", "d", "x"}, /* x skipped, then asked last */
		{"d", "c", "b", "a", "x"}, /* reversed: first of the duplicate a */
		{"b", "a", "zz", "c", "d"}, /* a missing key in between */
		{"x", "c", "a", "d", "b"}, /* starts in the middle: a after c is the first a */
	};
	int bad = 0;
	for (size_t o = 0; o < sizeof orders / sizeof orders[0]; o++) {
		uint32_t hint = SL_ARC_JSON_NONE;
		for (int k = 0; k < 5; k++) {
			const char *key = orders[o][k];
			uint32_t got = sl_jsonr_get_hint(&J, 0, key, strlen(key), &hint);
			if (got != sl_jsonr_get(&J, 0, key)) {
				fprintf(stderr, "# order %zu key %s: hinted %u, plain %u\n", o, key,
					got, sl_jsonr_get(&J, 0, key));
				bad++;
			}
		}
	}
	is_int(bad, 0, "hinted lookups equal plain lookups in every order");
	uint32_t hint = SL_ARC_JSON_NONE;
	uint32_t a = sl_jsonr_get_hint(&J, 0, "a", 1, &hint);
	int64_t v = 0;
	ok(sl_jsonr_i64(&J, a, &v) && v == 1, "the first of duplicate keys");
	ok(sl_jsonr_get_hint(&J, a, "a", 1, &hint) == SL_ARC_JSON_NONE, "lookup in a number");
}

int main(void)
{
	sl_jsonr_init(&J);
	test_strings();
	test_numbers();
	test_limits();
	test_structure();
	test_write();
	test_reuse();
	test_hint();
	sl_jsonr_free(&J);
	return t_done();
}
