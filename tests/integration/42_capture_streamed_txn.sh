#!/usr/bin/env bash
# Streamed transactions: with logical_decoding_work_mem=64kB PostgreSQL sends
# big transactions in chunks before commit (protocol v2, streaming on).
# sluice spools them to disk, publishes them at Stream Commit and drops them
# at Stream Abort (including a rolled-back savepoint inside one).
. "$(dirname "$0")/../lib/integ.sh"
pg_start "logical_decoding_work_mem = 64kB" || die "could not start PostgreSQL"
psqlc "CREATE TABLE big(id int PRIMARY KEY, pad text); CREATE TABLE small(id int PRIMARY KEY);" || die schema

cat >"$TROOT/c.properties" <<P
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=postgres
database.dbname=postgres
topic.prefix=st
sink.type=file
sink.file.path=$TROOT/out.jsonl
offset.storage.dir=$TROOT/state
snapshot.mode=no_data
log.format=text
P
"$SLUICE" capture -c "$TROOT/c.properties" >"$TROOT/sluice.log" 2>&1 &
P=$!
t_track_pid $P
slot_ready() { [ "$(psqlc "SELECT count(*) FROM pg_replication_slots WHERE active")" = 1 ]; }
check "capture is streaming" wait_for 30 slot_ready

# 1. a 200k-row transaction that commits
psqlc "INSERT INTO small VALUES (1)"
psqlc "INSERT INTO big SELECT g, 'p' || g FROM generate_series(1, 200000) g"
# 2. a 200k-row transaction that aborts
psql -X -q -c "BEGIN; INSERT INTO big SELECT g, 'x' FROM generate_series(200001, 400000) g; ROLLBACK;"
# 3. a streamed transaction with a rolled-back savepoint in the middle
psql -X -q -c "BEGIN; INSERT INTO big SELECT g, 'a' FROM generate_series(500001, 560000) g;
SAVEPOINT s; INSERT INTO big SELECT g, 'b' FROM generate_series(600001, 660000) g; ROLLBACK TO s;
INSERT INTO big SELECT g, 'c' FROM generate_series(700001, 760000) g; COMMIT;"
psqlc "INSERT INTO small VALUES (2)"

target=$(psqlc "SELECT pg_current_wal_lsn()")
caught_up() { [ "$(psqlc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots")" = t ]; }
check "all three transactions confirmed" wait_for 120 caught_up
kill -TERM $P
wait $P
is "$?" 0 "clean stop"

stats=$(python3 - "$TROOT/out.jsonl" <<'PY'
import json, sys
ids, dup, small, order_ok, last = set(), 0, [], True, None
pads = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    v = r["value"]
    if r["topic"] == "st.public.small":
        small.append(v["after"]["id"])
        continue
    i = v["after"]["id"]
    if i in ids: dup += 1
    ids.add(i)
    pads[v["after"]["pad"][0]] = pads.get(v["after"]["pad"][0], 0) + 1
    # events of one transaction arrive in insert order
    if last is not None and i < last and not (last <= 200000 < i): order_ok = False
    last = i
print(len(ids), dup, ",".join(map(str, small)),
      sum(1 for i in ids if i <= 200000), sum(1 for i in ids if 200000 < i <= 400000),
      sum(1 for i in ids if 500000 < i <= 560000), sum(1 for i in ids if 600000 < i <= 660000),
      sum(1 for i in ids if 700000 < i <= 760000), order_ok)
PY
)
read -r total dup small committed aborted sp_a sp_b sp_c order_ok <<<"$stats"
is "$committed" 200000 "the committed 200k-row streamed transaction is delivered whole"
is "$aborted" 0 "nothing of the aborted 200k-row streamed transaction is delivered"
is "$sp_a,$sp_b,$sp_c" "60000,0,60000" "a rolled-back savepoint inside a streamed transaction is dropped"
is "$dup" 0 "no duplicates"
is "$small" "1,2" "transactions around the streamed ones keep commit order"
is "$order_ok" True "changes keep their order within each transaction"
is "$total" 320000 "320000 rows in all"
check "the spool was used" grep -q "replaying .* MiB from the spool" "$TROOT/sluice.log"
left=$(find "$TROOT/state" -name 'xid-*' | wc -l)
is "$left" 0 "spool files are removed after commit and abort"
finish
