/* SPDX-License-Identifier: Apache-2.0
 *
 * acks.h -- the delivery invariant, as a data structure.
 *
 * Records get strictly increasing sequence numbers when produced.  Sinks
 * ack them in any order.  A transaction is registered at its commit with
 * the sequence number one past its last record and its commit end LSN.
 * sl_acks_flush_lsn() returns the end LSN of the newest transaction whose
 * records -- and every record before them -- are all acked: the only LSN
 * that may be confirmed to PostgreSQL.
 *
 * Memory is proportional to the records in flight (bounded by the sink's
 * queue), not to the stream.
 */
#ifndef SL_PIPELINE_ACKS_H
#define SL_PIPELINE_ACKS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct sl_acks {
	uint64_t next_seq;   /* next number to hand out */
	uint64_t base;       /* every seq < base is acked */
	uint8_t *ring;       /* acked flags for seqs base.. base+cap-1 */
	uint64_t cap;        /* power of two */
	struct sl_acks_txn {
		uint64_t end_seq; /* one past the txn's last record */
		uint64_t lsn;     /* LSN to confirm once delivered */
	} *txns;
	uint64_t txn_head, txn_tail, txn_cap; /* FIFO of pending commits */
	uint64_t flush_lsn;  /* newest confirmable LSN */
	bool failed;         /* a record was acked with an error */
};

void sl_acks_init(struct sl_acks *a, uint64_t start_seq);
void sl_acks_free(struct sl_acks *a);
/* Hand out the next sequence number (grows the window as needed). */
enum sl_err sl_acks_next(struct sl_acks *a, uint64_t *seq);
/* Record a delivery; a repeated or unknown seq is ignored. */
void sl_acks_ack(struct sl_acks *a, uint64_t seq);
/* Register a commit covering every seq handed out so far. */
enum sl_err sl_acks_commit(struct sl_acks *a, uint64_t lsn);
/* Newest LSN whose transaction and all before it are acked (0 = none yet). */
uint64_t sl_acks_flush_lsn(const struct sl_acks *a);
/* True when nothing handed out is unacked and no commit is pending. */
bool sl_acks_idle(const struct sl_acks *a);

#endif
