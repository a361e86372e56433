/* SPDX-License-Identifier: Apache-2.0
 *
 * acks.c -- sliding window of acked flags plus a FIFO of commits.
 */
#include "pipeline/acks.h"

#include <stdlib.h>
#include <string.h>

void sl_acks_init(struct sl_acks *a, uint64_t start_seq)
{
	memset(a, 0, sizeof *a);
	a->next_seq = a->base = start_seq;
}

void sl_acks_free(struct sl_acks *a)
{
	free(a->ring);
	free(a->txns);
	memset(a, 0, sizeof *a);
}

/* Grow the ring so that seqs base..base+need-1 fit. */
static enum sl_err grow_ring(struct sl_acks *a, uint64_t need)
{
	if (need <= a->cap)
		return SL_OK;
	uint64_t cap = a->cap ? a->cap : 1024;
	while (cap < need)
		cap *= 2;
	uint8_t *ring = calloc(cap, 1);
	if (!ring)
		return SL_ERR_NOMEM;
	for (uint64_t s = a->base; s < a->next_seq; s++)
		ring[s & (cap - 1)] = a->ring[s & (a->cap - 1)];
	free(a->ring);
	a->ring = ring;
	a->cap = cap;
	return SL_OK;
}

enum sl_err sl_acks_next(struct sl_acks *a, uint64_t *seq)
{
	enum sl_err err = grow_ring(a, a->next_seq - a->base + 1);
	if (err)
		return err;
	a->ring[a->next_seq & (a->cap - 1)] = 0;
	*seq = a->next_seq++;
	return SL_OK;
}

static void advance(struct sl_acks *a)
{
	while (a->base < a->next_seq && a->ring[a->base & (a->cap - 1)])
		a->ring[a->base++ & (a->cap - 1)] = 0;
	while (a->txn_head != a->txn_tail) {
		struct sl_acks_txn *t = &a->txns[a->txn_head % a->txn_cap];
		if (t->end_seq > a->base)
			break;
		a->flush_lsn = t->lsn;
		a->txn_head++;
	}
}

void sl_acks_ack(struct sl_acks *a, uint64_t seq)
{
	if (seq < a->base || seq >= a->next_seq)
		return;
	a->ring[seq & (a->cap - 1)] = 1;
	if (seq == a->base)
		advance(a);
}

enum sl_err sl_acks_commit(struct sl_acks *a, uint64_t lsn)
{
	if (a->txn_tail - a->txn_head == a->txn_cap) {
		uint64_t cap = a->txn_cap ? a->txn_cap * 2 : 256;
		struct sl_acks_txn *t = malloc(cap * sizeof *t);
		if (!t)
			return SL_ERR_NOMEM;
		for (uint64_t i = a->txn_head; i < a->txn_tail; i++)
			t[i - a->txn_head] = a->txns[i % a->txn_cap];
		a->txn_tail -= a->txn_head;
		a->txn_head = 0;
		free(a->txns);
		a->txns = t;
		a->txn_cap = cap;
	}
	a->txns[a->txn_tail % a->txn_cap] = (struct sl_acks_txn){a->next_seq, lsn};
	a->txn_tail++;
	advance(a);
	return SL_OK;
}

uint64_t sl_acks_flush_lsn(const struct sl_acks *a)
{
	return a->flush_lsn;
}

bool sl_acks_idle(const struct sl_acks *a)
{
	return a->base == a->next_seq && a->txn_head == a->txn_tail;
}
