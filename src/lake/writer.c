/* SPDX-License-Identifier: Apache-2.0
 *
 * writer.c -- open files, rotation and commit rounds (writer.h).
 *
 * Each open file owns its store writer, its Parquet writer and layout
 * (Parquet) and the raw schema text it was opened with; a record whose
 * schema text differs commits the file first.  Open files live in a
 * small array searched linearly (there are few: topics x partitions x
 * live time buckets).  Files are removed from the array with swap-remove;
 * nothing keeps pointers to them across calls.  With round_per_partition
 * the rotation state lives per (topic, kafka partition) in `ps` (see
 * writer.h), another small array that only grows.
 */
#include "lake/writer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"

struct afile {
	char *topic;
	int32_t partition;
	char *encpart;
	char *key;
	int64_t start, last;
	uint64_t count;
	int64_t first_ts;
	int64_t deadline;
	struct sl_store_writer *sw;
	struct sl_pq_writer *pw;
	struct sl_lake_env *env;
	char *schema;       /* raw schema text; NULL = schemaless */
	size_t schema_len;
	uint64_t schema_id; /* id of a typed record's schema known equal to it */
	uint64_t schema_memo; /* parser memo id (json.h) of a schema known equal to it */
	uint64_t *tokens;
	size_t ntok, captok;
	bool closed;        /* bytes all uploaded, commit pending */
};

/* Rotation state of one (topic, kafka partition), round_per_partition. */
struct pstate {
	char *topic;
	int32_t partition;
	uint64_t count;   /* records in the open round; 0 = no round open */
	int64_t first_ts; /* extractor time of the round's first record */
	int64_t deadline; /* wall-clock schedule of the round (ms) */
	int64_t cut;      /* last offset of an interrupted round; -1 = none */
};

struct sl_lake_writer {
	struct sl_lake_writer_opts o;
	char *topics_dir;
	struct afile **files;
	size_t nfiles, capfiles;
	struct pstate *ps;
	size_t nps, capps;
	struct sl_buf enc, keybuf;
	struct sl_jsonr sjson; /* typed records' schema text, parsed at file open */
	uint64_t pending, committed;
};

enum sl_err sl_lake_writer_new(const struct sl_lake_writer_opts *o, struct sl_lake_writer **out,
			      struct sl_errbuf *eb)
{
	*out = NULL;
	struct sl_lake_writer *w = calloc(1, sizeof *w);
	if (!w)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	w->o = *o;
	sl_jsonr_init(&w->sjson);
	w->topics_dir = strdup(o->topics_dir ? o->topics_dir : "topics");
	if (!w->topics_dir) {
		free(w);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	/* Strip slashes so keys never have empty segments. */
	size_t n = strlen(w->topics_dir);
	while (n && w->topics_dir[n - 1] == '/')
		w->topics_dir[--n] = 0;
	w->o.topics_dir = w->topics_dir;
	w->o.pq.created_by = NULL;
	*out = w;
	return SL_OK;
}

static void file_free(struct afile *f)
{
	if (!f)
		return;
	sl_pq_writer_free(f->pw);
	sl_store_writer_free(f->sw); /* aborts an uncommitted upload */
	sl_lake_env_free(f->env);
	free(f->topic);
	free(f->encpart);
	free(f->key);
	free(f->schema);
	free(f->tokens);
	free(f);
}

void sl_lake_writer_free(struct sl_lake_writer *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->nfiles; i++)
		file_free(w->files[i]);
	free(w->files);
	for (size_t i = 0; i < w->nps; i++)
		free(w->ps[i].topic);
	free(w->ps);
	free(w->topics_dir);
	sl_buf_free(&w->enc);
	sl_buf_free(&w->keybuf);
	sl_jsonr_free(&w->sjson);
	free(w);
}

static enum sl_err pq_out(void *ctx, const void *data, size_t len, struct sl_errbuf *eb)
{
	struct afile *f = ctx;
	return sl_store_writer_write(f->sw, data, len, eb);
}

static void remove_at(struct sl_lake_writer *w, size_t i)
{
	w->files[i] = w->files[--w->nfiles];
}

/* Layout and schema copy of a file opened by a typed record: its schema
 * text is parsed once per file. */
static enum sl_err typed_layout(struct sl_lake_writer *w, const struct sl_lake_rec *r,
				struct afile *f, struct sl_pq_schema **pq, struct sl_errbuf *eb)
{
	enum sl_err err = sl_jsonr_parse(&w->sjson, r->schema, r->schema_len, eb);
	if (err)
		return err == SL_ERR_NOMEM ? err : SL_ERR_PROTO;
	if ((err = sl_lake_env_build(&w->sjson, 0, &f->env, pq, eb)))
		return err;
	if (!(f->schema = malloc(r->schema_len + 1))) {
		sl_lake_env_free(f->env);
		f->env = NULL;
		sl_pq_schema_free(*pq);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	memcpy(f->schema, r->schema, r->schema_len);
	f->schema_len = r->schema_len;
	f->schema_id = r->schema_id;
	return SL_OK;
}

static enum sl_err open_file(struct sl_lake_writer *w, const struct sl_lake_rec *r,
			     const char *encpart, struct afile **out, struct sl_errbuf *eb)
{
	struct afile *f = calloc(1, sizeof *f);
	if (!f)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	f->topic = strdup(r->topic);
	f->encpart = strdup(encpart);
	f->partition = r->partition;
	f->start = f->last = r->offset;
	f->first_ts = r->ts_ms;
	f->deadline = sl_lake_rot_deadline(&w->o.rot, sl_clock_wall_us() / 1000);
	sl_buf_reset(&w->keybuf);
	enum sl_err err = sl_buf_appendf(&w->keybuf, "%s%s%s/%s/%s+%d+%010" PRId64 ".%s",
					 w->topics_dir, *w->topics_dir ? "/" : "", r->topic,
					 encpart, r->topic, (int)r->partition, r->offset,
					 w->o.format == SL_ARC_JSON ? "json" : "parquet");
	if (!err && (!f->topic || !f->encpart || !(f->key = strdup(w->keybuf.data))))
		err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	if (!err)
		err = sl_store_key_check(f->key, eb);
	if (!err)
		err = sl_store_writer_open(w->o.store, f->key,
					   sl_store_can_if_none_match(w->o.store) ? SL_STORE_IF_NONE_MATCH : 0,
					   &f->sw, eb);
	if (!err && w->o.format == SL_ARC_PARQUET) {
		struct sl_pq_schema *pq;
		if (r->fill) {
			err = typed_layout(w, r, f, &pq, eb);
		} else if (!(err = sl_lake_env_build(r->j, r->msg.schema, &f->env, &pq, eb))) {
			if (r->msg.schema != SL_ARC_JSON_NONE) {
				const struct sl_jsonr_node *sn = &r->j->v[r->msg.schema];
				f->schema_len = sn->rawlen;
				f->schema = malloc(sn->rawlen + 1);
				if (!f->schema)
					err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
				else
					memcpy(f->schema, r->raw + sn->raw, sn->rawlen);
				f->schema_memo = sl_jsonr_memo_id(r->j, r->msg.schema);
			}
		}
		if (!err)
			err = sl_pq_writer_open(&f->pw, pq, &w->o.pq, pq_out, f, eb);
	}
	if (!err && w->nfiles == w->capfiles) {
		size_t nc = w->capfiles ? w->capfiles * 2 : 8;
		struct afile **nf = realloc(w->files, nc * sizeof *nf);
		if (!nf)
			err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		else
			w->files = nf, w->capfiles = nc;
	}
	if (err) {
		file_free(f);
		return err;
	}
	w->files[w->nfiles++] = f;
	*out = f;
	return SL_OK;
}

static struct afile *find(struct sl_lake_writer *w, const char *topic, int32_t partition,
			  const char *encpart, size_t *idx)
{
	for (size_t i = 0; i < w->nfiles; i++) {
		struct afile *f = w->files[i];
		if (f->partition == partition && !strcmp(f->encpart, encpart) &&
		    !strcmp(f->topic, topic)) {
			*idx = i;
			return f;
		}
	}
	return NULL;
}

static struct sl_lake_file_info info_of(const struct afile *f)
{
	return (struct sl_lake_file_info){.topic = f->topic,
					 .partition = f->partition,
					 .start_offset = f->start,
					 .last_offset = f->last,
					 .records = f->count,
					 .key = f->key,
					 .tokens = f->tokens,
					 .ntokens = f->ntok};
}

/* Finish the bytes of a file (footer) without making it visible. */
static enum sl_err close_bytes(struct afile *f, struct sl_errbuf *eb)
{
	if (f->closed)
		return SL_OK;
	enum sl_err err = f->pw ? sl_pq_writer_close(f->pw, eb) : SL_OK;
	if (!err)
		f->closed = true;
	return err;
}

static enum sl_err commit_one(struct sl_lake_writer *w, struct afile *f, bool *existed,
			      struct sl_errbuf *eb)
{
	*existed = false;
	enum sl_err err;
	if (!sl_store_can_if_none_match(w->o.store)) {
		/* No conditional create: look first (single writer per name). */
		bool ex = false;
		if ((err = sl_store_head(w->o.store, f->key, &ex, NULL, eb)))
			return err;
		if (ex) {
			*existed = true;
			return sl_store_writer_abort(f->sw, eb);
		}
	}
	return sl_store_writer_commit(f->sw, existed, eb);
}

/* Commit the files at the given indexes as one round. */
static enum sl_err commit_round(struct sl_lake_writer *w, const char *topic, size_t *idx, size_t n,
				struct sl_errbuf *eb)
{
	enum sl_err err = SL_OK;
	struct sl_lake_file_info *infos = calloc(n ? n : 1, sizeof *infos);
	if (!infos)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	for (size_t k = 0; k < n && !err; k++) {
		err = close_bytes(w->files[idx[k]], eb);
		infos[k] = info_of(w->files[idx[k]]);
	}
	if (!err && w->o.before_round)
		err = w->o.before_round(w->o.ctx, topic, infos, n, eb);
	for (size_t k = 0; k < n && !err; k++) {
		struct afile *f = w->files[idx[k]];
		bool existed;
		if ((err = commit_one(w, f, &existed, eb)))
			break;
		infos[k].existed = existed;
		if (existed)
			sl_info("archive: %s already exists (replay), keeping it", f->key);
		w->committed++;
		if (w->o.on_commit && (err = w->o.on_commit(w->o.ctx, &infos[k], eb)))
			break;
	}
	if (!err && w->o.after_round)
		err = w->o.after_round(w->o.ctx, topic, infos, n, eb);
	free(infos);
	if (err)
		return err;
	/* Remove the committed files: highest index first keeps the others valid. */
	for (size_t a = 0; a < n; a++)
		for (size_t b = a + 1; b < n; b++)
			if (idx[b] > idx[a]) {
				size_t t = idx[a];
				idx[a] = idx[b];
				idx[b] = t;
			}
	for (size_t k = 0; k < n; k++) {
		struct afile *f = w->files[idx[k]];
		w->pending -= f->count;
		remove_at(w, idx[k]);
		file_free(f);
	}
	return SL_OK;
}

/* Commit file i, or with round_per_topic all files of its topic. */
static enum sl_err rotate(struct sl_lake_writer *w, size_t i, struct sl_errbuf *eb)
{
	if (!w->o.round_per_topic)
		return commit_round(w, w->files[i]->topic, &i, 1, eb);
	return sl_lake_writer_commit_all(w, w->files[i]->topic, eb);
}

static struct pstate *pstate_get(struct sl_lake_writer *w, const char *topic, int32_t partition,
				 bool create)
{
	for (size_t i = 0; i < w->nps; i++)
		if (w->ps[i].partition == partition && !strcmp(w->ps[i].topic, topic))
			return &w->ps[i];
	if (!create)
		return NULL;
	if (w->nps == w->capps) {
		size_t nc = w->capps ? w->capps * 2 : 8;
		struct pstate *np = realloc(w->ps, nc * sizeof *np);
		if (!np)
			return NULL;
		w->ps = np;
		w->capps = nc;
	}
	char *t = strdup(topic);
	if (!t)
		return NULL;
	w->ps[w->nps] = (struct pstate){.topic = t, .partition = partition, .cut = -1};
	return &w->ps[w->nps++];
}

/* Commit every open file of (topic, partition) as one round and close
 * the partition's round. */
static enum sl_err commit_partition(struct sl_lake_writer *w, const char *topic_in,
				    int32_t partition, struct sl_errbuf *eb)
{
	/* topic_in may point into a file that this call frees: copy it. */
	char *topic = strdup(topic_in);
	size_t *idx = malloc((w->nfiles ? w->nfiles : 1) * sizeof *idx);
	if (!topic || !idx) {
		free(topic);
		free(idx);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	size_t n = 0;
	for (size_t i = 0; i < w->nfiles; i++)
		if (w->files[i]->partition == partition && !strcmp(w->files[i]->topic, topic))
			idx[n++] = i;
	enum sl_err err = n ? commit_round(w, topic, idx, n, eb) : SL_OK;
	if (!err) {
		struct pstate *p = pstate_get(w, topic, partition, false);
		if (p) {
			p->count = 0;
			p->cut = -1; /* an interrupted round is redone by now */
		}
	}
	free(idx);
	free(topic);
	return err;
}

enum sl_err sl_lake_writer_set_cut(struct sl_lake_writer *w, const char *topic, int32_t partition,
				  int64_t last, struct sl_errbuf *eb)
{
	struct pstate *p = pstate_get(w, topic, partition, true);
	if (!p)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	p->cut = last;
	return SL_OK;
}

enum sl_err sl_lake_writer_commit_all(struct sl_lake_writer *w, const char *topic_in,
				     struct sl_errbuf *eb)
{
	if (w->o.round_per_partition) {
		for (size_t i = 0; i < w->nps; i++) {
			struct pstate *p = &w->ps[i];
			if (p->count && (!topic_in || !strcmp(p->topic, topic_in))) {
				enum sl_err err = commit_partition(w, p->topic, p->partition, eb);
				if (err)
					return err;
			}
		}
		return SL_OK;
	}
	enum sl_err err = SL_OK;
	/* topic_in may point into a file that this call frees: copy it. */
	char *topic = topic_in ? strdup(topic_in) : NULL;
	size_t *idx = malloc((w->nfiles ? w->nfiles : 1) * sizeof *idx);
	if (!idx || (topic_in && !topic)) {
		free(idx);
		free(topic);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	/* One round per topic, in a stable order. */
	while (!err && w->nfiles) {
		const char *t = NULL;
		for (size_t i = 0; i < w->nfiles; i++)
			if (!topic || !strcmp(w->files[i]->topic, topic)) {
				t = w->files[i]->topic;
				break;
			}
		if (!t)
			break;
		size_t n = 0;
		for (size_t i = 0; i < w->nfiles; i++)
			if (!strcmp(w->files[i]->topic, t))
				idx[n++] = i;
		if (w->o.round_per_topic) {
			char *tc = strdup(t);
			if (!tc) {
				err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
				break;
			}
			err = commit_round(w, tc, idx, n, eb);
			free(tc);
		} else {
			size_t one = idx[0];
			err = commit_round(w, t, &one, 1, eb);
		}
	}
	free(idx);
	free(topic);
	return err;
}

enum sl_err sl_lake_writer_tick(struct sl_lake_writer *w, int64_t now_ms, struct sl_errbuf *eb)
{
	if (w->o.round_per_partition) {
		for (size_t i = 0; i < w->nps; i++) {
			struct pstate *p = &w->ps[i];
			if (p->count && p->deadline <= now_ms) {
				enum sl_err err = commit_partition(w, p->topic, p->partition, eb);
				if (err)
					return err;
			}
		}
		return SL_OK;
	}
	for (size_t i = 0; i < w->nfiles;) {
		if (w->files[i]->deadline <= now_ms) {
			enum sl_err err = rotate(w, i, eb);
			if (err)
				return err;
			i = 0; /* the array changed */
			continue;
		}
		i++;
	}
	return SL_OK;
}

void sl_lake_writer_discard(struct sl_lake_writer *w, const char *topic, int32_t partition)
{
	struct pstate *p = pstate_get(w, topic, partition, false);
	if (p) {
		p->count = 0;
		p->cut = -1; /* the next owner reads the committed state again */
	}
	for (size_t i = 0; i < w->nfiles;) {
		struct afile *f = w->files[i];
		if (f->partition == partition && !strcmp(f->topic, topic)) {
			w->pending -= f->count;
			remove_at(w, i);
			file_free(f);
			continue;
		}
		i++;
	}
}

bool sl_lake_writer_min_open(const struct sl_lake_writer *w, const char *topic, int32_t partition,
			    int64_t *offset)
{
	bool any = false;
	for (size_t i = 0; i < w->nfiles; i++) {
		const struct afile *f = w->files[i];
		if (f->partition == partition && !strcmp(f->topic, topic) &&
		    (!any || f->start < *offset)) {
			*offset = f->start;
			any = true;
		}
	}
	return any;
}

uint64_t sl_lake_writer_pending(const struct sl_lake_writer *w)
{
	return w->pending;
}

uint64_t sl_lake_writer_files(const struct sl_lake_writer *w)
{
	return w->committed;
}

static bool same_schema(struct afile *f, const struct sl_lake_rec *r)
{
	if (r->fill) {
		if (r->schema_id && r->schema_id == f->schema_id)
			return true;
		if (!f->schema || f->schema_len != r->schema_len ||
		    memcmp(f->schema, r->schema, r->schema_len))
			return false;
		f->schema_id = r->schema_id;
		return true;
	}
	if (r->msg.schema == SL_ARC_JSON_NONE)
		return f->schema == NULL;
	/* A schema block repeated from the previous message was already
	 * compared byte for byte by the parser. */
	uint64_t memo = sl_jsonr_memo_id(r->j, r->msg.schema);
	if (memo && memo == f->schema_memo)
		return true;
	const struct sl_jsonr_node *sn = &r->j->v[r->msg.schema];
	if (!f->schema || f->schema_len != sn->rawlen ||
	    memcmp(f->schema, r->raw + sn->raw, sn->rawlen))
		return false;
	f->schema_memo = memo;
	return true;
}

enum sl_err sl_lake_writer_add(struct sl_lake_writer *w, const struct sl_lake_rec *r,
			      struct sl_errbuf *eb)
{
	sl_buf_reset(&w->enc);
	enum sl_err err = sl_lake_part_encode(w->o.part, r->partition, r->ts_ms, r->j,
					     r->j ? r->msg.payload : SL_ARC_JSON_NONE, &w->enc, eb);
	if (err)
		return err;
	size_t i;
	struct afile *f = find(w, r->topic, r->partition, w->enc.data, &i);
	struct pstate *p = NULL;
	if (w->o.round_per_partition) {
		if (!(p = pstate_get(w, r->topic, r->partition, true)))
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		if (p->count && ((p->cut >= 0 && r->offset > p->cut) ||
				 sl_lake_rot_before(&w->o.rot, p->count, p->first_ts, r->ts_ms) ||
				 (f && w->o.format == SL_ARC_PARQUET && !same_schema(f, r)))) {
			if ((err = commit_partition(w, r->topic, r->partition, eb)))
				return err;
			f = NULL;
		}
		if (!p->count) {
			if (p->cut >= 0 && r->offset > p->cut)
				p->cut = -1; /* nothing of the interrupted round is left */
			p->first_ts = r->ts_ms;
			p->deadline = sl_lake_rot_deadline(&w->o.rot, sl_clock_wall_us() / 1000);
		}
	} else if (f && (sl_lake_rot_before(&w->o.rot, f->count, f->first_ts, r->ts_ms) ||
			 (w->o.format == SL_ARC_PARQUET && !same_schema(f, r)))) {
		if ((err = rotate(w, i, eb)))
			return err;
		f = NULL;
	}
	bool fresh = false;
	if (!f) {
		if ((err = open_file(w, r, w->enc.data, &f, eb)))
			return err;
		fresh = true;
		find(w, r->topic, r->partition, w->enc.data, &i);
	}
	if (r->fill) {
		if (w->o.format != SL_ARC_PARQUET)
			err = sl_err_set(eb, SL_ERR_ARG, "typed records need the Parquet format");
		else if (!(err = r->fill(r->fill_ctx, f->env, f->pw, eb)))
			err = sl_lake_env_finish(f->env, f->pw, r->topic, r->partition, r->offset, eb);
		else
			sl_pq_row_discard(f->pw);
	} else if (w->o.format == SL_ARC_PARQUET) {
		err = sl_lake_env_row(f->env, f->pw, r->j, r->msg.payload, r->topic, r->partition,
				     r->offset, eb);
	} else {
		err = sl_store_writer_write(f->sw, r->raw, r->raw_len, eb);
		if (!err)
			err = sl_store_writer_write(f->sw, "\n", 1, eb);
	}
	if (!err && f->ntok == f->captok) {
		size_t nc = f->captok ? f->captok * 2 : 256;
		uint64_t *nt = realloc(f->tokens, nc * sizeof *nt);
		if (!nt)
			err = sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		else
			f->tokens = nt, f->captok = nc;
	}
	if (err) {
		if (fresh && f->count == 0) { /* nothing in it: drop the empty file */
			remove_at(w, i);
			file_free(f);
		}
		return err;
	}
	f->tokens[f->ntok++] = r->token;
	f->count++;
	f->last = r->offset;
	w->pending++;
	if (p) {
		p->count++;
		if (sl_lake_rot_after(&w->o.rot, p->count) || (p->cut >= 0 && r->offset >= p->cut))
			return commit_partition(w, r->topic, r->partition, eb);
		return SL_OK;
	}
	if (sl_lake_rot_after(&w->o.rot, f->count))
		return rotate(w, i, eb);
	return SL_OK;
}
