#!/usr/bin/env bash
# Geometric, PostGIS and pgvector columns, snapshot then streaming, checked
# value by value against what PostgreSQL itself says about each value.
#
# - box, lseg, path, polygon: io.debezium.data.geometry.Geometry (version 2)
#   holding OGC WKB built here independently from the server's text and,
#   for polygon and path, compared with PostGIS's own ST_AsBinary() of the
#   value cast to geometry; circle and line: Circle / Line structs.
# - PostGIS geometry / geography / geometry[]: the EWKB bytes equal
#   ST_AsEWKB() and the srid equals ST_SRID().
# - pgvector: the real extension (scripts/deps/pgvector.sh builds it for
#   PostgreSQL 15 from Debian's source package), in schema vec.  The rows
#   hold literals whose texts pgvector rewrites (halfvec 0.1 is printed as
#   0.099975586, 123456789 in a vector as 1.2345679e+08, -3e-7 as -3e-07).
#   Each element must be what Debezium makes of pgvector's text:
#   Double.parseDouble() / Float.parseFloat(), written as Jackson writes a
#   Java double / float; a sparsevec's pairs in the order of Debezium's
#   HashMap; more than 32767 dimensions stop the capture.
# - NOT NULL columns absent from a delete's old key get Debezium's fallback
#   values; point[] and box[] (no Debezium mapping) are left out.
. "$(dirname "$0")/../lib/integ.sh"
# The pgvector literals, each a psql variable of the same name (:'h1' in
# the rows below).
cat >"$TROOT/pgv-in.json" <<'JSON'
{"v1": "[1,2.5,3]",
 "h1": "[0.1,-2,65504]",
 "s1": "{1:1.5,3:2}/5",
 "vn1": "[0.333333]",
 "va1": "[1,2]",
 "v2": "[-1e-5,1e20]",
 "h2": "[1]",
 "s2": "{3:1,17:2,20:3}/30",
 "vn2": "[7]",
 "s3": "{}/4",
 "vn3": "[0]",
 "v4": "[-0,1e30,-3e-7,3.4028235e38,1.1754944e-38,0.1234567]",
 "h4": "[0.1,65504,-6e-8,0.001]",
 "s4": "{17:-2.5e-12,32752:1e30,32767:-0.5}/32767",
 "vn4": "[-0]",
 "v5": "[1e-45,-3.4028235e38,123456789,0.001,1e7,9999999,-1e-4]",
 "h5": "[-0,-65504,6.1e-5,3.14159]",
 "s5": "{1:0,2:-0,3:1e-45,4:3.4028235e38}/4",
 "vn5": "[1e-45]",
 "sw": "{99999:-2.5e-12,100000:1e30}/100000"}
JSON
pg_start || die "could not start PostgreSQL"
psql -X -q -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<'SQL' || die "schema"
CREATE EXTENSION postgis;
CREATE SCHEMA vec;
CREATE EXTENSION vector SCHEMA vec;
CREATE TABLE public.shapes (
  id int PRIMARY KEY, bx box, ls lseg, pth path, pg polygon, ci circle, li line,
  bxn box NOT NULL, lsn lseg NOT NULL, pthn path NOT NULL, pgn polygon NOT NULL,
  cin circle NOT NULL, lin line NOT NULL, pta point[], bxa box[]);
CREATE TABLE public.gis (
  id int PRIMARY KEY, g geometry, gg geography, ga geometry[],
  gn geometry NOT NULL, ggn geography NOT NULL);
CREATE TABLE public.vecs (
  id int PRIMARY KEY, v vec.vector, h vec.halfvec, s vec.sparsevec, vn vec.vector NOT NULL,
  va vec.vector[]);
SQL
mapfile -t pgv_vars < <(python3 -c 'import json, sys
for k, v in json.load(open(sys.argv[1])).items(): print(f"--variable={k}={v}")' "$TROOT/pgv-in.json")
extversion=$(psqlc "SELECT extversion FROM pg_extension WHERE extname = 'vector'")
like "$extversion" '^[0-9]+\.[0-9]+\.[0-9]+$' "the real pgvector extension is installed (version $extversion)"

rows() { # BASE
	psql -X -q -v ON_ERROR_STOP=1 -v base="$1" "${pgv_vars[@]}" >/dev/null <<'SQL'
INSERT INTO public.shapes VALUES
 (:base + 1, '(0,0),(1,1)', '[(0,0),(0,1)]', '[(0,0),(1,2.5)]', '((0,0),(0,1),(1,0))', '<(10,4),10>', '{-1,0,0}',
  '(3,4),(-1.5,2)', '[(1e+300,-2),(3,1e-300)]', '((0,0),(1,1),(2,0))', '((0,0),(4,0),(4,3),(0,0))', '<(-1.25,0.1),0.5>', '{1,-1,2.5}',
  '{"(1,2)"}', '{(1,1),(0,0)}'),
 (:base + 2, NULL, NULL, NULL, NULL, NULL, NULL,
  '(0,0),(0,0)', '[(0,0),(0,0)]', '[(5,5)]', '((7,7))', '<(0,0),0>', '{0,1,0}', NULL, NULL);
INSERT INTO public.gis VALUES
 (:base + 1, 'SRID=3187;POINT(174.9479 -36.7208)', 'MULTILINESTRING((169.1321 -44.7032, 167.8974 -44.6414))',
  ARRAY['GEOMETRYCOLLECTION EMPTY'::geometry, 'POLYGON((166.51 -46.64, 178.52 -46.64, 178.52 -34.45, 166.51 -34.45, 166.51 -46.64))'::geometry, NULL],
  'LINESTRING(0 0, 1 1, 2 1)', 'POINT(-0.1278 51.5074)'),
 (:base + 2, NULL, NULL, NULL, 'SRID=4326;POINT(1 2)', 'SRID=4326;POINT(3 4)');
INSERT INTO public.vecs VALUES
 (:base + 1, :'v1', :'h1', :'s1', :'vn1', ARRAY[:'va1'::vec.vector]),
 (:base + 2, :'v2', :'h2', :'s2', :'vn2', NULL),
 (:base + 3, NULL, NULL, :'s3', :'vn3', NULL),
 (:base + 4, :'v4', :'h4', :'s4', :'vn4', NULL),
 (:base + 5, :'v5', :'h5', :'s5', :'vn5', NULL);
SQL
}
rows 100
is "$(psqlc "SELECT h::text FROM public.vecs WHERE id = 101")" "[0.099975586,-2,65504]" \
	"the rows hold pgvector's texts: halfvec 0.1 is 0.099975586"

dir=$TROOT/cap
mkdir -p "$dir"
cat >"$dir/c.properties" <<EOF
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=postgres
database.dbname=postgres
topic.prefix=geo
table.include.list=public\\.(shapes|gis|vecs)
slot.name=s_geo
publication.name=p_geo
publication.autocreate.mode=filtered
sink.type=file
sink.file.path=$dir/out.jsonl
offset.storage.dir=$dir/state
log.format=text
EOF
"$SLUICE" capture -c "$dir/c.properties" >"$dir/log" 2>&1 &
pid=$!
t_track_pid $pid
wait_for 60 slot_active s_geo || { cat "$dir/log"; die "capture did not start streaming"; }
rows 200
# Deletes: the old key holds only the id, so every NOT NULL column of the
# before block takes Debezium's fallback value.
psqlc "DELETE FROM public.shapes WHERE id = 202; DELETE FROM public.gis WHERE id = 202; DELETE FROM public.vecs WHERE id = 202"
target=$(psqlc "SELECT pg_current_wal_lsn()")
caught() { [ "$(psqlc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name='s_geo'")" = t ]; }
wait_for 60 caught || { cat "$dir/log"; die "capture did not catch up"; }
kill -TERM $pid
wait $pid
is "$?" 0 "capture exits 0 on SIGTERM"

# What PostgreSQL says about each value, as JSON per row.
psql -X -At -v ON_ERROR_STOP=1 >"$dir/pg.json" <<'SQL' || die "oracle query"
SELECT json_build_object('t', 'shapes', 'id', id,
  'text', json_build_object('bx', bx::text, 'ls', ls::text, 'pth', pth::text, 'pg', pg::text, 'ci', ci::text,
     'li', li::text, 'bxn', bxn::text, 'lsn', lsn::text, 'pthn', pthn::text, 'pgn', pgn::text, 'cin', cin::text,
     'lin', lin::text),
  'postgis', json_build_object('pth', encode(ST_AsBinary(pth::geometry), 'hex'),
     'pg', encode(ST_AsBinary(pg::geometry), 'hex'), 'pthn', encode(ST_AsBinary(pthn::geometry), 'hex'),
     'pgn', encode(ST_AsBinary(pgn::geometry), 'hex')),
  'center', json_build_object('ci', json_build_array((center(ci))[0], (center(ci))[1], radius(ci)),
     'cin', json_build_array((center(cin))[0], (center(cin))[1], radius(cin))))
 FROM public.shapes WHERE id < 200 ORDER BY id;
SELECT json_build_object('t', 'gis', 'id', id,
  'g', json_build_array(encode(ST_AsEWKB(g), 'hex'), ST_SRID(g)),
  'gg', json_build_array(encode(ST_AsEWKB(gg::geometry), 'hex'), ST_SRID(gg)),
  'gn', json_build_array(encode(ST_AsEWKB(gn), 'hex'), ST_SRID(gn)),
  'ggn', json_build_array(encode(ST_AsEWKB(ggn::geometry), 'hex'), ST_SRID(ggn)),
  'ga', (SELECT json_agg(CASE WHEN x IS NULL THEN NULL ELSE json_build_array(encode(ST_AsEWKB(x), 'hex'), ST_SRID(x)) END ORDER BY o)
         FROM unnest(ga) WITH ORDINALITY AS u(x, o)))
 FROM public.gis ORDER BY id;
SELECT json_build_object('t', 'vecs', 'id', id, 'v', v::text, 'h', h::text, 's', s::text, 'vn', vn::text)
 FROM public.vecs ORDER BY id;
SQL

python3 - "$dir/out.jsonl" "$dir/pg.json" >"$dir/checks" <<'PY'
import base64, json, math, re, struct, sys
from decimal import Decimal, ROUND_CEILING, ROUND_FLOOR, getcontext
recs = [json.loads(l) for l in open(sys.argv[1])]
raw = {}  # (table, id, op) -> the value's JSON text, for number spellings
spelled = {}  # (table, id, op) -> the after block with every number as its JSON text
for l in open(sys.argv[1]):
    r = json.loads(l)
    v = r["value"]
    if v:
        row = v["after"] or v["before"]
        raw[(v["source"]["table"], row["id"], v["op"])] = l
        spelled[(v["source"]["table"], row["id"], v["op"])] = json.loads(l, parse_float=str, parse_int=str)["value"]["after"]
pg = [json.loads(l) for l in open(sys.argv[2])]
vals = [r["value"] for r in recs if r["value"]]
def check(name, cond, detail=""):
    print(f"{name}\t{True if cond else (repr(detail)[:600] or False)}")
def nums(s):
    return [float(x) for x in re.findall(r"[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|NaN|Infinity)", s)]
def pts(s):
    n = nums(s)
    return [(n[i], n[i + 1]) for i in range(0, len(n), 2)]
def wkb_line(p):
    return struct.pack("<BII", 1, 2, len(p)) + b"".join(struct.pack("<dd", *q) for q in p)
def wkb_poly(p):
    return struct.pack("<BIII", 1, 3, 1, len(p)) + b"".join(struct.pack("<dd", *q) for q in p)
def wkb_point(x, y):
    return struct.pack("<BIdd", 1, 1, x, y)
def expect_shape(col, text):
    kind = {"bx": "box", "ls": "lseg", "pth": "path", "pg": "polygon"}[col.rstrip("n") if col != "lsn" else "ls"]
    p = pts(text)
    ext = {"type": kind}
    if kind == "box":
        (x1, y1), (x2, y2) = p
        w = wkb_poly([(x1, y1), (x1, y2), (x2, y2), (x2, y1), (x1, y1)])
    elif kind == "polygon":
        if len(p) >= 2 and p[0] != p[-1]:
            p = p + [p[0]]
        w = wkb_poly(p)
    else:
        w = wkb_line(p)
        if kind == "path":
            ext["closed"] = "false" if text.startswith("[") else "true"
    return {"wkb": base64.b64encode(w).decode(), "srid": None, "extensions": ext}

def rows_of(table, ops):
    return {(v["op"], (v["after"] or v["before"])["id"]): v for v in vals
            if v["source"]["table"] == table and v["op"] in ops}
shapes = rows_of("shapes", "rcd")
gis = rows_of("gis", "rcd")
vecs = rows_of("vecs", "rcd")
check("every inserted row was captured once by the snapshot and once by streaming",
      (len([k for k in shapes if k[0] in "rc"]), len([k for k in gis if k[0] in "rc"]),
       len([k for k in vecs if k[0] in "rc"])) == (4, 4, 10), sorted(shapes))

for o in pg:
    if o["t"] != "shapes":
        continue
    for op, base in (("r", 100), ("c", 200)):
        a = shapes.get((op, o["id"] % 100 + base), {}).get("after")
        if a is None:
            check(f"shapes {o['id']} {op}: row present", False, sorted(shapes))
            continue
        for col, text in o["text"].items():
            if text is None:
                want = None
            elif col in ("ci", "cin"):
                x, y, r = o["center"][col]
                want = {"center": {"x": x, "y": y, "wkb": base64.b64encode(wkb_point(x, y)).decode(),
                                   "srid": None}, "radius": r}
            elif col in ("li", "lin"):
                aa, bb, cc = nums(text)
                want = {"a": aa, "b": bb, "c": cc}
            else:
                want = expect_shape(col, text)
            check(f"shapes {o['id'] % 100} {op}: {col} {text!r}", a.get(col) == want, [a.get(col), want])
        for col, hexwkb in o["postgis"].items():
            if hexwkb:
                check(f"shapes {o['id'] % 100} {op}: {col} has the WKB of PostGIS's {col}::geometry",
                      base64.b64decode(a[col]["wkb"]).hex() == hexwkb, [a[col], hexwkb])
        check(f"shapes {o['id'] % 100} {op}: point[] and box[] are left out", "pta" not in a and "bxa" not in a)
line = raw[("shapes", 101, "r")]
check("doubles are written as Java does (1.0, not 1)", '"a":-1.0,"b":0.0,"c":0.0' in line and '"radius":10.0' in line, line[:300])

# A delete's before block: fallbacks for the NOT NULL columns.
d = shapes.get(("d", 202), {}).get("before")
unit = wkb_poly([(0, 0), (0, 1), (1, 1), (1, 0), (0, 0)])
want = {"id": 202, "bx": None, "ls": None, "pth": None, "pg": None, "ci": None, "li": None,
        "bxn": {"wkb": base64.b64encode(unit).decode(), "srid": None, "extensions": {"type": "box"}},
        "lsn": {"wkb": base64.b64encode(wkb_line([(0, 0), (1, 0)])).decode(), "srid": None, "extensions": {"type": "lseg"}},
        "pthn": {"wkb": base64.b64encode(wkb_line([(0, 0), (1, 0)])).decode(), "srid": None, "extensions": {"type": "path"}},
        "pgn": {"wkb": base64.b64encode(wkb_poly([(0, 0), (1, 0), (0, 1), (0, 0)])).decode(), "srid": None,
                "extensions": {"type": "polygon"}},
        "cin": {"center": {"x": 0.0, "y": 0.0, "wkb": base64.b64encode(wkb_point(0, 0)).decode(), "srid": None}, "radius": 0.0},
        "lin": {"a": 0.0, "b": 1.0, "c": 0.0}}
check("shapes delete: the before block holds Debezium's fallback shapes", d == want, [d, want])

for o in pg:
    if o["t"] != "gis":
        continue
    for op in ("r", "c"):
        i = o["id"] % 100 + (100 if op == "r" else 200)
        a = gis.get((op, i), {}).get("after")
        if o["id"] // 100 == 2 and op == "r":
            continue  # rows 2xx are streamed only
        if a is None:
            check(f"gis {i} {op}: row present", False)
            continue
        for col in ("g", "gg", "gn", "ggn"):
            hexwkb, srid = o[col]
            if hexwkb is None:
                check(f"gis {i} {op}: {col} is null", a[col] is None, a[col])
                continue
            got = a[col]
            want_keys = ["wkb", "srid", "extensions"] if col in ("g", "gn") else ["wkb", "srid"]
            check(f"gis {i} {op}: {col} holds ST_AsEWKB() and ST_SRID() = {srid or None}",
                  list(got) == want_keys and base64.b64decode(got["wkb"]).hex() == hexwkb and
                  got["srid"] == (srid or None) and got.get("extensions") is None, [got, hexwkb, srid])
        ga = o["ga"]
        got = a["ga"]
        ok = (ga is None and got is None) or (
            got is not None and len(got) == len(ga) and
            all((w is None and g is None) or (g is not None and base64.b64decode(g["wkb"]).hex() == w[0] and
                g["srid"] == (w[1] or None)) for g, w in zip(got, ga)))
        check(f"gis {i} {op}: geometry[] element by element", ok, [got, ga])

def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]
def bits(x, single=False):  # bit for bit: -0.0 is not 0.0
    return struct.pack("<f" if single else "<d", x)
getcontext().prec = 800  # exact arithmetic on any double
def java(x, single=False):
    """Double.toString() (Float.toString() if single) of JDK 19+, as Jackson
    writes a double (float): the decimal of fewest digits that reads back as
    x (1 or 2 digits when 1 would do), the nearest of those; plain notation
    for 1e-3 <= |d| < 1e7, otherwise d.dddEn."""
    if x == 0:
        return "-0.0" if math.copysign(1, x) < 0 else "0.0"
    back = f32 if single else float
    ex = Decimal(x)
    for p in range(1, 18):
        ds = [ex.quantize(Decimal(1).scaleb(ex.adjusted() - q + 1), rounding=r)
              for q in ((1, 2) if p == 1 else (p,)) for r in (ROUND_FLOOR, ROUND_CEILING)]
        ds = [d for d in ds if back(float(d)) == x]
        if ds:
            break
    d = min(ds, key=lambda d: (abs(d - ex), d.normalize().as_tuple().digits[-1] % 2))
    sign, digits, exp = d.normalize().as_tuple()
    t = "".join(map(str, digits))
    e = len(t) - 1 + exp
    if Decimal("1e-3") <= abs(d) < Decimal("1e7"):
        t = t[:e + 1].ljust(e + 1, "0") + "." + (t[e + 1:] or "0") if e >= 0 else "0." + "0" * (-e - 1) + t
    else:
        t = t[0] + "." + (t[1:] or "0") + "E" + str(e)
    return "-" + t if sign else t
def hashmap_order(keys):
    """Iteration order of a java.util.HashMap<Short, Double> filled in this
    order: by bin (Short.hashCode() is the value, spread by h ^ h >>> 16),
    insertion order within a bin; 16 bins, doubled past 3/4 full (bins of
    8 or more, which become trees, do not occur here)."""
    cap = 16
    while len(keys) > cap * 3 // 4:
        cap *= 2
    h = lambda k: ((k & 0xFFFFFFFF) ^ ((k & 0xFFFFFFFF) >> 16)) & (cap - 1)
    return sorted(keys, key=h)
def elements(text):
    return [x for x in text.strip("[]").split(",")]
for o in pg:
    if o["t"] != "vecs":
        continue
    i = o["id"]
    op = "r" if i < 200 else "c"
    a = vecs.get((op, i), {}).get("after")
    if a is None:
        check(f"vecs {i}: row present", False)
        continue
    sp = spelled[("vecs", i, op)]
    for col in ("v", "vn"):
        # Debezium: Double.parseDouble() of each element of pgvector's text.
        want = None if o[col] is None else [float(x) for x in elements(o[col])]
        got = a[col]
        check(f"vecs {i}: {col} {o[col]!r} is a DoubleVector of Double.parseDouble() of each element",
              (got is None and want is None) or (got is not None and want is not None and len(got) == len(want) and
              all(isinstance(g, float) and bits(g) == bits(w) for g, w in zip(got, want))), [got, want])
        if want:
            check(f"vecs {i}: {col} {o[col]!r} written as Jackson writes the doubles",
                  sp[col] == [java(w) for w in want], [sp[col], [java(w) for w in want]])
    # Debezium: Float.parseFloat() of each element.
    want = None if o["h"] is None else [f32(float(x)) for x in elements(o["h"])]
    got = a["h"]
    check(f"vecs {i}: h {o['h']!r} is a FloatVector of Float.parseFloat() of each element",
          (got is None and want is None) or (got is not None and want is not None and len(got) == len(want) and
          all(isinstance(g, float) and bits(f32(g), True) == bits(w, True) for g, w in zip(got, want))), [got, want])
    if want:
        check(f"vecs {i}: h {o['h']!r} written as Jackson writes the floats",
              sp["h"] == [java(w, True) for w in want], [sp["h"], [java(w, True) for w in want]])
    # Debezium: Short.parseShort() of the dimensions and each index,
    # Double.parseDouble() of each value, into a HashMap; none is null.
    want = None
    if o["s"] is not None:
        body, dims = o["s"].rsplit("/", 1)
        pairs = dict((int(k), v) for k, v in (p.split(":") for p in body.strip("{}").split(",") if p))
        if pairs:
            want = {"dimensions": int(dims), "vector": [[k, pairs[k]] for k in hashmap_order(list(pairs))]}
    got = a["s"]
    check(f"vecs {i}: s {o['s']!r} is a SparseDoubleVector, pairs in HashMap order",
          (got is None and want is None) or (
          got is not None and want is not None and got["dimensions"] == want["dimensions"] and
          [k for k, _ in got["vector"]] == [k for k, _ in want["vector"]] and
          all(isinstance(g, float) and bits(g) == bits(float(w)) for (_, g), (_, w) in zip(got["vector"], want["vector"]))),
          [got, want])
    if want:
        check(f"vecs {i}: s {o['s']!r} values written as Jackson writes the doubles",
              [v for _, v in sp["s"]["vector"]] == [java(float(v)) for _, v in want["vector"]],
              [sp["s"], want])
    check(f"vecs {i}: va (vector[]) is left out", "va" not in a)
s = {i: vecs[("r" if i < 200 else "c", i)]["after"]["s"] for i in (101, 102, 103, 201, 202, 203)}
check("sparsevec: dimensions and (index, value) pairs, 1-based as pgvector prints them",
      s[101] == {"dimensions": 5, "vector": [[1, 1.5], [3, 2.0]]} and s[201] == s[101], s[101])
# java.util.HashMap order: 16 bins, index 17 lands in bin 1 before 3 and 20.
check("sparsevec: pairs in the order of Debezium's HashMap", s[102] == {"dimensions": 30, "vector": [[17, 2.0], [3, 1.0], [20, 3.0]]}, s[102])
check("sparsevec: an empty vector is null, as Debezium parses it", s[103] is None and s[203] is None, s[103])
dv = vecs.get(("d", 202), {}).get("before")
check("vecs delete: a NOT NULL vector absent from the old key is an empty list",
      dv == {"id": 202, "v": None, "h": None, "s": None, "vn": []}, dv)
PY
n=0
while IFS=$'\t' read -r name res; do
	n=$((n + 1))
	if [ "$res" = True ]; then pass "$name"; else fail "$name"; echo "#   $res"; fi
done <"$dir/checks"
[ "$n" -gt 50 ] || fail "only $n value checks ran"

# One warning per column left out, naming its type.
like "$(grep 'left out of events' "$dir/log" | grep '"pta"')" 'public\.shapes.*column "pta".*type point\[\]' \
	"the warning for point[] names table, column and type"
is "$(grep -c 'left out of events' "$dir/log")" 3 "one warning each for point[], box[] and vector[]"

# The same through the schema-carrying converter: the Connect schema of
# each new type, as Debezium declares it.
dir2=$TROOT/sch
mkdir -p "$dir2"
sed -e "s|$dir|$dir2|g" -e 's/s_geo/s_geo2/; s/p_geo/p_geo2/' "$dir/c.properties" >"$dir2/c.properties"
echo "snapshot.mode=initial_only" >>"$dir2/c.properties"
echo "value.converter.schemas.enable=true" >>"$dir2/c.properties"
"$SLUICE" capture -c "$dir2/c.properties" >"$dir2/log" 2>&1 || { cat "$dir2/log"; fail "schemas run"; }
schema_ok=$(python3 - "$dir2/out.jsonl" <<'PY'
import json, sys
sch = {}
for l in open(sys.argv[1]):
    v = json.loads(l)["value"]
    if v:
        after = [f for f in v["schema"]["fields"] if f["field"] == "after"][0]
        for f in after["fields"]:
            sch[(v["payload"]["source"]["table"], f["field"])] = f
geom = {"type": "struct", "fields": [
    {"type": "bytes", "optional": False, "field": "wkb"},
    {"type": "int32", "optional": True, "field": "srid"},
    {"type": "map", "keys": {"type": "string", "optional": False}, "values": {"type": "string", "optional": False},
     "optional": True, "field": "extensions"}],
    "optional": True, "name": "io.debezium.data.geometry.Geometry", "version": 2, "doc": "Geometry"}
point = {"type": "struct", "fields": [
    {"type": "double", "optional": False, "field": "x"}, {"type": "double", "optional": False, "field": "y"},
    {"type": "bytes", "optional": True, "field": "wkb"}, {"type": "int32", "optional": True, "field": "srid"}],
    "optional": False, "name": "io.debezium.data.geometry.Point", "version": 1, "doc": "Geometry (POINT)"}
want = {
    ("shapes", "bx"): geom, ("shapes", "pgn"): geom, ("gis", "g"): geom, ("gis", "gn"): geom,
    ("shapes", "ci"): {"type": "struct", "fields": [dict(point, field="center"),
                       {"type": "double", "optional": False, "field": "radius"}],
                       "optional": True, "name": "io.debezium.data.geometry.Circle", "version": 1, "doc": "Geometry (CIRCLE)"},
    ("shapes", "lin"): {"type": "struct", "fields": [{"type": "double", "optional": False, "field": c} for c in "abc"],
                        "optional": True, "name": "io.debezium.data.geometry.Line", "version": 1, "doc": "Geometry (LINE)"},
    ("gis", "ggn"): {"type": "struct", "fields": geom["fields"][:2], "optional": False,
                     "name": "io.debezium.data.geometry.Geography", "version": 1, "doc": "Geography"},
    ("gis", "ga"): {"type": "array", "items": geom, "optional": True},
    ("vecs", "v"): {"type": "array", "items": {"type": "double", "optional": False}, "optional": True,
                    "name": "io.debezium.data.DoubleVector", "version": 1},
    ("vecs", "vn"): {"type": "array", "items": {"type": "double", "optional": False}, "optional": False,
                     "name": "io.debezium.data.DoubleVector", "version": 1},
    ("vecs", "h"): {"type": "array", "items": {"type": "float", "optional": False}, "optional": True,
                    "name": "io.debezium.data.FloatVector", "version": 1},
    ("vecs", "s"): {"type": "struct", "fields": [
        {"type": "int16", "optional": False, "field": "dimensions"},
        {"type": "map", "keys": {"type": "int16", "optional": False}, "values": {"type": "double", "optional": False},
         "optional": False, "field": "vector"}], "optional": True,
        "name": "io.debezium.data.SparseDoubleVector", "version": 1, "doc": "Sparse double vector"},
}
bad = [(k, sch.get(k)) for k, w in want.items() if sch.get(k) != dict(w, field=k[1])]
print("True" if not bad else bad)
PY
)
is "$schema_ok" True "value schemas: Geometry v2, Circle, Line, Geography, DoubleVector, FloatVector, SparseDoubleVector"

# sluice run: the same values in the Parquet lake as nested columns that
# DuckDB reads (a Geometry's wkb as bytes, a DoubleVector as a list).
DUCK="node $SRC_ROOT/tests/archive/duck.mjs"
sed -e "/^sink\./d; /^snapshot\./d; /^value\.converter/d; /^publication\.autocreate/d" \
	-e "s|$dir2/state|$TROOT/run-state|; s/s_geo2/s_geo_run/" "$dir2/c.properties" >"$TROOT/run.properties"
echo "store.url=file://$TROOT/lake" >>"$TROOT/run.properties"
lsn=$(psqlc "SELECT pg_current_wal_lsn()")
"$SLUICE" run -c "$TROOT/run.properties" --until-lsn "$lsn" >"$TROOT/run.log" 2>&1
is "$?" 0 "sluice run over the same tables stops at --until-lsn"
src="read_parquet('$TROOT/lake/**/*.parquet', hive_partitioning=true, union_by_name=true)"
$DUCK "SELECT _topic, after.id, hex(after.bx.wkb), after.bx.extensions::text, after.ci.radius, after.lin.b,
  hex(after.g.wkb), after.g.srid, hex(after.gg.wkb), after.v::text, after.s.dimensions
  FROM $src WHERE after.id = 101 ORDER BY 1" >"$TROOT/lake.tsv" 2>&1
lake_ok=$(python3 - "$dir/out.jsonl" "$TROOT/lake.tsv" <<'PY'
import base64, json, sys
snap = {}
for l in open(sys.argv[1]):
    v = json.loads(l)["value"]
    if v and v["op"] == "r":
        snap[(v["source"]["table"], v["after"]["id"])] = v["after"]
rows = {r[0].split(".")[-1]: r for r in (l.rstrip("\n").split("\t") for l in open(sys.argv[2])) if len(r) == 11}
hexb = lambda s: base64.b64decode(s).hex().upper()
sh, gi = snap[("shapes", 101)], snap[("gis", 101)]
want = {"shapes": ["geo.public.shapes", "101", hexb(sh["bx"]["wkb"]), '{"type":"box"}', "10", "-1",
                   "\\N", "\\N", "\\N", "\\N", "\\N"],
        "gis": ["geo.public.gis", "101", "\\N", "\\N", "\\N", "\\N", hexb(gi["g"]["wkb"]), "3187",
                hexb(gi["gg"]["wkb"]), "\\N", "\\N"],
        "vecs": ["geo.public.vecs", "101", "\\N", "\\N", "\\N", "\\N", "\\N", "\\N", "\\N", "[1.0, 2.5, 3.0]", "5"]}
print(True if rows == want else [rows, want])
PY
)
is "$lake_ok" True "the lake holds the box's WKB, PostGIS's EWKB and SRID, the vector and the sparsevec's dimensions"

# A sparsevec of more than 32767 dimensions: Debezium reads the dimensions
# and indices with Short.parseShort(), which throws, so sluice stops with an
# error naming the column rather than writing a value Debezium never would.
dir3=$TROOT/wide
mkdir -p "$dir3"
psql -X -q -v ON_ERROR_STOP=1 "${pgv_vars[@]}" >/dev/null <<'SQL' || die "wide table"
CREATE TABLE public.wide (id int PRIMARY KEY, s vec.sparsevec);
INSERT INTO public.wide VALUES (1, :'sw');
SQL
sed -e "s|$dir|$dir3|g" -e 's/s_geo/s_wide/; s/p_geo/p_wide/' \
	-e 's/^table\.include\.list=.*/table.include.list=public\\.wide/' "$dir/c.properties" >"$dir3/c.properties"
echo "snapshot.mode=initial_only" >>"$dir3/c.properties"
"$SLUICE" capture -c "$dir3/c.properties" >"$dir3/log" 2>&1
rc=$?
check "a sparsevec of $(psqlc "SELECT s::text FROM public.wide") stops the capture" [ "$rc" -ne 0 ]
like "$(cat "$dir3/log")" 'column "s" of table "public\.wide": sparsevec of 100000 dimensions; Debezium.s SparseDoubleVector holds at most 32767' \
	"the error names the column and Debezium's limit"
is "$(cat "$dir3/out.jsonl" 2>/dev/null | grep -c '"table":"wide"')" 0 "no event carries the wide sparsevec"
finish
