/* SPDX-License-Identifier: Apache-2.0
 *
 * store_file.c -- the local-directory backend (file:///dir).
 *
 * Durability protocol for an object: write a temp file ".sluice-tmp-*" in
 * the target directory (same file system, so rename is atomic), fsync it,
 * rename it over the key -- or, for a conditional create, link() it to the
 * key (fails with EEXIST instead of replacing) and unlink the temp name --
 * then fsync the directory so the new name itself survives a crash.
 * Directories created on the way are fsynced into their parents too.
 * A crash leaves at worst a temp file, which list() never shows.
 * Ownership: the backend owns its root path; a writer owns its fd, paths
 * and staging buffer.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "store/backend.h"

#define STAGE_SIZE ((size_t)256 << 10)

struct fstore {
	char *root; /* absolute, no trailing '/' (except "/" itself) */
};

struct fwriter {
	struct fstore *fs;
	int fd;
	unsigned flags;
	char *final_path;
	char *tmp_path;
	char *dir_path;
	char *stage;
	size_t staged;
};

static unsigned long g_tmp_seq;

static bool fs_can_inm(void *impl)
{
	(void)impl;
	return true;
}

enum sl_err sl_store_file_new(const char *dir, void **impl, struct sl_errbuf *eb)
{
	struct fstore *fs = calloc(1, sizeof *fs);
	if (!fs || !(fs->root = strdup(dir))) {
		free(fs);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	size_t n = strlen(fs->root);
	while (n > 1 && fs->root[n - 1] == '/')
		fs->root[--n] = 0;
	*impl = fs;
	return SL_OK;
}

static void fs_close(void *impl)
{
	struct fstore *fs = impl;
	if (!fs)
		return;
	free(fs->root);
	free(fs);
}

static char *path_join(const char *a, const char *b)
{
	char *p;
	if (asprintf(&p, "%s/%s", strcmp(a, "/") ? a : "", b) < 0)
		return NULL;
	return p;
}

static enum sl_err fsync_dir(const char *dir, struct sl_errbuf *eb)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return sl_err_set(eb, SL_ERR_IO, "could not open directory \"%s\": %s", dir,
				  strerror(errno));
	if (fsync(fd) != 0 && errno != EINVAL) {
		int err = errno;
		close(fd);
		return sl_err_set(eb, SL_ERR_IO, "could not fsync directory \"%s\": %s", dir,
				  strerror(err));
	}
	close(fd);
	return SL_OK;
}

/* mkdir -p for path (a directory), fsyncing the parent of each new one. */
static enum sl_err mkdirs(char *path, struct sl_errbuf *eb)
{
	struct stat st;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return SL_OK;
		return sl_err_set(eb, SL_ERR_IO, "could not create directory \"%s\": not a directory",
				  path);
	}
	char *slash = strrchr(path, '/');
	if (slash && slash != path) {
		*slash = 0;
		enum sl_err e = mkdirs(path, eb);
		*slash = '/';
		if (e)
			return e;
	}
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return sl_err_set(eb, SL_ERR_IO, "could not create directory \"%s\": %s", path,
				  strerror(errno));
	if (slash && slash != path) {
		*slash = 0;
		enum sl_err e = fsync_dir(path, eb);
		*slash = '/';
		return e;
	}
	return SL_OK;
}

static void fw_release(struct fwriter *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

static void fs_w_free(void *impl)
{
	struct fwriter *w = impl;
	if (!w)
		return;
	fw_release(w);
	free(w->final_path);
	free(w->tmp_path);
	free(w->dir_path);
	free(w->stage);
	free(w);
}

/* Remove temp files of `base` that a crashed process left behind: their
 * pid (in the name) is gone.  Names are deterministic, so a replay after a
 * crash opens the same name again and cleans up after its predecessor.
 * Best effort: a file that cannot be removed stays invisible anyway. */
static void sweep_stale(const char *dir_path, const char *base)
{
	DIR *d = opendir(dir_path);
	if (!d)
		return;
	char prefix[512];
	int pl = snprintf(prefix, sizeof prefix, ".sluice-tmp-%s.", base);
	if (pl <= 0 || (size_t)pl >= sizeof prefix) {
		closedir(d);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, (size_t)pl))
			continue;
		char *end;
		long pid = strtol(de->d_name + pl, &end, 10);
		if (end == de->d_name + pl || *end != '.' || pid <= 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* alive (or not ours to judge) */
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			sl_info("store: removed \"%s/%s\" left by a crashed writer", dir_path,
				de->d_name);
	}
	closedir(d);
}

static enum sl_err fs_w_open(void *impl, const char *key, unsigned flags, void **out,
			     struct sl_errbuf *eb)
{
	struct fstore *fs = impl;
	struct fwriter *w = calloc(1, sizeof *w);
	if (!w)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	w->fd = -1;
	w->fs = fs;
	w->flags = flags;
	w->final_path = path_join(fs->root, key);
	w->stage = malloc(STAGE_SIZE);
	if (!w->final_path || !w->stage)
		goto nomem;
	w->dir_path = strdup(w->final_path);
	if (!w->dir_path)
		goto nomem;
	char *slash = strrchr(w->dir_path, '/');
	const char *base = w->final_path + (slash - w->dir_path) + 1;
	if (slash == w->dir_path)
		slash[1] = 0;
	else
		*slash = 0;
	if (asprintf(&w->tmp_path, "%s/.sluice-tmp-%s.%ld.%lu", strcmp(w->dir_path, "/") ? w->dir_path : "",
		     base, (long)getpid(), __atomic_add_fetch(&g_tmp_seq, 1, __ATOMIC_RELAXED)) < 0) {
		w->tmp_path = NULL;
		goto nomem;
	}
	enum sl_err e = mkdirs(w->dir_path, eb);
	if (e) {
		fs_w_free(w);
		return e;
	}
	sweep_stale(w->dir_path, base);
	w->fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		e = sl_err_set(eb, SL_ERR_IO, "could not create file \"%s\": %s", w->tmp_path,
			       strerror(errno));
		fs_w_free(w);
		return e;
	}
	*out = w;
	return SL_OK;
nomem:
	fs_w_free(w);
	return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
}

static enum sl_err write_all(struct fwriter *w, const void *p, size_t n, struct sl_errbuf *eb)
{
	const char *c = p;
	while (n) {
		ssize_t k = write(w->fd, c, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return sl_err_set(eb, SL_ERR_IO, "could not write file \"%s\": %s", w->tmp_path,
					  strerror(errno));
		}
		c += k;
		n -= (size_t)k;
	}
	return SL_OK;
}

static enum sl_err fs_w_write(void *impl, const void *p, size_t n, struct sl_errbuf *eb)
{
	struct fwriter *w = impl;
	enum sl_err e;
	if (w->fd < 0)
		return sl_err_set(eb, SL_ERR_STATE, "could not write \"%s\": file is closed", w->final_path);
	if (w->staged + n <= STAGE_SIZE) {
		memcpy(w->stage + w->staged, p, n);
		w->staged += n;
		return SL_OK;
	}
	if (w->staged && (e = write_all(w, w->stage, w->staged, eb)))
		return e;
	w->staged = 0;
	if (n >= STAGE_SIZE)
		return write_all(w, p, n, eb);
	memcpy(w->stage, p, n);
	w->staged = n;
	return SL_OK;
}

static enum sl_err fs_w_commit(void *impl, bool *existed, struct sl_errbuf *eb)
{
	struct fwriter *w = impl;
	enum sl_err e;
	if (w->fd < 0)
		return sl_err_set(eb, SL_ERR_STATE, "could not commit \"%s\": file is closed", w->final_path);
	if (w->staged && (e = write_all(w, w->stage, w->staged, eb)))
		return e;
	w->staged = 0;
	if (fsync(w->fd) != 0)
		return sl_err_set(eb, SL_ERR_IO, "could not fsync file \"%s\": %s", w->tmp_path,
				  strerror(errno));
	if (close(w->fd) != 0) {
		w->fd = -1;
		return sl_err_set(eb, SL_ERR_IO, "could not close file \"%s\": %s", w->tmp_path,
				  strerror(errno));
	}
	w->fd = -1;
	if (w->flags & SL_STORE_IF_NONE_MATCH) {
		if (link(w->tmp_path, w->final_path) != 0) {
			if (errno != EEXIST)
				return sl_err_set(eb, SL_ERR_IO, "could not link \"%s\" to \"%s\": %s",
						  w->tmp_path, w->final_path, strerror(errno));
			*existed = true;
		}
		if (unlink(w->tmp_path) != 0)
			sl_warn("store: could not remove temp file \"%s\": %s", w->tmp_path,
				strerror(errno));
	} else if (rename(w->tmp_path, w->final_path) != 0) {
		return sl_err_set(eb, SL_ERR_IO, "could not rename \"%s\" to \"%s\": %s", w->tmp_path,
				  w->final_path, strerror(errno));
	}
	free(w->tmp_path);
	w->tmp_path = NULL; /* nothing left to clean up */
	return fsync_dir(w->dir_path, eb);
}

static enum sl_err fs_w_abort(void *impl, struct sl_errbuf *eb)
{
	struct fwriter *w = impl;
	fw_release(w);
	if (w->tmp_path && unlink(w->tmp_path) != 0 && errno != ENOENT)
		return sl_err_set(eb, SL_ERR_IO, "could not remove temp file \"%s\": %s", w->tmp_path,
				  strerror(errno));
	free(w->tmp_path);
	w->tmp_path = NULL;
	return SL_OK;
}

struct entry {
	char *key;
	uint64_t size;
};

struct walk {
	struct entry *v;
	size_t n, cap;
	const char *prefix;
};

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

/* Collect regular files under dir (whose key prefix is rel, "" at the root). */
static enum sl_err walk_dir(const char *dir, const char *rel, struct walk *wk, int depth,
			    struct sl_errbuf *eb)
{
	if (depth > 64)
		return sl_err_set(eb, SL_ERR_IO, "could not list \"%s\": directories nested too deep", dir);
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT || errno == ENOTDIR)
			return SL_OK;
		return sl_err_set(eb, SL_ERR_IO, "could not open directory \"%s\": %s", dir,
				  strerror(errno));
	}
	enum sl_err e = SL_OK;
	struct dirent *de;
	while (!e && (de = readdir(d))) {
		const char *nm = de->d_name;
		if (!strcmp(nm, ".") || !strcmp(nm, "..") || !strncmp(nm, ".sluice-tmp-", 12))
			continue;
		char *full = path_join(dir, nm), *key = NULL;
		if (!full || asprintf(&key, "%s%s%s", rel, *rel ? "/" : "", nm) < 0) {
			free(full);
			e = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
			break;
		}
		struct stat st;
		if (lstat(full, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				/* Descend only where keys can still match the prefix. */
				size_t kl = strlen(key), pl = strlen(wk->prefix);
				if (!strncmp(key, wk->prefix, kl < pl ? kl : pl))
					e = walk_dir(full, key, wk, depth + 1, eb);
			} else if (S_ISREG(st.st_mode) && !strncmp(key, wk->prefix, strlen(wk->prefix))) {
				if (wk->n == wk->cap) {
					size_t nc = wk->cap ? wk->cap * 2 : 64;
					struct entry *nv = realloc(wk->v, nc * sizeof *nv);
					if (!nv) {
						free(full);
						free(key);
						e = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
						break;
					}
					wk->v = nv;
					wk->cap = nc;
				}
				wk->v[wk->n++] = (struct entry){key, (uint64_t)st.st_size};
				key = NULL;
			}
		}
		free(full);
		free(key);
	}
	closedir(d);
	return e;
}

static enum sl_err fs_list(void *impl, const char *prefix, sl_store_list_fn fn, void *ctx,
			   struct sl_errbuf *eb)
{
	struct fstore *fs = impl;
	struct walk wk = {.prefix = prefix};
	enum sl_err e = walk_dir(fs->root, "", &wk, 0, eb);
	if (!e) {
		if (wk.n)
			qsort(wk.v, wk.n, sizeof *wk.v, cmp_entry);
		for (size_t i = 0; i < wk.n && !e; i++)
			e = fn(ctx, wk.v[i].key, wk.v[i].size, eb);
	}
	for (size_t i = 0; i < wk.n; i++)
		free(wk.v[i].key);
	free(wk.v);
	return e;
}

static enum sl_err fs_head(void *impl, const char *key, bool *exists, uint64_t *size,
			   struct sl_errbuf *eb)
{
	struct fstore *fs = impl;
	char *p = path_join(fs->root, key);
	if (!p)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	struct stat st;
	enum sl_err e = SL_OK;
	if (stat(p, &st) == 0) {
		if (S_ISREG(st.st_mode)) {
			*exists = true;
			*size = (uint64_t)st.st_size;
		}
	} else if (errno != ENOENT && errno != ENOTDIR) {
		e = sl_err_set(eb, SL_ERR_IO, "could not stat \"%s\": %s", p, strerror(errno));
	}
	free(p);
	return e;
}

static enum sl_err fs_get(void *impl, const char *key, struct sl_buf *out, struct sl_errbuf *eb)
{
	struct fstore *fs = impl;
	char *p = path_join(fs->root, key);
	if (!p)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	enum sl_err e = SL_OK;
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = sl_err_set(eb, (errno == ENOENT || errno == ENOTDIR) ? SL_ERR_NOTFOUND : SL_ERR_IO,
			       "could not open file \"%s\": %s", p, strerror(errno));
		free(p);
		return e;
	}
	char tmp[65536];
	for (;;) {
		ssize_t k = read(fd, tmp, sizeof tmp);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			e = sl_err_set(eb, SL_ERR_IO, "could not read file \"%s\": %s", p, strerror(errno));
			break;
		}
		if (k == 0)
			break;
		if ((e = sl_buf_append(out, tmp, (size_t)k))) {
			sl_err_set(eb, e, "could not read file \"%s\": too large", p);
			break;
		}
	}
	close(fd);
	free(p);
	return e;
}

static enum sl_err fs_del(void *impl, const char *key, struct sl_errbuf *eb)
{
	struct fstore *fs = impl;
	char *p = path_join(fs->root, key);
	if (!p)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	enum sl_err e = SL_OK;
	if (unlink(p) != 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			e = sl_err_set(eb, SL_ERR_IO, "could not remove \"%s\": %s", p, strerror(errno));
	} else {
		char *slash = strrchr(p, '/');
		if (slash && slash != p) {
			*slash = 0;
			e = fsync_dir(p, eb);
		}
	}
	free(p);
	return e;
}

const struct sl_store_backend sl_store_file_backend = {
	.scheme = "file",
	.can_inm = fs_can_inm,
	.close = fs_close,
	.w_open = fs_w_open,
	.w_write = fs_w_write,
	.w_commit = fs_w_commit,
	.w_abort = fs_w_abort,
	.w_free = fs_w_free,
	.list = fs_list,
	.head = fs_head,
	.get = fs_get,
	.del = fs_del,
};
