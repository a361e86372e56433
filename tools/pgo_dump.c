/* SPDX-License-Identifier: Apache-2.0
 *
 * pgo_dump.c -- print decoded pgoutput messages, one line each.
 *
 *   pgo_dump [-p PROTO] [-k] [FILE]      hex input, one message per line
 *   pgo_dump [-p PROTO] [-k] -b FILE...  each FILE holds one raw message
 *
 * Hex lines are what `psql -At -c "SELECT lsn, data FROM
 * pg_logical_slot_peek_binary_changes(...)"` prints: an optional "LSN|"
 * prefix, then the bytea in hex form ("\x4201...") or bare hex.  Empty
 * lines and lines starting with '#' are skipped.  One decoder is used for
 * the whole run, so stream state carries across lines as it does on a
 * replication connection.  The output lines are sl_pgo_msg_format()'s;
 * errors go to stderr as "line N: message" and make the exit status 1
 * (with -k decoding goes on after an error, resetting nothing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/hex.h"
#include "source/pg/pgoutput.h"

/* Decode the hex in `s` (after any "LSN|" and "\x") into out; false if bad. */
static bool parse_hex_line(char *s, struct sl_buf *out)
{
	char *bar = strchr(s, '|');
	if (bar)
		s = bar + 1;
	if (s[0] == '\\' && s[1] == 'x')
		s += 2;
	size_t n = strcspn(s, "\r\n");
	if (n % 2)
		return false;
	sl_buf_reset(out);
	for (size_t i = 0; i < n; i += 2) {
		int hi = sl_hex_digit((unsigned char)s[i]), lo = sl_hex_digit((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		if (sl_buf_putc(out, (char)(hi << 4 | lo)) != SL_OK)
			return false;
	}
	return true;
}

static int decode_one(struct sl_pgo_decoder *dec, const struct sl_buf *in, const char *where,
		      struct sl_buf *line)
{
	struct sl_pgo_msg msg;
	struct sl_errbuf eb;
	enum sl_err e = sl_pgo_decode(dec, (const uint8_t *)in->data, in->len, &msg, &eb);
	if (e != SL_OK) {
		fprintf(stderr, "%s: %s: %s\n", where, sl_err_str(e), eb.msg);
		return 1;
	}
	sl_buf_reset(line);
	if (sl_pgo_msg_format(&msg, line) != SL_OK) {
		fprintf(stderr, "%s: out of memory\n", where);
		return 1;
	}
	printf("%s\n", line->data);
	return 0;
}

static int read_file(const char *path, struct sl_buf *out)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	sl_buf_reset(out);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (sl_buf_append(out, chunk, n) != SL_OK) {
			fclose(f);
			return 1;
		}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	int proto = 2, opt;
	bool binary = false, keep_going = false;
	while ((opt = getopt(argc, argv, "p:bk")) != -1) {
		switch (opt) {
		case 'p': proto = atoi(optarg); break;
		case 'b': binary = true; break;
		case 'k': keep_going = true; break;
		default:
			fprintf(stderr, "usage: pgo_dump [-p PROTO] [-k] [FILE] | -b FILE...\n");
			return 2;
		}
	}
	struct sl_pgo_decoder *dec;
	if (sl_pgo_decoder_new(proto, &dec) != SL_OK) {
		fprintf(stderr, "pgo_dump: invalid protocol version %d\n", proto);
		return 2;
	}
	struct sl_buf in, line;
	sl_buf_init(&in, 0);
	sl_buf_init(&line, 0);
	int bad = 0;
	if (binary) {
		for (int i = optind; i < argc && (!bad || keep_going); i++) {
			if (read_file(argv[i], &in))
				bad++;
			else
				bad += decode_one(dec, &in, argv[i], &line);
		}
	} else {
		FILE *f = stdin;
		if (optind < argc && !(f = fopen(argv[optind], "r"))) {
			perror(argv[optind]);
			return 2;
		}
		char *text = NULL;
		size_t cap = 0;
		long lineno = 0;
		while (getline(&text, &cap, f) > 0 && (!bad || keep_going)) {
			lineno++;
			if (text[0] == '\n' || text[0] == '#')
				continue;
			char where[64];
			snprintf(where, sizeof where, "line %ld", lineno);
			if (!parse_hex_line(text, &in)) {
				fprintf(stderr, "%s: not a hex message\n", where);
				bad++;
				continue;
			}
			bad += decode_one(dec, &in, where, &line);
		}
		free(text);
		if (f != stdin)
			fclose(f);
	}
	sl_buf_free(&in);
	sl_buf_free(&line);
	sl_pgo_decoder_free(dec);
	return bad ? 1 : 0;
}
