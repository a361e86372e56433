/* SPDX-License-Identifier: Apache-2.0
 *
 * pgoutput.h -- decoder for PostgreSQL's logical replication messages
 * (output plugin pgoutput, protocol versions 1 and 2).
 *
 * The decoder turns one XLogData payload (the bytes after the 'w' header of
 * a CopyData message) into a struct sl_pgo_msg.  It is a pure parser: it
 * keeps no relation cache and does no I/O.  Its only state is the protocol
 * version and whether a v2 stream (Stream Start .. Stream Stop) is open,
 * because inside a stream Relation, Type, Insert, Update, Delete, Truncate
 * and Message carry an extra leading xid.
 *
 * Ownership: every pointer in a decoded message BORROWS either from the
 * input bytes or from arrays owned by the decoder (relation columns, tuple
 * values, truncate relids).  A message is valid until the next
 * sl_pgo_decode() or sl_pgo_decoder_free() on the same decoder, and only as
 * long as the input bytes are.  Strings (namespace, names, prefix) point
 * into the input and are NUL-terminated there; tuple values are NOT.
 *
 * Untrusted input: any malformed, truncated or unexpected message returns
 * SL_ERR_PROTO with a message naming the message type and the problem; the
 * decoder never reads past `len` and its stream state is unchanged on
 * error.  Column counts are capped at 1664 (MaxTupleAttributeNumber).
 */
#ifndef SL_SOURCE_PG_PGOUTPUT_H
#define SL_SOURCE_PG_PGOUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "event/event.h"

/* Message type: the first byte of the payload. */
enum sl_pgo_type {
	SL_PGO_BEGIN = 'B',
	SL_PGO_COMMIT = 'C',
	SL_PGO_ORIGIN = 'O',
	SL_PGO_RELATION = 'R',
	SL_PGO_TYPE = 'Y',
	SL_PGO_INSERT = 'I',
	SL_PGO_UPDATE = 'U',
	SL_PGO_DELETE = 'D',
	SL_PGO_TRUNCATE = 'T',
	SL_PGO_MESSAGE = 'M',
	SL_PGO_STREAM_START = 'S',
	SL_PGO_STREAM_STOP = 'E',
	SL_PGO_STREAM_COMMIT = 'c',
	SL_PGO_STREAM_ABORT = 'A'
};

/* PostgreSQL's limit on columns in a tuple (MaxTupleAttributeNumber). */
#define SL_PGO_MAX_COLS 1664

/* Seconds from 1970-01-01 to PostgreSQL's epoch 2000-01-01, in microseconds. */
#define SL_PGO_EPOCH_OFFSET_US INT64_C(946684800000000)

/* Relation column flag: the column is part of the replica identity key. */
#define SL_PGO_COL_KEY 0x01

/* Truncate option bits. */
#define SL_PGO_TRUNCATE_CASCADE 0x01
#define SL_PGO_TRUNCATE_RESTART_IDENTITY 0x02

/* Message flag: the logical decoding message is transactional. */
#define SL_PGO_MESSAGE_TRANSACTIONAL 0x01

struct sl_pgo_column {
	uint8_t flags;      /* raw flags byte; SL_PGO_COL_KEY = key column */
	bool is_key;        /* flags & SL_PGO_COL_KEY */
	const char *name;   /* borrowed, NUL-terminated */
	uint32_t type_oid;
	int32_t typmod;     /* atttypmod; -1 when none */
};

struct sl_pgo_begin {
	uint64_t final_lsn;        /* LSN of the commit record */
	int64_t commit_ts_pg;      /* microseconds since 2000-01-01 (wire value) */
	int64_t commit_ts_unix_us; /* the same, microseconds since 1970-01-01 */
	uint32_t xid;
};

struct sl_pgo_commit {
	uint8_t flags;             /* currently unused by PostgreSQL (0) */
	uint64_t commit_lsn;
	uint64_t end_lsn;          /* end of the commit record: the LSN to confirm */
	int64_t commit_ts_pg;
	int64_t commit_ts_unix_us;
};

struct sl_pgo_origin {
	uint64_t commit_lsn;       /* commit LSN on the origin server */
	const char *name;          /* borrowed */
};

struct sl_pgo_relation {
	uint32_t oid;
	const char *nspname;       /* borrowed; "" means pg_catalog */
	const char *relname;       /* borrowed */
	char replident;            /* 'd' default, 'n' nothing, 'f' full, 'i' index */
	int ncols;
	const struct sl_pgo_column *cols; /* decoder-owned array of ncols */
};

struct sl_pgo_typemsg {
	uint32_t oid;
	const char *nspname;       /* borrowed; "" means pg_catalog */
	const char *name;          /* borrowed */
};

/* Insert, Update and Delete.  Tuples use event.h's value model: kinds
 * SL_VAL_NULL ('n'), SL_VAL_TOAST ('u', unchanged TOASTed value, no data)
 * and SL_VAL_TEXT ('t').  Binary values ('b') are refused with
 * SL_ERR_PROTO: sluice never asks for binary mode.  old_kind is 'K' (old
 * key columns only; non-key columns arrive as 'n'), 'O' (whole old row,
 * REPLICA IDENTITY FULL) or 0 when there is no old tuple. */
struct sl_pgo_change {
	uint32_t relid;
	char old_kind;             /* 'K', 'O' or 0 */
	bool has_old;              /* Update with K/O, and always for Delete */
	bool has_new;              /* Insert and Update */
	struct sl_row old_row;     /* vals decoder-owned; ncols 0 when !has_old */
	struct sl_row new_row;     /* vals decoder-owned; ncols 0 when !has_new */
};

struct sl_pgo_truncate {
	uint8_t options;           /* raw option bits */
	bool cascade;              /* options & SL_PGO_TRUNCATE_CASCADE */
	bool restart_identity;     /* options & SL_PGO_TRUNCATE_RESTART_IDENTITY */
	int nrels;
	const uint32_t *relids;    /* decoder-owned array of nrels */
};

struct sl_pgo_message {
	uint8_t flags;
	bool transactional;        /* flags & SL_PGO_MESSAGE_TRANSACTIONAL */
	uint64_t lsn;
	const char *prefix;        /* borrowed */
	const uint8_t *content;    /* borrowed, content_len bytes, not NUL-terminated */
	uint32_t content_len;
};

struct sl_pgo_stream_start {
	uint32_t xid;
	bool first_segment;        /* first chunk of this transaction */
};

struct sl_pgo_stream_commit {
	uint32_t xid;
	uint8_t flags;
	uint64_t commit_lsn;
	uint64_t end_lsn;
	int64_t commit_ts_pg;
	int64_t commit_ts_unix_us;
};

struct sl_pgo_stream_abort {
	uint32_t xid;              /* top-level transaction */
	uint32_t subxid;           /* aborted (sub)transaction; == xid for the whole one */
};

/* One decoded message: `type` says which member of the union is valid. */
struct sl_pgo_msg {
	enum sl_pgo_type type;
	/* True for messages decoded between Stream Start and Stream Stop. */
	bool in_stream;
	/* The transaction the wire names for this message: Begin's xid, Stream
	 * Start/Commit/Abort's xid, and the streamed xid that Relation, Type,
	 * Insert, Update, Delete, Truncate and Message carry inside a stream.
	 * 0 (InvalidTransactionId) when the wire has none. */
	uint32_t xid;
	union {
		struct sl_pgo_begin begin;
		struct sl_pgo_commit commit;
		struct sl_pgo_origin origin;
		struct sl_pgo_relation relation;
		struct sl_pgo_typemsg typ;
		struct sl_pgo_change change;     /* Insert, Update, Delete */
		struct sl_pgo_truncate truncate;
		struct sl_pgo_message message;
		struct sl_pgo_stream_start stream_start;
		struct sl_pgo_stream_commit stream_commit;
		struct sl_pgo_stream_abort stream_abort;
	};
};

struct sl_pgo_decoder; /* proto version, in-stream state, reusable arrays */

/* Create a decoder for protocol version 1 or 2 (SL_ERR_ARG otherwise). */
enum sl_err sl_pgo_decoder_new(int proto_version, struct sl_pgo_decoder **out);
/* Free the decoder and its arrays.  NULL is a no-op. */
void sl_pgo_decoder_free(struct sl_pgo_decoder *dec);
/* Forget the stream state (e.g. after reconnecting); keeps the arrays. */
void sl_pgo_decoder_reset(struct sl_pgo_decoder *dec);
/* True while a v2 stream is open (after Stream Start, before Stream Stop). */
bool sl_pgo_decoder_in_stream(const struct sl_pgo_decoder *dec);

/* Decode one XLogData payload.  On success *msg is filled with views that
 * BORROW from `data` and from the decoder: valid until the next decode call.
 * Errors: SL_ERR_PROTO (malformed input; eb names the message type and the
 * fault), SL_ERR_NOMEM, SL_ERR_ARG (NULL decoder or msg). */
enum sl_err sl_pgo_decode(struct sl_pgo_decoder *dec, const uint8_t *data, size_t len,
			  struct sl_pgo_msg *msg, struct sl_errbuf *eb);

/* Human name of a message type, e.g. "Stream Commit"; "unknown" otherwise. */
const char *sl_pgo_type_name(int type);

/* Append a one-line, stable text rendering of a decoded message to `out`
 * (no newline): for logs, tools/pgo_dump and the golden fixtures.  Example:
 *   I xid=0 rel=16385 new=(t'1',n,u)
 * Values are quoted with ' and escaped: \' \\ and \xNN for bytes outside
 * printable ASCII.  Returns SL_ERR_NOMEM / SL_ERR_TOO_LARGE from the buffer. */
struct sl_buf;
enum sl_err sl_pgo_msg_format(const struct sl_pgo_msg *msg, struct sl_buf *out);

#endif
