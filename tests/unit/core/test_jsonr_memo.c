/* SPDX-License-Identifier: Apache-2.0
 *
 * test_jsonr_memo.c -- the JSON parser's repeated-subtree memo
 * (core/jsonr.h): a long-lived parser that reuses the remembered
 * `schema` block must leave exactly the nodes and text a fresh parser
 * writes, document after document, including after failed parses, after
 * documents that overwrite the remembered nodes without reusing them, and
 * when the same bytes sit at another offset or differ by one byte.
 * Each input is an exact-size heap copy so ASan flags over-reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonr.h"
#include "lib/test.h"

static char SCHEMA[4096], SCHEMA2[4096];

static enum sl_err parse_copy(struct sl_jsonr *j, const char *s)
{
	size_t n = strlen(s);
	char *c = malloc(n ? n : 1);
	memcpy(c, s, n);
	struct sl_errbuf eb;
	enum sl_err e = sl_jsonr_parse(j, c, n, &eb);
	free(c);
	return e;
}

/* Node by node: what the long-lived parser holds equals a fresh parse. */
static bool same_nodes(const struct sl_jsonr *a, const struct sl_jsonr *b)
{
	if (a->nv != b->nv)
		return false;
	for (uint32_t i = 0; i < a->nv; i++) {
		const struct sl_jsonr_node *x = &a->v[i], *y = &b->v[i];
		if (x->type != y->type || x->len != y->len || x->first != y->first ||
		    x->next != y->next || x->raw != y->raw || x->rawlen != y->rawlen ||
		    x->klen != y->klen)
			return false;
		if (x->klen && memcmp(a->pool + x->key, b->pool + y->key, x->klen))
			return false;
		if ((x->type == SL_ARC_JSON_STRING || x->type == SL_ARC_JSON_NUMBER) &&
		    strcmp(a->pool + x->str, b->pool + y->str))
			return false;
	}
	return true;
}

static struct sl_jsonr LONG;

/* Parse doc with the long-lived parser and a fresh one; both must agree
 * on the outcome and, on success, on every node. */
static void step(const char *name, const char *doc, bool want_ok)
{
	struct sl_jsonr fresh;
	sl_jsonr_init(&fresh);
	enum sl_err el = parse_copy(&LONG, doc), ef = parse_copy(&fresh, doc);
	is_int(el, ef, "%s: same outcome", name);
	is_int(el == SL_OK, want_ok, "%s: %s", name, want_ok ? "parses" : "fails");
	if (!el && !ef)
		ok(same_nodes(&LONG, &fresh), "%s: same nodes as a fresh parse", name);
	sl_jsonr_free(&fresh);
}

int main(void)
{
	/* A Kafka Connect schema well above SL_ARC_JSON_MEMO_MIN bytes. */
	size_t n = (size_t)snprintf(SCHEMA, sizeof SCHEMA, "{\"type\":\"struct\",\"fields\":[");
	for (int i = 0; i < 12; i++)
		n += (size_t)snprintf(SCHEMA + n, sizeof SCHEMA - n,
				      "%s{\"type\":\"int64\",\"optional\":true,\"field\":\"c%d\","
				      "\"name\":\"n\\u00e9%d\"}",
				      i ? "," : "", i, i);
	snprintf(SCHEMA + n, sizeof SCHEMA - n, "],\"optional\":false,\"name\":\"v\"}");
	snprintf(SCHEMA2, sizeof SCHEMA2, "%s", SCHEMA);
	SCHEMA2[strlen(SCHEMA2) - 3] = 'w'; /* same length, one byte differs */
	ok(strlen(SCHEMA) >= SL_ARC_JSON_MEMO_MIN, "the schema is long enough to be remembered");

	char doc[8192];
	sl_jsonr_init(&LONG);
#define DOC(...) (snprintf(doc, sizeof doc, __VA_ARGS__), doc)
	step("first", DOC("{\"schema\":%s,\"payload\":{\"c0\":1,\"s\":\"a\"}}", SCHEMA), true);
	ok(LONG.memo_ok, "the schema is remembered");
	step("same schema, new payload", DOC("{\"schema\":%s,\"payload\":{\"c0\":2,\"s\":\"bb\"}}", SCHEMA), true);
	step("same schema, longer payload",
	     DOC("{\"schema\":%s,\"payload\":{\"c0\":3,\"s\":\"ccc\",\"t\":[1,2,{\"x\":null}]}}", SCHEMA), true);
	step("schema is the last member", DOC("{\"schema\":%s}", SCHEMA), true);
	ok(LONG.v[1].next == SL_ARC_JSON_NONE, "the reused subtree has no stale sibling");
	step("schema then a broken payload", DOC("{\"schema\":%s,\"payload\":{\"c0\":}}", SCHEMA), false);
	step("after the failure", DOC("{\"schema\":%s,\"payload\":{\"c0\":4}}", SCHEMA), true);
	step("a small first container overwrites the nodes",
	     DOC("{\"a\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,"
		 "33,34,35,36,37,38,39,40],\"schema\":%s}", SCHEMA), true);
	step("schema again at the first position", DOC("{\"schema\":%s,\"payload\":{\"c0\":5}}", SCHEMA), true);
	step("one byte differs", DOC("{\"schema\":%s,\"payload\":{\"c0\":6}}", SCHEMA2), true);
	step("back to the first schema", DOC("{\"schema\":%s,\"payload\":{\"c0\":7}}", SCHEMA), true);
	step("same bytes at another offset", DOC("  {\"schema\":%s,\"payload\":{\"c0\":8}}", SCHEMA), true);
	step("another key before it", DOC("{\"before\":null,\"schema\":%s,\"payload\":{\"c0\":9}}", SCHEMA), true);
	step("a different member name", DOC("{\"other\":%s,\"payload\":{\"c0\":10}}", SCHEMA), true);
	step("truncated schema", DOC("{\"schema\":%.*s", (int)strlen(SCHEMA) - 5, SCHEMA), false);
	step("after the truncated one", DOC("{\"schema\":%s,\"payload\":{\"c0\":11}}", SCHEMA), true);
	step("a schemaless value", "{\"before\":null,\"after\":{\"c0\":12},\"op\":\"c\"}", true);
	step("schema once more", DOC("{\"schema\":%s,\"payload\":{\"c0\":13}}", SCHEMA), true);
	step("an array root", DOC("[%s,1]", SCHEMA), true);
	step("schema after the array root", DOC("{\"schema\":%s,\"payload\":{\"c0\":14}}", SCHEMA), true);
	step("trailing bytes after a reused schema", DOC("{\"schema\":%s} x", SCHEMA), false);
	step("and once more", DOC("{\"schema\":%s,\"payload\":{\"c0\":15}}", SCHEMA), true);
	uint32_t p = sl_jsonr_get(&LONG, 0, "payload");
	int64_t v = 0;
	ok(sl_jsonr_i64(&LONG, sl_jsonr_get(&LONG, p, "c0"), &v) && v == 15, "the payload is read after reuse");

	/* Memo ids: equal ids promise equal bytes (the archive writer skips
	 * comparing the schema block then). */
	uint64_t id1 = sl_jsonr_memo_id(&LONG, sl_jsonr_get(&LONG, 0, "schema"));
	ok(id1 != 0, "the schema node has a memo id");
	is_int(sl_jsonr_memo_id(&LONG, p), 0, "the payload has none");
	step("id: same schema", DOC("{\"schema\":%s,\"payload\":{\"c0\":16}}", SCHEMA), true);
	is_int(sl_jsonr_memo_id(&LONG, sl_jsonr_get(&LONG, 0, "schema")), id1,
	       "a reused schema keeps its id");
	step("id: one byte differs", DOC("{\"schema\":%s,\"payload\":{\"c0\":17}}", SCHEMA2), true);
	uint64_t id2 = sl_jsonr_memo_id(&LONG, sl_jsonr_get(&LONG, 0, "schema"));
	ok(id2 != 0 && id2 != id1, "different bytes get another id");
	step("id: back to the first", DOC("{\"schema\":%s,\"payload\":{\"c0\":18}}", SCHEMA), true);
	uint64_t id3 = sl_jsonr_memo_id(&LONG, sl_jsonr_get(&LONG, 0, "schema"));
	ok(id3 != 0 && id3 != id2, "the first bytes again: not the second's id (%llu, %llu)",
	   (unsigned long long)id3, (unsigned long long)id2);
	step("id: schemaless", "{\"before\":null,\"after\":{\"c0\":19},\"op\":\"c\"}", true);
	is_int(sl_jsonr_memo_id(&LONG, sl_jsonr_get(&LONG, 0, "after")), 0,
	       "a subtree below the size limit has no id");
	step("id: a failed parse", DOC("{\"schema\":%s,\"payload\":{\"c0\":}}", SCHEMA), false);
	step("id: schema after the failure", DOC("{\"schema\":%s,\"payload\":{\"c0\":20}}", SCHEMA), true);
	ok(sl_jsonr_memo_id(&LONG, sl_jsonr_get(&LONG, 0, "schema")) != id2,
	   "never the id of other bytes");
	sl_jsonr_free(&LONG);
	return t_done();
}
