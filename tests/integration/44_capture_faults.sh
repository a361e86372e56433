#!/usr/bin/env bash
# Bad input and faults: config errors, secrets, wrong password, unreachable
# server, tables without keys, a restart of PostgreSQL mid-stream, values
# the chosen mode cannot carry, and records larger than the broker allows.
# Each gives a clear error and loses nothing.
. "$(dirname "$0")/../lib/integ.sh"
pg_start || die "could not start PostgreSQL"
kafka_start || die "mock kafka"
SECRET='s3cr3t-Pa55-w0rd'
psqlc "CREATE ROLE cdc LOGIN REPLICATION PASSWORD '$SECRET';
CREATE TABLE orders(id int PRIMARY KEY, amount numeric(10,2), note text);
CREATE TABLE nopk(a int, b text);
CREATE TABLE nums(id int PRIMARY KEY, n numeric);
GRANT SELECT ON ALL TABLES IN SCHEMA public TO cdc;
CREATE PUBLICATION dbz_publication FOR ALL TABLES;" || die schema
# Password authentication for role cdc (trust stays for the test's own psql).
sed -i "1i host all cdc 127.0.0.1/32 scram-sha-256\nhost replication cdc 127.0.0.1/32 scram-sha-256" "$PGROOT/data/pg_hba.conf"
psqlc "SELECT pg_reload_conf()" >/dev/null

props() { # FILE extra...
	local f=$1; shift
	{
		echo "database.hostname=127.0.0.1"; echo "database.port=$PGPORT"
		echo "database.user=cdc"; echo 'database.password=${env:PGPW}'
		echo "database.dbname=postgres"; echo "topic.prefix=f"
		echo "sink.type=file"; echo "sink.file.path=$TROOT/out.jsonl"
		echo "offset.storage.dir=$TROOT/state"; echo "log.format=text"
		for kv in "$@"; do echo "$kv"; done
	} >"$f"
}
export PGPW=$SECRET

# --- configuration errors --------------------------------------------------
props "$TROOT/bad.properties" "databse.port=5432"
out=$("$SLUICE" capture -c "$TROOT/bad.properties" 2>&1); rc=$?
is "$rc" 2 "unknown key: exit code 2"
like "$out" 'databse\.port.*did you mean "database\.port"' "unknown key is named, with the closest known key"
props "$TROOT/bad2.properties" "snapshot.mode=sometimes"
out=$("$SLUICE" capture -c "$TROOT/bad2.properties" 2>&1)
like "$out" 'snapshot\.mode.*initial' "bad enum value names the key and the allowed values"
props "$TROOT/bad3.properties"
sed -i '/topic.prefix/d' "$TROOT/bad3.properties"
out=$("$SLUICE" capture -c "$TROOT/bad3.properties" 2>&1)
like "$out" 'topic\.prefix' "missing required key is named"
props "$TROOT/c.properties"
out=$("$SLUICE" capture -c "$TROOT/c.properties" --print-config 2>&1)
like "$out" 'database\.password=' "--print-config lists the password key"
case "$out" in *"$SECRET"*) fail "--print-config never shows the secret" ;; *) pass "--print-config never shows the secret" ;; esac
out=$(env -u PGPW "$SLUICE" capture -c "$TROOT/c.properties" 2>&1); rc=$?
like "$out" 'PGPW' "a missing \${env:} variable is named"

# --- preflight -------------------------------------------------------------
out=$("$SLUICE" capture -c "$TROOT/c.properties" --check 2>&1); rc=$?
like "$out" 'public\.nopk has no primary key' "preflight warns about a table without a primary key, by name"
like "$out" 'wal_level = logical' "preflight checks wal_level"
is "$rc" 0 "preflight passes (warnings only)"

# --- wrong password, unreachable server --------------------------------------
out=$(PGPW=wrong timeout 20 "$SLUICE" capture -c "$TROOT/c.properties" 2>&1); rc=$?
is "$rc" 1 "wrong password: exits with an error, no retry loop"
like "$out" 'password authentication failed' "wrong password: the server's reason is shown"
props "$TROOT/down.properties" "database.port=1" "errors.max.retries=2" \
	"retriable.restart.connector.wait.ms=1000"
start=$(date +%s%N)
out=$(timeout 30 "$SLUICE" capture -c "$TROOT/down.properties" 2>&1); rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
is "$rc" 1 "unreachable server: gives up after errors.max.retries"
like "$out" 'could not connect to PostgreSQL at 127\.0\.0\.1:1' "unreachable server: names host and port"
n=$(grep -c 'retrying' <<<"$out")
is "$n" 1 "one log line for the retry state, not one per attempt"
# retriable.restart.connector.wait.ms=1000: waits of 1 s then 2 s, each less 0-25% jitter.
check "retriable.restart.connector.wait.ms is the backoff's base: 2 retries took ${ms} ms (2250..6000)" \
	test "$ms" -ge 2250 -a "$ms" -le 6000

# --- PostgreSQL restarts mid-stream ----------------------------------------------
"$SLUICE" capture -c "$TROOT/c.properties" >"$TROOT/run.log" 2>&1 &
P=$!
t_track_pid $P
active() { [ "$(psqlc "SELECT count(*) FROM pg_replication_slots WHERE active")" = 1 ]; }
check "streaming" wait_for 30 active
psqlc "INSERT INTO orders VALUES (1, 10.50, 'before restart')"
sleep 1
pg_stop
sleep 2
pg_ctl_start || die "restart"
psqlc "INSERT INTO orders VALUES (2, 20.00, 'after restart')"
target=$(psqlc "SELECT pg_current_wal_lsn()")
caught() { [ "$(psqlc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots")" = t ]; }
check "capture reconnects by itself and catches up after PostgreSQL restarts" wait_for 90 caught
got=$(python3 -c "
import json
ids=[json.loads(l)['value']['after']['id'] for l in open('$TROOT/out.jsonl') if json.loads(l)['topic']=='f.public.orders']
print(sorted(set(ids)))")
is "$got" "[1, 2]" "rows from before and after the restart are delivered"
n=$(grep -c 'retrying' "$TROOT/run.log")
is "$n" 1 "the outage is logged once when it starts"
check "... and once when it ends" grep -q 'connection restored after' "$TROOT/run.log"

# --- a value the mode cannot carry: stop, confirm nothing past it, lose nothing ---
psqlc "INSERT INTO nums VALUES (1, 'NaN')"
wait $P; rc=$?
is "$rc" 1 "numeric NaN under decimal.handling.mode=precise stops capture"
like "$(cat "$TROOT/run.log")" 'column "n" of table "public\.nums".*decimal\.handling\.mode' "the error names table, column and setting"
props "$TROOT/c2.properties" "decimal.handling.mode=string"
"$SLUICE" capture -c "$TROOT/c2.properties" >"$TROOT/run2.log" 2>&1 &
P=$!
t_track_pid $P
target=$(psqlc "SELECT pg_current_wal_lsn()")
check "after changing the mode, capture resumes" wait_for 60 caught
check "the row that failed is delivered, not lost" grep -q '"n":"NAN"' "$TROOT/out.jsonl"
kill -TERM $P; wait $P

# --- record larger than the broker accepts ------------------------------------------
props "$TROOT/k.properties" "sink.type=kafka" "kafka.bootstrap.servers=$KAFKA_BOOTSTRAP" \
	"kafka.message.max.bytes=2000" "decimal.handling.mode=string"
psqlc "INSERT INTO orders VALUES (3, 1, repeat('z', 5000))"
out=$(timeout 60 "$SLUICE" capture -c "$TROOT/k.properties" 2>&1); rc=$?
is "$rc" 1 "an oversized record stops capture"
like "$out" 'public\.orders.*kafka\.message\.max\.bytes' "the error names the table and the setting to raise"
like "$out" 'table "public\.orders" with key \{"id":3\}' "... and the record's key"

# --- no secret anywhere ----------------------------------------------------------
if grep -rqF "$SECRET" "$TROOT"/*.log "$TROOT/out.jsonl" 2>/dev/null; then
	fail "the password never appears in any output"
else
	pass "the password never appears in any output"
fi
finish
