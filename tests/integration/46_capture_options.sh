#!/usr/bin/env bash
# Capture options against real PostgreSQL, file sink: column.exclude.list,
# message.key.columns (table without a primary key), publication.autocreate.mode
# (disabled: a clear error; filtered: the publication holds exactly the included
# tables), snapshot.mode when_needed (no stored offset, slot gone, WAL removed)
# and always (every start, not every reconnect), tombstones.on.delete=false,
# the slot advancing while only an uncaptured table changes (keepalive
# confirm), slot.drop.on.stop, keys that have no effect (one warning), and
# pgoutput protocol 1 for servers older than 14.
. "$(dirname "$0")/../lib/integ.sh"
pg_start "logical_decoding_work_mem = 64kB" || die "could not start PostgreSQL"
psqlc "CREATE TABLE inc_a(id int PRIMARY KEY, name text, secret text, note text);
CREATE TABLE inc_nopk(code text NOT NULL, region text NOT NULL, qty int);
ALTER TABLE inc_nopk REPLICA IDENTITY FULL;
CREATE TABLE other_t(id int PRIMARY KEY, v text);
INSERT INTO inc_a VALUES (1, 'one', 's1', 'n1');
INSERT INTO inc_nopk VALUES ('A', 'eu', 1);
INSERT INTO other_t VALUES (1, 'x');" || die schema

props() { # FILE extra...
	local f=$1; shift
	{
		echo "database.hostname=127.0.0.1"; echo "database.port=$PGPORT"
		echo "database.user=postgres"; echo "database.dbname=postgres"
		echo "topic.prefix=o"; echo 'table.include.list=public\\.inc_.*'
		echo "slot.name=s46"; echo "publication.name=p46"
		echo "sink.type=file"; echo "offset.storage.dir=$TROOT/state"; echo "log.format=text"
		echo "status.update.interval.ms=1000"; echo "retriable.restart.connector.wait.ms=300"
		echo "http.listen=off"
		for kv in "$@"; do echo "$kv"; done
	} >"$f"
}
# run NAME extra...: start capture in the background into $TROOT/NAME.{jsonl,log}; sets P.
run() {
	local n=$1; shift
	props "$TROOT/$n.properties" "sink.file.path=$TROOT/$n.jsonl" "$@"
	"$SLUICE" capture -c "$TROOT/$n.properties" >"$TROOT/$n.log" 2>&1 &
	P=$!
	t_track_pid $P
}
stop() { kill -TERM "$P"; wait "$P"; }
active() { [ "$(psqlc "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 's46' AND active")" = 1 ]; }
slot_count() { psqlc "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 's46'"; }
mark() { target=$(psqlc "SELECT pg_current_wal_lsn()"); }
caught() { [ "$(psqlc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name = 's46'")" = t ]; }
# Facts about a JSON-lines output file, one per line (schemas enabled or not).
facts() {
	python3 - "$1" <<'PY'
import json, sys
recs = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    k, v = r["key"], r["value"]
    ks = vs = None
    if isinstance(k, dict) and "payload" in k and "schema" in k:
        ks, k = k["schema"], k["payload"]
    if isinstance(v, dict) and "payload" in v and "schema" in v:
        vs, v = v["schema"], v["payload"]
    recs.append((r["topic"], k, v, ks, vs))
def keystr(k):
    return json.dumps(k, separators=(",", ":"))
print("topics=" + ",".join(sorted({t for t, *_ in recs})))
print("tombstones=%d" % sum(1 for t, k, v, *_ in recs if v is None))
print("reads=%d" % sum(1 for t, k, v, *_ in recs if v and v.get("op") == "r"))
print("reads_a=%d" % sum(1 for t, k, v, *_ in recs if v and v.get("op") == "r" and t == "o.public.inc_a"))
# column.exclude.list: "secret" nowhere (rows or schema), "note" kept
rows = [v.get(img) for t, k, v, *_ in recs if v and t == "o.public.inc_a" for img in ("before", "after")]
rows = [r for r in rows if r]
print("secret_in_rows=%d" % sum(1 for r in rows if "secret" in r))
print("note_in_rows=%d" % sum(1 for r in rows if "note" in r))
fields = []
for t, k, v, ks, vs in recs:
    if vs and t == "o.public.inc_a":
        for f in vs["fields"]:
            if f["field"] in ("before", "after"):
                fields += [g["field"] for g in f["fields"]]
print("schema_fields_a=" + ",".join(sorted(set(fields))))
# message.key.columns on the table without a primary key
nk = [(keystr(k), v["op"]) for t, k, v, *_ in recs if v and t == "o.public.inc_nopk"]
print("nopk=" + " ".join("%s:%s" % x for x in nk))
kf = set()
for t, k, v, ks, vs in recs:
    if ks and t == "o.public.inc_nopk":
        kf.add(",".join(f["field"] for f in ks["fields"]))
print("nopk_key_schema=" + "|".join(sorted(kf)))
ops = [v["op"] for t, k, v, *_ in recs if v and t == "o.public.inc_a" and (v.get("after") or v.get("before") or {}).get("id") == 2]
print("a2_ops=" + ",".join(ops))
PY
}
fact() { grep "^$2=" <<<"$1" | cut -d= -f2-; }
count_lines() { [ -f "$1" ] && wc -l <"$1" || echo 0; }

# --- publication.autocreate.mode=disabled: a missing publication is an error ---
props "$TROOT/dis.properties" "sink.file.path=$TROOT/dis.jsonl" "publication.autocreate.mode=disabled"
out=$(timeout 30 "$SLUICE" capture -c "$TROOT/dis.properties" 2>&1); rc=$?
check "disabled + missing publication: capture fails (exit $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
like "$out" 'publication "p46" does not exist.*publication\.autocreate\.mode' "the error names publication.name's value and the setting"
is "$(slot_count)" 0 "... before creating any slot"
is "$(psqlc "SELECT count(*) FROM pg_publication WHERE pubname = 'p46'")" 0 "... and without creating the publication"

# --- filtered publication, excluded column, custom key, no tombstones, when_needed ---
run b "publication.autocreate.mode=filtered" 'column.exclude.list=public\\.inc_a\\.secret' \
	"message.key.columns=public.inc_nopk:code,region" "tombstones.on.delete=false" \
	"snapshot.mode=when_needed" "key.converter.schemas.enable=true" "value.converter.schemas.enable=true" \
	"snapshot.fetch.size=500" "poll.interval.ms=100" "max.queue.size=4096"
check "capture streams (filtered publication created)" wait_for 60 active
pubt=$(psqlc "SELECT string_agg(schemaname || '.' || tablename, ',' ORDER BY schemaname, tablename) FROM pg_publication_tables WHERE pubname = 'p46'")
is "$pubt" "public.inc_a,public.inc_nopk" "filtered: the publication was created for exactly the included tables"
check "when_needed with no slot: snapshot taken" grep -q 'snapshot: done' "$TROOT/b.log"
is "$(grep -c 'accepted for Debezium compatibility' "$TROOT/b.log")" 1 "keys without effect: one warning"
like "$(cat "$TROOT/b.log")" '"snapshot\.fetch\.size", "max\.queue\.size", "poll\.interval\.ms" are accepted for Debezium compatibility but have no effect' "... naming each key that is set"
psqlc "INSERT INTO inc_a VALUES (2, 'two', 's2', 'n2');
UPDATE inc_a SET secret = 's2b', note = 'n2b' WHERE id = 2;
DELETE FROM inc_a WHERE id = 2;
INSERT INTO inc_nopk VALUES ('B', 'us', 2);
UPDATE inc_nopk SET qty = 3 WHERE code = 'B';
DELETE FROM inc_nopk WHERE code = 'B';
UPDATE inc_nopk SET region = 'ap' WHERE code = 'A';
INSERT INTO other_t VALUES (2, 'y');"
# One transaction bigger than logical_decoding_work_mem: streamed in chunks (protocol 2).
psqlc "INSERT INTO inc_a SELECT g, 'big', 'sx', 'nx' FROM generate_series(1000, 3999) g"
mark
check "caught up" wait_for 60 caught
f=$(facts "$TROOT/b.jsonl")
is "$(fact "$f" topics)" "o.public.inc_a,o.public.inc_nopk" "only included tables have events"
is "$(fact "$f" secret_in_rows)" 0 "column.exclude.list: the column is in no before/after image"
check "... while the other columns are kept" test "$(fact "$f" note_in_rows)" -gt 0
is "$(fact "$f" schema_fields_a)" "id,name,note" "column.exclude.list: the column is not in the value schema either"
check "the excluded values never appear in the output" bash -c "! grep -qE '\"s2b?\"|\"s1\"|\"sx\"' '$TROOT/b.jsonl'"
is "$(fact "$f" a2_ops)" "c,u,d" "create, update, delete of a row of inc_a"
is "$(fact "$f" tombstones)" 0 "tombstones.on.delete=false: no tombstone after deletes"
is "$(fact "$f" nopk)" '{"code":"A","region":"eu"}:r {"code":"B","region":"us"}:c {"code":"B","region":"us"}:u {"code":"B","region":"us"}:d {"code":"A","region":"eu"}:d {"code":"A","region":"ap"}:c' \
	"message.key.columns: the key of a table without a primary key is (code, region), a key change is delete + create"
is "$(fact "$f" nopk_key_schema)" "code,region" "... and the key schema holds exactly those columns"
check "protocol 2: the large transaction was streamed and replayed from the spool" grep -q 'streamed transaction [0-9]* committed: replaying' "$TROOT/b.log"
is "$(python3 -c "import json; print(sum(1 for l in open('$TROOT/b.jsonl') if json.loads(l)['value'] and json.loads(l)['value']['payload']['source']['table']=='inc_a' and json.loads(l)['value']['payload']['op']=='c'))")" 3001 "... and all its rows were delivered"

# --- only an uncaptured table changes: the slot still advances (keepalive confirm) ---
before=$(count_lines "$TROOT/b.jsonl")
l0=$(psqlc "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 's46'")
for i in 1 2 3 4 5; do psqlc "INSERT INTO other_t SELECT g, 'idle' FROM generate_series($i * 1000, $i * 1000 + 500) g"; done
mark
check "the slot's confirmed_flush_lsn moves from $l0 past $target with only other_t changing" wait_for 30 caught
is "$(count_lines "$TROOT/b.jsonl")" "$before" "... and no event was produced for it"
stop; is "$?" 0 "SIGTERM: clean stop"
is "$(slot_count)" 1 "slot.drop.on.stop=false: the slot stays"

# --- filtered again after the table set changed: ALTER ... SET TABLE -----------
psqlc "CREATE TABLE inc_new(id int PRIMARY KEY); ALTER PUBLICATION p46 ADD TABLE other_t;"
run b2 "publication.autocreate.mode=filtered" "snapshot.mode=when_needed" "message.key.columns=public.inc_new:nosuch"
check "capture streams again" wait_for 60 active
pubt=$(psqlc "SELECT string_agg(schemaname || '.' || tablename, ',' ORDER BY schemaname, tablename) FROM pg_publication_tables WHERE pubname = 'p46'")
is "$pubt" "public.inc_a,public.inc_new,public.inc_nopk" "filtered: the existing publication is altered to exactly the included tables (new one added, other_t removed)"
# --- when_needed with a stored offset and the slot present: no snapshot ----------------
is "$(fact "$(facts "$TROOT/b2.jsonl")" reads)" 0 "when_needed, stored offset and slot present: no snapshot"
psqlc "INSERT INTO inc_new VALUES (1)"
mark
check "... it streams from the slot" wait_for 30 caught
check "... (the new row arrives)" grep -q '"topic":"o.public.inc_new"' "$TROOT/b2.jsonl"
check "message.key.columns naming a column the table lacks is warned about" grep -q 'message.key.columns: table "public.inc_new" has no column "nosuch"' "$TROOT/b2.log"
stop

# --- the slot exists but offset.storage.dir has no record of it ------------------
rm -rf "$TROOT/state"
run i1 "snapshot.mode=initial"
check "initial: an existing slot is resumed" wait_for 60 active
stop
is "$(fact "$(facts "$TROOT/i1.jsonl")" reads)" 0 "initial, slot present, no stored offset: no snapshot (the slot is the position)"
check "... and it says so" grep -q 'replication slot "s46" exists: resuming streaming from it' "$TROOT/i1.log"
run w1 "snapshot.mode=when_needed"
check "when_needed, no stored offset: capture streams" wait_for 60 active
stop
rows=$(psqlc "SELECT (SELECT count(*) FROM inc_a) + (SELECT count(*) FROM inc_nopk) + (SELECT count(*) FROM inc_new)")
is "$(fact "$(facts "$TROOT/w1.jsonl")" reads)" "$rows" "when_needed, no stored offset: a new snapshot of every row"
check "... after dropping the slot, saying why" grep -q 'dropping replication slot "s46" to take a new (offset.storage.dir has no stored offset for it) snapshot' "$TROOT/w1.log"

# --- when_needed: the slot is gone -------------------------------------------------------
psqlc "SELECT pg_drop_replication_slot('s46')" >/dev/null
run w2 "snapshot.mode=when_needed"
check "when_needed, slot gone: capture streams" wait_for 60 active
stop
is "$(fact "$(facts "$TROOT/w2.jsonl")" reads)" "$rows" "when_needed, slot gone: a new snapshot"

# --- the slot's WAL was removed (wal_status lost) ----------------------------------------
psqlc "ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'" && psqlc "SELECT pg_reload_conf()" >/dev/null
for i in 1 2 3 4; do psqlc "INSERT INTO other_t SELECT g, 'w' FROM generate_series(10000 * $i, 10000 * $i + 100) g" && psqlc "SELECT pg_switch_wal()" >/dev/null; done
psqlc "CHECKPOINT"
lost() { [ "$(psqlc "SELECT wal_status FROM pg_replication_slots WHERE slot_name = 's46'")" = lost ]; }
check "setup: the slot's WAL is removed (wal_status lost)" wait_for 20 lost
psqlc "ALTER SYSTEM RESET max_slot_wal_keep_size" && psqlc "SELECT pg_reload_conf()" >/dev/null
props "$TROOT/l.properties" "sink.file.path=$TROOT/l.jsonl" "snapshot.mode=initial"
out=$(timeout 30 "$SLUICE" capture -c "$TROOT/l.properties" 2>&1); rc=$?
is "$rc" 1 "initial, slot lost: capture stops with an error"
like "$out" 'replication slot "s46" can no longer stream.*wal_status lost.*snapshot\.mode=when_needed' "... that says what happened and what to do"
run w3 "snapshot.mode=when_needed"
check "when_needed, slot lost: capture streams again" wait_for 60 active
stop
is "$(fact "$(facts "$TROOT/w3.jsonl")" reads)" "$rows" "when_needed, slot lost: a new snapshot"
check "... after dropping the lost slot" grep -q 'to take a new (the WAL it needs was removed: wal_status lost) snapshot' "$TROOT/w3.log"
is "$(psqlc "SELECT wal_status <> 'lost' FROM pg_replication_slots WHERE slot_name = 's46'")" t "... which was recreated"

# --- always: at every start of the process, not at every reconnect --------------------
run a1 "snapshot.mode=always"
check "always: capture streams" wait_for 60 active
is "$(fact "$(facts "$TROOT/a1.jsonl")" reads)" "$rows" "always: snapshot at start although slot and offset exist"
pid=$(psqlc "SELECT active_pid FROM pg_replication_slots WHERE slot_name = 's46'")
psqlc "SELECT pg_terminate_backend($pid)" >/dev/null
check "the lost replication connection is restored" wait_for 30 grep -q 'connection restored' "$TROOT/a1.log"
psqlc "INSERT INTO inc_new VALUES (2)"
mark
check "... and streams from the slot" wait_for 30 caught
is "$(grep -c 'snapshot: done' "$TROOT/a1.log")" 1 "always: a reconnect does not snapshot again"
stop
run a2 "snapshot.mode=always"
check "always, second start: capture streams" wait_for 60 active
stop
rows=$((rows + 1))
is "$(fact "$(facts "$TROOT/a2.jsonl")" reads)" "$rows" "always: the next start snapshots again"

# --- pgoutput protocol 1 (servers older than 14), tried on this server -------------------
SLUICE_TEST_SERVER_VERSION=130011 run p1 "snapshot.mode=initial"
check "protocol 1: capture streams" wait_for 60 active
psqlc "INSERT INTO inc_a SELECT g, 'big1', 's', 'n' FROM generate_series(5000, 7999) g"
mark
check "protocol 1: caught up" wait_for 60 caught
stop; is "$?" 0 "protocol 1: clean stop"
check "protocol 1 is said once at startup" test "$(grep -c 'using pgoutput protocol 1' "$TROOT/p1.log")" = 1
check "protocol 1: the large transaction arrives at commit, not streamed" bash -c "! grep -q 'streamed transaction' '$TROOT/p1.log'"
is "$(grep -c '"name":"big1"' "$TROOT/p1.jsonl")" 3000 "protocol 1: every row of the large transaction is delivered"

# --- slot.drop.on.stop ------------------------------------------------------------------
run d1 "slot.drop.on.stop=true"
check "slot.drop.on.stop: capture streams" wait_for 60 active
stop; is "$?" 0 "slot.drop.on.stop: SIGTERM is a clean stop"
is "$(slot_count)" 0 "slot.drop.on.stop=true: the slot is gone after SIGTERM"
check "... and the log says so" grep -q 'dropped replication slot "s46" (slot.drop.on.stop)' "$TROOT/d1.log"
finish
