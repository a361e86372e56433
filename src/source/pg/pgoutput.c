/* SPDX-License-Identifier: Apache-2.0
 *
 * pgoutput.c -- decode pgoutput logical replication messages (v1 and v2).
 *
 * Idea: one function per message type reads fields with the bounded reader
 * (core/rd.h) and fills the caller's struct sl_pgo_msg with views.  The
 * reader never passes `len`; a short field jumps to an error that names the
 * message type and the field.  A message must be consumed exactly: trailing
 * bytes are an error too, since they mean we misread the format.
 *
 * Invariants:
 *  - the decoder's stream state (in_stream, stream_xid) changes only after
 *    a Stream Start / Stream Stop decoded successfully;
 *  - arrays (cols, old/new values, relids) are owned by the decoder, grow
 *    geometrically and are never shrunk, so steady-state decoding does no
 *    allocation; their sizes are bounded by SL_PGO_MAX_COLS or by the bytes
 *    actually present in the input, so garbage cannot ask for huge memory.
 */
#include "source/pg/pgoutput.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/rd.h"

struct sl_pgo_decoder {
	int proto;
	bool in_stream;
	uint32_t stream_xid;

	struct sl_pgo_column *cols;
	size_t cols_cap;
	struct sl_value *oldv;
	size_t oldv_cap;
	struct sl_value *newv;
	size_t newv_cap;
	uint32_t *relids;
	size_t relids_cap;
};

const char *sl_pgo_type_name(int type)
{
	switch (type) {
	case SL_PGO_BEGIN: return "Begin";
	case SL_PGO_COMMIT: return "Commit";
	case SL_PGO_ORIGIN: return "Origin";
	case SL_PGO_RELATION: return "Relation";
	case SL_PGO_TYPE: return "Type";
	case SL_PGO_INSERT: return "Insert";
	case SL_PGO_UPDATE: return "Update";
	case SL_PGO_DELETE: return "Delete";
	case SL_PGO_TRUNCATE: return "Truncate";
	case SL_PGO_MESSAGE: return "Message";
	case SL_PGO_STREAM_START: return "Stream Start";
	case SL_PGO_STREAM_STOP: return "Stream Stop";
	case SL_PGO_STREAM_COMMIT: return "Stream Commit";
	case SL_PGO_STREAM_ABORT: return "Stream Abort";
	default: return "unknown";
	}
}

enum sl_err sl_pgo_decoder_new(int proto_version, struct sl_pgo_decoder **out)
{
	if (!out || proto_version < 1 || proto_version > 2)
		return SL_ERR_ARG;
	struct sl_pgo_decoder *d = calloc(1, sizeof *d);
	if (!d)
		return SL_ERR_NOMEM;
	d->proto = proto_version;
	*out = d;
	return SL_OK;
}

void sl_pgo_decoder_free(struct sl_pgo_decoder *dec)
{
	if (!dec)
		return;
	free(dec->cols);
	free(dec->oldv);
	free(dec->newv);
	free(dec->relids);
	free(dec);
}

void sl_pgo_decoder_reset(struct sl_pgo_decoder *dec)
{
	if (!dec)
		return;
	dec->in_stream = false;
	dec->stream_xid = 0;
}

bool sl_pgo_decoder_in_stream(const struct sl_pgo_decoder *dec)
{
	return dec && dec->in_stream;
}

/* Make *arr hold at least n elements of size `elem`.  n is already bounded
 * by the caller (column cap or input length), so n * elem cannot overflow. */
static enum sl_err grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n <= *cap)
		return SL_OK;
	size_t c = *cap ? *cap : 16;
	while (c < n)
		c *= 2;
	void *p = realloc(*arr, c * elem);
	if (!p)
		return SL_ERR_NOMEM;
	*arr = p;
	*cap = c;
	return SL_OK;
}

/* Shorthand used by every message parser: report and leave. */
#define TRUNC(what) \
	return sl_err_set(eb, SL_ERR_PROTO, "invalid %s message: truncated %s", name, (what))
#define BAD(...) return sl_err_set(eb, SL_ERR_PROTO, __VA_ARGS__)

static int64_t pg_to_unix_us(int64_t pg)
{
	/* Infinite or absurd timestamps would overflow: saturate instead of UB. */
	if (pg > INT64_MAX - SL_PGO_EPOCH_OFFSET_US)
		return INT64_MAX;
	return pg + SL_PGO_EPOCH_OFFSET_US;
}

static bool rd_i64(struct sl_rd *r, int64_t *v)
{
	uint64_t u;
	if (!sl_rd_be64(r, &u))
		return false;
	memcpy(v, &u, sizeof *v);
	return true;
}

static bool rd_i32(struct sl_rd *r, int32_t *v)
{
	uint32_t u;
	if (!sl_rd_be32(r, &u))
		return false;
	memcpy(v, &u, sizeof *v);
	return true;
}

/* The streamed xid that leads some messages inside a v2 stream. */
static enum sl_err read_stream_xid(struct sl_pgo_decoder *dec, struct sl_rd *r,
				   struct sl_pgo_msg *msg, const char *name, struct sl_errbuf *eb)
{
	if (!dec->in_stream)
		return SL_OK;
	if (!sl_rd_be32(r, &msg->xid))
		TRUNC("transaction id");
	if (msg->xid == 0)
		BAD("invalid %s message: streamed transaction id is 0", name);
	return SL_OK;
}

/* TupleData into vals[] (grown to fit).  `which` is "old" or "new". */
static enum sl_err read_tuple(struct sl_rd *r, struct sl_value **vals, size_t *cap,
			      struct sl_row *row, const char *name, const char *which,
			      struct sl_errbuf *eb)
{
	uint16_t n;
	if (!sl_rd_be16(r, &n))
		return sl_err_set(eb, SL_ERR_PROTO,
				  "invalid %s message: truncated %s tuple column count", name, which);
	if (n > SL_PGO_MAX_COLS)
		BAD("invalid %s message: %s tuple has %u columns, more than %d", name, which,
		    (unsigned)n, SL_PGO_MAX_COLS);
	/* Each column takes at least its kind byte. */
	if (n > sl_rd_left(r))
		BAD("invalid %s message: truncated %s tuple (%u columns, %zu bytes left)", name,
		    which, (unsigned)n, sl_rd_left(r));
	if (grow((void **)vals, cap, n ? n : 1, sizeof **vals) != SL_OK)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory decoding %s message", name);
	struct sl_value *v = *vals;
	for (unsigned i = 0; i < n; i++) {
		uint8_t kind;
		if (!sl_rd_u8(r, &kind))
			BAD("invalid %s message: truncated %s tuple at column %u", name, which, i + 1);
		switch (kind) {
		case 'n':
			v[i] = (struct sl_value){.kind = SL_VAL_NULL};
			break;
		case 'u':
			v[i] = (struct sl_value){.kind = SL_VAL_TOAST};
			break;
		case 't':
		case 'b': {
			uint32_t len;
			const uint8_t *p;
			if (!sl_rd_be32(r, &len))
				BAD("invalid %s message: truncated length of %s tuple column %u", name,
				    which, i + 1);
			if (len > INT32_MAX)
				BAD("invalid %s message: negative length of %s tuple column %u", name,
				    which, i + 1);
			if (!sl_rd_bytes(r, len, &p))
				BAD("invalid %s message: %s tuple column %u claims %u bytes, %zu left",
				    name, which, i + 1, len, sl_rd_left(r));
			if (kind == 'b')
				BAD("invalid %s message: binary tuple data not supported (%s tuple "
				    "column %u)", name, which, i + 1);
			v[i] = (struct sl_value){.kind = SL_VAL_TEXT, .len = len, .data = (const char *)p};
			break;
		}
		default:
			BAD("invalid %s message: unknown kind 0x%02x in %s tuple column %u", name,
			    (unsigned)kind, which, i + 1);
		}
	}
	row->ncols = n;
	row->vals = v;
	return SL_OK;
}

static enum sl_err dec_begin(struct sl_pgo_decoder *dec, struct sl_rd *r, struct sl_pgo_msg *msg,
			     struct sl_errbuf *eb)
{
	const char *name = "Begin";
	struct sl_pgo_begin *b = &msg->begin;
	if (dec->in_stream)
		BAD("unexpected Begin message inside a stream of transaction %u", dec->stream_xid);
	if (!sl_rd_be64(r, &b->final_lsn))
		TRUNC("final LSN");
	if (!rd_i64(r, &b->commit_ts_pg))
		TRUNC("commit timestamp");
	if (!sl_rd_be32(r, &b->xid))
		TRUNC("transaction id");
	b->commit_ts_unix_us = pg_to_unix_us(b->commit_ts_pg);
	msg->xid = b->xid;
	return SL_OK;
}

static enum sl_err dec_commit(struct sl_pgo_decoder *dec, struct sl_rd *r, struct sl_pgo_msg *msg,
			      struct sl_errbuf *eb)
{
	const char *name = "Commit";
	struct sl_pgo_commit *c = &msg->commit;
	if (dec->in_stream)
		BAD("unexpected Commit message inside a stream of transaction %u", dec->stream_xid);
	if (!sl_rd_u8(r, &c->flags))
		TRUNC("flags");
	if (!sl_rd_be64(r, &c->commit_lsn))
		TRUNC("commit LSN");
	if (!sl_rd_be64(r, &c->end_lsn))
		TRUNC("end LSN");
	if (!rd_i64(r, &c->commit_ts_pg))
		TRUNC("commit timestamp");
	c->commit_ts_unix_us = pg_to_unix_us(c->commit_ts_pg);
	return SL_OK;
}

static enum sl_err dec_origin(struct sl_rd *r, struct sl_pgo_msg *msg, struct sl_errbuf *eb)
{
	const char *name = "Origin";
	if (!sl_rd_be64(r, &msg->origin.commit_lsn))
		TRUNC("commit LSN");
	if (!sl_rd_cstr(r, &msg->origin.name, NULL))
		TRUNC("origin name");
	return SL_OK;
}

static enum sl_err dec_relation(struct sl_pgo_decoder *dec, struct sl_rd *r,
				struct sl_pgo_msg *msg, struct sl_errbuf *eb)
{
	const char *name = "Relation";
	struct sl_pgo_relation *rel = &msg->relation;
	enum sl_err e = read_stream_xid(dec, r, msg, name, eb);
	if (e)
		return e;
	uint8_t ri;
	uint16_t n;
	if (!sl_rd_be32(r, &rel->oid))
		TRUNC("relation OID");
	if (!sl_rd_cstr(r, &rel->nspname, NULL))
		TRUNC("namespace");
	if (!sl_rd_cstr(r, &rel->relname, NULL))
		TRUNC("relation name");
	if (!sl_rd_u8(r, &ri))
		TRUNC("replica identity");
	if (ri != 'd' && ri != 'n' && ri != 'f' && ri != 'i')
		BAD("invalid Relation message: unknown replica identity 0x%02x for relation %u",
		    (unsigned)ri, rel->oid);
	rel->replident = (char)ri;
	if (!sl_rd_be16(r, &n))
		TRUNC("column count");
	if (n > SL_PGO_MAX_COLS)
		BAD("invalid Relation message: relation %u has %u columns, more than %d", rel->oid,
		    (unsigned)n, SL_PGO_MAX_COLS);
	/* A column is at least flags + empty name + type + typmod = 10 bytes. */
	if ((size_t)n * 10 > sl_rd_left(r))
		BAD("invalid Relation message: truncated columns (%u columns, %zu bytes left)",
		    (unsigned)n, sl_rd_left(r));
	if (grow((void **)&dec->cols, &dec->cols_cap, n ? n : 1, sizeof *dec->cols) != SL_OK)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory decoding Relation message");
	for (unsigned i = 0; i < n; i++) {
		struct sl_pgo_column *c = &dec->cols[i];
		uint32_t toid;
		if (!sl_rd_u8(r, &c->flags))
			BAD("invalid Relation message: truncated flags of column %u", i + 1);
		if (!sl_rd_cstr(r, &c->name, NULL))
			BAD("invalid Relation message: truncated name of column %u", i + 1);
		if (!sl_rd_be32(r, &toid))
			BAD("invalid Relation message: truncated type OID of column %u", i + 1);
		if (!rd_i32(r, &c->typmod))
			BAD("invalid Relation message: truncated type modifier of column %u", i + 1);
		c->type_oid = toid;
		c->is_key = (c->flags & SL_PGO_COL_KEY) != 0;
	}
	rel->ncols = n;
	rel->cols = dec->cols;
	return SL_OK;
}

static enum sl_err dec_type(struct sl_pgo_decoder *dec, struct sl_rd *r, struct sl_pgo_msg *msg,
			    struct sl_errbuf *eb)
{
	const char *name = "Type";
	enum sl_err e = read_stream_xid(dec, r, msg, name, eb);
	if (e)
		return e;
	if (!sl_rd_be32(r, &msg->typ.oid))
		TRUNC("type OID");
	if (!sl_rd_cstr(r, &msg->typ.nspname, NULL))
		TRUNC("namespace");
	if (!sl_rd_cstr(r, &msg->typ.name, NULL))
		TRUNC("type name");
	return SL_OK;
}

/* Insert, Update and Delete share a layout: relid, then tuples tagged by a
 * byte ('K'/'O' old, 'N' new). */
static enum sl_err dec_change(struct sl_pgo_decoder *dec, struct sl_rd *r, struct sl_pgo_msg *msg,
			      struct sl_errbuf *eb)
{
	const char *name = sl_pgo_type_name(msg->type);
	struct sl_pgo_change *ch = &msg->change;
	enum sl_err e = read_stream_xid(dec, r, msg, name, eb);
	if (e)
		return e;
	uint8_t tag;
	if (!sl_rd_be32(r, &ch->relid))
		TRUNC("relation OID");
	if (!sl_rd_u8(r, &tag))
		TRUNC("tuple tag");
	if (msg->type != SL_PGO_INSERT && (tag == 'K' || tag == 'O')) {
		ch->old_kind = (char)tag;
		ch->has_old = true;
		e = read_tuple(r, &dec->oldv, &dec->oldv_cap, &ch->old_row, name, "old", eb);
		if (e)
			return e;
		/* A key tuple holds the replica identity's columns only; the
		 * server sends 'n' for every other one, which is not a NULL
		 * but a column the tuple does not have. */
		for (int i = 0; tag == 'K' && i < ch->old_row.ncols; i++)
			if (dec->oldv[i].kind == SL_VAL_NULL)
				dec->oldv[i].kind = SL_VAL_ABSENT;
		if (msg->type == SL_PGO_DELETE)
			return SL_OK;
		if (!sl_rd_u8(r, &tag))
			TRUNC("new tuple tag");
	} else if (msg->type == SL_PGO_DELETE) {
		BAD("invalid Delete message: expected old tuple tag 'K' or 'O', got 0x%02x",
		    (unsigned)tag);
	}
	if (tag != 'N')
		BAD("invalid %s message: expected new tuple tag 'N', got 0x%02x", name, (unsigned)tag);
	ch->has_new = true;
	return read_tuple(r, &dec->newv, &dec->newv_cap, &ch->new_row, name, "new", eb);
}

static enum sl_err dec_truncate(struct sl_pgo_decoder *dec, struct sl_rd *r,
				struct sl_pgo_msg *msg, struct sl_errbuf *eb)
{
	const char *name = "Truncate";
	struct sl_pgo_truncate *t = &msg->truncate;
	enum sl_err e = read_stream_xid(dec, r, msg, name, eb);
	if (e)
		return e;
	uint32_t n;
	if (!sl_rd_be32(r, &n))
		TRUNC("relation count");
	if (!sl_rd_u8(r, &t->options))
		TRUNC("options");
	if (n == 0)
		BAD("invalid Truncate message: no relations");
	if (n > sl_rd_left(r) / 4)
		BAD("invalid Truncate message: %u relations claimed, %zu bytes left", n,
		    sl_rd_left(r));
	if (grow((void **)&dec->relids, &dec->relids_cap, n, sizeof *dec->relids) != SL_OK)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory decoding Truncate message");
	for (uint32_t i = 0; i < n; i++)
		sl_rd_be32(r, &dec->relids[i]); /* length checked above */
	t->cascade = (t->options & SL_PGO_TRUNCATE_CASCADE) != 0;
	t->restart_identity = (t->options & SL_PGO_TRUNCATE_RESTART_IDENTITY) != 0;
	t->nrels = (int)n;
	t->relids = dec->relids;
	return SL_OK;
}

static enum sl_err dec_message(struct sl_pgo_decoder *dec, struct sl_rd *r,
			       struct sl_pgo_msg *msg, struct sl_errbuf *eb)
{
	const char *name = "Message";
	struct sl_pgo_message *m = &msg->message;
	enum sl_err e = read_stream_xid(dec, r, msg, name, eb);
	if (e)
		return e;
	if (!sl_rd_u8(r, &m->flags))
		TRUNC("flags");
	if (!sl_rd_be64(r, &m->lsn))
		TRUNC("LSN");
	if (!sl_rd_cstr(r, &m->prefix, NULL))
		TRUNC("prefix");
	if (!sl_rd_be32(r, &m->content_len))
		TRUNC("content length");
	if (m->content_len > INT32_MAX)
		BAD("invalid Message message: negative content length");
	if (!sl_rd_bytes(r, m->content_len, &m->content))
		BAD("invalid Message message: content claims %u bytes, %zu left", m->content_len,
		    sl_rd_left(r));
	m->transactional = (m->flags & SL_PGO_MESSAGE_TRANSACTIONAL) != 0;
	return SL_OK;
}

static enum sl_err dec_stream_start(struct sl_pgo_decoder *dec, struct sl_rd *r,
				    struct sl_pgo_msg *msg, struct sl_errbuf *eb)
{
	const char *name = "Stream Start";
	struct sl_pgo_stream_start *s = &msg->stream_start;
	uint8_t first;
	if (dec->in_stream)
		BAD("unexpected Stream Start message: stream of transaction %u is still open",
		    dec->stream_xid);
	if (!sl_rd_be32(r, &s->xid))
		TRUNC("transaction id");
	if (!sl_rd_u8(r, &first))
		TRUNC("first segment flag");
	if (s->xid == 0)
		BAD("invalid Stream Start message: transaction id is 0");
	s->first_segment = first == 1;
	msg->xid = s->xid;
	return SL_OK;
}

static enum sl_err dec_stream_commit(struct sl_pgo_decoder *dec, struct sl_rd *r,
				     struct sl_pgo_msg *msg, struct sl_errbuf *eb)
{
	const char *name = "Stream Commit";
	struct sl_pgo_stream_commit *c = &msg->stream_commit;
	if (dec->in_stream)
		BAD("unexpected Stream Commit message inside a stream of transaction %u",
		    dec->stream_xid);
	if (!sl_rd_be32(r, &c->xid))
		TRUNC("transaction id");
	if (!sl_rd_u8(r, &c->flags))
		TRUNC("flags");
	if (!sl_rd_be64(r, &c->commit_lsn))
		TRUNC("commit LSN");
	if (!sl_rd_be64(r, &c->end_lsn))
		TRUNC("end LSN");
	if (!rd_i64(r, &c->commit_ts_pg))
		TRUNC("commit timestamp");
	c->commit_ts_unix_us = pg_to_unix_us(c->commit_ts_pg);
	msg->xid = c->xid;
	return SL_OK;
}

static enum sl_err dec_stream_abort(struct sl_pgo_decoder *dec, struct sl_rd *r,
				    struct sl_pgo_msg *msg, struct sl_errbuf *eb)
{
	const char *name = "Stream Abort";
	if (dec->in_stream)
		BAD("unexpected Stream Abort message inside a stream of transaction %u",
		    dec->stream_xid);
	if (!sl_rd_be32(r, &msg->stream_abort.xid))
		TRUNC("transaction id");
	if (!sl_rd_be32(r, &msg->stream_abort.subxid))
		TRUNC("subtransaction id");
	msg->xid = msg->stream_abort.xid;
	return SL_OK;
}

enum sl_err sl_pgo_decode(struct sl_pgo_decoder *dec, const uint8_t *data, size_t len,
			  struct sl_pgo_msg *msg, struct sl_errbuf *eb)
{
	if (!dec || !msg || (!data && len))
		return sl_err_set(eb, SL_ERR_ARG, "invalid argument to pgoutput decoder");
	memset(msg, 0, sizeof *msg);
	if (len == 0)
		return sl_err_set(eb, SL_ERR_PROTO, "invalid pgoutput message: empty payload");

	struct sl_rd r;
	sl_rd_init(&r, data, len);
	uint8_t t;
	sl_rd_u8(&r, &t);
	msg->type = (enum sl_pgo_type)t;
	msg->in_stream = dec->in_stream;

	enum sl_err e;
	switch (t) {
	case SL_PGO_BEGIN: e = dec_begin(dec, &r, msg, eb); break;
	case SL_PGO_COMMIT: e = dec_commit(dec, &r, msg, eb); break;
	case SL_PGO_ORIGIN: e = dec_origin(&r, msg, eb); break;
	case SL_PGO_RELATION: e = dec_relation(dec, &r, msg, eb); break;
	case SL_PGO_TYPE: e = dec_type(dec, &r, msg, eb); break;
	case SL_PGO_INSERT:
	case SL_PGO_UPDATE:
	case SL_PGO_DELETE: e = dec_change(dec, &r, msg, eb); break;
	case SL_PGO_TRUNCATE: e = dec_truncate(dec, &r, msg, eb); break;
	case SL_PGO_MESSAGE: e = dec_message(dec, &r, msg, eb); break;
	case SL_PGO_STREAM_START:
	case SL_PGO_STREAM_STOP:
	case SL_PGO_STREAM_COMMIT:
	case SL_PGO_STREAM_ABORT:
		if (dec->proto < 2)
			return sl_err_set(eb, SL_ERR_PROTO,
					  "unexpected %s message: streaming requires protocol "
					  "version 2, decoder uses version %d",
					  sl_pgo_type_name(t), dec->proto);
		if (t == SL_PGO_STREAM_START)
			e = dec_stream_start(dec, &r, msg, eb);
		else if (t == SL_PGO_STREAM_COMMIT)
			e = dec_stream_commit(dec, &r, msg, eb);
		else if (t == SL_PGO_STREAM_ABORT)
			e = dec_stream_abort(dec, &r, msg, eb);
		else if (!dec->in_stream)
			e = sl_err_set(eb, SL_ERR_PROTO,
				       "unexpected Stream Stop message: no stream is open");
		else
			e = SL_OK;
		break;
	default:
		return sl_err_set(eb, SL_ERR_PROTO,
				  "invalid pgoutput message: unknown message type 0x%02x",
				  (unsigned)t);
	}
	if (e != SL_OK)
		return e;
	if (sl_rd_left(&r) != 0)
		return sl_err_set(eb, SL_ERR_PROTO, "invalid %s message: %zu trailing bytes",
				  sl_pgo_type_name(t), sl_rd_left(&r));

	/* Only a fully valid message moves the stream state. */
	if (t == SL_PGO_STREAM_START) {
		dec->in_stream = true;
		dec->stream_xid = msg->stream_start.xid;
		msg->in_stream = true;
	} else if (t == SL_PGO_STREAM_STOP) {
		msg->xid = dec->stream_xid;
		dec->in_stream = false;
		dec->stream_xid = 0;
	}
	return SL_OK;
}

/* ---- text rendering ------------------------------------------------------ */

static enum sl_err fmt_quoted(struct sl_buf *b, const char *p, size_t n)
{
	enum sl_err e = sl_buf_putc(b, '\'');
	for (size_t i = 0; i < n && !e; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\'' || c == '\\')
			e = sl_buf_appendf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			e = sl_buf_appendf(b, "\\x%02x", c);
		else
			e = sl_buf_putc(b, (char)c);
	}
	return e ? e : sl_buf_putc(b, '\'');
}

static enum sl_err fmt_str(struct sl_buf *b, const char *key, const char *s)
{
	enum sl_err e = sl_buf_appendf(b, " %s=", key);
	return e ? e : fmt_quoted(b, s, strlen(s));
}

static enum sl_err fmt_lsn(struct sl_buf *b, const char *key, uint64_t lsn)
{
	return sl_buf_appendf(b, " %s=%X/%X", key, (unsigned)(lsn >> 32), (unsigned)lsn);
}

static enum sl_err fmt_row(struct sl_buf *b, const char *key, char kind, const struct sl_row *row)
{
	enum sl_err e = kind ? sl_buf_appendf(b, " %s=%c(", key, kind) : sl_buf_appendf(b, " %s=(", key);
	for (int i = 0; i < row->ncols && !e; i++) {
		const struct sl_value *v = &row->vals[i];
		if (i)
			e = sl_buf_putc(b, ',');
		if (e)
			break;
		if (v->kind == SL_VAL_NULL)
			e = sl_buf_puts(b, "null");
		else if (v->kind == SL_VAL_TOAST)
			e = sl_buf_puts(b, "toast");
		else if (v->kind == SL_VAL_ABSENT)
			e = sl_buf_puts(b, "-");
		else
			e = fmt_quoted(b, v->data, v->len);
	}
	return e ? e : sl_buf_putc(b, ')');
}

enum sl_err sl_pgo_msg_format(const struct sl_pgo_msg *m, struct sl_buf *b)
{
	enum sl_err e = sl_buf_appendf(b, "%c", (char)m->type);
	if (e)
		return e;
	switch (m->type) {
	case SL_PGO_BEGIN:
		e = sl_buf_appendf(b, " xid=%u", m->begin.xid);
		if (!e)
			e = fmt_lsn(b, "final_lsn", m->begin.final_lsn);
		if (!e)
			e = sl_buf_appendf(b, " ts=%lld unix_us=%lld", (long long)m->begin.commit_ts_pg,
					   (long long)m->begin.commit_ts_unix_us);
		return e;
	case SL_PGO_COMMIT:
		e = sl_buf_appendf(b, " flags=%u", m->commit.flags);
		if (!e)
			e = fmt_lsn(b, "commit_lsn", m->commit.commit_lsn);
		if (!e)
			e = fmt_lsn(b, "end_lsn", m->commit.end_lsn);
		if (!e)
			e = sl_buf_appendf(b, " ts=%lld unix_us=%lld", (long long)m->commit.commit_ts_pg,
					   (long long)m->commit.commit_ts_unix_us);
		return e;
	case SL_PGO_ORIGIN:
		e = fmt_lsn(b, "commit_lsn", m->origin.commit_lsn);
		return e ? e : fmt_str(b, "name", m->origin.name);
	case SL_PGO_RELATION: {
		const struct sl_pgo_relation *r = &m->relation;
		e = sl_buf_appendf(b, " xid=%u oid=%u", m->xid, r->oid);
		if (!e)
			e = fmt_str(b, "ns", r->nspname);
		if (!e)
			e = fmt_str(b, "name", r->relname);
		if (!e)
			e = sl_buf_appendf(b, " ri=%c cols=[", r->replident);
		for (int i = 0; i < r->ncols && !e; i++) {
			const struct sl_pgo_column *c = &r->cols[i];
			e = i ? sl_buf_putc(b, ',') : SL_OK;
			if (!e)
				e = fmt_quoted(b, c->name, strlen(c->name));
			if (!e)
				e = sl_buf_appendf(b, ":%u:%d%s", c->type_oid, c->typmod,
						   c->is_key ? ":key" : "");
		}
		return e ? e : sl_buf_putc(b, ']');
	}
	case SL_PGO_TYPE:
		e = sl_buf_appendf(b, " xid=%u oid=%u", m->xid, m->typ.oid);
		if (!e)
			e = fmt_str(b, "ns", m->typ.nspname);
		return e ? e : fmt_str(b, "name", m->typ.name);
	case SL_PGO_INSERT:
	case SL_PGO_UPDATE:
	case SL_PGO_DELETE:
		e = sl_buf_appendf(b, " xid=%u rel=%u", m->xid, m->change.relid);
		if (!e && m->change.has_old)
			e = fmt_row(b, "old", m->change.old_kind, &m->change.old_row);
		if (!e && m->change.has_new)
			e = fmt_row(b, "new", 0, &m->change.new_row);
		return e;
	case SL_PGO_TRUNCATE:
		e = sl_buf_appendf(b, " xid=%u opts=%u cascade=%d restart_identity=%d rels=[", m->xid,
				   m->truncate.options, m->truncate.cascade,
				   m->truncate.restart_identity);
		for (int i = 0; i < m->truncate.nrels && !e; i++)
			e = sl_buf_appendf(b, "%s%u", i ? "," : "", m->truncate.relids[i]);
		return e ? e : sl_buf_putc(b, ']');
	case SL_PGO_MESSAGE:
		e = sl_buf_appendf(b, " xid=%u transactional=%d", m->xid, m->message.transactional);
		if (!e)
			e = fmt_lsn(b, "lsn", m->message.lsn);
		if (!e)
			e = fmt_str(b, "prefix", m->message.prefix);
		if (!e)
			e = sl_buf_puts(b, " content=");
		return e ? e
			 : fmt_quoted(b, (const char *)m->message.content, m->message.content_len);
	case SL_PGO_STREAM_START:
		return sl_buf_appendf(b, " xid=%u first=%d", m->stream_start.xid,
				      m->stream_start.first_segment);
	case SL_PGO_STREAM_STOP:
		return sl_buf_appendf(b, " xid=%u", m->xid);
	case SL_PGO_STREAM_COMMIT:
		e = sl_buf_appendf(b, " xid=%u flags=%u", m->stream_commit.xid, m->stream_commit.flags);
		if (!e)
			e = fmt_lsn(b, "commit_lsn", m->stream_commit.commit_lsn);
		if (!e)
			e = fmt_lsn(b, "end_lsn", m->stream_commit.end_lsn);
		if (!e)
			e = sl_buf_appendf(b, " ts=%lld unix_us=%lld",
					   (long long)m->stream_commit.commit_ts_pg,
					   (long long)m->stream_commit.commit_ts_unix_us);
		return e;
	case SL_PGO_STREAM_ABORT:
		return sl_buf_appendf(b, " xid=%u subxid=%u", m->stream_abort.xid,
				      m->stream_abort.subxid);
	}
	return SL_OK;
}
