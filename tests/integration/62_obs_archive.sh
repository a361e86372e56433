#!/usr/bin/env bash
# 62_obs_archive.sh -- sluice archive and sluice run operated like services.
# archive (capture -> mock Kafka, 2 partitions -> archive -> local Parquet):
# /metrics against the lake (files committed = Parquet files, records =
# rows DuckDB reads = non-tombstone messages), promtool, probes, Kafka
# Connect status (type sink), consumer lag rising while paused and falling
# to 0 after resume with every offset archived once, restart, unknown
# connector 404, FAILED with a trace naming topic/partition/offset.
# run: promtool on a scrape, status RUNNING (type source), files metric
# equals the lake.
. "$(dirname "$0")/../lib/integ.sh"
command -v promtool >/dev/null || die "promtool missing (Debian package prometheus; scripts/deps.sh)"
command -v kcat >/dev/null || die "kcat is not installed"
command -v node >/dev/null || die "node is not installed"
DUCK="node $SRC_ROOT/tests/archive/duck.mjs"
TOPIC=bank.public.acct
pg_start || die "could not start PostgreSQL"
kafka_start 1 "$TOPIC:2" || die "could not start the mock Kafka cluster"
psqlc "CREATE TABLE acct(id int PRIMARY KEY, owner text, balance numeric(14,2));
INSERT INTO acct SELECT g, 'o' || g, g * 10.5 FROM generate_series(1, 120) g;" || die schema

cat >"$TROOT/c.properties" <<P
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=postgres
database.dbname=postgres
topic.prefix=bank
table.include.list=public\\.acct
sink.type=kafka
kafka.bootstrap.servers=$KAFKA_BOOTSTRAP
value.converter.schemas.enable=true
offset.storage.dir=$TROOT/cstate
http.listen=off
P
"$SLUICE" capture -c "$TROOT/c.properties" >"$TROOT/capture.log" 2>&1 &
CP=$!
t_track_pid $CP
slot_ready() { [ "$(psqlc "SELECT count(*) FROM pg_replication_slots WHERE active")" = 1 ]; }
check "capture is streaming" wait_for 60 slot_ready
flushed() { [ "$(psqlc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name = 'debezium'")" = t ]; }
caught_up() { target=$(psqlc "SELECT pg_current_wal_lsn()"); wait_for 60 flushed; }
psqlc "UPDATE acct SET balance = balance * 2 WHERE id % 3 = 0; DELETE FROM acct WHERE id > 110;"
check "capture delivered the workload" caught_up

HPORT=$(free_port)
H=http://127.0.0.1:$HPORT
cat >"$TROOT/a.properties" <<P
topics=$TOPIC
group.id=obs-arch
kafka.session.timeout.ms=6000
kafka.heartbeat.interval.ms=500
kafka.topic.metadata.refresh.interval.ms=1000
kafka.bootstrap.servers=$KAFKA_BOOTSTRAP
store.url=file://$TROOT/lake
flush.size=25
rotate.schedule.interval.ms=1000
format.class=io.confluent.connect.s3.format.parquet.ParquetFormat
http.listen=127.0.0.1:$HPORT
log.format=json
P
get() { curl -s -m 5 "$@"; }
code() { curl -s -m 5 -o "$TROOT/body" -w '%{http_code}' "$@"; }
state() { get "$H/connectors/$1/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["connector"]["state"])' 2>/dev/null; }
state_is() { [ "$(state "$1")" = "$2" ]; }
scrape() { get "$H/metrics" >"$TROOT/scrape.txt"; }
metric() { # NAME{labels} -> value (0 when absent), from a fresh scrape
	get "$H/metrics" | awk -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? 0 : v) }'
}
msum() { # sum of every series of a metric family
	get "$H/metrics" | awk -v k="$1" 'index($1, k "{") == 1 || $1 == k { s += $2 } END { print s + 0 }'
}
promcheck() {
	if promtool check metrics <"$TROOT/scrape.txt" >"$TROOT/promtool.out" 2>&1; then
		pass "$1"
	else
		fail "$1"; head -20 "$TROOT/promtool.out"
	fi
}
n_parquet() { find "$1" -name '*.parquet' 2>/dev/null | wc -l; }
kafka_msgs() { kcat -C -b "$KAFKA_BOOTSTRAP" -t "$TOPIC" -e -q -f '%p %o %S\n' 2>/dev/null; }
src="read_parquet('$TROOT/lake/**/*.parquet', union_by_name=true)"

"$SLUICE" archive -c "$TROOT/a.properties" >"$TROOT/archive.log" 2>&1 &
AP=$!
t_track_pid $AP
check "archive status RUNNING" wait_for 30 state_is sluice-archive RUNNING
is "$(get "$H/connectors")" '["sluice-archive"]' "GET /connectors lists the archive's default name"
ready() { [ "$(code "$H/readyz")" = 200 ]; }
check "ready once the consumer joined its group" wait_for 30 ready
is "$(code "$H/healthz")" 200 "live"
like "$(get "$H/connectors/sluice-archive/status")" '^\{"name":"sluice-archive","connector":\{"state":"RUNNING","worker_id":"127\.0\.0\.1:'"$HPORT"'"\},"tasks":\[\{"id":0,"state":"RUNNING","worker_id":"[^"]*"\}\],"type":"sink"\}$' \
	"status JSON: Kafka Connect's shape, type sink"
like "$(get "$H/connectors/sluice-archive/config")" '"store.url":"file://' "GET config shows the settings"

# --- counters against the lake --------------------------------------------------------
n_msgs=$(kafka_msgs | wc -l)
n_vals=$(kafka_msgs | awk '$3 != -1' | wc -l)
lag0() { [ "$(msum sluice_archive_consumer_lag_records)" = 0 ] && [ "$(msum sluice_archive_files_committed_total)" -gt 0 ]; }
check "everything archived and committed: lag 0 ($n_msgs messages)" wait_for 60 lag0
sleep 1
files=$(metric "sluice_archive_files_committed_total{topic=\"$TOPIC\"}")
is "$files" "$(n_parquet "$TROOT/lake")" "files committed = Parquet files in the lake ($files)"
recs=$(metric "sluice_archive_records_total{topic=\"$TOPIC\"}")
is "$recs" "$($DUCK "SELECT count(*) FROM $src")" "records counter = rows DuckDB reads"
is "$recs" "$n_vals" "records counter = non-tombstone messages in Kafka"
is "$(metric "sluice_archive_consumed_records_total{topic=\"$TOPIC\"}")" "$n_msgs" "consumed = messages in Kafka"
is "$(metric "sluice_archive_tombstones_total{topic=\"$TOPIC\"}")" "$((n_msgs - n_vals))" "tombstones counted"
check "consumed bytes counted" test "$(metric "sluice_archive_consumed_bytes_total{topic=\"$TOPIC\"}")" -gt 10000
nparts=$(kcat -L -b "$KAFKA_BOOTSTRAP" -t "$TOPIC" 2>/dev/null | grep -c 'partition [0-9]')
is "$(metric sluice_archive_assigned_partitions)" "$nparts" "every partition of the topic assigned ($nparts)"
is "$(metric sluice_connector_ready)" 1 "ready gauge 1"
scrape
check "lag series for partition 0" grep -q "^sluice_archive_consumer_lag_records{topic=\"$TOPIC\",partition=\"0\"} 0$" "$TROOT/scrape.txt"
check "lag series for partition 1" grep -q "^sluice_archive_consumer_lag_records{topic=\"$TOPIC\",partition=\"1\"} 0$" "$TROOT/scrape.txt"
check "no capture metric in the archive's scrape" bash -c "! grep -q '^sluice_capture_' '$TROOT/scrape.txt'"
for m in process_cpu_seconds_total process_resident_memory_bytes sluice_build_info sluice_s3_part_retries_total; do
	check "scrape has $m" grep -q "^${m}[ {]" "$TROOT/scrape.txt"
done
promcheck "promtool check metrics passes on the archive's scrape"

# --- pause: nothing flows, lag grows; resume: lag back to 0, nothing lost ------------------
consumed_before=$(metric "sluice_archive_consumed_records_total{topic=\"$TOPIC\"}")
files_before=$(n_parquet "$TROOT/lake")
is "$(code -X PUT "$H/connectors/sluice-archive/pause")" 202 "PUT pause: 202"
check "status PAUSED" wait_for 10 state_is sluice-archive PAUSED
is "$(code "$H/readyz")" 503 "not ready while paused"
like "$(cat "$TROOT/body")" 'paused' "readyz says paused"
psqlc "INSERT INTO acct SELECT g, 'p' || g, g FROM generate_series(1001, 1040) g;"
check "capture delivered 40 rows while the archive is paused" caught_up
lag_up() { [ "$(msum sluice_archive_consumer_lag_records)" -ge 40 ]; }
check "consumer lag >= 40 while paused" wait_for 20 lag_up
sleep 2
is "$(metric "sluice_archive_consumed_records_total{topic=\"$TOPIC\"}")" "$consumed_before" "nothing consumed while paused"
is "$(n_parquet "$TROOT/lake")" "$files_before" "no new file while paused"
check "process alive after paused seconds (group membership kept)" kill -0 $AP
is "$(code -X PUT "$H/connectors/sluice-archive/resume")" 202 "PUT resume: 202"
check "status RUNNING after resume" wait_for 10 state_is sluice-archive RUNNING
lag_zero() { [ "$(msum sluice_archive_consumer_lag_records)" = 0 ]; }
check "consumer lag back to 0 after resume" wait_for 60 lag_zero
sleep 1
n_vals=$(kafka_msgs | awk '$3 != -1' | wc -l)
want=$(kafka_msgs | awk '$3 != -1 { print $1, $2 }' | sort)
got=$($DUCK "SELECT _partition || ' ' || _offset FROM $src" | sort)
if [ "$want" = "$got" ]; then pass "every (partition, offset) in the lake exactly once ($n_vals)"; else
	fail "every (partition, offset) in the lake exactly once"; diff <(echo "$want") <(echo "$got") | head -5; fi
is "$(metric "sluice_archive_records_total{topic=\"$TOPIC\"}")" "$n_vals" "records counter = lake rows after resume"
is "$(metric "sluice_archive_files_committed_total{topic=\"$TOPIC\"}")" "$(n_parquet "$TROOT/lake")" "files counter = lake files after resume"

# --- restart, bad requests ----------------------------------------------------------------------
is "$(code -X POST "$H/connectors/sluice-archive/restart")" 204 "POST restart: 204"
check "restart is logged" wait_for 10 grep -q 'restart requested' "$TROOT/archive.log"
check "RUNNING and ready again after restart" wait_for 30 ready
is "$(state sluice-archive)" RUNNING "state RUNNING after restart"
is "$(code "$H/connectors/nope/status")" 404 "unknown connector: 404"
is "$(cat "$TROOT/body")" '{"error_code":404,"message":"Connector nope not found"}' "Kafka Connect's error JSON"
kill -TERM $AP
wait $AP
is "$?" 0 "SIGTERM: clean exit"

# --- errors.tolerance=none and a malformed record: FAILED with a trace ------------------------------
printf '{"not json\n' | kcat -P -b "$KAFKA_BOOTSTRAP" -t "$TOPIC" -p 1 2>/dev/null
bad_off=$(kafka_msgs | awk '$1 == 1 { o = $2 } END { print o }')
"$SLUICE" archive -c "$TROOT/a.properties" >"$TROOT/archive2.log" 2>&1 &
AP=$!
t_track_pid $AP
check "malformed record: FAILED" wait_for 30 state_is sluice-archive FAILED
like "$(get "$H/connectors/sluice-archive/status")" "\"state\":\"FAILED\",\"worker_id\":\"[^\"]*\",\"trace\":\"could not archive the record at topic [^ ]*${TOPIC}[^ ]* partition 1 offset $bad_off" \
	"FAILED trace names topic, partition and offset ($bad_off)"
is "$(code "$H/healthz")" 200 "FAILED: still live"
is "$(code "$H/readyz")" 503 "FAILED: not ready"
check "errors counted by kind" test "$(metric 'sluice_errors_total{kind="proto"}')" -ge 1
is "$(metric 'sluice_connector_state{state="FAILED"}')" 1 "state gauge FAILED"
kill -TERM $AP
wait $AP
is "$?" 1 "SIGTERM after FAILED: exit 1"
kill -TERM $CP
wait $CP

# --- sluice run ------------------------------------------------------------------------------------
RPORT=$(free_port)
H=http://127.0.0.1:$RPORT
psqlc "CREATE TABLE item(id int PRIMARY KEY, v text); INSERT INTO item SELECT g, 'v' || g FROM generate_series(1, 50) g;" || die "run schema"
cat >"$TROOT/run.properties" <<P
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=postgres
database.dbname=postgres
topic.prefix=shop
table.include.list=public\\.item
slot.name=runslot
publication.name=run_pub
offset.storage.dir=$TROOT/rstate
store.url=file://$TROOT/rlake
flush.size=20
rotate.schedule.interval.ms=500
http.listen=127.0.0.1:$RPORT
log.format=json
P
"$SLUICE" run -c "$TROOT/run.properties" >"$TROOT/run.log" 2>&1 &
RP=$!
t_track_pid $RP
check "run status RUNNING" wait_for 60 state_is shop-run RUNNING
like "$(get "$H/connectors/shop-run/status")" '"type":"source"\}$' "run's status type is source"
psqlc "INSERT INTO item SELECT g, 'w' || g FROM generate_series(100, 129) g; UPDATE item SET v = 'x' WHERE id <= 10;"
rsrc="read_parquet('$TROOT/rlake/**/*.parquet', union_by_name=true)"
run_landed() { [ "$(metric 'sluice_archive_records_total{topic="shop.public.item"}')" = 90 ]; }
check "run: records counter reaches the 90 events" wait_for 60 run_landed
sleep 1
is "$(metric 'sluice_archive_files_committed_total{topic="shop.public.item"}')" "$(n_parquet "$TROOT/rlake")" "run: files counter = Parquet files in the lake"
is "$($DUCK "SELECT count(*) FROM $rsrc")" 90 "run: the lake holds the 90 events"
check "run: capture metrics flow too" test "$(metric 'sluice_capture_events_total{table="public.item",op="c"}')" -ge 30
scrape
check "run: no archive-only consumer lag series" bash -c "! grep -q '^sluice_archive_consumer_lag' '$TROOT/scrape.txt'"
promcheck "promtool check metrics passes on the run's scrape"
is "$(code "$H/readyz")" 200 "run: ready while streaming"
kill -TERM $RP
wait $RP
is "$?" 0 "run: SIGTERM clean exit"
finish
