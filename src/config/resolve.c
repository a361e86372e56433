/* SPDX-License-Identifier: Apache-2.0
 *
 * resolve.c -- expand ${env:} and ${file:} references.
 *
 * The output is built in a struct sl_buf capped at SL_PROPS_VALUE_MAX, so a
 * value cannot grow without bound whatever the environment or files hold.
 * Files are opened non-blocking and must be regular, so a reference to a
 * FIFO or a device fails instead of hanging.
 */
#include "config/resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/props.h"
#include "core/buf.h"

enum sl_err sl_config_read_file(const char *path, size_t max, char **out, size_t *len,
			     struct sl_errbuf *eb)
{
	*out = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return sl_err_set(eb, errno == ENOENT ? SL_ERR_NOTFOUND : SL_ERR_IO,
				  "could not open file \"%s\": %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return sl_err_set(eb, SL_ERR_IO, "could not read file \"%s\": not a regular file",
				  path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return sl_err_set(eb, SL_ERR_TOO_LARGE,
				  "could not read file \"%s\": larger than %zu bytes", path, max);
	}
	size_t cap = (size_t)st.st_size + 1;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory reading \"%s\"", path);
	}
	size_t n = 0;
	for (;;) {
		if (n + 1 >= cap) {
			/* The file grew since fstat: stay within max. */
			if (cap > max) {
				free(buf);
				close(fd);
				return sl_err_set(eb, SL_ERR_TOO_LARGE,
						  "could not read file \"%s\": larger than %zu bytes",
						  path, max);
			}
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			if (ncap <= cap)
				ncap = cap + 1;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				close(fd);
				return sl_err_set(eb, SL_ERR_NOMEM, "out of memory reading \"%s\"",
						  path);
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;
			free(buf);
			close(fd);
			return sl_err_set(eb, SL_ERR_IO, "could not read file \"%s\": %s", path,
					  strerror(err));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return SL_OK;
}

struct find_ctx {
	const char *key;
	char *value; /* last match wins, like Properties */
	bool nomem;
};

static enum sl_err find_cb(void *ctx, const char *key, const char *value, int line,
			   struct sl_errbuf *eb)
{
	(void)line;
	(void)eb;
	struct find_ctx *f = ctx;
	if (strcmp(key, f->key) != 0)
		return SL_OK;
	char *v = strdup(value);
	if (!v) {
		f->nomem = true;
		return SL_ERR_NOMEM;
	}
	free(f->value);
	f->value = v;
	return SL_OK;
}

/* Look up `key` in the properties file `path`; *out is allocated. */
static enum sl_err file_lookup(const char *cfg_key, const char *ref, const char *path,
			       const char *key, char **out, struct sl_errbuf *eb)
{
	char *text;
	size_t len;
	struct sl_errbuf sub;
	enum sl_err e = sl_config_read_file(path, SL_RESOLVE_FILE_MAX, &text, &len, &sub);
	if (e != SL_OK)
		return sl_err_set(eb, SL_ERR_CONFIG, "config key \"%s\": reference %s: %s",
				  cfg_key, ref, sub.msg);
	struct find_ctx f = {key, NULL, false};
	e = sl_props_parse(text, len, find_cb, &f, &sub);
	free(text);
	if (e != SL_OK) {
		free(f.value);
		if (f.nomem)
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		return sl_err_set(eb, SL_ERR_CONFIG,
				  "config key \"%s\": reference %s: could not parse \"%s\": %s",
				  cfg_key, ref, path, sub.msg);
	}
	if (!f.value)
		return sl_err_set(eb, SL_ERR_CONFIG,
				  "config key \"%s\": reference %s: key \"%s\" not found in \"%s\"",
				  cfg_key, ref, key, path);
	*out = f.value;
	return SL_OK;
}

static bool provider_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

enum sl_err sl_config_resolve(const char *cfg_key, const char *value, char **out, bool *had_ref,
			   struct sl_errbuf *eb)
{
	*out = NULL;
	*had_ref = false;
	struct sl_buf b;
	sl_buf_init(&b, SL_PROPS_VALUE_MAX);
	enum sl_err e = sl_buf_reserve(&b, 1);
	if (e == SL_OK)
		b.data[0] = '\0'; /* reserve alone does not terminate */
	const char *p = value;
	char ref[SL_PROPS_KEY_MAX + 64];
	while (e == SL_OK && *p) {
		const char *open = strstr(p, "${");
		const char *close = open ? strchr(open + 2, '}') : NULL;
		if (!open || !close) {
			e = sl_buf_puts(&b, p);
			break;
		}
		const char *body = open + 2;
		size_t blen = (size_t)(close - body);
		size_t plen = 0;
		while (plen < blen && provider_char(body[plen]))
			plen++;
		if (plen == 0 || plen >= blen || body[plen] != ':') {
			/* Not a reference: keep "${" and go on after it. */
			e = sl_buf_append(&b, p, (size_t)(body - p));
			p = body;
			continue;
		}
		e = sl_buf_append(&b, p, (size_t)(open - p));
		if (e != SL_OK)
			break;
		/* The reference text itself is safe to show: it holds no value. */
		int rl = (int)(close - open + 1);
		if ((size_t)rl >= sizeof ref - 4)
			snprintf(ref, sizeof ref, "%.*s...}", (int)sizeof ref - 8, open);
		else
			snprintf(ref, sizeof ref, "%.*s", rl, open);
		const char *rest = body + plen + 1;
		size_t rlen = blen - plen - 1;
		char *arg = strndup(rest, rlen);
		if (!arg) {
			e = SL_ERR_NOMEM;
			break;
		}
		if (plen == 3 && !memcmp(body, "env", 3)) {
			/* Kafka also writes ${env::NAME} (empty path). */
			const char *name = arg[0] == ':' ? arg + 1 : arg;
			const char *v = *name ? getenv(name) : NULL;
			if (!*name)
				e = sl_err_set(eb, SL_ERR_CONFIG,
					       "config key \"%s\": reference %s names no variable",
					       cfg_key, ref);
			else if (!v)
				e = sl_err_set(eb, SL_ERR_CONFIG,
					       "config key \"%s\": environment variable \"%s\" "
					       "referenced by %s is not set",
					       cfg_key, name, ref);
			else
				e = sl_buf_puts(&b, v);
		} else if (plen == 4 && !memcmp(body, "file", 4)) {
			char *colon = strrchr(arg, ':');
			if (!colon || colon == arg || !colon[1]) {
				e = sl_err_set(eb, SL_ERR_CONFIG,
					       "config key \"%s\": reference %s must look like "
					       "${file:/path/to/file.properties:key}",
					       cfg_key, ref);
			} else {
				*colon = '\0';
				char *v = NULL;
				e = file_lookup(cfg_key, ref, arg, colon + 1, &v, eb);
				if (e == SL_OK)
					e = sl_buf_puts(&b, v);
				free(v);
			}
		} else {
			e = sl_err_set(eb, SL_ERR_CONFIG,
				       "config key \"%s\": unknown config provider \"%.*s\" in %s "
				       "(known: env, file)",
				       cfg_key, (int)plen, body, ref);
		}
		free(arg);
		*had_ref = true;
		p = close + 1;
	}
	if (e == SL_ERR_TOO_LARGE)
		e = sl_err_set(eb, SL_ERR_CONFIG,
			       "config key \"%s\": value is longer than %d bytes after resolving "
			       "references",
			       cfg_key, SL_PROPS_VALUE_MAX);
	else if (e == SL_ERR_NOMEM)
		e = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	if (e != SL_OK) {
		sl_buf_free(&b);
		*had_ref = false;
		return e;
	}
	*out = sl_buf_steal(&b);
	return SL_OK;
}
