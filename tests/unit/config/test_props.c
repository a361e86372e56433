/* Unit tests: config/props (Java-properties syntax), config/resolve
 * (${env:} and ${file:} references) and config/suggest. */
#include "config/props.h"
#include "config/resolve.h"
#include "config/suggest.h"
#include "lib/test.h"

#include <stdlib.h>
#include <unistd.h>

/* Collects "key=value;" pairs and the line of each entry. */
struct collect {
	char out[2048];
	int lines[32];
	int n;
};

static enum sl_err collect_cb(void *ctx, const char *key, const char *value, int line,
			      struct sl_errbuf *eb)
{
	(void)eb;
	struct collect *c = ctx;
	size_t o = strlen(c->out);
	snprintf(c->out + o, sizeof c->out - o, "%s=%s;", key, value);
	if (c->n < 32)
		c->lines[c->n] = line;
	c->n++;
	return SL_OK;
}

/* Parse text; return the collected pairs (static) or the error message. */
static const char *parse(const char *text, struct collect *c)
{
	static struct sl_errbuf eb;
	memset(c, 0, sizeof *c);
	if (sl_props_parse(text, strlen(text), collect_cb, c, &eb) != SL_OK)
		return eb.msg;
	return c->out;
}

static void test_separators(void)
{
	struct collect c;
	is_str(parse("a=1\nb: 2\nc 3\nd\te\n", &c), "a=1;b=2;c=3;d=e;", "=, :, blank, tab");
	is_str(parse("a = 1\n  b   :   2  \n", &c), "a=1;b=2;", "blanks trimmed around both");
	is_str(parse("a=\nb\nc:\n", &c), "a=;b=;c=;", "empty values");
	is_str(parse("a=b=c\nx:y:z\n", &c), "a=b=c;x=y:z;", "only the first separator splits");
	is_str(parse("a = = b\n", &c), "a== b;", "second = belongs to the value");
	is_str(parse("url=http://h:9/p?q=1#f\n", &c), "url=http://h:9/p?q=1#f;", "URL value");
	is_str(parse("a=x # not a comment\n", &c), "a=x # not a comment;", "# mid-line is data");
	is_str(parse("last=1", &c), "last=1;", "no final newline");
	is_str(parse("", &c), "", "empty input");
	is_str(parse("\n\n   \n\t\n", &c), "", "blank lines only");
}

static void test_comments(void)
{
	struct collect c;
	is_str(parse("# c\n! c\n  # indented\na=1\n", &c), "a=1;", "# and ! comments");
	is_str(parse("# comment \\\na=1\n", &c), "a=1;", "comment lines do not continue");
	is_str(parse("a=1\n#b=2\n", &c), "a=1;", "commented key");
	parse("# one\n\na=1\n! two\nb=2\n", &c);
	is_int(c.lines[0], 3, "line of a");
	is_int(c.lines[1], 5, "line of b");
}

static void test_continuation(void)
{
	struct collect c;
	is_str(parse("a=one \\\n    two\nb=3\n", &c), "a=one two;b=3;",
	       "continuation drops leading blanks");
	is_str(parse("list=x,\\\n  y,\\\n  z\n", &c), "list=x,y,z;", "several continuations");
	is_str(parse("a=x\\\\\nb=y\n", &c), "a=x\\;b=y;", "even backslashes do not continue");
	is_str(parse("a=x\\\\\\\n y\n", &c), "a=x\\y;", "odd backslashes continue");
	is_str(parse("a=x\\", &c), "a=x;", "continuation at end of input");
	is_str(parse("a=x\\\n", &c), "a=x;", "continuation onto nothing");
	is_str(parse("a=x\\\n# y\n", &c), "a=x# y;", "continued line is never a comment");
	is_str(parse("ke\\\n  y=v\n", &c), "key=v;", "continuation inside a key");
	parse("a=1\\\n2\nb=3\n", &c);
	is_int(c.lines[0], 1, "entry line is where it starts");
	is_int(c.lines[1], 3, "line after a continuation");
}

static void test_line_endings(void)
{
	struct collect c;
	is_str(parse("a=1\r\nb=2\r\n", &c), "a=1;b=2;", "CRLF");
	is_str(parse("a=1\rb=2\r", &c), "a=1;b=2;", "CR");
	is_str(parse("a=1\\\r\n  2\r\n", &c), "a=12;", "CRLF continuation");
	parse("a=1\r\n\r\nb=2\n", &c);
	is_int(c.lines[1], 3, "CRLF counts one line");
	is_str(parse("a=1\r\n\r\n\\u12\n", &c), "line 3: malformed \\uXXXX escape in key",
	       "error line after CRLF");
}

static void test_escapes(void)
{
	struct collect c;
	is_str(parse("a=t\\tn\\nr\\rf\\f\n", &c), "a=t\tn\nr\rf\f;", "\\t \\n \\r \\f");
	is_str(parse("a=\\u00e9\\u20AC\n", &c), "a=\xc3\xa9\xe2\x82\xac;", "\\u to UTF-8");
	is_str(parse("a=\\uD83D\\uDE00\n", &c), "a=\xf0\x9f\x98\x80;", "surrogate pair");
	is_str(parse("a=\\q\\\\\\#\n", &c), "a=q\\#;", "unknown escapes drop the backslash");
	is_str(parse("a\\=b=c\n", &c), "a=b=c;", "escaped = in key");
	is_str(parse("a\\ b\\:c = d\n", &c), "a b:c=d;", "escaped blank and colon in key");
	is_str(parse("a=x\\ \n", &c), "a=x ;", "escaped trailing blank kept");
	is_str(parse("a=\\ x\n", &c), "a= x;", "escaped leading blank kept");
	is_str(parse("a=x   \t\n", &c), "a=x;", "trailing blanks trimmed");
	is_str(parse("\\#a=1\n", &c), "#a=1;", "escaped # starts a key");
	is_str(parse("a=caf\xc3\xa9\n", &c), "a=caf\xc3\xa9;", "raw UTF-8 passes through");
	is_str(parse("x=1\na=\\u12g4\n", &c), "line 2: malformed \\uXXXX escape in value",
	       "malformed \\u");
	is_str(parse("a=\\u12", &c), "line 1: malformed \\uXXXX escape in value", "short \\u");
	is_str(parse("a=\\u0000\n", &c), "line 1: \\u0000 is not allowed in value", "\\u0000");
	is_str(parse("a=\\uD800x\n", &c), "line 1: unpaired surrogate \\uD800 in value",
	       "lone high surrogate");
	is_str(parse("a=\\uDC00\n", &c), "line 1: unpaired surrogate \\uDC00 in value",
	       "lone low surrogate");
}

static void test_errors(void)
{
	struct collect c;
	struct sl_errbuf eb;
	is_str(parse("a=1\n=2\n", &c), "line 2: missing key before the value", "empty key");
	is_str(parse(": x\n", &c), "line 1: missing key before the value", "empty key with :");
	const char nul[] = "a=1\nb=\0x\n";
	memset(&c, 0, sizeof c);
	is_int(sl_props_parse(nul, sizeof nul - 1, collect_cb, &c, &eb), SL_ERR_CONFIG, "NUL");
	is_str(eb.msg, "line 2: NUL byte in configuration text", "NUL message");
	is_int(c.n, 0, "nothing delivered before a NUL error");

	char big[400];
	memset(big, 'k', 300);
	strcpy(big + 300, "=v\n");
	is_str(parse(big, &c), "line 1: key is longer than 255 bytes", "key cap");
	size_t vn = SL_PROPS_VALUE_MAX + 10;
	char *val = malloc(vn + 8);
	memcpy(val, "a=", 2);
	memset(val + 2, 'v', vn);
	val[vn + 2] = '\0';
	is_str(parse(val, &c), "line 1: value is longer than 65536 bytes", "value cap");
	free(val);
}

static void test_resolve(void)
{
	struct sl_errbuf eb;
	char *out;
	bool ref;
	setenv("SLT_PW", "hunter2", 1);
	setenv("SLT_EMPTY", "", 1);
	unsetenv("SLT_MISSING");

	is_int(sl_config_resolve("k", "plain", &out, &ref, &eb), SL_OK, "no reference");
	is_str(out, "plain", "unchanged");
	ok(!ref, "no reference flagged");
	free(out);

	is_int(sl_config_resolve("k", "pw=${env:SLT_PW}!", &out, &ref, &eb), SL_OK, "env");
	is_str(out, "pw=hunter2!", "env resolved in place");
	ok(ref, "reference flagged");
	free(out);
	is_int(sl_config_resolve("k", "${env::SLT_PW}", &out, &ref, &eb), SL_OK, "env with empty path");
	is_str(out, "hunter2", "${env::NAME}");
	free(out);
	is_int(sl_config_resolve("k", "[${env:SLT_EMPTY}]", &out, &ref, &eb), SL_OK, "empty env");
	is_str(out, "[]", "empty variable is a value");
	free(out);
	is_int(sl_config_resolve("k", "${env:SLT_PW}${env:SLT_PW}", &out, &ref, &eb), SL_OK, "two");
	is_str(out, "hunter2hunter2", "two references");
	free(out);

	/* Not references: kept literally. */
	is_int(sl_config_resolve("k", "$ ${ ${x} ${a b:c} ${env:X", &out, &ref, &eb), SL_OK, "literal");
	is_str(out, "$ ${ ${x} ${a b:c} ${env:X", "non-references kept");
	ok(!ref, "literal is no reference");
	free(out);
	is_int(sl_config_resolve("k", "${env:SLT_PW}", &out, &ref, &eb), SL_OK, "resolved once");
	free(out);
	setenv("SLT_NESTED", "${env:SLT_PW}", 1);
	is_int(sl_config_resolve("k", "${env:SLT_NESTED}", &out, &ref, &eb), SL_OK, "nested");
	is_str(out, "${env:SLT_PW}", "resolved text is not scanned again");
	free(out);

	is_int(sl_config_resolve("database.password", "${env:SLT_MISSING}", &out, &ref, &eb),
	       SL_ERR_CONFIG, "missing env");
	is_str(eb.msg,
	       "config key \"database.password\": environment variable \"SLT_MISSING\" "
	       "referenced by ${env:SLT_MISSING} is not set",
	       "missing env message");
	ok(out == NULL, "no output on error");
	is_int(sl_config_resolve("k", "${vault:secret/x:y}", &out, &ref, &eb), SL_ERR_CONFIG,
	       "unknown provider");
	is_str(eb.msg,
	       "config key \"k\": unknown config provider \"vault\" in ${vault:secret/x:y} "
	       "(known: env, file)",
	       "unknown provider message");
	is_int(sl_config_resolve("k", "${file:nokey}", &out, &ref, &eb), SL_ERR_CONFIG, "bad file ref");
	ok(strstr(eb.msg, "must look like ${file:/path/to/file.properties:key}") != NULL,
	   "bad file reference explains the syntax: %s", eb.msg);

	/* ${file:path:key} reads a properties file. */
	char path[] = "/tmp/sl-test-props-XXXXXX";
	int fd = mkstemp(path);
	ok(fd >= 0, "temp file");
	const char *props = "# secrets\ndb.password = s3cr\\u00e9t\nother: x\ndb.password=final\n";
	ok(write(fd, props, strlen(props)) == (ssize_t)strlen(props), "write temp file");
	close(fd);
	char ref_text[256];
	snprintf(ref_text, sizeof ref_text, "${file:%s:other}", path);
	is_int(sl_config_resolve("k", ref_text, &out, &ref, &eb), SL_OK, "file reference");
	is_str(out, "x", "file value");
	ok(ref, "file reference flagged");
	free(out);
	snprintf(ref_text, sizeof ref_text, "${file:%s:db.password}", path);
	is_int(sl_config_resolve("k", ref_text, &out, &ref, &eb), SL_OK, "file reference, repeated key");
	is_str(out, "final", "last definition wins");
	free(out);
	snprintf(ref_text, sizeof ref_text, "${file:%s:absent}", path);
	is_int(sl_config_resolve("database.password", ref_text, &out, &ref, &eb), SL_ERR_CONFIG,
	       "missing file key");
	char want[512];
	snprintf(want, sizeof want,
		 "config key \"database.password\": reference %s: key \"absent\" not found in "
		 "\"%s\"",
		 ref_text, path);
	is_str(eb.msg, want, "missing file key message");
	ok(!strstr(eb.msg, "final") && !strstr(eb.msg, "s3cr"), "no file value in the message");
	unlink(path);
	is_int(sl_config_resolve("k", ref_text, &out, &ref, &eb), SL_ERR_CONFIG, "missing file");
	ok(strstr(eb.msg, "could not open file") && strstr(eb.msg, "No such file"),
	   "missing file message: %s", eb.msg);
	is_int(sl_config_resolve("k", "${file:/tmp:x}", &out, &ref, &eb), SL_ERR_CONFIG, "directory");
	ok(strstr(eb.msg, "not a regular file") != NULL, "directory refused: %s", eb.msg);
	is_int(sl_config_resolve("k", "${file:/dev/zero:x}", &out, &ref, &eb), SL_ERR_CONFIG,
	       "device");
	ok(strstr(eb.msg, "not a regular file") != NULL, "device refused: %s", eb.msg);
}

static void test_suggest(void)
{
	struct sl_config_suggest s;
	const char *cands[] = {"database.hostname", "database.port", "slot.name", "snapshot.mode",
			       "topic.prefix"};
	struct {
		const char *word, *want;
	} cases[] = {
		{"databse.port", "database.port"},   {"database.prot", "database.port"},
		{"slot_name", "slot.name"},          {"SLOT.NAME", "slot.name"},
		{"hostname", "database.hostname"},   {"topic-prefix", "topic.prefix"},
		{"snapshot.mod", "snapshot.mode"},   {"completely.different", NULL},
		{"x", NULL},                         {"", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sl_config_suggest_init(&s, cases[i].word);
		for (size_t j = 0; j < sizeof cands / sizeof cands[0]; j++)
			sl_config_suggest_offer(&s, cands[j]);
		is_str(sl_config_suggest_best(&s), cases[i].want, "suggest for \"%s\"", cases[i].word);
	}
	sl_config_suggest_init(&s, "initail");
	sl_config_suggest_offer_list(&s, "initial|initial_only|no_data");
	const char *b = sl_config_suggest_best(&s);
	ok(b && strcspn(b, "|") == 7 && !strncmp(b, "initial", 7), "suggest from a | list");
	is_int(sl_config_suggest_distance("ab", 2, "ba", 2), 1, "transposition costs 1");
	is_int(sl_config_suggest_distance("abc", 3, "", 0), 3, "to empty");
	char longw[300];
	memset(longw, 'a', sizeof longw);
	ok(sl_config_suggest_distance(longw, sizeof longw, "a", 1) == SIZE_MAX, "long word skipped");
}

int main(void)
{
	test_separators();
	test_comments();
	test_continuation();
	test_line_endings();
	test_escapes();
	test_errors();
	test_resolve();
	test_suggest();
	return t_done();
}
