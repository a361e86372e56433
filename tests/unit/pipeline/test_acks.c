/* Unit tests: pipeline/acks -- the flush LSN only moves past fully acked transactions. */
#include "lib/test.h"
#include "pipeline/acks.h"

#include <stdlib.h>

static void test_in_order(void)
{
	struct sl_acks a;
	uint64_t s1, s2, s3;
	sl_acks_init(&a, 0);
	sl_acks_next(&a, &s1);
	sl_acks_next(&a, &s2);
	sl_acks_commit(&a, 100);
	sl_acks_next(&a, &s3);
	sl_acks_commit(&a, 200);
	is_int(sl_acks_flush_lsn(&a), 0, "nothing acked");
	sl_acks_ack(&a, s2);
	is_int(sl_acks_flush_lsn(&a), 0, "second record acked before first: txn not done");
	sl_acks_ack(&a, s3);
	is_int(sl_acks_flush_lsn(&a), 0, "later txn acked: still blocked by the first");
	sl_acks_ack(&a, s1);
	is_int(sl_acks_flush_lsn(&a), 200, "all acked: newest commit");
	ok(sl_acks_idle(&a), "idle");
	sl_acks_ack(&a, s1);
	is_int(sl_acks_flush_lsn(&a), 200, "duplicate ack ignored");
	sl_acks_free(&a);
}

static void test_empty_txn(void)
{
	struct sl_acks a;
	sl_acks_init(&a, 5);
	sl_acks_commit(&a, 10);
	is_int(sl_acks_flush_lsn(&a), 10, "a transaction with no records is confirmable at once");
	uint64_t s;
	sl_acks_next(&a, &s);
	is_int(s, 5, "start seq");
	sl_acks_commit(&a, 20);
	sl_acks_commit(&a, 30);
	is_int(sl_acks_flush_lsn(&a), 10, "empty txn after an unacked one waits");
	ok(!sl_acks_idle(&a), "not idle");
	sl_acks_ack(&a, s);
	is_int(sl_acks_flush_lsn(&a), 30, "both confirmable after the ack");
	sl_acks_free(&a);
}

/* Random out-of-order acks over a large window: the flush LSN never
 * passes a transaction with an unacked record. */
static void test_random(void)
{
	struct sl_acks a;
	sl_acks_init(&a, 0);
	enum { N = 50000 };
	uint64_t *seqs = malloc(N * sizeof *seqs);
	uint64_t *txn_of = malloc(N * sizeof *txn_of);
	uint64_t ntxn = 0;
	for (uint64_t i = 0; i < N; i++) {
		sl_acks_next(&a, &seqs[i]);
		txn_of[i] = ntxn;
		if (rand() % 7 == 0)
			sl_acks_commit(&a, (++ntxn) * 10);
	}
	sl_acks_commit(&a, (++ntxn) * 10);
	/* Shuffle, then ack, checking the invariant as we go. */
	for (uint64_t i = N - 1; i > 0; i--) {
		uint64_t j = (uint64_t)rand() % (i + 1), t = seqs[i];
		seqs[i] = seqs[j];
		seqs[j] = t;
	}
	bool *acked = calloc(N, 1);
	int violations = 0;
	for (uint64_t i = 0; i < N; i++) {
		sl_acks_ack(&a, seqs[i]);
		acked[seqs[i]] = true;
		if (i % 997 == 0) {
			uint64_t lsn = sl_acks_flush_lsn(&a);
			/* Every record of txns with commit LSN <= lsn must be acked. */
			for (uint64_t k = 0; k < N && (txn_of[k] + 1) * 10 <= lsn; k++)
				if (!acked[k])
					violations++;
		}
	}
	is_int(violations, 0, "flush LSN never passes an unacked record");
	is_int(sl_acks_flush_lsn(&a), ntxn * 10, "all acked: last commit");
	free(acked);
	free(seqs);
	free(txn_of);
	sl_acks_free(&a);
}

int main(void)
{
	test_in_order();
	test_empty_txn();
	test_random();
	return t_done();
}
