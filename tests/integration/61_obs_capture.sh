#!/usr/bin/env bash
# 61_obs_capture.sh -- sluice capture operated like a service: /metrics
# (counters against the events really delivered, lag gauges while the sink
# is stuck, promtool), probes across a PostgreSQL restart, the Kafka
# Connect status API with pause/resume (slot kept, nothing lost) and
# restart, HTTP bad input, and no secret in any output.
. "$(dirname "$0")/../lib/integ.sh"
command -v promtool >/dev/null || die "promtool missing (Debian package prometheus; scripts/deps.sh)"
pg_start || die "could not start PostgreSQL"
kafka_start || die "mock kafka"
SECRET='Obs-s3cr3t-pw-7'
psqlc "CREATE ROLE cdc LOGIN REPLICATION PASSWORD '$SECRET';
CREATE TABLE orders(id int PRIMARY KEY, note text);
CREATE TABLE items(id int PRIMARY KEY, qty int);
GRANT SELECT ON ALL TABLES IN SCHEMA public TO cdc;
CREATE PUBLICATION dbz_publication FOR ALL TABLES;" || die schema
sed -i "1i host all cdc 127.0.0.1/32 scram-sha-256\nhost replication cdc 127.0.0.1/32 scram-sha-256" "$PGROOT/data/pg_hba.conf"
psqlc "SELECT pg_reload_conf()" >/dev/null
export PGPW=$SECRET
HPORT=$(free_port)
H=http://127.0.0.1:$HPORT
cat >"$TROOT/c.properties" <<PROPS
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=cdc
database.password=$SECRET
database.dbname=postgres
topic.prefix=o
sink.type=kafka
kafka.bootstrap.servers=$KAFKA_BOOTSTRAP
offset.storage.dir=$TROOT/state
http.listen=127.0.0.1:$HPORT
log.format=json
PROPS
ALL_OUT=$TROOT/all-http.out # every HTTP body, for the secret check
get() { curl -s -m 5 "$@" | tee -a "$ALL_OUT"; echo >>"$ALL_OUT"; }
code() { curl -s -m 5 -o "$TROOT/body" -w '%{http_code}' "$@"; cat "$TROOT/body" >>"$ALL_OUT"; echo >>"$ALL_OUT"; }
state() { get "$H/connectors/o-capture/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["connector"]["state"])' 2>/dev/null; }
state_is() { [ "$(state)" = "$1" ]; }
metric() { # NAME{labels} -> value (0 when absent)
	get "$H/metrics" | awk -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? 0 : v) }'
}
consumed() { # messages on a topic, read back from the broker
	kcat -C -b "$KAFKA_BOOTSTRAP" -t "$1" -e -q -f '%o\n' 2>/dev/null | wc -l
}

"$SLUICE" capture -c "$TROOT/c.properties" >"$TROOT/out.log" 2>"$TROOT/err.log" &
P=$!
t_track_pid $P
check "status RUNNING once streaming" wait_for 60 state_is RUNNING
is "$(get "$H/connectors")" '["o-capture"]' "GET /connectors lists the default name (topic.prefix plus role)"
is "$(code "$H/readyz")" 200 "ready while streaming"
is "$(code "$H/healthz")" 200 "live"
like "$(get "$H/connectors/o-capture/status")" '^\{"name":"o-capture","connector":\{"state":"RUNNING","worker_id":"127\.0\.0\.1:'"$HPORT"'"\},"tasks":\[\{"id":0,"state":"RUNNING","worker_id":"127\.0\.0\.1:'"$HPORT"'"\}\],"type":"source"\}$' \
	"status JSON has Kafka Connect's shape"

# --- counters match what was delivered -------------------------------------
psqlc "INSERT INTO orders SELECT g, 'n' || g FROM generate_series(1, 40) g;
INSERT INTO items SELECT g, g FROM generate_series(1, 15) g;
UPDATE orders SET note = 'x' WHERE id <= 10;
DELETE FROM items WHERE id <= 5;" || fail "workload"
target=$(psqlc "SELECT pg_current_wal_lsn()")
caught() { [ "$(psqlc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots")" = t ]; }
check "capture confirms the workload" wait_for 60 caught
sleep 1
n_orders=$(consumed o.public.orders)
n_items=$(consumed o.public.items)
is "$n_orders" 50 "broker holds 40 creates + 10 updates for orders"
is "$n_items" 25 "broker holds 15 creates + 5 deletes + 5 tombstones for items"
c=$(metric 'sluice_capture_events_total{table="public.orders",op="c"}')
u=$(metric 'sluice_capture_events_total{table="public.orders",op="u"}')
ic=$(metric 'sluice_capture_events_total{table="public.items",op="c"}')
id=$(metric 'sluice_capture_events_total{table="public.items",op="d"}')
is "$c/$u/$ic/$id" "40/10/15/5" "events_total by table and op match the rows written"
is "$((c + u))" "$n_orders" "orders events counted = orders messages on the broker"
recs=$(metric sluice_sink_records_total)
acked=$(metric sluice_sink_acked_records_total)
is "$acked" "$recs" "every record handed to the sink is acked"
check "records include the 5 tombstones" test "$recs" -ge 75
check "bytes out counted" test "$(metric sluice_sink_bytes_total)" -gt 1000
check "delivery latency histogram has observations" \
	test "$(metric sluice_capture_delivery_latency_seconds_count)" -ge 1
is "$(metric sluice_capture_delivery_latency_seconds_count)" "$(metric sluice_capture_transactions_total)" \
	"one latency observation per delivered transaction"
check "confirmed LSN gauge reaches the workload's end" \
	test "$(metric sluice_capture_confirmed_lsn)" -ge "$(( $(psqlc "SELECT ('$target'::pg_lsn - '0/0')::bigint") ))"
get "$H/metrics" >"$TROOT/scrape.txt"
if promtool check metrics <"$TROOT/scrape.txt" >"$TROOT/promtool.out" 2>&1; then
	pass "promtool check metrics passes on a real scrape"
else
	fail "promtool check metrics passes on a real scrape"; head -20 "$TROOT/promtool.out"
fi
for m in process_cpu_seconds_total process_resident_memory_bytes process_open_fds process_start_time_seconds \
	sluice_capture_slot_lag_bytes sluice_sink_in_flight_records sluice_snapshot_tables_completed; do
	check "scrape has $m" grep -q "^$m " "$TROOT/scrape.txt"
done

# --- the sink is stuck: lag gauges move -------------------------------------------
kill -STOP "$KAFKA_PID"
psqlc "INSERT INTO orders VALUES (100, 'while the broker is frozen')"
sleep 4
lag=$(metric sluice_capture_source_lag_seconds)
check "source lag grows while the sink is stuck ($lag s)" python3 -c "import sys; sys.exit(0 if $lag >= 2 else 1)"
check "in-flight queue depth > 0 while stuck" test "$(metric sluice_sink_in_flight_records)" -gt 0
kill -CONT "$KAFKA_PID"
lag_ok() { python3 -c "import sys; sys.exit(0 if $(metric sluice_capture_source_lag_seconds) < 2 else 1)"; }
# The last delivery's latency stays until the next one: deliver a fresh one.
sleep 2
psqlc "INSERT INTO orders VALUES (101, 'after')"
check "source lag falls back once delivery resumes" wait_for 30 lag_ok

# --- pause / resume -------------------------------------------------------------
before=$(consumed o.public.orders)
is "$(code -X PUT "$H/connectors/o-capture/pause")" 202 "PUT pause: 202"
check "status PAUSED" wait_for 10 state_is PAUSED
is "$(code "$H/readyz")" 503 "not ready while paused"
psqlc "INSERT INTO orders SELECT g, 'paused' FROM generate_series(200, 229) g"
sleep 6
is "$(consumed o.public.orders)" "$before" "no events flow while paused"
is "$(psqlc "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'debezium'")" 1 "the slot is kept while paused"
check "slot lag gauge shows the held-back WAL" test "$(metric sluice_capture_slot_lag_bytes)" -gt 0
check "process still alive after 6 s paused (walsender not timed out)" kill -0 $P
is "$(code -X PUT "$H/connectors/o-capture/resume")" 202 "PUT resume: 202"
check "status RUNNING after resume" wait_for 10 state_is RUNNING
all_there() { [ "$(consumed o.public.orders)" -ge $((before + 30)) ]; }
check "resume delivers the 30 rows written while paused" wait_for 30 all_there
got=$(kcat -C -b "$KAFKA_BOOTSTRAP" -t o.public.orders -e -q -f '%s\n' 2>/dev/null |
	python3 -c "import json,sys; print(len({json.loads(l)['after']['id'] for l in sys.stdin if l.strip() and json.loads(l).get('after') and json.loads(l)['after']['id'] >= 200}))")
is "$got" 30 "nothing lost across pause/resume"

# --- restart ---------------------------------------------------------------------
is "$(code -X POST "$H/connectors/o-capture/restart")" 204 "POST restart: 204"
check "restart is logged" wait_for 10 grep -q 'restart requested' "$TROOT/err.log"
check "RUNNING again after restart" wait_for 30 state_is RUNNING

# --- PostgreSQL stops and starts: not ready, then RUNNING again ---------------------
pg_stop
not_ready() { [ "$(code "$H/readyz")" = 503 ]; }
check "not ready while PostgreSQL is down" wait_for 30 not_ready
like "$(get "$H/readyz")" 'postgres unreachable' "readyz says why"
pg_ctl_start || die "restart"
ready() { [ "$(code "$H/readyz")" = 200 ]; }
check "ready again after PostgreSQL is back" wait_for 90 ready
is "$(state)" RUNNING "state RUNNING again"
check "retries counted" test "$(metric 'sluice_retries_total{kind="postgres"}')" -ge 1

# --- HTTP bad input -----------------------------------------------------------------
is "$(code "$H/nope")" 404 "unknown path: 404"
like "$(cat "$TROOT/body")" '"error_code":404' "Kafka Connect error JSON"
is "$(code "$H/connectors/nope/status")" 404 "unknown connector: 404"
is "$(cat "$TROOT/body")" '{"error_code":404,"message":"Connector nope not found"}' "unknown connector body"
is "$(code -X DELETE "$H/connectors/o-capture")" 405 "DELETE: 405"
is "$(code -X POST "$H/metrics")" 405 "POST /metrics: 405"
is "$(code -X GET "$H/connectors/o-capture/pause")" 405 "GET pause: 405"
is "$(code "$H/connectors/%01bad/status")" 400 "control byte in the name: 400"
is "$(code "$H/connectors/$(head -c 300 /dev/zero | tr '\0' a)/status")" 400 "over-long name: 400"
is "$(code "$H/$(head -c 5000 /dev/zero | tr '\0' a)")" 414 "over-long path: 414"
big=$(head -c 100000 /dev/zero | tr '\0' x)
hc=$(code -H "X-Big: $big" "$H/healthz")
check "huge header: 4xx ($hc)" test "$hc" -ge 400 -a "$hc" -lt 500
hc=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X PUT --data-binary @<(head -c 2000000 /dev/zero) "$H/connectors/o-capture/resume")
is "$hc" 202 "a large request body is discarded"
printf 'GARBAGE\r\n\r\n' | timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$HPORT; cat >&3; cat <&3" >/dev/null 2>&1
is "$(code "$H/healthz")" 200 "still serving after bad input"
check "process alive after bad input" kill -0 $P

# --- config endpoint and secrets -----------------------------------------------------------
cfgj=$(get "$H/connectors/o-capture/config")
like "$cfgj" '"database.password":"\[redacted\]"' "GET config redacts the password"
like "$cfgj" '"topic.prefix":"o"' "GET config shows the settings"

kill -TERM $P
wait $P
is "$?" 0 "SIGTERM: clean exit"

# --- wrong password: FAILED with a readable trace, process kept up ------------------------
sed -i "s/^database.password=.*/database.password=not-the-password/" "$TROOT/c.properties"
"$SLUICE" capture -c "$TROOT/c.properties" >>"$TROOT/out.log" 2>>"$TROOT/err.log" &
P=$!
t_track_pid $P
check "wrong password: FAILED" wait_for 30 state_is FAILED
like "$(get "$H/connectors/o-capture/status")" '"state":"FAILED","worker_id":"[^"]*","trace":"could not connect to PostgreSQL[^}]*password authentication failed' "FAILED has a readable trace"
is "$(code "$H/healthz")" 200 "FAILED: still live (serving its status)"
is "$(code "$H/readyz")" 503 "FAILED: not ready"
check "FAILED: errors counted by kind" test "$(metric 'sluice_errors_total{kind="auth"}')" -ge 1
n=$(grep -c 'is FAILED' "$TROOT/err.log")
is "$n" 1 "the failure is logged once"
kill -TERM $P
wait $P
is "$?" 1 "SIGTERM after FAILED: exit 1"

# --- PostgreSQL unreachable until errors.max.retries runs out: FAILED ----------------------
CLOSED=$(free_port)
sed -e "s/^database.port=.*/database.port=$CLOSED/" -e "s/^database.password=.*/database.password=$SECRET/" \
	"$TROOT/c.properties" >"$TROOT/down.properties"
printf "errors.max.retries=1\nretriable.restart.connector.wait.ms=200\n" >>"$TROOT/down.properties"
n_retrying=$(grep -c 'retrying with backoff' "$TROOT/err.log")
"$SLUICE" capture -c "$TROOT/down.properties" >>"$TROOT/out.log" 2>>"$TROOT/err.log" &
P=$!
t_track_pid $P
check "retries exhausted: FAILED" wait_for 30 state_is FAILED
like "$(get "$H/connectors/o-capture/status")" "\"state\":\"FAILED\",\"worker_id\":\"[^\"]*\",\"trace\":\"could not connect to PostgreSQL at 127\\.0\\.0\\.1:$CLOSED" \
	"retries exhausted: the trace names the unreachable server"
like "$(get "$H/connectors/o-capture/tasks/0/status")" '"state":"FAILED"' "retries exhausted: the task is FAILED too"
is "$(code "$H/healthz")/$(code "$H/readyz")" "200/503" "retries exhausted: live, not ready"
is "$(metric 'sluice_retries_total{kind="postgres"}')" 1 "retries exhausted: exactly the one retry made is counted (errors.max.retries=1)"
check "retries exhausted: transient errors counted" test "$(metric 'sluice_errors_total{kind="transient"}')" -ge 2
is "$(( $(grep -c 'retrying with backoff' "$TROOT/err.log") - n_retrying ))" 1 "retries exhausted: one 'retrying' line, not one per attempt"
kill -TERM $P
wait $P
is "$?" 1 "SIGTERM after retries exhausted: exit 1"

# --- snapshot progress: planned from the start, rows and tables at the end ---------------------
# Two tables of 3000 rows, Kafka down and a 1000-record producer queue:
# the snapshot stalls inside its first table.  The plan (2 tables) must be
# there already; nothing is completed yet.  Then Kafka comes back.
psqlc "CREATE TABLE snap_a(id int PRIMARY KEY, v text); CREATE TABLE snap_b(id int PRIMARY KEY, v text);
GRANT SELECT ON snap_a, snap_b TO cdc;
INSERT INTO snap_a SELECT g, repeat('a', 50) FROM generate_series(1, 3000) g;
INSERT INTO snap_b SELECT g, repeat('b', 50) FROM generate_series(1, 3000) g;" || fail "snapshot tables"
grep -vE '^(database\.password|offset\.storage\.dir)=' "$TROOT/c.properties" >"$TROOT/snap.properties"
printf 'database.password=%s\noffset.storage.dir=%s/snapstate\nslot.name=snapslot\ntable.include.list=public\\.snap_.*\nkafka.queue.buffering.max.messages=1000\n' \
	"$SECRET" "$TROOT" >>"$TROOT/snap.properties"
kill -USR1 "$KAFKA_PID"
"$SLUICE" capture -c "$TROOT/snap.properties" >>"$TROOT/out.log" 2>>"$TROOT/err.log" &
P=$!
t_track_pid $P
stalled() { [ "$(metric sluice_snapshot_running)" = 1 ] && [ "$(metric sluice_snapshot_rows_total)" -gt 0 ]; }
check "snapshot running and reading" wait_for 60 stalled
sleep 2
is "$(metric sluice_snapshot_tables_planned)" 2 "while the first table is read: tables planned = 2"
is "$(metric sluice_snapshot_tables_completed)" 0 "while the first table is read: none completed"
check "while stalled: rows read < 6000 ($(metric sluice_snapshot_rows_total))" test "$(metric sluice_snapshot_rows_total)" -lt 6000
kill -USR2 "$KAFKA_PID"
snap_done() { [ "$(metric sluice_snapshot_running)" = 0 ] && [ "$(metric sluice_snapshot_tables_completed)" = 2 ]; }
check "snapshot finishes once Kafka is back" wait_for 90 snap_done
is "$(metric sluice_snapshot_rows_total)" 6000 "snapshot rows total = the 6000 rows"
is "$(metric sluice_snapshot_tables_completed)/$(metric sluice_snapshot_tables_planned)" "2/2" "tables completed = planned = 2"
is "$(metric sluice_snapshot_running)" 0 "snapshot running gauge back to 0"
is "$(metric 'sluice_capture_events_total{table="public.snap_a",op="r"}')/$(metric 'sluice_capture_events_total{table="public.snap_b",op="r"}')" \
	"3000/3000" "read events counted per table"
snap_msgs() { [ "$(consumed o.public.snap_a)" = 3000 ] && [ "$(consumed o.public.snap_b)" = 3000 ]; }
check "the broker holds the 6000 snapshot records" wait_for 60 snap_msgs
kill -TERM $P
wait $P
is "$?" 0 "snapshot capture: SIGTERM, clean exit"

# --- one line per state change; no secret anywhere -------------------------------
n=$(grep -c 'is PAUSED' "$TROOT/err.log")
is "$n" 1 "PAUSED logged once"
if grep -qF "$SECRET" "$TROOT/out.log" "$TROOT/err.log" "$ALL_OUT" "$TROOT/scrape.txt"; then
	fail "the password never appears in stdout, stderr or any HTTP response"
else
	pass "the password never appears in stdout, stderr or any HTTP response"
fi
finish
