#!/usr/bin/env bash
# Crash test for `sluice archive`: capture keeps a steady write load of
# three tables flowing into the mock Kafka cluster (one topic with three
# partitions, one with two), while the archive (file://, TimeBased layout
# on the Record timestamp, flush.size + rotate.interval.ms: deterministic
# rotation) is SIGKILLed at random moments and restarted, 10 times.  After
# the load stops and a last run drains and stops cleanly (SIGTERM):
#   - every (topic, partition, offset) is in exactly one Parquet row;
#   - per partition the archived offsets plus the tombstones (which the
#     archive ignores) are exactly 0 .. high watermark - 1, as kcat, an
#     independent client, reads them from the broker;
#   - per table the latest `after` per key equals PostgreSQL, value by
#     value;
#   - nothing partial is visible: every *.parquet reads, no temp file.
# So no consumer offset was committed before its file was stored, and a
# replay after a kill never wrote a record twice.
. "$(dirname "$0")/../lib/integ.sh"
command -v node >/dev/null || die "node is not installed"
command -v kcat >/dev/null || die "kcat is not installed"
DUCK="node $SRC_ROOT/tests/archive/duck.mjs"
pg_start || die "could not start PostgreSQL"

# The mock cluster with pre-created multi-partition topics (kafka_start
# takes no topic list).
"$SRC_ROOT/$BUILD/tools/mockbroker" 1 crash.app.ledger:3 crash.app.acct:2 crash.app.note:1 \
	>"$TROOT/mockbroker.out" 2>"$TROOT/mockbroker.err" &
t_track_pid $!
wait_for 10 grep -q . "$TROOT/mockbroker.out" || die "could not start the mock Kafka cluster"
KAFKA_BOOTSTRAP=$(head -n 1 "$TROOT/mockbroker.out")

psqlc "CREATE SCHEMA app;
CREATE TABLE app.ledger(id bigserial PRIMARY KEY, w int NOT NULL, n int NOT NULL, note text);
CREATE TABLE app.acct(id int PRIMARY KEY, bal bigint NOT NULL, v text, at timestamptz);
CREATE TABLE app.note(id int PRIMARY KEY, body text);
INSERT INTO app.acct SELECT g, g * 10, 'v' || g, '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 min' FROM generate_series(1, 40) g;
INSERT INTO app.note SELECT g, repeat('n', g) FROM generate_series(1, 10) g;" || die "schema"

cat >"$TROOT/c.properties" <<P
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=postgres
database.dbname=postgres
topic.prefix=crash
table.include.list=app\\..*
sink.type=kafka
kafka.bootstrap.servers=$KAFKA_BOOTSTRAP
value.converter.schemas.enable=true
offset.storage.dir=$TROOT/cstate
log.format=text
P
"$SLUICE" capture -c "$TROOT/c.properties" >"$TROOT/capture.log" 2>&1 &
CP=$!
t_track_pid $CP
slot_ready() { [ "$(psqlc "SELECT count(*) FROM pg_replication_slots WHERE active")" = 1 ]; }
check "capture is streaming" wait_for 60 slot_ready

# Load: a ledger insert plus an account upsert per transaction, sometimes
# a delete (-> delete event + tombstone) or a note update.
cat >"$TROOT/upsert.sql" <<'S'
\set k random(1, 60)
BEGIN;
INSERT INTO app.ledger(w, n, note) VALUES (:client_id, :k, repeat('x', :k));
INSERT INTO app.acct VALUES (:k, :k, 'new', now()) ON CONFLICT (id) DO UPDATE SET bal = app.acct.bal + 1, v = 'u' || :k, at = now();
COMMIT;
S
cat >"$TROOT/misc.sql" <<'S'
\set k random(1, 60)
\set j random(1, 10)
BEGIN;
DELETE FROM app.acct WHERE id = :k;
UPDATE app.note SET body = body || 'y' WHERE id = :j;
INSERT INTO app.ledger(w, n) SELECT :client_id, g FROM generate_series(1, 3) g;
COMMIT;
S
"$PGBIN/pgbench" -n -c 2 -T 200 -R 12 -f "$TROOT/upsert.sql@8" -f "$TROOT/misc.sql@2" \
	-h 127.0.0.1 -p "$PGPORT" -U postgres postgres >"$TROOT/pgbench.log" 2>&1 &
BENCH=$!
t_track_pid $BENCH

cat >"$TROOT/a.properties" <<P
topics.regex=crash\\.app\\..*
group.id=arch-crash
kafka.bootstrap.servers=$KAFKA_BOOTSTRAP
kafka.session.timeout.ms=6000
kafka.heartbeat.interval.ms=500
kafka.topic.metadata.refresh.interval.ms=1000
store.url=file://$TROOT/lake
flush.size=25
rotate.interval.ms=2000
timestamp.extractor=Record
partitioner.class=TimeBased
path.format='t'=HH-mm-ss
partition.duration.ms=5000
format.class=parquet
offset.storage.dir=$TROOT/astate
log.format=text
P
LAKE=$TROOT/lake
nfiles() { find "$LAKE" -name '*.parquet' 2>/dev/null | wc -l; }
# Each run is killed 0.2-2.7 s after it got its partitions (a kill before
# that tests nothing).  A restart waits for the killed member's session to
# expire (6 s; the mock coordinator never answers a join with a shorter
# session.timeout.ms) and a rebalance: ~11 s.  A run that gets nothing
# within 25 s is stopped with SIGTERM and retried (not counted).
kills=0
landed_between=0
attempts=0
while [ $kills -lt 10 ] && [ $attempts -lt 16 ] && kill -0 $BENCH 2>/dev/null; do
	attempts=$((attempts + 1))
	before=$(nfiles)
	"$SLUICE" archive -c "$TROOT/a.properties" >"$TROOT/run$attempts.log" 2>&1 &
	P=$!
	if ! wait_for 25 grep -q "archive: assigned [1-9]" "$TROOT/run$attempts.log"; then
		kill -TERM $P
		wait $P
		cat "$TROOT/run$attempts.log" >>"$TROOT/archive.log"
		continue
	fi
	sleep "$(awk -v r=$RANDOM 'BEGIN{printf "%.2f", 0.2 + (r % 250) / 100}')"
	kill -9 $P 2>/dev/null && kills=$((kills + 1))
	wait $P 2>/dev/null
	cat "$TROOT/run$attempts.log" >>"$TROOT/archive.log"
	[ "$(nfiles)" -gt "$before" ] && landed_between=$((landed_between + 1))
done
is "$kills" 10 "archive was SIGKILLed 10 times under load while assigned ($attempts runs)"
echo "# files landed during $landed_between of $kills killed runs; $(nfiles) files"
check "files landed in most killed runs ($landed_between of $kills)" test "$landed_between" -ge 5
kill -TERM $BENCH 2>/dev/null
wait $BENCH
check "the write load ran" test "$(psqlc "SELECT count(*) FROM app.ledger")" -gt 500
target=$(psqlc "SELECT pg_current_wal_lsn()")
caught_up() { [ "$(psqlc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots")" = t ]; }
check "capture delivered everything to Kafka" wait_for 90 caught_up

# What the broker holds, read by kcat: per partition the end offset
# (ListOffsets), then that many records from offset 0, null values marked.
# The mock cluster keeps only ~5 MB per partition (hence the low write
# rate): if it had trimmed a log start, "nothing lost" would prove nothing.
: >"$TROOT/kafka_records"
: >"$TROOT/kafka_hw"
for tp in crash.app.ledger:3 crash.app.acct:2 crash.app.note:1; do
	t=${tp%:*}
	for p in $(seq 0 $((${tp#*:} - 1))); do
		hw=$(kcat -Q -b "$KAFKA_BOOTSTRAP" -t "$t:$p:-1" 2>>"$TROOT/kcat.err" | awk -v t="$t" '$1 == t { print $4 }')
		printf '%s\t%s\t%s\n' "$t" "$p" "$hw" >>"$TROOT/kafka_hw"
		[ "${hw:-0}" -gt 0 ] && timeout 60 kcat -C -b "$KAFKA_BOOTSTRAP" -t "$t" -p "$p" -o beginning -c "$hw" -q \
			-f "$t\t%p\t%o\t%S\n" >>"$TROOT/kafka_records" 2>>"$TROOT/kcat.err"
	done
done
echo "# end offsets: $(tr '\t\n' ' ;' <"$TROOT/kafka_hw")"
is "$(awk -F'\t' '$3 > 0' "$TROOT/kafka_hw" | wc -l)" 6 "kcat reports the end offset of all 6 partitions"
# kcat's read is complete: offsets 0 .. end - 1 in every partition
read_hw=$(awk -F'\t' '{ k = $1 "\t" $2; if ($3 != n[k] + 0) bad++; n[k]++ } END { for (k in n) print k "\t" n[k]; if (bad) print "out of order " bad }' "$TROOT/kafka_records" | sort)
is "$read_hw" "$(sort "$TROOT/kafka_hw")" "kcat read every partition from offset 0 to its end"
awk -F'\t' '$4 != -1 { print $1 "\t" $2 "\t" $3 }' "$TROOT/kafka_records" | sort >"$TROOT/want"
ntomb=$(awk -F'\t' '$4 == -1' "$TROOT/kafka_records" | wc -l)
echo "# $(wc -l <"$TROOT/want") records and $ntomb tombstones in Kafka"

# Final run: drain and stop cleanly.  The tail of each partition only
# lands at the stop, so stop, look, and resume if the run had not caught
# up yet (each clean stop commits what it consumed).
src="read_parquet('$LAKE/**/*.parquet', hive_partitioning=true, union_by_name=true)"
lake_set() { $DUCK "SELECT _topic, _partition, _offset FROM $src ORDER BY 1, 2, 3" | sort; }
rounds=0
rc=0
while [ $rounds -lt 6 ]; do
	rounds=$((rounds + 1))
	"$SLUICE" archive -c "$TROOT/a.properties" >"$TROOT/final$rounds.log" 2>&1 &
	P=$!
	t_track_pid $P
	wait_for 25 grep -q "archive: assigned [1-9]" "$TROOT/final$rounds.log" && sleep 4
	kill -TERM $P
	wait $P
	rc=$?
	cat "$TROOT/final$rounds.log" >>"$TROOT/archive.log"
	[ "$rc" = 0 ] || break
	[ "$(lake_set | wc -l)" -lt "$(wc -l <"$TROOT/want")" ] || break
done
is "$rc" 0 "the last run stops cleanly on SIGTERM"
echo "# caught up after $rounds clean run(s)"

# exactly once, and exactly what the broker holds
dup=$($DUCK "SELECT count(*) FROM (SELECT _topic, _partition, _offset FROM $src GROUP BY 1, 2, 3 HAVING count(*) > 1)")
is "$dup" 0 "no (topic, partition, offset) appears twice"
lake_set >"$TROOT/got"
echo "# $(wc -l <"$TROOT/got") rows in $(nfiles) Parquet files"
if cmp -s "$TROOT/want" "$TROOT/got"; then
	pass "archived (topic, partition, offset) = Kafka's non-tombstone records"
else
	fail "archived (topic, partition, offset) = Kafka's non-tombstone records"
	diff "$TROOT/want" "$TROOT/got" | head -10
fi
# dense: archived + tombstones = 0 .. hw-1 in every partition
dense=$( (cut -f1-3 "$TROOT/got"; awk -F'\t' '$4 == -1 { print $1 "\t" $2 "\t" $3 }' "$TROOT/kafka_records") |
	sort -t$'\t' -k1,1 -k2,2n -k3,3n | awk -F'\t' '
	{ k = $1 "\t" $2; if (!(k in n)) n[k] = 0; if ($3 != n[k]) bad++; n[k]++ }
	END { for (k in n) print k "\t" n[k]; if (bad) print "gaps\t" bad }' | sort)
is "$dense" "$(sort "$TROOT/kafka_hw")" "per partition, archived offsets plus tombstones are dense 0 .. high watermark - 1"
check "topics with 3 and 2 partitions use them all" test "$(cut -f1,2 "$TROOT/got" | sort -u | wc -l)" -eq 6

# latest after per key equals PostgreSQL (a key stays in one partition)
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
cmp_table ledger "$(pgq "SELECT id, w, n, note FROM app.ledger ORDER BY id")" \
	"$(latest crash.app.ledger id "after.id, after.w, after.n, after.note")"
cmp_table acct "$(pgq "SELECT id, bal, v, (extract(epoch from at) * 1000000)::bigint FROM app.acct ORDER BY id")" \
	"$(latest crash.app.acct id "after.id, after.bal, after.v, epoch_us(after.at)")"
cmp_table note "$(pgq "SELECT id, body FROM app.note ORDER BY id")" \
	"$(latest crash.app.note id "after.id, after.body")"
ops=$($DUCK "SELECT string_agg(DISTINCT op, ',' ORDER BY op) FROM $src")
is "$ops" "c,d,r,u" "snapshot, inserts, updates and deletes archived"

# nothing partial visible
bad=0
while IFS= read -r f; do
	$DUCK "SELECT count(*) FROM read_parquet('$f')" >/dev/null 2>&1 || { bad=$((bad + 1)); echo "# unreadable: $f"; }
done < <(find "$LAKE" -name '*.parquet' | shuf -n 20 --random-source=<(yes))
is "$bad" 0 "Parquet files read one by one (20 sampled)"
# A killed run leaves its open files' temp files (.sluice-tmp-*, the file
# store's staging names); the replay writes the same names again and
# removes them.  Nothing temporary or partial may remain, and the store
# lists exactly the Parquet files.
tmp=$(find "$LAKE" -name '.sluice-tmp-*' | wc -l)
is "$tmp" 0 "no temp file left in the lake after the clean stop"
listed=$("$SRC_ROOT/$BUILD/tools/storectl" "file://$LAKE" list | awk '{ print $1 }' | sort)
is "$(printf '%s\n' "$listed" | grep -c 'sluice-tmp')" 0 "the store listing shows no temp file"
is "$(printf '%s\n' "$listed" | grep -c .)" "$(nfiles)" "the store lists exactly the Parquet files"
other=$(find "$LAKE" -type f ! -name '*.parquet' ! -name '.sluice-tmp-*' | wc -l)
is "$other" 0 "the lake holds only Parquet objects"

for log in archive capture; do
	if grep -qiE 'AddressSanitizer|runtime error|LeakSanitizer' "$TROOT/$log.log"; then
		fail "no sanitizer report ($log)"
		grep -iE -A8 'AddressSanitizer|runtime error|LeakSanitizer' "$TROOT/$log.log" | head -30
	else pass "no sanitizer report ($log)"; fi
done
finish
