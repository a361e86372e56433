#!/usr/bin/env bash
# Crash test: concurrent writers while `sluice capture` (Kafka sink) is
# SIGKILLed and restarted 10 times.  Afterwards every committed row is in
# Kafka, per-key order holds and no transaction is partial -- i.e. no LSN
# was ever confirmed before its events were acknowledged by the broker.
. "$(dirname "$0")/../lib/integ.sh"
pg_start || die "could not start PostgreSQL"
kafka_start || die "could not start the mock Kafka cluster"

psqlc "CREATE SCHEMA app;
CREATE TABLE app.ledger(id bigserial PRIMARY KEY, writer int NOT NULL, n int NOT NULL, note text);
CREATE TABLE app.counter(writer int PRIMARY KEY, n int NOT NULL);
INSERT INTO app.counter SELECT g, 0 FROM generate_series(1, 4) g;" || die "schema"

cat >"$TROOT/c.properties" <<P
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=postgres
database.dbname=postgres
topic.prefix=crash
table.include.list=app\\..*
sink.type=kafka
kafka.bootstrap.servers=$KAFKA_BOOTSTRAP
offset.storage.dir=$TROOT/state
log.format=text
# Confirm every second, not every 10 s (the default): each run lives ~2 s,
# so with the default no run would ever confirm and every restart would
# resend everything from the start -- quadratic in the kills, past the mock
# broker's 5 MB per partition.  Confirming often is the harder case for the
# invariant anyway.
status.update.interval.ms=1000
P
cat >"$TROOT/txn.sql" <<'S'
\set w :client_id + 1
BEGIN;
UPDATE app.counter SET n = n + 1 WHERE writer = :w;
INSERT INTO app.ledger(writer, n, note) SELECT :w, c.n, repeat('x', 20) FROM app.counter c, generate_series(1, 3) WHERE c.writer = :w;
COMMIT;
S
# Rate-limited: the mock broker keeps only 5 MB per partition in memory.
"$PGBIN/pgbench" -n -c 4 -T 30 -R 120 -f "$TROOT/txn.sql" -h 127.0.0.1 -p "$PGPORT" -U postgres postgres \
	>"$TROOT/pgbench.log" 2>&1 &
BENCH=$!
t_track_pid $BENCH

kills=0
for i in $(seq 1 10); do
	"$SLUICE" capture -c "$TROOT/c.properties" >>"$TROOT/sluice.log" 2>&1 &
	P=$!
	sleep "$(awk -v r=$RANDOM 'BEGIN{printf "%.2f", 0.8 + (r % 150) / 100}')"
	kill -9 $P 2>/dev/null && kills=$((kills + 1))
	wait $P 2>/dev/null
done
is "$kills" 10 "sluice was SIGKILLed 10 times under load"
wait $BENCH
check "pgbench ran" grep -q "number of transactions actually processed" "$TROOT/pgbench.log"

# Final run: catch up, then stop cleanly.
"$SLUICE" capture -c "$TROOT/c.properties" >>"$TROOT/sluice.log" 2>&1 &
P=$!
t_track_pid $P
target=$(psqlc "SELECT pg_current_wal_lsn()")
caught_up() { [ "$(psqlc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name='debezium'")" = t ]; }
check "the slot catches up after the last restart" wait_for 90 caught_up
start=$SECONDS
kill -TERM $P
wait $P
rc=$?
is "$rc" 0 "SIGTERM drains and exits 0"
check "SIGTERM exits within 10 s" test $((SECONDS - start)) -le 10

for t in ledger counter; do
	kcat -C -b "$KAFKA_BOOTSTRAP" -t crash.app.$t -e -q -f '%p %o\t%k\t%s\n' >"$TROOT/$t.raw" 2>>"$TROOT/kcat.err"
	cut -f2- "$TROOT/$t.raw" >"$TROOT/$t.dump"
	# The broker must not have trimmed anything, or "nothing lost" proves nothing.
	trimmed=$(awk -F'[ \t]' '{ if (!($1 in first)) first[$1] = $2 } END { n = 0; for (p in first) if (first[p] != 0) n++; print n }' "$TROOT/$t.raw")
	is "$trimmed" 0 "topic crash.app.$t is complete on the broker (every partition starts at offset 0)"
done
psqlc "SELECT id, writer, n FROM app.ledger" >"$TROOT/pg_ledger"
psqlc "SELECT writer, n FROM app.counter" >"$TROOT/pg_counter"
echo "# $(wc -l <"$TROOT/pg_ledger") ledger rows in PostgreSQL, $(wc -l <"$TROOT/ledger.dump") ledger records in Kafka"
out=$(python3 "$(dirname "$0")/lib/check_crash.py" "$TROOT/ledger.dump" "$TROOT/counter.dump" \
	"$TROOT/pg_ledger" "$TROOT/pg_counter" 2>&1)
while IFS= read -r line; do
	case "$line" in
	"ok - "*) pass "${line#ok - }" ;;
	"not ok - "*) fail "${line#not ok - }" ;;
	*) echo "# $line" ;;
	esac
done <<<"$out"
if grep -qiE 'AddressSanitizer|runtime error' "$TROOT/sluice.log"; then fail "no sanitizer report"; grep -iE -A5 'AddressSanitizer|runtime error' "$TROOT/sluice.log" | head -30; else pass "no sanitizer report"; fi
finish
