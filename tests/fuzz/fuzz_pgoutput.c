/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_pgoutput.c -- libFuzzer target for the pgoutput decoder.
 *
 * Input layout: byte 0 holds flags (bit 0: protocol 2 instead of 1; bit 1:
 * start inside a stream of xid 7; bit 2: framed).  Unframed, the rest is one
 * XLogData payload.  Framed, the rest is a sequence of messages, each
 * preceded by a big-endian 16-bit length, decoded by one decoder so stream
 * state carries across them.  Every message decoded is also rendered, so
 * the formatter walks the views the decoder produced.  Each payload is
 * copied to an exact-size allocation so ASan sees any read past its end.
 * The decoder must return SL_OK or SL_ERR_PROTO, never anything else.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "source/pg/pgoutput.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(struct sl_pgo_decoder *d, const uint8_t *p, size_t n, struct sl_buf *b)
{
	uint8_t *copy = malloc(n ? n : 1);
	if (!copy)
		return;
	if (n)
		memcpy(copy, p, n);
	struct sl_pgo_msg m;
	struct sl_errbuf eb;
	enum sl_err e = sl_pgo_decode(d, copy, n, &m, &eb);
	if (e == SL_OK) {
		sl_buf_reset(b);
		sl_pgo_msg_format(&m, b);
	} else if (e != SL_ERR_PROTO) {
		abort();
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	struct sl_pgo_decoder *d;
	if (sl_pgo_decoder_new((flags & 1) ? 2 : 1, &d) != SL_OK)
		return 0;
	struct sl_buf b;
	sl_buf_init(&b, 0);
	if ((flags & 3) == 3)
		one(d, (const uint8_t *)"S\0\0\0\7\1", 6, &b);
	data++;
	size--;
	if (!(flags & 4)) {
		one(d, data, size, &b);
	} else {
		while (size >= 2) {
			size_t n = (size_t)data[0] << 8 | data[1];
			data += 2;
			size -= 2;
			if (n > size)
				n = size;
			one(d, data, n, &b);
			data += n;
			size -= n;
		}
	}
	sl_buf_free(&b);
	sl_pgo_decoder_free(d);
	return 0;
}
