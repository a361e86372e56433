/* Unit tests: core/buf, core/rd, core/err. */
#include "core/buf.h"
#include "core/rd.h"
#include "lib/test.h"

#include <stdlib.h>

static void test_buf(void)
{
	struct sl_buf b;
	sl_buf_init(&b, 0);
	is_int(sl_buf_puts(&b, "abc"), SL_OK, "puts");
	is_int(sl_buf_appendf(&b, "-%d-", 42), SL_OK, "appendf");
	is_str(b.data, "abc-42-", "content");
	/* A long formatted append takes the slow path. */
	char big[1000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	is_int(sl_buf_appendf(&b, "%s", big), SL_OK, "appendf long");
	is_int(b.len, 7 + 999, "long length");
	sl_buf_reset(&b);
	is_int(b.len, 0, "reset");
	is_str(b.data, "", "reset keeps a NUL");
	sl_buf_free(&b);

	sl_buf_init(&b, 4);
	is_int(sl_buf_puts(&b, "abcd"), SL_OK, "up to the cap");
	is_int(sl_buf_putc(&b, 'e'), SL_ERR_TOO_LARGE, "past the cap");
	is_str(b.data, "abcd", "content kept on overflow");
	char *s = sl_buf_steal(&b);
	is_str(s, "abcd", "steal");
	is_int(b.len, 0, "stolen buffer is empty");
	free(s);
	sl_buf_free(NULL);
}

static void test_rd(void)
{
	const uint8_t in[] = {0x01, 0x02, 0x03, 0x04, 0x05, 'h', 'i', 0, 0xff};
	struct sl_rd r;
	sl_rd_init(&r, in, sizeof in);
	uint8_t u8;
	uint32_t u32;
	uint64_t u64;
	ok(sl_rd_u8(&r, &u8) && u8 == 1, "u8");
	ok(sl_rd_be32(&r, &u32) && u32 == 0x02030405, "be32");
	const char *s;
	size_t n;
	ok(sl_rd_cstr(&r, &s, &n) && n == 2 && !strcmp(s, "hi"), "cstr");
	ok(!sl_rd_be64(&r, &u64), "short be64 fails");
	is_int(r.off, 8, "offset unchanged after a short read");
	ok(!sl_rd_cstr(&r, &s, &n), "cstr without NUL fails");
	uint8_t out[8];
	sl_wr_be64(out, 0x0102030405060708ULL);
	sl_rd_init(&r, out, 8);
	ok(sl_rd_be64(&r, &u64) && u64 == 0x0102030405060708ULL, "be64 round trip");
}

static void test_err(void)
{
	struct sl_errbuf eb;
	is_int(sl_err_set(&eb, SL_ERR_IO, "could not open \"%s\"", "x"), SL_ERR_IO, "err_set returns code");
	is_str(eb.msg, "could not open \"x\"", "err_set message");
	is_str(sl_err_str(SL_ERR_PROTO), "SL_ERR_PROTO", "err_str");
	is_str(sl_err_str((enum sl_err)999), "SL_ERR_UNKNOWN", "err_str out of range");
}

int main(void)
{
	test_buf();
	test_rd();
	test_err();
	return t_done();
}
