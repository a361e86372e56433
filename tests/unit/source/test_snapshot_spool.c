/* Unit tests: COPY text-format parsing (snapshot) and the streamed-transaction spool. */
#include "lib/test.h"
#include "source/pg/snapshot.h"
#include "source/pg/spool.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_copy_line(void)
{
	struct sl_value v[4];
	char l1[] = "1\tplain\t\\N\t\n";
	ok(sl_pg_copy_parse_line(l1, strlen(l1), v, 4), "four fields");
	is_int(v[0].kind, SL_VAL_TEXT, "text");
	ok(v[0].len == 1 && v[0].data[0] == '1', "value 1");
	ok(v[1].len == 5 && !memcmp(v[1].data, "plain", 5), "value plain");
	is_int(v[2].kind, SL_VAL_NULL, "\\N is NULL");
	ok(v[3].kind == SL_VAL_TEXT && v[3].len == 0, "empty last field is an empty string");

	char l2[] = "a\\tb\\\\c\\nd\t\\x41\\101\t\\\\N\n";
	ok(sl_pg_copy_parse_line(l2, strlen(l2), v, 3), "escapes");
	ok(v[0].len == 7 && !memcmp(v[0].data, "a\tb\\c\nd", 7), "tab, backslash, newline escapes");
	ok(v[1].len == 2 && !memcmp(v[1].data, "AA", 2), "hex and octal escapes");
	ok(v[2].kind == SL_VAL_TEXT && v[2].len == 2 && !memcmp(v[2].data, "\\N", 2),
	   "an escaped backslash before N is the text \\N, not NULL");

	char l3[] = "1\t2\n";
	ok(!sl_pg_copy_parse_line(l3, strlen(l3), v, 3), "too few fields is an error");
	char l4[] = "1\t2\t3\t4\n";
	ok(!sl_pg_copy_parse_line(l4, strlen(l4), v, 3), "too many fields is an error");
	char l5[] = "abc\\";
	ok(!sl_pg_copy_parse_line(l5, strlen(l5), v, 1), "a trailing backslash is an error");
	char l6[] = "\\x";
	ok(!sl_pg_copy_parse_line(l6, strlen(l6), v, 1), "\\x without digits is an error");
}

struct collected {
	char text[4096];
	size_t n;
};

static enum sl_err collect(void *ctx, const uint8_t *msg, size_t len, struct sl_errbuf *eb)
{
	(void)eb;
	struct collected *c = ctx;
	memcpy(c->text + c->n, msg, len);
	c->n += len;
	c->text[c->n++] = '|';
	c->text[c->n] = '\0';
	return SL_OK;
}

static void test_spool(void)
{
	char dir[] = "/tmp/sluice-spool-test.XXXXXX";
	ok(mkdtemp(dir) != NULL, "temp dir");
	struct sl_spool sp;
	struct sl_errbuf eb;
	is_int(sl_spool_init(&sp, dir, &eb), SL_OK, "init");
	/* xid 10: top-level a, subxact 11 writes b c, subxact 12 writes d, top-level e. */
	sl_spool_append(&sp, 10, 10, "a", 1, &eb);
	sl_spool_append(&sp, 10, 11, "b", 1, &eb);
	sl_spool_append(&sp, 10, 11, "c", 1, &eb);
	sl_spool_append(&sp, 10, 12, "d", 1, &eb);
	sl_spool_append(&sp, 20, 20, "x", 1, &eb); /* another transaction interleaved */
	is_int(sl_spool_abort(&sp, 10, 12, &eb), SL_OK, "abort subxact 12");
	sl_spool_append(&sp, 10, 10, "e", 1, &eb);
	ok(sl_spool_bytes(&sp) > 0, "bytes counted");
	struct collected c = {.n = 0};
	is_int(sl_spool_replay(&sp, 10, collect, &c, &eb), SL_OK, "replay 10");
	is_str(c.text, "a|b|c|e|", "subxact abort dropped exactly its messages");
	is_int(sl_spool_abort(&sp, 20, 20, &eb), SL_OK, "abort 20");
	c.n = 0;
	c.text[0] = '\0';
	is_int(sl_spool_replay(&sp, 20, collect, &c, &eb), SL_OK, "replay of an aborted xid");
	is_str(c.text, "", "an aborted transaction replays nothing");
	/* Aborting subxact 11 drops 11 and everything after it. */
	sl_spool_append(&sp, 30, 30, "p", 1, &eb);
	sl_spool_append(&sp, 30, 31, "q", 1, &eb);
	sl_spool_append(&sp, 30, 32, "r", 1, &eb);
	sl_spool_abort(&sp, 30, 31, &eb);
	c.n = 0;
	sl_spool_replay(&sp, 30, collect, &c, &eb);
	is_str(c.text, "p|", "a subxact abort also drops later subxacts");
	is_int((long long)sl_spool_bytes(&sp), 0, "nothing left");
	sl_spool_free(&sp);
	ok(rmdir(dir) == 0, "spool files removed");
}

int main(void)
{
	test_copy_line();
	test_spool();
	return t_done();
}
