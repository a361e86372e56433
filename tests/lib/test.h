/* SPDX-License-Identifier: Apache-2.0
 *
 * test.h -- the unit-test harness: table-friendly checks and a summary line.
 *
 * Each test binary calls the checks and ends with `return t_done();`, which
 * prints "N passed, N failed" (the line tests/run.sh adds up) and returns
 * the exit status.  A failing check prints the file, line and both values.
 */
#ifndef SL_TEST_H
#define SL_TEST_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_pass __attribute__((unused));
static int t_fail __attribute__((unused));

__attribute__((unused, format(printf, 4, 5))) static bool t_ok(bool cond, const char *file,
							       int line, const char *fmt, ...)
{
	char name[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	if (cond) {
		t_pass++;
	} else {
		t_fail++;
		printf("not ok - %s (%s:%d)\n", name, file, line);
	}
	return cond;
}

/* The source tree's root, so fixtures open from any working directory:
 * the Makefile defines it for unit tests; T_SRC_ROOT in the environment
 * overrides it (a build tree moved elsewhere). */
#ifndef SL_SRC_ROOT
#define SL_SRC_ROOT "."
#endif
__attribute__((unused)) static const char *t_src_root(void)
{
	const char *env = getenv("T_SRC_ROOT");
	return env && *env ? env : SL_SRC_ROOT;
}

#define ok(cond, ...) t_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...)                                                            \
	do {                                                                              \
		long long g_ = (long long)(got), w_ = (long long)(want);                 \
		if (!t_ok(g_ == w_, __FILE__, __LINE__, __VA_ARGS__))                     \
			printf("#   got %lld, want %lld\n", g_, w_);                          \
	} while (0)

#define is_str(got, want, ...)                                                            \
	do {                                                                              \
		const char *g_ = (got), *w_ = (want);                                     \
		bool same_ = (g_ && w_) ? strcmp(g_, w_) == 0 : g_ == w_;                 \
		if (!t_ok(same_, __FILE__, __LINE__, __VA_ARGS__))                        \
			printf("#   got  %s\n#   want %s\n", g_ ? g_ : "(null)",          \
			       w_ ? w_ : "(null)");                                       \
	} while (0)

__attribute__((unused)) static void t_hexdump(const char *label, const void *p, size_t n)
{
	const unsigned char *b = p;
	printf("#   %s (%zu bytes):", label, n);
	for (size_t i = 0; i < n && i < 256; i++)
		printf("%s%02x", i % 16 ? " " : "\n#     ", b[i]);
	printf("\n");
}

#define is_mem(got, glen, want, wlen, ...)                                                \
	do {                                                                              \
		size_t gl_ = (glen), wl_ = (wlen);                                        \
		bool same_ = gl_ == wl_ && memcmp((got), (want), gl_) == 0;               \
		if (!t_ok(same_, __FILE__, __LINE__, __VA_ARGS__)) {                      \
			t_hexdump("got", (got), gl_);                                     \
			t_hexdump("want", (want), wl_);                                   \
		}                                                                         \
	} while (0)

__attribute__((unused)) static int t_done(void)
{
	printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
