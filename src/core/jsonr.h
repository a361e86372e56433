/* SPDX-License-Identifier: Apache-2.0
 *
 * jsonr.h -- a small strict JSON parser (RFC 8259) for untrusted record
 * values read from Kafka or handed over by the capture pipeline.
 *
 * The parse result is a flat array of nodes (one allocation, reused from
 * record to record) plus a pool holding decoded strings and the text of
 * numbers, NUL-terminated.  Nodes refer to each other by index: an
 * array or object node holds its first child; every child holds its next
 * sibling; object members also hold their key.  Index 0 is the root.
 *
 * Strictness: one value, optional surrounding whitespace, no trailing
 * bytes, no comments, no NaN, valid UTF-8 only, escapes decoded (\u pairs
 * joined, lone surrogates rejected).  Limits: nesting depth
 * SL_ARC_JSON_MAX_DEPTH, SL_ARC_JSON_MAX_NODES nodes, and input size
 * below 2 GiB.  Any violation is SL_ERR_PROTO with the byte offset in the
 * message; the parser never reads past p[n) and never crashes.
 *
 * Repeated subtree: Kafka Connect's JSON converter sends the same
 * `schema` block (often most of the message) with every record.  The
 * first container-valued member of a root object (at least
 * SL_ARC_JSON_MEMO_MIN bytes) is remembered with a copy of its bytes; when
 * the next parse meets the same bytes at the same input offset, node index
 * and pool offset, the nodes and pool text left by the earlier parse are
 * exactly what parsing would write again, so they are kept and the bytes
 * skipped.  A parse that neither reuses nor re-records the memo
 * invalidates it, so it never describes overwritten nodes.
 *
 * Ownership: the struct owns its arrays; node and string pointers stay
 * valid until the next parse or sl_jsonr_free().
 */
#ifndef SL_CORE_JSONR_H
#define SL_CORE_JSONR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define SL_ARC_JSON_MAX_DEPTH 64
#define SL_ARC_JSON_MAX_NODES (1u << 24)
#define SL_ARC_JSON_NONE UINT32_MAX
#define SL_ARC_JSON_MEMO_MIN 256

enum sl_jsonr_type {
	SL_ARC_JSON_NULL,
	SL_ARC_JSON_FALSE,
	SL_ARC_JSON_TRUE,
	SL_ARC_JSON_NUMBER,
	SL_ARC_JSON_STRING,
	SL_ARC_JSON_ARRAY,
	SL_ARC_JSON_OBJECT
};

struct sl_jsonr_node {
	uint8_t type;   /* enum sl_jsonr_type */
	uint32_t len;   /* strings/numbers: bytes; arrays/objects: children */
	uint32_t str;   /* pool offset of the string or number text */
	uint32_t key;   /* pool offset of the member name (objects' children) */
	uint32_t klen;
	uint32_t first; /* first child, or SL_ARC_JSON_NONE */
	uint32_t next;  /* next sibling, or SL_ARC_JSON_NONE */
	uint32_t raw, rawlen; /* the value's bytes in the input (for fingerprints) */
};

struct sl_jsonr {
	struct sl_jsonr_node *v;
	uint32_t nv, capv;
	char *pool;
	size_t npool, cappool;
	/* the remembered subtree (see above); valid only while memo_ok */
	char *memo;
	size_t memo_len, memo_cap;
	size_t memo_pool, memo_pool_end;
	uint32_t memo_raw, memo_node, memo_nv_end;
	bool memo_ok;
	uint64_t memo_gen;  /* process-unique id of the memo's bytes */
};

/* When node i of the last parse is the remembered subtree: an id, unique
 * in the process, of its exact bytes (two parses that return the same id
 * had byte-identical subtrees there); else 0.  Lets callers compare a
 * repeated `schema` block without reading it again. */
uint64_t sl_jsonr_memo_id(const struct sl_jsonr *j, uint32_t i);
void sl_jsonr_init(struct sl_jsonr *j);
void sl_jsonr_free(struct sl_jsonr *j);
/* Parse p[0..n); on success node 0 is the root. */
enum sl_err sl_jsonr_parse(struct sl_jsonr *j, const char *p, size_t n,
			      struct sl_errbuf *eb);

static inline const struct sl_jsonr_node *sl_jsonr_at(const struct sl_jsonr *j,
							      uint32_t i)
{
	return i == SL_ARC_JSON_NONE ? NULL : &j->v[i];
}
/* Member of object node i named key (first match); SL_ARC_JSON_NONE if i
 * is not an object or has no such member. */
uint32_t sl_jsonr_get(const struct sl_jsonr *j, uint32_t i, const char *key);
/* The same for the keys of one pass over object i, asked in the order the
 * object holds them (as Connect and Debezium write a struct's fields): one
 * compare per key instead of a scan.  *hint starts as SL_ARC_JSON_NONE for
 * each pass; keys within a pass must be distinct.  Out of order, the pass
 * falls back to sl_jsonr_get, so the result is always the first member
 * with that key. */
uint32_t sl_jsonr_get_hint(const struct sl_jsonr *j, uint32_t i, const char *key,
			      size_t klen, uint32_t *hint);
/* Text of a string or number node (NUL-terminated, len in node->len). */
static inline const char *sl_jsonr_text(const struct sl_jsonr *j, uint32_t i)
{
	return j->pool + j->v[i].str;
}
static inline const char *sl_jsonr_key(const struct sl_jsonr *j, uint32_t i)
{
	return j->pool + j->v[i].key;
}
/* Node i as an integer: a NUMBER with no fraction or exponent that fits. */
bool sl_jsonr_i64(const struct sl_jsonr *j, uint32_t i, int64_t *out);
/* Node i as a double (NUMBER, or the strings "NaN", "Infinity", "-Infinity"
 * that Jackson writes). */
bool sl_jsonr_f64(const struct sl_jsonr *j, uint32_t i, double *out);
/* Whether node i is a string equal to s. */
bool sl_jsonr_is_str(const struct sl_jsonr *j, uint32_t i, const char *s);
/* Re-serialise node i as compact JSON into out (appended). */
enum sl_err sl_jsonr_write(const struct sl_jsonr *j, uint32_t i, struct sl_buf *out);

#endif
