/* SPDX-License-Identifier: Apache-2.0
 *
 * config.c -- load, check, query and print a configuration.
 *
 * A struct sl_config is a flat array of entries in the order keys were
 * first set; lookups are linear (a config has at most a few hundred keys
 * and is read at startup).  Each entry owns its canonical name, its
 * normalized value and, when the value came from ${...} references, the
 * original text (shown instead of the value by sl_config_print).  Values
 * are checked against the key table the moment they arrive, so a bad value
 * is reported with its file and line; sl_config_validate adds the checks
 * that need several keys and fills derived defaults (marked `derived`,
 * which sl_config_is_set and foreach_prefix ignore).
 */
#include "config/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/keys.h"
#include "config/props.h"
#include "config/resolve.h"
#include "config/suggest.h"
#include "core/buf.h"

#define CONFIG_MAX_ENTRIES 4096
#define CONFIG_FILE_MAX (1024 * 1024)
#define SHOW_MAX 96 /* longest value quoted back in a message */

struct entry {
	const struct sl_config_key *key; /* NULL for a passthrough key */
	char *name;                   /* canonical name */
	char *value;                  /* resolved, normalized */
	char *ref_text;               /* text before resolving references, or NULL */
	bool secret;
	bool derived; /* filled in by validate, not set by the user */
};

struct sl_config {
	unsigned role;
	struct entry *v;
	size_t n, cap;
};

/* --- entries --------------------------------------------------------- */

static struct entry *find_entry(const struct sl_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n; i++)
		if (!strcmp(cfg->v[i].name, name))
			return &cfg->v[i];
	return NULL;
}

static void entry_clear(struct entry *e)
{
	free(e->name);
	free(e->value);
	free(e->ref_text);
	memset(e, 0, sizeof *e);
}

/* Store value (taken over) under name; ref_text (taken over) may be NULL.
 * On failure both are freed. */
static enum sl_err put_entry(struct sl_config *cfg, const struct sl_config_key *k, const char *name,
			     char *value, char *ref_text, bool secret, bool derived,
			     struct sl_errbuf *eb)
{
	struct entry *e = find_entry(cfg, name);
	if (!e) {
		if (cfg->n >= CONFIG_MAX_ENTRIES) {
			free(value);
			free(ref_text);
			return sl_err_set(eb, SL_ERR_CONFIG, "too many configuration keys (limit %d)",
					  CONFIG_MAX_ENTRIES);
		}
		if (cfg->n == cfg->cap) {
			size_t ncap = cfg->cap ? cfg->cap * 2 : 32;
			struct entry *nv = realloc(cfg->v, ncap * sizeof *nv);
			if (!nv) {
				free(value);
				free(ref_text);
				return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
			}
			cfg->v = nv;
			cfg->cap = ncap;
		}
		char *nm = strdup(name);
		if (!nm) {
			free(value);
			free(ref_text);
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		}
		e = &cfg->v[cfg->n++];
		memset(e, 0, sizeof *e);
		e->name = nm;
	}
	free(e->value);
	free(e->ref_text);
	e->key = k;
	e->value = value;
	e->ref_text = ref_text;
	e->secret = secret;
	e->derived = derived;
	return SL_OK;
}

static void remove_entry(struct sl_config *cfg, const char *name)
{
	struct entry *e = find_entry(cfg, name);
	if (!e)
		return;
	size_t i = (size_t)(e - cfg->v);
	entry_clear(e);
	memmove(&cfg->v[i], &cfg->v[i + 1], (cfg->n - i - 1) * sizeof *e);
	cfg->n--;
}

/* --- value checks ---------------------------------------------------- */

/* How a bad value is named in a message: quoted, hidden or by its source. */
static void describe(char *out, size_t size, const char *value, bool secret, const char *ref)
{
	if (secret)
		snprintf(out, size, "invalid value (not shown: secret) for");
	else if (ref)
		snprintf(out, size, "invalid value from %.*s for", 200, ref);
	else if (strlen(value) > SHOW_MAX)
		snprintf(out, size, "invalid value \"%.*s...\" for", SHOW_MAX, value);
	else
		snprintf(out, size, "invalid value \"%s\" for", value);
}

static bool parse_i64(const char *s, int64_t *out)
{
	bool neg = false;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (!*s)
		return false;
	uint64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/* "1500", "1500ms", "10s", "5m", "1h" -> milliseconds. */
static bool parse_duration(const char *s, int64_t *out)
{
	size_t n = strlen(s);
	int64_t mul = 1;
	size_t cut = 0;
	if (n > 2 && !strcasecmp(s + n - 2, "ms")) {
		cut = 2;
	} else if (n > 1) {
		char u = s[n - 1];
		if (u == 's' || u == 'S')
			mul = 1000, cut = 1;
		else if (u == 'm' || u == 'M')
			mul = 60000, cut = 1;
		else if (u == 'h' || u == 'H')
			mul = 3600000, cut = 1;
	}
	char num[32];
	if (n - cut >= sizeof num)
		return false;
	memcpy(num, s, n - cut);
	num[n - cut] = '\0';
	int64_t v;
	if (!parse_i64(num, &v))
		return false;
	if (v > INT64_MAX / mul || v < INT64_MIN / mul)
		return false;
	*out = v * mul;
	return true;
}

/* Append "a, b, c" from an "a|b|c" list. */
static void list_allowed(char *out, size_t size, const char *bar_list)
{
	size_t o = 0;
	for (const char *p = bar_list; *p && o + 3 < size; p++) {
		if (*p == '|') {
			out[o++] = ',';
			out[o++] = ' ';
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
}

/* The item of k's enum_values equal to v (case-insensitive), or an alias's
 * target; NULL if none.  *len gets the item length. */
static const char *enum_match(const struct sl_config_key *k, const char *v, size_t vlen, size_t *len)
{
	for (const char *p = k->enum_values; p && *p;) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		if (n == vlen && !strncasecmp(p, v, n)) {
			*len = n;
			return p;
		}
		p = bar ? bar + 1 : NULL;
	}
	char tmp[256];
	if (vlen < sizeof tmp) {
		memcpy(tmp, v, vlen);
		tmp[vlen] = '\0';
		const char *a = sl_config_enum_alias(k, tmp);
		if (a) {
			*len = strlen(a);
			return a;
		}
	}
	return NULL;
}

static enum sl_err bad_enum(const struct sl_config_key *k, const char *what, const char *item,
			    bool secret, struct sl_errbuf *eb)
{
	char allowed[512];
	list_allowed(allowed, sizeof allowed, k->enum_values);
	struct sl_config_suggest s;
	sl_config_suggest_init(&s, item);
	if (!secret)
		sl_config_suggest_offer_list(&s, k->enum_values);
	const char *best = sl_config_suggest_best(&s);
	if (best)
		return sl_err_set(eb, SL_ERR_CONFIG,
				  "%s \"%s\": expected one of %s (did you mean \"%.*s\"?)", what,
				  k->name, allowed, (int)strcspn(best, "|"), best);
	return sl_err_set(eb, SL_ERR_CONFIG, "%s \"%s\": expected one of %s", what, k->name,
			  allowed);
}

/* Check v against k; *norm gets the normalized value (allocated). */
static enum sl_err check_value(const struct sl_config_key *k, const char *v, bool secret,
			       const char *ref, char **norm, struct sl_errbuf *eb)
{
	char what[320];
	describe(what, sizeof what, v, secret, ref);
	char num[32];
	const char *out = v;
	struct sl_buf b;
	sl_buf_init(&b, 0);
	int64_t n;
	switch (k->type) {
	case SL_CFG_STRING:
		break;
	case SL_CFG_INT:
		if (!parse_i64(v, &n) || n < k->min || n > k->max) {
			if (k->min == k->max)
				return sl_err_set(eb, SL_ERR_CONFIG, "%s \"%s\": expected %lld", what,
						  k->name, (long long)k->min);
			return sl_err_set(eb, SL_ERR_CONFIG,
					  "%s \"%s\": expected an integer from %lld to %lld", what,
					  k->name, (long long)k->min, (long long)k->max);
		}
		snprintf(num, sizeof num, "%lld", (long long)n);
		out = num;
		break;
	case SL_CFG_DURATION_MS:
		if (!parse_duration(v, &n) || n < k->min || n > k->max)
			return sl_err_set(eb, SL_ERR_CONFIG,
					  "%s \"%s\": expected milliseconds from %lld to %lld "
					  "(a number, or with a unit: 500ms, 10s, 5m, 1h)",
					  what, k->name, (long long)k->min, (long long)k->max);
		snprintf(num, sizeof num, "%lld", (long long)n);
		out = num;
		break;
	case SL_CFG_BOOL:
		if (!strcasecmp(v, "true"))
			out = "true";
		else if (!strcasecmp(v, "false"))
			out = "false";
		else
			return sl_err_set(eb, SL_ERR_CONFIG, "%s \"%s\": expected true or false",
					  what, k->name);
		break;
	case SL_CFG_ENUM: {
		size_t len;
		const char *m = enum_match(k, v, strlen(v), &len);
		if (!m)
			return bad_enum(k, what, v, secret, eb);
		*norm = strndup(m, len);
		return *norm ? SL_OK : sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	case SL_CFG_LIST:
		if (!k->enum_values)
			break;
		/* Check each item and rebuild the list in the table's spelling. */
		for (const char *p = v; *p;) {
			size_t len = strcspn(p, ",");
			const char *s = p, *e = p + len;
			p = *e ? e + 1 : e;
			while (s < e && (*s == ' ' || *s == '\t'))
				s++;
			while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			if (s == e)
				continue;
			size_t ml;
			const char *m = enum_match(k, s, (size_t)(e - s), &ml);
			if (!m) {
				char item[SHOW_MAX + 1];
				snprintf(item, sizeof item, "%.*s", (int)(e - s), s);
				char iw[400];
				if (secret || ref)
					snprintf(iw, sizeof iw, "%s", what);
				else
					snprintf(iw, sizeof iw, "invalid item \"%s\" in", item);
				sl_buf_free(&b);
				return bad_enum(k, iw, item, secret, eb);
			}
			if ((b.len && sl_buf_putc(&b, ',') != SL_OK) ||
			    sl_buf_append(&b, m, ml) != SL_OK) {
				sl_buf_free(&b);
				return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
			}
		}
		*norm = b.len ? sl_buf_steal(&b) : strdup("");
		return *norm ? SL_OK : sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	*norm = strdup(out);
	return *norm ? SL_OK : sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
}

/* --- setting keys ---------------------------------------------------- */

static enum sl_err unknown_key(const struct sl_config *cfg, const char *name,
			       struct sl_errbuf *eb)
{
	const char *hint = sl_config_renamed_hint(name);
	if (hint)
		return sl_err_set(eb, SL_ERR_CONFIG, "unknown key \"%s\": %s", name, hint);
	struct sl_config_suggest s;
	sl_config_suggest_init(&s, name);
	size_t n;
	const struct sl_config_key *keys = sl_config_keys(&n);
	for (size_t i = 0; i < n; i++)
		if (keys[i].roles & cfg->role)
			sl_config_suggest_offer(&s, keys[i].name);
	const char *best = sl_config_suggest_best(&s);
	if (best)
		return sl_err_set(eb, SL_ERR_CONFIG, "unknown key \"%s\" (did you mean \"%s\"?)",
				  name, best);
	return sl_err_set(eb, SL_ERR_CONFIG, "unknown key \"%s\"", name);
}

static enum sl_err wrong_role(const struct sl_config *cfg, const struct sl_config_key *k,
			      const char *name, struct sl_errbuf *eb)
{
	char users[64] = "";
	for (unsigned r = SL_ROLE_CAPTURE; r <= SL_ROLE_RUN; r <<= 1)
		if (k->roles & r) {
			size_t o = strlen(users);
			snprintf(users + o, sizeof users - o, "%ssluice %s", o ? ", " : "",
				 sl_config_role_name(r));
		}
	return sl_err_set(eb, SL_ERR_CONFIG, "key \"%s\" is not used by sluice %s (only by %s)",
			  name, sl_config_role_name(cfg->role), users);
}

static enum sl_err set_key(struct sl_config *cfg, const char *name, const char *raw,
			   struct sl_errbuf *eb)
{
	const struct sl_config_key *k = sl_config_key_find(name);
	const char *prefix = k ? NULL : sl_config_passthrough_prefix(name);
	if (k && !(k->roles & cfg->role))
		return wrong_role(cfg, k, name, eb);
	if (!k && !prefix)
		return unknown_key(cfg, name, eb);
	if (prefix && !name[strlen(prefix)])
		return sl_err_set(eb, SL_ERR_CONFIG, "key \"%s\" names no property after \"%s\"",
				  name, prefix);
	bool secret = k ? k->secret : sl_config_passthrough_secret(name);

	char *resolved;
	bool had_ref;
	enum sl_err e = sl_config_resolve(k ? k->name : name, raw, &resolved, &had_ref, eb);
	if (e != SL_OK)
		return e;
	char *ref_text = NULL;
	if (had_ref && !(ref_text = strdup(raw))) {
		free(resolved);
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	}
	char *value = resolved;
	if (k) {
		e = check_value(k, resolved, secret, ref_text, &value, eb);
		free(resolved);
		if (e != SL_OK) {
			free(ref_text);
			return e;
		}
	}
	return put_entry(cfg, k, k ? k->name : name, value, ref_text, secret, false, eb);
}

enum sl_err sl_config_new(unsigned role, struct sl_config **out, struct sl_errbuf *eb)
{
	*out = NULL;
	if (role != SL_ROLE_CAPTURE && role != SL_ROLE_ARCHIVE && role != SL_ROLE_RUN)
		return sl_err_set(eb, SL_ERR_ARG, "invalid configuration role %u", role);
	struct sl_config *cfg = calloc(1, sizeof *cfg);
	if (!cfg)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	cfg->role = role;
	*out = cfg;
	return SL_OK;
}

struct add_ctx {
	struct sl_config *cfg;
	const char *origin;
};

static enum sl_err add_cb(void *ctx, const char *key, const char *value, int line,
			  struct sl_errbuf *eb)
{
	struct add_ctx *a = ctx;
	struct sl_errbuf sub;
	enum sl_err e = set_key(a->cfg, key, value, &sub);
	if (e == SL_OK)
		return SL_OK;
	if (a->origin)
		return sl_err_set(eb, e, "%s:%d: %s", a->origin, line, sub.msg);
	return sl_err_set(eb, e, "line %d: %s", line, sub.msg);
}

enum sl_err sl_config_add_string(struct sl_config *cfg, const char *text, size_t len,
				 const char *origin, struct sl_errbuf *eb)
{
	struct add_ctx a = {cfg, origin};
	struct sl_errbuf sub;
	enum sl_err e = sl_props_parse(text, len, add_cb, &a, &sub);
	if (e == SL_OK)
		return SL_OK;
	/* add_cb already named the origin; parse errors start with "line N". */
	if (origin && !strncmp(sub.msg, "line ", 5))
		return sl_err_set(eb, e, "%s: %s", origin, sub.msg);
	return sl_err_set(eb, e, "%s", sub.msg);
}

enum sl_err sl_config_add_file(struct sl_config *cfg, const char *path, struct sl_errbuf *eb)
{
	char *text;
	size_t len;
	struct sl_errbuf sub;
	enum sl_err e = sl_config_read_file(path, CONFIG_FILE_MAX, &text, &len, &sub);
	if (e != SL_OK)
		return sl_err_set(eb, e == SL_ERR_NOTFOUND ? SL_ERR_NOTFOUND : SL_ERR_CONFIG,
				  "could not load configuration: %s", sub.msg);
	e = sl_config_add_string(cfg, text, len, path, eb);
	free(text);
	return e;
}

enum sl_err sl_config_set(struct sl_config *cfg, const char *key, const char *value,
			  struct sl_errbuf *eb)
{
	if (!cfg || !key)
		return sl_err_set(eb, SL_ERR_ARG, "sl_config_set: no config or key");
	if (!value) {
		const struct sl_config_key *k = sl_config_key_find(key);
		remove_entry(cfg, k ? k->name : key);
		return SL_OK;
	}
	return set_key(cfg, key, value, eb);
}

/* --- whole-config checks --------------------------------------------- */

static const struct entry *explicit_entry(const struct sl_config *cfg, const char *name)
{
	const struct entry *e = find_entry(cfg, name);
	return e && !e->derived ? e : NULL;
}

/* Set explicitly to a non-empty value. */
static bool has(const struct sl_config *cfg, const char *name)
{
	const struct entry *e = explicit_entry(cfg, name);
	return e && e->value[0];
}

static enum sl_err derive(struct sl_config *cfg, const char *name, const char *value,
			  struct sl_errbuf *eb)
{
	if (explicit_entry(cfg, name))
		return SL_OK;
	char *v = strdup(value);
	if (!v)
		return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
	return put_entry(cfg, sl_config_key_find(name), name, v, NULL, false, true, eb);
}

static enum sl_err missing(const struct sl_config *cfg, const char *name, const char *why,
			   struct sl_errbuf *eb)
{
	return sl_err_set(eb, SL_ERR_CONFIG, "missing required key \"%s\" (%s%s%s)", name,
			  why ? why : "sluice ", why ? "" : sl_config_role_name(cfg->role),
			  why ? "" : " needs it");
}

static enum sl_err exclusive(const struct sl_config *cfg, const char *a, const char *b,
			     struct sl_errbuf *eb)
{
	if (has(cfg, a) && has(cfg, b))
		return sl_err_set(eb, SL_ERR_CONFIG, "keys \"%s\" and \"%s\" cannot be used together",
				  a, b);
	return SL_OK;
}

static enum sl_err validate_capture(struct sl_config *cfg, struct sl_errbuf *eb)
{
	enum sl_err e;
	if ((e = exclusive(cfg, "table.include.list", "table.exclude.list", eb)) ||
	    (e = exclusive(cfg, "schema.include.list", "schema.exclude.list", eb)))
		return e;
	const char *sink = sl_config_get(cfg, "sink.type");
	if (!strcmp(sink, "file") && !has(cfg, "sink.file.path"))
		return missing(cfg, "sink.file.path", "sink.type=file needs it", eb);
	if (!strcmp(sink, "kafka") && cfg->role == SL_ROLE_CAPTURE &&
	    !has(cfg, "kafka.bootstrap.servers"))
		return missing(cfg, "kafka.bootstrap.servers", "sink.type=kafka needs it", eb);
	if (sl_config_get_int(cfg, "max.queue.size") <= sl_config_get_int(cfg, "max.batch.size"))
		return sl_err_set(eb, SL_ERR_CONFIG,
				  "\"max.queue.size\" (%lld) must be larger than \"max.batch.size\" "
				  "(%lld)",
				  (long long)sl_config_get_int(cfg, "max.queue.size"),
				  (long long)sl_config_get_int(cfg, "max.batch.size"));
	const char *ops = sl_config_get(cfg, "skipped.operations");
	if (strstr(ops, "none") && strchr(ops, ','))
		return sl_err_set(eb, SL_ERR_CONFIG,
				  "invalid value \"%s\" for \"skipped.operations\": \"none\" cannot "
				  "be combined with operations",
				  ops);
	/* Unset: on for capture, off for run (keys.c). */
	if ((e = derive(cfg, "streaming.in.progress", cfg->role == SL_ROLE_RUN ? "false" : "true",
			eb)))
		return e;
	if (!has(cfg, "streaming.spool.dir")) {
		struct sl_buf b;
		sl_buf_init(&b, 0);
		if (sl_buf_appendf(&b, "%s/spool", sl_config_get(cfg, "offset.storage.dir")))
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		e = derive(cfg, "streaming.spool.dir", b.data, eb);
		sl_buf_free(&b);
		if (e)
			return e;
	}
	return SL_OK;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncasecmp(s, prefix, strlen(prefix));
}

/* Normalize the store location to store.url = s3://bucket[/prefix] or
 * file://..., moving a Confluent-style http(s) store.url to s3.endpoint. */
static enum sl_err validate_store(struct sl_config *cfg, struct sl_errbuf *eb)
{
	const struct entry *u = explicit_entry(cfg, "store.url");
	const char *bucket = has(cfg, "s3.bucket.name") ? sl_config_get(cfg, "s3.bucket.name")
							: NULL;
	if (u && u->value[0] && (starts(u->value, "http://") || starts(u->value, "https://"))) {
		if (has(cfg, "s3.endpoint") && strcmp(sl_config_get(cfg, "s3.endpoint"), u->value))
			return sl_err_set(eb, SL_ERR_CONFIG,
					  "\"store.url\" is an S3 endpoint but \"s3.endpoint\" names "
					  "a different one; set only one");
		if (!bucket)
			return missing(cfg, "s3.bucket.name", "store.url is an http(s) endpoint",
				       eb);
		char *ep = strdup(u->value);
		char *ref = u->ref_text ? strdup(u->ref_text) : NULL;
		if (!ep || (u->ref_text && !ref)) {
			free(ep);
			free(ref);
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		}
		bool secret = u->secret;
		enum sl_err e = put_entry(cfg, sl_config_key_find("s3.endpoint"), "s3.endpoint", ep,
					  ref, secret, false, eb);
		if (e)
			return e;
		struct sl_buf b;
		sl_buf_init(&b, 0);
		if (sl_buf_appendf(&b, "s3://%s", bucket))
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		return put_entry(cfg, sl_config_key_find("store.url"), "store.url", sl_buf_steal(&b),
				 NULL, false, false, eb);
	}
	if (u && u->value[0]) {
		if (starts(u->value, "file://"))
			return SL_OK;
		if (!starts(u->value, "s3://") || !u->value[5] || u->value[5] == '/') {
			char what[320];
			describe(what, sizeof what, u->value, false, u->ref_text);
			return sl_err_set(eb, SL_ERR_CONFIG,
					  "%s \"store.url\": expected s3://bucket[/prefix], "
					  "file:///dir or an http(s):// S3 endpoint",
					  what);
		}
		const char *ub = u->value + 5;
		size_t blen = strcspn(ub, "/");
		if (bucket && (strlen(bucket) != blen || strncmp(bucket, ub, blen)))
			return sl_err_set(eb, SL_ERR_CONFIG,
					  "\"store.url\" and \"s3.bucket.name\" name different "
					  "buckets; set only one");
		return SL_OK;
	}
	if (bucket) {
		struct sl_buf b;
		sl_buf_init(&b, 0);
		if (sl_buf_appendf(&b, "s3://%s", bucket))
			return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		enum sl_err e = derive(cfg, "store.url", b.data, eb);
		sl_buf_free(&b);
		return e;
	}
	if (cfg->role == SL_ROLE_RUN)
		return derive(cfg, "store.url", "file://./lake", eb);
	return sl_err_set(eb, SL_ERR_CONFIG,
			  "missing required key \"s3.bucket.name\" or \"store.url\" (sluice archive "
			  "needs to know where to write)");
}

static enum sl_err validate_archive(struct sl_config *cfg, struct sl_errbuf *eb)
{
	enum sl_err e;
	if (cfg->role == SL_ROLE_ARCHIVE) {
		if ((e = exclusive(cfg, "topics", "topics.regex", eb)))
			return e;
		if (!has(cfg, "topics") && !has(cfg, "topics.regex"))
			return sl_err_set(eb, SL_ERR_CONFIG,
					  "missing required key \"topics\" or \"topics.regex\" "
					  "(sluice archive needs to know what to read)");
		if (!has(cfg, "kafka.bootstrap.servers"))
			return missing(cfg, "kafka.bootstrap.servers", NULL, eb);
	}
	/* sluice run: a quiet table must still land (and let the slot
	 * advance), so files are committed every 5 s unless set. */
	if (cfg->role == SL_ROLE_RUN && (e = derive(cfg, "rotate.schedule.interval.ms", "5000", eb)))
		return e;
	const char *part = sl_config_get(cfg, "partitioner.class");
	if (!strcmp(part, "TimeBased")) {
		if (!has(cfg, "path.format"))
			return missing(cfg, "path.format", "partitioner.class=TimeBased needs it",
				       eb);
		if (sl_config_get_int(cfg, "partition.duration.ms") <= 0)
			return missing(cfg, "partition.duration.ms",
				       "partitioner.class=TimeBased needs a positive value", eb);
	}
	if (!strcmp(part, "Field") && !has(cfg, "partition.field.name"))
		return missing(cfg, "partition.field.name", "partitioner.class=Field needs it", eb);
	if (!strcmp(sl_config_get(cfg, "timestamp.extractor"), "RecordField") &&
	    !sl_config_get(cfg, "timestamp.field")[0])
		return missing(cfg, "timestamp.field", "timestamp.extractor=RecordField needs it",
			       eb);
	return validate_store(cfg, eb);
}

enum sl_err sl_config_validate(struct sl_config *cfg, struct sl_errbuf *eb)
{
	size_t n;
	const struct sl_config_key *keys = sl_config_keys(&n);
	for (size_t i = 0; i < n; i++)
		if ((keys[i].required & cfg->role) && !has(cfg, keys[i].name))
			return missing(cfg, keys[i].name, NULL, eb);
	enum sl_err e;
	if ((cfg->role & (SL_ROLE_CAPTURE | SL_ROLE_RUN)) && (e = validate_capture(cfg, eb)))
		return e;
	if ((cfg->role & (SL_ROLE_ARCHIVE | SL_ROLE_RUN)) && (e = validate_archive(cfg, eb)))
		return e;
	return SL_OK;
}

/* --- loading --------------------------------------------------------- */

static enum sl_err finish_load(struct sl_config *cfg, enum sl_err e, struct sl_config **out,
			       struct sl_errbuf *eb)
{
	if (e == SL_OK)
		e = sl_config_validate(cfg, eb);
	if (e != SL_OK) {
		sl_config_free(cfg);
		return e;
	}
	*out = cfg;
	return SL_OK;
}

enum sl_err sl_config_load_file(const char *path, unsigned role, struct sl_config **out,
				struct sl_errbuf *eb)
{
	struct sl_config *cfg;
	*out = NULL;
	enum sl_err e = sl_config_new(role, &cfg, eb);
	if (e != SL_OK)
		return e;
	return finish_load(cfg, sl_config_add_file(cfg, path, eb), out, eb);
}

enum sl_err sl_config_load_string(const char *text, size_t len, unsigned role,
				  struct sl_config **out, struct sl_errbuf *eb)
{
	struct sl_config *cfg;
	*out = NULL;
	enum sl_err e = sl_config_new(role, &cfg, eb);
	if (e != SL_OK)
		return e;
	return finish_load(cfg, sl_config_add_string(cfg, text, len, NULL, eb), out, eb);
}

/* --- queries --------------------------------------------------------- */

const char *sl_config_get(const struct sl_config *cfg, const char *key)
{
	const struct sl_config_key *k = sl_config_key_find(key);
	const struct entry *e = find_entry(cfg, k ? k->name : key);
	if (e)
		return e->value;
	return k ? k->def : NULL;
}

int64_t sl_config_get_int(const struct sl_config *cfg, const char *key)
{
	const char *v = sl_config_get(cfg, key);
	int64_t n;
	return v && parse_i64(v, &n) ? n : 0;
}

bool sl_config_get_bool(const struct sl_config *cfg, const char *key)
{
	const char *v = sl_config_get(cfg, key);
	return v && !strcasecmp(v, "true");
}

bool sl_config_is_set(const struct sl_config *cfg, const char *key)
{
	const struct sl_config_key *k = sl_config_key_find(key);
	return explicit_entry(cfg, k ? k->name : key) != NULL;
}

unsigned sl_config_role(const struct sl_config *cfg)
{
	return cfg->role;
}

void sl_config_foreach_prefix(const struct sl_config *cfg, const char *prefix,
			      void (*fn)(const char *key, const char *value, void *ctx), void *ctx)
{
	size_t plen = strlen(prefix);
	for (size_t i = 0; i < cfg->n; i++) {
		const struct entry *e = &cfg->v[i];
		if (!e->derived && !strncmp(e->name, prefix, plen))
			fn(e->name + plen, e->value, ctx);
	}
}

enum sl_err sl_config_split_list(const char *value, char ***items, size_t *n,
				 struct sl_errbuf *eb)
{
	*items = NULL;
	*n = 0;
	size_t count = 0, bytes = 0;
	/* Two passes over the same trimming: count, then copy. */
	for (int pass = 0; pass < 2; pass++) {
		char **arr = *items;
		char *str = arr ? (char *)(arr + count) : NULL;
		size_t k = 0;
		for (const char *p = value ? value : ""; *p;) {
			size_t len = strcspn(p, ",");
			const char *s = p, *e = p + len;
			p = *e ? e + 1 : e;
			while (s < e && (*s == ' ' || *s == '\t'))
				s++;
			while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			if (s == e)
				continue;
			if (!arr) {
				count++;
				bytes += (size_t)(e - s) + 1;
				continue;
			}
			arr[k++] = str;
			memcpy(str, s, (size_t)(e - s));
			str[e - s] = '\0';
			str += (e - s) + 1;
		}
		if (pass == 0) {
			if (!count)
				return SL_OK;
			*items = malloc(count * sizeof(char *) + bytes);
			if (!*items)
				return sl_err_set(eb, SL_ERR_NOMEM, "out of memory");
		}
	}
	*n = count;
	return SL_OK;
}

/* --- printing -------------------------------------------------------- */

struct line {
	const char *name, *value;
	bool redact, is_default;
};

static int line_cmp(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->name, ((const struct line *)b)->name);
}

/* Write s in properties syntax, so printed values read back the same. */
static void put_escaped(FILE *out, const char *s, bool is_key)
{
	for (const char *p = s; *p; p++) {
		char c = *p;
		if (c == '\\' || (is_key && (c == '=' || c == ':' || c == ' ' || c == '#' ||
					     c == '!')) ||
		    (!is_key && p == s && (c == ' ' || c == '\t'))) {
			fputc('\\', out);
			fputc(c, out);
		} else if (c == '\n') {
			fputs("\\n", out);
		} else if (c == '\r') {
			fputs("\\r", out);
		} else if (c == '\t') {
			fputs("\\t", out);
		} else if (c == '\f') {
			fputs("\\f", out);
		} else {
			fputc(c, out);
		}
	}
}

enum sl_err sl_config_print(const struct sl_config *cfg, FILE *out)
{
	size_t nk;
	const struct sl_config_key *keys = sl_config_keys(&nk);
	struct line *lines = calloc(nk + cfg->n + 1, sizeof *lines);
	if (!lines)
		return SL_ERR_NOMEM;
	size_t n = 0;
	for (size_t i = 0; i < nk; i++) {
		const struct sl_config_key *k = &keys[i];
		if (!(k->roles & cfg->role))
			continue;
		const struct entry *e = find_entry(cfg, k->name);
		if (!e && !k->def)
			continue;
		struct line *l = &lines[n++];
		l->name = k->name;
		l->value = e ? (e->ref_text ? e->ref_text : e->value) : k->def;
		l->redact = k->secret && !(e && e->ref_text);
		l->is_default = !e || e->derived;
	}
	for (size_t i = 0; i < cfg->n; i++) {
		const struct entry *e = &cfg->v[i];
		if (e->key)
			continue;
		struct line *l = &lines[n++];
		l->name = e->name;
		l->value = e->ref_text ? e->ref_text : e->value;
		l->redact = e->secret && !e->ref_text;
		l->is_default = false;
	}
	qsort(lines, n, sizeof *lines, line_cmp);
	for (size_t i = 0; i < n; i++) {
		put_escaped(out, lines[i].name, true);
		fputc('=', out);
		if (lines[i].redact)
			fputs("[redacted]", out);
		else
			put_escaped(out, lines[i].value, false);
		fputs(lines[i].is_default ? "  # default\n" : "\n", out);
	}
	free(lines);
	return ferror(out) ? SL_ERR_IO : SL_OK;
}

void sl_config_free(struct sl_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n; i++)
		entry_clear(&cfg->v[i]);
	free(cfg->v);
	free(cfg);
}
