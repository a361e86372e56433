/* SPDX-License-Identifier: Apache-2.0
 *
 * pggeo.h -- PostgreSQL's geometric values and PostGIS's, as text and as
 * OGC Well-Known Binary.
 *
 * The parsers read what the server prints for box, lseg, path, polygon,
 * circle and line (float8 numbers as under extra_float_digits=3) and the
 * hex EWKB PostGIS prints for geometry and geography.  Like pgtypes.h they
 * are bounded by the given length and return false on anything else.  The
 * WKB writers produce 2D little-endian WKB without an SRID, the form
 * Debezium gives the native geometric types.
 */
#ifndef SL_EVENT_PGGEO_H
#define SL_EVENT_PGGEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

enum sl_pggeo_shape { SL_GEO_BOX, SL_GEO_LSEG, SL_GEO_PATH, SL_GEO_POLYGON };

/* The vertices of a box "(x1,y1),(x2,y2)", an lseg "[(x1,y1),(x2,y2)]",
 * an open path "[(x,y),...]", a closed path or a polygon "((x,y),...)":
 * x,y pairs of doubles appended to xy, *npts of them.  *closed tells the
 * two path forms apart (true for the others' "(" form). */
bool sl_pggeo_parse(enum sl_pggeo_shape shape, const char *s, size_t n, struct sl_buf *xy,
		     size_t *npts, bool *closed);

/* point "(x,y)", circle "<(x,y),r>" and line "{A,B,C}". */
bool sl_pggeo_point_parse(const char *s, size_t n, double *x, double *y);
bool sl_pggeo_circle_parse(const char *s, size_t n, double *x, double *y, double *r);
bool sl_pggeo_line_parse(const char *s, size_t n, double *a, double *b, double *c);

/* WKB geometry type codes. */
enum { SL_WKB_POINT = 1, SL_WKB_LINESTRING = 2, SL_WKB_POLYGON = 3 };

/* Little-endian 2D WKB appended to out: a point (21 bytes), a
 * LINESTRING of npts vertices, or a POLYGON of one ring of npts vertices
 * written as given (the caller closes it). */
enum sl_err sl_pggeo_wkb_point(struct sl_buf *out, double x, double y);
#define SL_WKB_POINT_LEN 21
void sl_pggeo_wkb_point_bytes(uint8_t out[SL_WKB_POINT_LEN], double x, double y);
enum sl_err sl_pggeo_wkb_linestring(struct sl_buf *out, const double *xy, size_t npts);
enum sl_err sl_pggeo_wkb_polygon(struct sl_buf *out, const double *xy, size_t npts);

/* PostGIS's text output, hex (E)WKB, decoded into out as is.  When the
 * type word carries the EWKB SRID flag (0x20000000) *srid gets the SRID
 * that follows and *has_srid is set.  False on odd length, a non-hex
 * digit, or fewer than 9 bytes (the shortest WKB, an empty collection, is
 * a byte order, a type word and a count). */
bool sl_pggeo_ewkb_from_hex(const char *s, size_t n, struct sl_buf *out, bool *has_srid,
			 int32_t *srid);

#endif
