#!/usr/bin/env bash
# include.unknown.datatypes against real PostgreSQL: columns of types sluice
# has no mapping for (contrib's cube, cube[], a composite type) in snapshot
# and streaming events.  With the key true each such value is the bytes of
# PostgreSQL's text output (compared here with the server's own col::text,
# element by element for arrays) per binary.handling.mode, the schema is
# binaryMode's (bytes, or string in the text modes; array items required),
# an unchanged TOASTed value is the placeholder, and a delete under REPLICA
# IDENTITY DEFAULT gives the NOT NULL column the empty value.  With the key
# false (the default) the columns are left out, one warning each.
. "$(dirname "$0")/../lib/integ.sh"
pg_start || die "could not start PostgreSQL"
psqlc "CREATE EXTENSION cube;
CREATE TYPE pair AS (a text, b text);
CREATE TABLE unk(id int PRIMARY KEY, c cube NOT NULL, cn cube, ca cube[], p pair);" || die schema

# The rows every run starts from (taken by the snapshot); id 1 holds a
# composite value big enough to be TOASTed out of line.
reset_rows() {
	psqlc "DELETE FROM unk;
INSERT INTO unk VALUES
 (1, '(1, 2)', '(1,2),(3,4)', ARRAY['(1,2)'::cube, NULL, '(3)'],
  ROW((SELECT string_agg(md5(g::text), '') FROM generate_series(1, 200) g), 'big')),
 (2, '(0)', NULL, '{}', ROW(E'\u00e9\u20ac', 'a\"b,c')),
 (3, '(-1.5, 2e-3)', '(5)', NULL, NULL);"
}
# truth FILE: every row as PostgreSQL prints it (arrays element by element).
truth() {
	psqlc "SELECT coalesce(json_object_agg(id, json_build_object('c', c::text, 'cn', cn::text,
  'ca', CASE WHEN ca IS NULL THEN NULL ELSE coalesce((SELECT json_agg(e::text ORDER BY o)
        FROM unnest(ca) WITH ORDINALITY u(e, o)), '[]') END,
  'p', p::text)), '{}') FROM unk" >"$1"
}

run_mode() { # NAME extra-properties...
	local name=$1; shift
	local dir=$TROOT/$name
	mkdir -p "$dir"
	reset_rows || return 1
	truth "$dir/snap.json"
	{
		echo "database.hostname=127.0.0.1"; echo "database.port=$PGPORT"
		echo "database.user=postgres"; echo "database.dbname=postgres"
		echo "topic.prefix=u"; echo "slot.name=s_$name"; echo "publication.name=p_$name"
		echo "table.include.list=public\\.unk"
		echo "sink.type=file"; echo "sink.file.path=$dir/out.jsonl"
		echo "offset.storage.dir=$dir/state"; echo "log.format=text"; echo "http.listen=off"
		for kv in "$@"; do echo "$kv"; done
	} >"$dir/c.properties"
	"$SLUICE" capture -c "$dir/c.properties" >"$dir/log" 2>&1 &
	local p=$!
	t_track_pid $p
	wait_for 30 slot_active "s_$name" || { cat "$dir/log"; return 1; }
	psqlc "INSERT INTO unk VALUES
 (10, '(7, 8, 9)', NULL, ARRAY[NULL, '(1),(2)'::cube], ROW(NULL, '')),
 (11, '(4)', '(6)', '{}', ROW('x', 'y'))" || return 1
	truth "$dir/ins.json"
	# id 1: p is not changed, so pgoutput sends it as unchanged TOAST.
	psqlc "UPDATE unk SET c = '(11, 12)', ca = ARRAY['(0.5)'::cube] WHERE id = 10;
UPDATE unk SET cn = '(42)' WHERE id = 1;
DELETE FROM unk WHERE id = 11;" || return 1
	truth "$dir/final.json"
	local target
	target=$(psqlc "SELECT pg_current_wal_lsn()")
	caught() { [ "$(psqlc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name='s_$name'")" = t ]; }
	wait_for 60 caught || { cat "$dir/log"; return 1; }
	kill -TERM $p; wait $p
}

# check_run NAME MODE INCLUDED: the checks of one run, as "name<TAB>True|detail" lines.
check_run() {
	python3 - "$TROOT/$1" "$2" "$3" <<'PY'
import base64, json, sys
d, mode, included = sys.argv[1], sys.argv[2], sys.argv[3] == "true"
snap, ins, final = (json.load(open(f"{d}/{n}.json")) for n in ("snap", "ins", "final"))
recs = [json.loads(l) for l in open(f"{d}/out.jsonl")]
def unwrap(x):
    return (x["schema"], x["payload"]) if isinstance(x, dict) and "payload" in x and "schema" in x else (None, x)
evs = []
for r in recs:
    ks, k = unwrap(r["key"])
    vs, v = unwrap(r["value"])
    if v is not None:
        evs.append((ks, k, vs, v))
def check(name, cond, detail=""):
    print(f"{name}\t{True if cond else (detail if detail != '' else False)}")
def dec(s):
    if s is None:
        return None
    raw = {"bytes": base64.b64decode, "base64": base64.b64decode,
           "base64-url-safe": base64.urlsafe_b64decode, "hex": bytes.fromhex}[mode](s)
    return raw.decode("utf-8")
cols = ("c", "cn", "ca", "p")
ops = [(v["op"], (v["after"] or v["before"])["id"]) for _, _, _, v in evs]
check(f"{mode}: events r1 r2 r3 c10 c11 u10 u1 d11",
      sorted(ops) == sorted([("r", 1), ("r", 2), ("r", 3), ("c", 10), ("c", 11), ("u", 10), ("u", 1), ("d", 11)]), ops)
if not included:
    check(f"{mode}: the unknown-type columns are in no event",
          all(set(img) == {"id"} for _, _, _, v in evs for img in (v["before"], v["after"]) if img))
    sch = [vs for _, _, vs, _ in evs if vs]
    check(f"{mode}: ... nor in the value schema",
          sch and all([g["field"] for g in f["fields"]] == ["id"] for s in sch for f in s["fields"] if f["field"] in ("before", "after")))
    sys.exit(0)
def row(img):
    out = {}
    for c in cols:
        x = img[c]
        out[c] = [dec(e) for e in x] if c == "ca" and x is not None else dec(x)
    return out
def want(t, i):
    return {c: t[str(i)][c] for c in cols}
rs = {v["after"]["id"]: row(v["after"]) for _, _, _, v in evs if v["op"] == "r"}
check(f"{mode}: snapshot rows decode to PostgreSQL's text of each column",
      all(rs[i] == want(snap, i) for i in (1, 2, 3)), rs)
cs = {v["after"]["id"]: row(v["after"]) for _, _, _, v in evs if v["op"] == "c"}
check(f"{mode}: streamed inserts decode to PostgreSQL's text of each column",
      all(cs[i] == want(ins, i) for i in (10, 11)), cs)
us = {v["after"]["id"]: v["after"] for _, _, _, v in evs if v["op"] == "u"}
check(f"{mode}: streamed update decodes to PostgreSQL's text", row(us[10]) == want(final, 10), row(us[10]))
u1 = dict(row(dict(us[1], p=None)), p=dec(us[1]["p"]))
check(f"{mode}: update leaving the TOASTed composite unchanged: the placeholder's bytes",
      u1 == dict(want(final, 1), p="__debezium_unavailable_value"), u1)
dl = [v for _, _, _, v in evs if v["op"] == "d"]
b = dl[0]["before"] if dl else None
check(f"{mode}: delete under REPLICA IDENTITY DEFAULT: NOT NULL c is empty, the others null",
      b == {"id": 11, "c": "", "cn": None, "ca": None, "p": None}, b)
check(f"{mode}: the composite's non-ASCII text survives",
      rs[2]["p"] == snap["2"]["p"] and "\u00e9\u20ac" in rs[2]["p"], rs.get(2))
sch = [vs for _, _, vs, _ in evs if vs]
if sch:
    t = "bytes" if mode == "bytes" else "string"
    wantf = [{"type": "int32", "optional": False, "field": "id"},
             {"type": t, "optional": False, "field": "c"},
             {"type": t, "optional": True, "field": "cn"},
             {"type": "array", "items": {"type": t, "optional": False}, "optional": True, "field": "ca"},
             {"type": t, "optional": True, "field": "p"}]
    got = [f["fields"] for s in sch for f in s["fields"] if f["field"] in ("before", "after")]
    check(f"{mode}: value schema: {t} fields (array items required), no name",
          all(g == wantf for g in got), got[:1])
    ks = [k for k, _, _, _ in evs if k]
    if ks:
        check(f"{mode}: key schema holds only the key column",
              all([g["field"] for g in k["fields"]] == ["id"] for k in ks), ks[:1])
PY
}

run_mode inc_b64 include.unknown.datatypes=true binary.handling.mode=base64 \
	key.converter.schemas.enable=true value.converter.schemas.enable=true || die "base64 run"
run_mode inc_hex include.unknown.datatypes=true binary.handling.mode=hex || die "hex run"
run_mode inc_bytes include.unknown.datatypes=true value.converter.schemas.enable=true || die "bytes run"
run_mode off value.converter.schemas.enable=true || die "default run"

nchecks=0
for spec in "inc_b64 base64 true" "inc_hex hex true" "inc_bytes bytes true" "off bytes false"; do
	set -- $spec
	while IFS=$'\t' read -r name res; do
		nchecks=$((nchecks + 1))
		if [ "$res" = True ]; then pass "$1: $name"; else fail "$1: $name"; echo "#   $res"; fi
	done < <(check_run "$1" "$2" "$3")
done
is "$nchecks" 27 "every check ran"

for m in inc_b64 inc_hex inc_bytes; do
	is "$(grep -c 'left out of events' "$TROOT/$m/log")" 0 "run \"$m\": no warning about the columns"
done
is "$(grep -c 'left out of events' "$TROOT/off/log")" 4 "include.unknown.datatypes=false: one warning per column"
for c in c cn ca p; do
	like "$(grep 'left out of events' "$TROOT/off/log")" "public\\.unk.*column \"$c\".*include\\.unknown\\.datatypes=false" \
		"... naming column $c"
done
finish
