#!/usr/bin/env bash
# Crash test for `sluice run` (PostgreSQL -> Parquet lake, no broker): a
# steady write load (inserts into an append-only log, upserts, deletes,
# multi-row transactions, and transactions bigger than
# logical_decoding_work_mem) while `sluice run` is SIGKILLed at random
# moments and restarted, 10 times, every other run with
# streaming.in.progress=true (PostgreSQL streams the large transactions
# while in progress and sluice spools them) and the others with the
# default (the server spills them and sends them after the commit).  After each kill, before the restart, the slot's
# confirmed_flush_lsn is recorded together with the events in the lake at
# that moment.  After the load stops and a last run catches up and stops
# cleanly:
#   - every (topic, _offset) is in exactly one row, dense 0..n-1 per topic;
#   - nothing committed is missing: every log row is exactly one insert
#     (or snapshot) event, and the latest `after` per key of the mutable
#     tables equals PostgreSQL, value by value;
#   - the slot never ran ahead of the lake: every event of a transaction
#     that committed before a recorded confirmed_flush_lsn was already in
#     the files present when that LSN was recorded.
. "$(dirname "$0")/../lib/integ.sh"
command -v node >/dev/null || die "node is not installed"
DUCK="node $SRC_ROOT/tests/archive/duck.mjs"
pg_start "logical_decoding_work_mem = 64kB" || die "could not start PostgreSQL"

psqlc "CREATE SCHEMA app;
CREATE TABLE app.log(id bigserial PRIMARY KEY, w int NOT NULL, k int NOT NULL, note text);
CREATE TABLE app.acct(id int PRIMARY KEY, bal bigint NOT NULL, v text, at timestamptz);
CREATE TABLE app.note(id int PRIMARY KEY, body text);
INSERT INTO app.log(w, k) SELECT 0, g FROM generate_series(1, 30) g;
INSERT INTO app.acct SELECT g, g * 10, 'v' || g, '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 min' FROM generate_series(1, 40) g;
INSERT INTO app.note SELECT g, repeat('n', g) FROM generate_series(1, 10) g;" || die "schema"
# An independent witness of every commit's LSN: a test_decoding slot that
# is only peeked at the end.
psqlc "SELECT pg_create_logical_replication_slot('audit', 'test_decoding')" >/dev/null || die "audit slot"

cat >"$TROOT/upsert.sql" <<'S'
\set k random(1, 60)
BEGIN;
INSERT INTO app.log(w, k, note) VALUES (:client_id + 1, :k, repeat('x', :k));
INSERT INTO app.acct VALUES (:k, :k, 'new', now()) ON CONFLICT (id) DO UPDATE SET bal = app.acct.bal + 1, v = 'u' || :k, at = now();
COMMIT;
S
cat >"$TROOT/multi.sql" <<'S'
\set k random(1, 60)
\set j random(1, 10)
BEGIN;
DELETE FROM app.acct WHERE id = :k;
UPDATE app.note SET body = body || 'y' WHERE id = :j;
INSERT INTO app.log(w, k) SELECT :client_id + 1, g FROM generate_series(1, 5) g;
UPDATE app.acct SET bal = bal - 1 WHERE id % 7 = :j % 7;
COMMIT;
S
cat >"$TROOT/large.sql" <<'S'
INSERT INTO app.log(w, k, note) SELECT :client_id + 1, g, repeat('L', 40) FROM generate_series(1, 1500) g;
S

cat >"$TROOT/run.properties" <<P
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=postgres
database.dbname=postgres
topic.prefix=crash
table.include.list=app\\..*
offset.storage.dir=$TROOT/state
store.url=file://$TROOT/lake
flush.size=40
rotate.schedule.interval.ms=1000
status.update.interval.ms=300
log.format=text
P
# status.update.interval.ms: a run lives 1-3 s between kills; with the
# 10 s default the slot would never move and the LSN check below would
# check nothing.
LAKE=$TROOT/lake
src="read_parquet('$LAKE/**/*.parquet', hive_partitioning=true, union_by_name=true)"
nfiles() { find "$LAKE" -name '*.parquet' 2>/dev/null | wc -l; }
slot_idle() { [ "$(psqlc "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = 'debezium'")" = 0 ]; }
confirmed() { psqlc "SELECT (confirmed_flush_lsn - '0/0')::bigint FROM pg_replication_slots WHERE slot_name = 'debezium'"; }

# The first run takes the snapshot; the load starts once it streams.
"$SLUICE" run -c "$TROOT/run.properties" >"$TROOT/run0.log" 2>&1 &
P=$!
check "run is streaming" wait_for 60 slot_active debezium
"$PGBIN/pgbench" -n -c 2 -T 200 -R 30 -f "$TROOT/upsert.sql@16" -f "$TROOT/multi.sql@4" -f "$TROOT/large.sql@1" \
	-h 127.0.0.1 -p "$PGPORT" -U postgres postgres >"$TROOT/pgbench.log" 2>&1 &
BENCH=$!
t_track_pid $BENCH

# Kill 10 times, each 0.3-2.8 s after the run is streaming again.  After
# each kill: the slot's confirmed LSN and the events then in the lake.
kills=0
attempts=0
: >"$TROOT/checkpoints"
while [ $kills -lt 10 ] && [ $attempts -lt 16 ] && kill -0 $BENCH 2>/dev/null; do
	attempts=$((attempts + 1))
	if [ $attempts -gt 1 ]; then
		mode=()
		[ $((attempts % 2)) = 0 ] && mode=(-D streaming.in.progress=true)
		"$SLUICE" run -c "$TROOT/run.properties" "${mode[@]}" >"$TROOT/run$attempts.log" 2>&1 &
		P=$!
		wait_for 30 slot_active debezium || { echo "# run $attempts never streamed"; kill -9 $P; wait $P; continue; }
	fi
	sleep "$(awk -v r=$RANDOM 'BEGIN{printf "%.2f", 0.3 + (r % 250) / 100}')"
	kill -9 $P 2>/dev/null && kills=$((kills + 1))
	wait $P 2>/dev/null
	wait_for 20 slot_idle
	c=$(confirmed)
	$DUCK "SELECT _topic, _offset FROM $src" >"$TROOT/lake_at_$kills" 2>"$TROOT/duck_at_$kills.err" ||
		[ "$(nfiles)" = 0 ] || fail "lake readable after kill $kills"
	echo "$kills $c $(wc -l <"$TROOT/lake_at_$kills") $(nfiles)" >>"$TROOT/checkpoints"
done
is "$kills" 10 "sluice run was SIGKILLed 10 times under load ($attempts runs)"
echo "# kill, confirmed LSN, events, files: $(tr '\n' ';' <"$TROOT/checkpoints")"
kill -TERM $BENCH 2>/dev/null
wait $BENCH
check "the write load ran" test "$(psqlc "SELECT count(*) FROM app.log")" -gt 500
# Both ways of receiving a large transaction were exercised under the kills.
slot_stat() { psqlc "SELECT $1 FROM pg_stat_replication_slots WHERE slot_name = 'debezium'"; }
check "large transactions were streamed in progress ($(slot_stat stream_txns))" test "$(slot_stat stream_txns)" -gt 0
check "large transactions were spilled and sent after commit ($(slot_stat spill_txns))" test "$(slot_stat spill_txns)" -gt 0
grows=$(awk 'NR > 1 && $2 > prev { n++ } { prev = $2 } END { print n + 0 }' "$TROOT/checkpoints")
check "the slot advanced between kills ($grows times)" test "$grows" -ge 6

# Last run: catch up, stop cleanly.
"$SLUICE" run -c "$TROOT/run.properties" >"$TROOT/final.log" 2>&1 &
P=$!
t_track_pid $P
target=$(psqlc "SELECT pg_current_wal_lsn()")
caught_up() { [ "$(psqlc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name = 'debezium'")" = t ]; }
check "the last run catches up" wait_for 90 caught_up
kill -TERM $P
wait $P
is "$?" 0 "the last run stops cleanly on SIGTERM"
cat "$TROOT"/run*.log "$TROOT/final.log" >"$TROOT/all.log"

# exactly once, dense
dup=$($DUCK "SELECT count(*) FROM (SELECT _topic, _offset FROM $src GROUP BY 1, 2 HAVING count(*) > 1)")
is "$dup" 0 "no (topic, _offset) appears twice"
dense=$($DUCK "SELECT string_agg(_topic || ':' || (n = mx + 1 AND mn = 0), ' ' ORDER BY _topic) FROM (SELECT _topic, count(*) n, min(_offset) mn, max(_offset) mx FROM $src GROUP BY 1)")
is "$dense" "crash.app.acct:true crash.app.log:true crash.app.note:true" "offsets are 0..n-1 per topic"
echo "# $($DUCK "SELECT count(*) FROM $src") events in $(nfiles) files"

# nothing committed is missing: each log row is exactly one event
pg_log=$(psql -X -q -At -F $'\t' -P null='\N' -c "SELECT id, w, k, note FROM app.log ORDER BY id")
lake_log=$($DUCK "SELECT after.id, after.w, after.k, after.note FROM $src WHERE _topic = 'crash.app.log' ORDER BY 1")
nlog=$(printf '%s\n' "$pg_log" | wc -l)
if [ "$pg_log" = "$lake_log" ]; then pass "every log row is exactly one event with its values ($nlog rows)"; else
	fail "every log row is exactly one event with its values"; diff <(printf '%s\n' "$pg_log") <(printf '%s\n' "$lake_log") | head -10; fi
is "$($DUCK "SELECT string_agg(DISTINCT op, ',' ORDER BY op) FROM $src WHERE _topic = 'crash.app.log'")" "c,r" "log events are snapshot reads and inserts"

latest() { # topic key-column select-list
	$DUCK "WITH ev AS (SELECT *, coalesce(after.$2, before.$2) AS k FROM $src WHERE _topic = '$1'
	  QUALIFY row_number() OVER (PARTITION BY k ORDER BY _offset DESC) = 1)
	  SELECT $3 FROM ev WHERE op <> 'd' ORDER BY 1"
}
pgq() { psql -X -q -At -F $'\t' -P null='\N' -c "$1"; }
cmp_table() { # name pg lake
	local rows
	rows=$(printf '%s\n' "$2" | wc -l)
	if [ "$2" = "$3" ]; then pass "$1: latest after per key equals PostgreSQL ($rows rows)"; else
		fail "$1: latest after per key equals PostgreSQL"; diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -10; fi
}
cmp_table acct "$(pgq "SELECT id, bal, v, (extract(epoch from at) * 1000000)::bigint FROM app.acct ORDER BY id")" \
	"$(latest crash.app.acct id "after.id, after.bal, after.v, epoch_us(after.at)")"
cmp_table note "$(pgq "SELECT id, body FROM app.note ORDER BY id")" \
	"$(latest crash.app.note id "after.id, after.body")"
is "$($DUCK "SELECT string_agg(DISTINCT op, ',' ORDER BY op) FROM $src")" "c,d,r,u" "snapshot, inserts, updates and deletes in the lake"
multi=$($DUCK "SELECT count(*) FROM (SELECT source.txId FROM $src WHERE op <> 'r' GROUP BY 1 HAVING count(DISTINCT _topic) = 3)")
check "multi-table transactions archived ($multi)" test "$multi" -gt 0

# The slot never passed what was durable: every event of a transaction
# whose commit record (from the audit slot) lies before a recorded
# confirmed_flush_lsn must be in the lake as it was at that moment.
psql -X -q -At -F $'\t' -c "SELECT xid, (lsn - '0/0')::bigint FROM pg_logical_slot_peek_changes('audit', NULL, NULL) WHERE data LIKE 'COMMIT%'" >"$TROOT/commits"
$DUCK "SELECT source.txId, _topic, _offset FROM $src WHERE op <> 'r'" >"$TROOT/events"
out=$(awk -F'\t' '
	FILENAME == ARGV[1] { commit[$1] = $2; next }
	FILENAME == ARGV[2] { split($0, f, " "); cut[f[1]] = f[2]; next }
	FILENAME ~ /lake_at_/ { split(FILENAME, a, "lake_at_"); have[a[2], $1 "\t" $2] = 1; next }
	{
		if (!($1 in commit)) { nocommit++; next }
		for (k in cut) if (commit[$1] + 0 < cut[k] + 0) {
			checked++
			if (!((k, $2 "\t" $3) in have)) { bad++; if (bad <= 5) print "missing after kill " k ": " $0 }
		}
	}
	END { print "checked " checked + 0 " bad " bad + 0 " nocommit " nocommit + 0 }' \
	"$TROOT/commits" "$TROOT/checkpoints" "$TROOT"/lake_at_* "$TROOT/events")
echo "$out" | grep -v '^checked' | sed 's/^/# /'
checked=$(echo "$out" | awk '/^checked/ { print $2 }')
bad=$(echo "$out" | awk '/^checked/ { print $4 }')
nocommit=$(echo "$out" | awk '/^checked/ { print $6 }')
is "$nocommit" 0 "every streamed event belongs to a transaction PostgreSQL committed"
is "$bad" 0 "no event behind a confirmed_flush_lsn was missing from the lake at that moment"
check "that check covered events ($checked event x kill pairs)" test "${checked:-0}" -gt 1000

# Temp files of killed runs (.sluice-tmp-*) are removed when the replay
# writes the same names again: nothing temporary may remain.
tmp=$(find "$LAKE" -name '.sluice-tmp-*' | wc -l)
is "$tmp" 0 "no temp file left in the lake after the clean stop"
listed=$("$SRC_ROOT/$BUILD/tools/storectl" "file://$LAKE" list | awk '{ print $1 }')
is "$(printf '%s\n' "$listed" | grep -c 'sluice-tmp')" 0 "the store listing shows no temp file"
is "$(printf '%s\n' "$listed" | grep -c .)" "$(nfiles)" "the store lists exactly the Parquet files"
if grep -qiE 'AddressSanitizer|runtime error|LeakSanitizer' "$TROOT/all.log"; then
	fail "no sanitizer report"; grep -iE -A8 'AddressSanitizer|runtime error|LeakSanitizer' "$TROOT/all.log" | head -30
else pass "no sanitizer report"; fi
finish
