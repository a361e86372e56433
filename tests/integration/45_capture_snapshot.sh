#!/usr/bin/env bash
# Snapshot: parallel CTID-range readers under one exported snapshot, a
# SIGKILL in the middle of it, and a restart that redoes it -- with no gap
# and no overlap against streaming afterwards.
. "$(dirname "$0")/../lib/integ.sh"
pg_start || die "could not start PostgreSQL"
psqlc "CREATE TABLE big(id int PRIMARY KEY, pad text); CREATE TABLE small(id int PRIMARY KEY);
INSERT INTO big SELECT g, repeat(md5(g::text), 2) FROM generate_series(1, 300000) g;
INSERT INTO small SELECT g FROM generate_series(1, 10) g; ANALYZE big;" || die schema
pages=$(psqlc "SELECT relpages FROM pg_class WHERE relname = 'big'")
check "the big table spans at least two 16 MiB CTID chunks ($pages pages)" test "$pages" -gt 2048

cat >"$TROOT/c.properties" <<P
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=postgres
database.dbname=postgres
topic.prefix=snap
snapshot.max.threads=2
sink.type=file
sink.file.path=$TROOT/out.jsonl
offset.storage.dir=$TROOT/state
log.format=text
P
"$SLUICE" capture -c "$TROOT/c.properties" >"$TROOT/run1.log" 2>&1 &
P=$!
some_rows() { [ -s "$TROOT/out.jsonl" ] && [ "$(wc -l <"$TROOT/out.jsonl")" -gt 2000 ]; }
check "snapshot under way" wait_for 60 some_rows
kill -9 $P
wait $P 2>/dev/null
if grep -q "snapshot: done" "$TROOT/run1.log"; then fail "the kill landed mid-snapshot"; else pass "the kill landed mid-snapshot"; fi
like "$(cat "$TROOT/run1.log")" "2 readers" "two parallel readers"
n_run1=$(wc -l <"$TROOT/out.jsonl") # whole lines of the killed run (a torn tail is dropped)
# Changes made while sluice is down, after the interrupted snapshot began.
psqlc "INSERT INTO big VALUES (300001, 'during the outage'); UPDATE small SET id = 100 WHERE id = 1;"

"$SLUICE" capture -c "$TROOT/c.properties" >"$TROOT/run2.log" 2>&1 &
P=$!
t_track_pid $P
done_snap() { grep -q "snapshot: done" "$TROOT/run2.log"; }
check "the restarted snapshot completes" wait_for 120 done_snap
like "$(cat "$TROOT/run2.log")" "did not finish" "the restart knows the last snapshot did not finish and redoes it"
psqlc "INSERT INTO big VALUES (300002, 'after the snapshot'); DELETE FROM small WHERE id = 2;"
target=$(psqlc "SELECT pg_current_wal_lsn()")
caught() { [ "$(psqlc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots")" = t ]; }
check "streaming caught up" wait_for 60 caught
kill -TERM $P
wait $P

first_mark=$(python3 -c 'import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
print(recs[int(sys.argv[2])]["value"]["source"]["snapshot"])' "$TROOT/out.jsonl" "$n_run1")
is "$first_mark" "first" "the redone snapshot's first record written is the one marked first (2 readers)"
res=$(python3 - "$TROOT/out.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
recs = [json.loads(l) for l in lines]
# The second snapshot starts at its "first" record; everything before is the killed run.
firsts = [i for i, r in enumerate(recs) if r["value"] and r["value"]["source"]["snapshot"] == "first"]
second = recs[firsts[-1]:]
snap_big = [r["value"]["after"]["id"] for r in second if r["topic"] == "snap.public.big" and r["value"] and r["value"]["op"] == "r"]
snap_small = sorted(r["value"]["after"]["id"] for r in second if r["topic"] == "snap.public.small" and r["value"] and r["value"]["op"] == "r")
stream = [(r["value"]["op"], r["value"]["after"]["id"] if r["value"]["after"] else r["value"]["before"]["id"]) for r in second if r["value"] and r["value"]["op"] != "r"]
marks = [r["value"]["source"]["snapshot"] for r in second if r["value"] and r["value"]["op"] == "r"]
print(len(snap_big), len(set(snap_big)), min(snap_big), max(snap_big),
      ",".join(map(str, snap_small)), ";".join("%s%d" % s for s in stream),
      marks.count("first"), marks.count("last"), marks[-1])
PY
)
read -r n ndistinct lo hi small stream nfirst nlast lastmark <<<"$res"
is "$n/$ndistinct" "300001/300001" "the redone snapshot has every row of big exactly once (incl. the outage insert)"
is "$lo-$hi" "1-300001" "... from the first to the last id"
is "$small" "2,3,4,5,6,7,8,9,10,100" "the redone snapshot sees the outage's key change"
is "$stream" "c300002;d2" "streaming continues after the snapshot with no gap and no overlap"
is "$nfirst/$nlast/$lastmark" "1/1/last" "exactly one first and one last marker, last on the final record"
finish
