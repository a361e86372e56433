/* SPDX-License-Identifier: Apache-2.0
 *
 * pggeo.c -- geometric text forms and WKB (see pggeo.h).
 *
 * PostgreSQL prints every geometric type from the same pieces: a point is
 * "(x,y)", a list of points is points separated by commas, and each type
 * wraps a list in its own brackets.  A number ends at the next ',', ')',
 * '>' or '}', so a scan for the delimiter bounds it.
 */
#include "event/pggeo.h"

#include <string.h>

#include "core/hex.h"
#include "event/pgtypes.h"

struct cur {
	const char *p, *end;
};

static bool eat(struct cur *c, char ch)
{
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

/* One float8 up to (not including) the next delimiter. */
static bool number(struct cur *c, double *out)
{
	const char *start = c->p;
	while (c->p < c->end && *c->p != ',' && *c->p != ')' && *c->p != '>' && *c->p != '}')
		c->p++;
	return c->p > start && sl_pgtext_parse_double(start, (size_t)(c->p - start), out);
}

static bool point(struct cur *c, double *x, double *y)
{
	return eat(c, '(') && number(c, x) && eat(c, ',') && number(c, y) && eat(c, ')');
}

/* "(x,y),(x,y),..." into xy; at least one point. */
static bool point_list(struct cur *c, struct sl_buf *xy, size_t *npts)
{
	size_t n = 0;
	do {
		double v[2];
		if (!point(c, &v[0], &v[1]) || sl_buf_append(xy, v, sizeof v))
			return false;
		n++;
	} while (eat(c, ','));
	*npts = n;
	return true;
}

bool sl_pggeo_parse(enum sl_pggeo_shape shape, const char *s, size_t n, struct sl_buf *xy,
		     size_t *npts, bool *closed)
{
	struct cur c = {s, s + n};
	size_t before = xy->len;
	bool ok = false;
	*closed = true;
	*npts = 0;
	switch (shape) {
	case SL_GEO_BOX: ok = point_list(&c, xy, npts) && *npts == 2; break;
	case SL_GEO_LSEG:
		ok = eat(&c, '[') && point_list(&c, xy, npts) && *npts == 2 && eat(&c, ']');
		break;
	case SL_GEO_PATH:
		if (eat(&c, '[')) {
			*closed = false;
			ok = point_list(&c, xy, npts) && eat(&c, ']');
		} else {
			ok = eat(&c, '(') && point_list(&c, xy, npts) && eat(&c, ')');
		}
		break;
	case SL_GEO_POLYGON: ok = eat(&c, '(') && point_list(&c, xy, npts) && eat(&c, ')'); break;
	}
	if (ok && c.p == c.end)
		return true;
	xy->len = before;
	*npts = 0;
	return false;
}

bool sl_pggeo_point_parse(const char *s, size_t n, double *x, double *y)
{
	struct cur c = {s, s + n};
	return point(&c, x, y) && c.p == c.end;
}

bool sl_pggeo_circle_parse(const char *s, size_t n, double *x, double *y, double *r)
{
	struct cur c = {s, s + n};
	return eat(&c, '<') && point(&c, x, y) && eat(&c, ',') && number(&c, r) && eat(&c, '>') &&
	       c.p == c.end;
}

bool sl_pggeo_line_parse(const char *s, size_t n, double *a, double *b, double *cc)
{
	struct cur c = {s, s + n};
	return eat(&c, '{') && number(&c, a) && eat(&c, ',') && number(&c, b) && eat(&c, ',') &&
	       number(&c, cc) && eat(&c, '}') && c.p == c.end;
}

/* ---- WKB -------------------------------------------------------------------- */

static void le32(uint8_t *o, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		o[i] = (uint8_t)(v >> (8 * i));
}

static void le64d(uint8_t *o, double d)
{
	uint64_t v;
	memcpy(&v, &d, sizeof v);
	for (int i = 0; i < 8; i++)
		o[i] = (uint8_t)(v >> (8 * i));
}

static enum sl_err head(struct sl_buf *out, uint32_t type)
{
	uint8_t h[5] = {1};
	le32(h + 1, type);
	return sl_buf_append(out, h, sizeof h);
}

static enum sl_err count(struct sl_buf *out, size_t n)
{
	if (n > UINT32_MAX)
		return SL_ERR_TOO_LARGE;
	uint8_t c[4];
	le32(c, (uint32_t)n);
	return sl_buf_append(out, c, sizeof c);
}

static enum sl_err points(struct sl_buf *out, const double *xy, size_t npts)
{
	enum sl_err err = count(out, npts);
	for (size_t i = 0; !err && i < 2 * npts; i++) {
		uint8_t d[8];
		le64d(d, xy[i]);
		err = sl_buf_append(out, d, sizeof d);
	}
	return err;
}

void sl_pggeo_wkb_point_bytes(uint8_t out[SL_WKB_POINT_LEN], double x, double y)
{
	out[0] = 1;
	le32(out + 1, SL_WKB_POINT);
	le64d(out + 5, x);
	le64d(out + 13, y);
}

enum sl_err sl_pggeo_wkb_point(struct sl_buf *out, double x, double y)
{
	uint8_t d[SL_WKB_POINT_LEN];
	sl_pggeo_wkb_point_bytes(d, x, y);
	return sl_buf_append(out, d, sizeof d);
}

enum sl_err sl_pggeo_wkb_linestring(struct sl_buf *out, const double *xy, size_t npts)
{
	enum sl_err err = head(out, SL_WKB_LINESTRING);
	return err ? err : points(out, xy, npts);
}

enum sl_err sl_pggeo_wkb_polygon(struct sl_buf *out, const double *xy, size_t npts)
{
	enum sl_err err = head(out, SL_WKB_POLYGON);
	if (!err)
		err = count(out, 1);
	return err ? err : points(out, xy, npts);
}

/* ---- PostGIS ---------------------------------------------------------------- */

#define EWKB_SRID_FLAG 0x20000000u

bool sl_pggeo_ewkb_from_hex(const char *s, size_t n, struct sl_buf *out, bool *has_srid,
			 int32_t *srid)
{
	*has_srid = false;
	*srid = 0;
	if (n % 2 || n < 18 || sl_buf_reserve(out, n / 2))
		return false;
	uint8_t *o = (uint8_t *)out->data + out->len;
	for (size_t i = 0; i < n; i += 2) {
		int hi = sl_hex_digit(s[i]), lo = sl_hex_digit(s[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		o[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	out->len += n / 2;
	/* Byte order: 1 little endian, 0 big endian. */
	bool le = o[0] != 0;
	uint32_t type = 0, id = 0;
	for (int i = 0; i < 4; i++) {
		type |= (uint32_t)o[1 + i] << (le ? 8 * i : 8 * (3 - i));
		id |= (uint32_t)o[5 + i] << (le ? 8 * i : 8 * (3 - i));
	}
	if (type & EWKB_SRID_FLAG) {
		*has_srid = true;
		*srid = (int32_t)id;
	}
	return true;
}
