/* SPDX-License-Identifier: Apache-2.0
 *
 * state.c -- durable key=value state file.
 */
#include "pipeline/state.h"

#include "core/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum sl_err sl_state_load(struct sl_state *st, const char *dir, const char *name,
			  struct sl_errbuf *eb)
{
	memset(st, 0, sizeof *st);
	if (sl_mkdir_p(dir) != 0)
		return sl_err_set(eb, SL_ERR_IO, "could not create state directory \"%s\": %s", dir,
				  strerror(errno));
	size_t n = strlen(dir) + strlen(name) + 16;
	st->path = malloc(n);
	if (!st->path)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	snprintf(st->path, n, "%s/%s.state", dir, name);
	FILE *f = fopen(st->path, "r");
	if (!f)
		return errno == ENOENT ? SL_OK
				       : sl_err_set(eb, SL_ERR_IO, "could not read \"%s\": %s",
						    st->path, strerror(errno));
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		char *eq = strchr(line, '=');
		if (!eq || line[0] == '#')
			continue;
		*eq = '\0';
		sl_state_set(st, line, eq + 1);
	}
	fclose(f);
	return SL_OK;
}

const char *sl_state_get(const struct sl_state *st, const char *key)
{
	for (int i = 0; i < st->n; i++)
		if (!strcmp(st->keys[i], key))
			return st->vals[i];
	return NULL;
}

enum sl_err sl_state_set(struct sl_state *st, const char *key, const char *val)
{
	for (int i = 0; i < st->n; i++)
		if (!strcmp(st->keys[i], key)) {
			char *v = strdup(val);
			if (!v)
				return SL_ERR_NOMEM;
			free(st->vals[i]);
			st->vals[i] = v;
			return SL_OK;
		}
	if (st->n == 16)
		return SL_ERR_TOO_LARGE;
	st->keys[st->n] = strdup(key);
	st->vals[st->n] = strdup(val);
	if (!st->keys[st->n] || !st->vals[st->n])
		return SL_ERR_NOMEM;
	st->n++;
	return SL_OK;
}

enum sl_err sl_state_save(struct sl_state *st, struct sl_errbuf *eb)
{
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", st->path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return sl_err_set(eb, SL_ERR_IO, "could not write \"%s\": %s", tmp, strerror(errno));
	FILE *f = fdopen(fd, "w");
	for (int i = 0; f && i < st->n; i++)
		fprintf(f, "%s=%s\n", st->keys[i], st->vals[i]);
	bool ok = f && fflush(f) == 0 && fsync(fd) == 0;
	if (f)
		fclose(f);
	else
		close(fd);
	if (!ok || rename(tmp, st->path) != 0) {
		unlink(tmp);
		return sl_err_set(eb, SL_ERR_IO, "could not write \"%s\": %s", st->path,
				  strerror(errno));
	}
	char dir[4200];
	snprintf(dir, sizeof dir, "%s", st->path);
	int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return SL_OK;
}

void sl_state_remove(struct sl_state *st)
{
	if (st->path)
		unlink(st->path);
}

void sl_state_free(struct sl_state *st)
{
	for (int i = 0; i < st->n; i++) {
		free(st->keys[i]);
		free(st->vals[i]);
	}
	free(st->path);
	memset(st, 0, sizeof *st);
}
