#!/usr/bin/env bash
# 65_obs_logs.sh -- structured logs of capture and archive (issue 5: "one
# line per event on stderr, log.format json|text, json by default when not
# a TTY, log.level; each retry storm or state change logged once, with a
# count, never a line per attempt").
#  1. capture (no log.format, stderr a file: JSON by default) -> mock Kafka
#     -> archive (log.format=json).  The brokers go down for 10 s (the mock
#     cluster refuses connections) while rows keep coming, then a SIGSTOP
#     freezes them for 14 s.  Every stderr line of both parses as JSON (no
#     raw librdkafka "%3|...|FAIL|" line), each outage is one storm-start
#     and one recovery line (with a count) per client, and everything
#     written before, during and after the outages reaches the archive.
#  2. log.format=text: no line is JSON, every line is "<ts> <level> capture: ...".
#  3. log.level=warn: the warnings and errors, no info line.
. "$(dirname "$0")/../lib/integ.sh"
command -v kcat >/dev/null || die "kcat is not installed"
TOPIC=lg.public.t
pg_start || die "could not start PostgreSQL"
kafka_start 1 "$TOPIC:2" || die "could not start the mock Kafka cluster"
psqlc "CREATE TABLE t(id int PRIMARY KEY, note text);
INSERT INTO t SELECT g, 'n' || g FROM generate_series(1, 20) g;" || die schema

# all_json FILE: every line is one JSON object with ts, level, component, msg.
all_json() {
	python3 - "$1" <<'PY'
import json, sys
bad = 0
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
for l in lines:
    try:
        o = json.loads(l)
        assert isinstance(o, dict) and {"ts", "level", "component", "msg"} <= o.keys()
    except Exception:
        bad += 1
        if bad <= 5:
            print("#   not JSON: " + l[:300])
sys.exit(0 if lines and not bad else 1)
PY
}
# jcount FILE REGEX: JSON lines whose msg matches REGEX.
jcount() {
	python3 - "$1" "$2" <<'PY'
import json, re, sys
n = 0
for l in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        if re.search(sys.argv[2], json.loads(l)["msg"]):
            n += 1
    except Exception:
        pass
print(n)
PY
}
START='Kafka brokers unreachable or failing'
END='Kafka brokers answering again after [0-9]+ errors? in [0-9.]+ s'

cat >"$TROOT/c.properties" <<P
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=postgres
database.dbname=postgres
topic.prefix=lg
table.include.list=public\\.t
sink.type=kafka
kafka.bootstrap.servers=$KAFKA_BOOTSTRAP
offset.storage.dir=$TROOT/cstate
http.listen=off
P
"$SLUICE" capture -c "$TROOT/c.properties" >"$TROOT/capture.out" 2>"$TROOT/capture.err" &
CP=$!
t_track_pid $CP
slot_ready() { [ "$(psqlc "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = 'debezium'")" = 1 ]; }
check "capture is streaming" wait_for 60 slot_ready
flushed() { [ "$(psqlc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name = 'debezium'")" = t ]; }
caught_up() { target=$(psqlc "SELECT pg_current_wal_lsn()"); wait_for "${1:-60}" flushed; }
check "capture delivered the snapshot" caught_up

HPORT=$(free_port)
cat >"$TROOT/a.properties" <<P
topics=$TOPIC
group.id=lg-arch
kafka.session.timeout.ms=6000
kafka.heartbeat.interval.ms=500
kafka.bootstrap.servers=$KAFKA_BOOTSTRAP
store.url=file://$TROOT/lake
format.class=json
http.listen=127.0.0.1:$HPORT
log.format=json
P
metric() { curl -s -m 5 "http://127.0.0.1:$HPORT/metrics" | awk -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? 0 : v) }'; }
consumed() { metric "sluice_archive_consumed_records_total{topic=\"$TOPIC\"}"; }
consumed_ge() { [ "$(consumed)" -ge "$1" ]; }
"$SLUICE" archive -c "$TROOT/a.properties" >"$TROOT/archive.out" 2>"$TROOT/archive.err" &
AP=$!
t_track_pid $AP
check "archive consumes the 20 snapshot records" wait_for 60 consumed_ge 20

# --- outage 1: the brokers refuse connections for 10 s, rows keep coming ------------------
kill -USR1 "$KAFKA_PID"
wait_for 5 grep -q 'brokers down' "$TROOT/mockbroker.err" || fail "the mock cluster went down"
for i in $(seq 101 110); do psqlc "INSERT INTO t VALUES ($i, 'during outage 1')"; sleep 0.5; done
sleep 5
kill -USR2 "$KAFKA_PID"
psqlc "INSERT INTO t SELECT g, 'after outage 1' FROM generate_series(201, 210) g" || fail insert
check "capture delivers what came during and after the outage" caught_up 90
c_end() { [ "$(jcount "$TROOT/capture.err" "$END")" -ge 1 ]; }
a_end() { [ "$(jcount "$TROOT/archive.err" "$END")" -ge 1 ]; }
check "capture logs the recovery" wait_for 30 c_end
check "archive logs the recovery" wait_for 60 a_end
is "$(jcount "$TROOT/capture.err" "$START")" 1 "capture: outage 1 is one storm-start line"
is "$(jcount "$TROOT/capture.err" "$END")" 1 "capture: ... and one recovery line"
is "$(jcount "$TROOT/archive.err" "$START")" 1 "archive: outage 1 is one storm-start line"
is "$(jcount "$TROOT/archive.err" "$END")" 1 "archive: ... and one recovery line"
like "$(grep -m1 -o 'answering again after [0-9]* error' "$TROOT/archive.err")" 'after ([2-9]|[1-9][0-9]+) error' \
	"the recovery line counts the storm's errors (more than one)"
check "archive reads everything after outage 1" wait_for 60 consumed_ge 40

# --- outage 2: the brokers freeze (SIGSTOP) for 14 s ------------------------------------
kill -STOP "$KAFKA_PID"
sleep 14
kill -CONT "$KAFKA_PID"
psqlc "INSERT INTO t SELECT g, 'after outage 2' FROM generate_series(301, 310) g" || fail insert
check "capture delivers after outage 2" caught_up 90
a_end2() { [ "$(jcount "$TROOT/archive.err" "$END")" -ge 2 ]; }
check "archive logs the second recovery" wait_for 60 a_end2
is "$(jcount "$TROOT/archive.err" "$START")" 2 "archive: outage 2 is one more storm-start line"
is "$(jcount "$TROOT/archive.err" "$END")" 2 "archive: ... and one more recovery line"
is "$(jcount "$TROOT/capture.err" "$START")" "$(jcount "$TROOT/capture.err" "$END")" \
	"capture: every storm it logged has its recovery line"
n_msgs=$(kcat -C -b "$KAFKA_BOOTSTRAP" -t "$TOPIC" -e -q -f '%o\n' 2>/dev/null | wc -l)
check "Kafka holds every row (snapshot 20 + 30 changes: $n_msgs)" test "$n_msgs" -ge 50
all_read() { [ "$(consumed)" -ge "$n_msgs" ]; }
check "archive reads every record after outage 2" wait_for 60 all_read
# A stop while the group rebalances would leave nothing to commit (open
# files of revoked partitions are discarded; a restart re-reads them).
assigned() { [ "$(metric sluice_archive_assigned_partitions)" = 2 ]; }
check "archive owns both partitions again" wait_for 60 assigned
sleep 1

kill -TERM $AP
wait $AP
is "$?" 0 "archive: SIGTERM, clean exit"
kill -TERM $CP
wait $CP
is "$?" 0 "capture: SIGTERM, clean exit"
ids=$(find "$TROOT/lake" -name '*.json' -exec cat {} + 2>/dev/null | python3 -c '
import json, sys
print(len({json.loads(l)["after"]["id"] for l in sys.stdin if l.strip() and json.loads(l).get("after")}))' 2>/dev/null)
is "$ids" 50 "the lake holds all 50 rows (none lost across the outages)"

if all_json "$TROOT/capture.err"; then pass "capture (no log.format, stderr not a TTY): every stderr line is JSON"; else
	fail "capture (no log.format, stderr not a TTY): every stderr line is JSON"; fi
if all_json "$TROOT/archive.err"; then pass "archive: every stderr line is JSON, librdkafka's included"; else
	fail "archive: every stderr line is JSON, librdkafka's included"; fi
is "$(grep -c '^%[0-9]|' "$TROOT/capture.err" "$TROOT/archive.err" | awk -F: '{ s += $2 } END { print s + 0 }')" 0 \
	"no raw librdkafka line on either stderr"
is "$(cat "$TROOT/capture.out" "$TROOT/archive.out")" "" "nothing on stdout"
is "$(jcount "$TROOT/archive.err" '^archive: (could not commit offsets|consumer: )')" "0" \
	"no per-attempt commit or consumer error line"
[ "$T_FAIL" = 0 ] || grep -v '"level":"debug"' "$TROOT/archive.err" | cut -c1-300 | sed 's/^/#   archive: /'

# --- log.format=text -----------------------------------------------------------------------
grep -vE '^(sink\.type|kafka\.|offset\.storage\.dir)' "$TROOT/c.properties" >"$TROOT/text.properties"
printf 'slot.name=txt\noffset.storage.dir=%s/tstate\nsink.type=file\nsink.file.path=%s/text.jsonl\nlog.format=text\n' \
	"$TROOT" "$TROOT" >>"$TROOT/text.properties"
"$SLUICE" capture -c "$TROOT/text.properties" >/dev/null 2>"$TROOT/text.err" &
TP=$!
t_track_pid $TP
txt_ready() { [ "$(psqlc "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = 'txt'")" = 1 ]; }
check "text capture is streaming" wait_for 60 txt_ready
kill -TERM $TP
wait $TP
is "$?" 0 "text capture: clean exit"
check "text capture logged lines ($(wc -l <"$TROOT/text.err"))" test "$(wc -l <"$TROOT/text.err")" -ge 3
is "$(grep -c '^{' "$TROOT/text.err")" 0 "log.format=text: no line is JSON"
is "$(grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z (debug|info |warn |error) capture: ' "$TROOT/text.err")" 0 \
	"log.format=text: every line is '<ts> <level> capture: <msg>'"

# --- log.level=warn ------------------------------------------------------------------------
CLOSED=$(free_port)
sed -e "s/^database.port=.*/database.port=$CLOSED/" "$TROOT/c.properties" >"$TROOT/warn.properties"
printf 'errors.max.retries=1\nretriable.restart.connector.wait.ms=200\nlog.level=warn\n' >>"$TROOT/warn.properties"
timeout 60 "$SLUICE" capture -c "$TROOT/warn.properties" >/dev/null 2>"$TROOT/warn.err"
is "$?" 1 "unreachable PostgreSQL, errors.max.retries=1: exit 1"
if all_json "$TROOT/warn.err"; then pass "log.level=warn: lines are JSON"; else fail "log.level=warn: lines are JSON"; fi
is "$(grep -c '"level":"info"' "$TROOT/warn.err")" 0 "log.level=warn: no info line"
is "$(grep -c '"level":"debug"' "$TROOT/warn.err")" 0 "log.level=warn: no debug line"
is "$(jcount "$TROOT/warn.err" 'retrying with backoff')" 1 "log.level=warn: the retry warning, once"
check "log.level=warn: the error is there" grep -q '"level":"error"' "$TROOT/warn.err"
finish
