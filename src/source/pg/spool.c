/* SPDX-License-Identifier: Apache-2.0
 *
 * spool.c -- per-transaction spool files.
 */
#include "source/pg/spool.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/rd.h"

struct subxact {
	uint32_t subxid;
	long offset; /* file offset of the subxact's first message */
};

struct sl_spool_file {
	struct sl_spool_file *next;
	uint32_t xid;
	FILE *f;
	char *path;
	uint64_t bytes;
	struct subxact *subs;
	size_t nsubs, cap;
};

enum sl_err sl_spool_init(struct sl_spool *sp, const char *dir, struct sl_errbuf *eb)
{
	memset(sp, 0, sizeof *sp);
	if (sl_mkdir_p(dir) != 0)
		return sl_err_set(eb, SL_ERR_IO, "could not create spool directory \"%s\": %s", dir,
				  strerror(errno));
	sp->dir = strdup(dir);
	if (!sp->dir)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	/* Leftovers from a crash: PostgreSQL will stream those transactions again. */
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "xid-", 4) != 0)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	return SL_OK;
}

static void file_close(struct sl_spool_file *f, bool remove_it)
{
	if (f->f)
		fclose(f->f);
	if (remove_it)
		unlink(f->path);
	free(f->path);
	free(f->subs);
	free(f);
}

void sl_spool_free(struct sl_spool *sp)
{
	struct sl_spool_file *f = sp->files;
	while (f) {
		struct sl_spool_file *next = f->next;
		file_close(f, true);
		f = next;
	}
	free(sp->dir);
	memset(sp, 0, sizeof *sp);
}

static struct sl_spool_file **find(struct sl_spool *sp, uint32_t xid)
{
	struct sl_spool_file **pp = &sp->files;
	while (*pp && (*pp)->xid != xid)
		pp = &(*pp)->next;
	return pp;
}

enum sl_err sl_spool_append(struct sl_spool *sp, uint32_t xid, uint32_t subxid,
			    const void *msg, size_t len, struct sl_errbuf *eb)
{
	struct sl_spool_file **pp = find(sp, xid), *f = *pp;
	if (!f) {
		f = calloc(1, sizeof *f);
		if (!f)
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		f->xid = xid;
		size_t n = strlen(sp->dir) + 32;
		f->path = malloc(n);
		if (!f->path) {
			free(f);
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		}
		snprintf(f->path, n, "%s/xid-%u", sp->dir, xid);
		f->f = fopen(f->path, "w+b");
		if (!f->f) {
			int e = errno;
			free(f->path);
			free(f);
			return sl_err_set(eb, SL_ERR_IO, "could not create spool file: %s", strerror(e));
		}
		/* Large buffers: a streamed transaction is written and read once,
		 * sequentially, so syscalls, not bytes, are the cost. */
		setvbuf(f->f, NULL, _IOFBF, 1 << 20);
		f->next = sp->files;
		sp->files = f;
	}
	/* Remember where each subtransaction starts, for a later subxact abort. */
	if (subxid && subxid != xid && (!f->nsubs || f->subs[f->nsubs - 1].subxid != subxid)) {
		bool seen = false;
		for (size_t i = 0; i < f->nsubs; i++)
			seen |= f->subs[i].subxid == subxid;
		if (!seen) {
			if (f->nsubs == f->cap) {
				size_t cap = f->cap ? f->cap * 2 : 8;
				struct subxact *s = realloc(f->subs, cap * sizeof *s);
				if (!s)
					return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
				f->subs = s;
				f->cap = cap;
			}
			f->subs[f->nsubs++] = (struct subxact){subxid, ftell(f->f)};
		}
	}
	uint8_t hdr[4];
	sl_wr_be32(hdr, (uint32_t)len);
	if (fwrite(hdr, 1, 4, f->f) != 4 || fwrite(msg, 1, len, f->f) != len)
		return sl_err_set(eb, SL_ERR_IO, "could not write spool file \"%s\": %s", f->path,
				  strerror(errno));
	f->bytes += 4 + len;
	return SL_OK;
}

enum sl_err sl_spool_abort(struct sl_spool *sp, uint32_t xid, uint32_t subxid,
			   struct sl_errbuf *eb)
{
	struct sl_spool_file **pp = find(sp, xid), *f = *pp;
	if (!f)
		return SL_OK; /* nothing was spooled for it */
	if (subxid == xid || subxid == 0) {
		*pp = f->next;
		file_close(f, true);
		return SL_OK;
	}
	for (size_t i = 0; i < f->nsubs; i++) {
		if (f->subs[i].subxid != subxid)
			continue;
		long off = f->subs[i].offset;
		if (fflush(f->f) != 0 || ftruncate(fileno(f->f), off) != 0 ||
		    fseek(f->f, off, SEEK_SET) != 0)
			return sl_err_set(eb, SL_ERR_IO, "could not truncate spool file \"%s\": %s",
					  f->path, strerror(errno));
		f->bytes = (uint64_t)off;
		/* Later subtransactions started after it: they are gone too. */
		f->nsubs = i;
		return SL_OK;
	}
	return SL_OK; /* the subtransaction wrote nothing */
}

enum sl_err sl_spool_replay(struct sl_spool *sp, uint32_t xid,
			    enum sl_err (*fn)(void *ctx, const uint8_t *msg, size_t len,
					      struct sl_errbuf *eb),
			    void *ctx, struct sl_errbuf *eb)
{
	struct sl_spool_file **pp = find(sp, xid), *f = *pp;
	if (!f)
		return SL_OK;
	enum sl_err err = SL_OK;
	struct sl_buf b;
	sl_buf_init(&b, 0);
	if (fflush(f->f) != 0 || fseek(f->f, 0, SEEK_SET) != 0) {
		err = sl_err_set(eb, SL_ERR_IO, "could not read spool file \"%s\": %s", f->path,
				 strerror(errno));
		goto out;
	}
	for (;;) {
		uint8_t hdr[4];
		size_t n = fread(hdr, 1, 4, f->f);
		if (n == 0)
			break;
		struct sl_rd r;
		uint32_t len;
		sl_rd_init(&r, hdr, n);
		if (n != 4 || !sl_rd_be32(&r, &len)) {
			err = sl_err_set(eb, SL_ERR_IO, "spool file \"%s\" is truncated", f->path);
			goto out;
		}
		sl_buf_reset(&b);
		if ((err = sl_buf_reserve(&b, len))) {
			sl_err_set(eb, err, "could not allocate %u bytes for a spooled message", len);
			goto out;
		}
		if (fread(b.data, 1, len, f->f) != len) {
			err = sl_err_set(eb, SL_ERR_IO, "spool file \"%s\" is truncated", f->path);
			goto out;
		}
		if ((err = fn(ctx, (const uint8_t *)b.data, len, eb)))
			goto out;
	}
out:
	sl_buf_free(&b);
	if (!err) {
		*pp = f->next;
		file_close(f, true);
	}
	return err;
}

uint64_t sl_spool_bytes(const struct sl_spool *sp)
{
	uint64_t n = 0;
	for (const struct sl_spool_file *f = sp->files; f; f = f->next)
		n += f->bytes;
	return n;
}
