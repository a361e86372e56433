#!/usr/bin/env bash
# sluice archive, exactly once with wall-clock rotation: a TimeBased
# partitioner whose records interleave two days (so each Kafka partition has
# two files open at once) and rotate.schedule.interval.ms as the only
# rotation, which cuts files at moments a replay cannot reproduce.
#  1. A failpoint kills the archive after the first file of a round is
#     stored and before the offsets move; the next run must redo that round
#     byte for byte (same names; the stored file is recognised).
#  2. SIGKILL at random moments, 10 times, under a steady produce load.
# Afterwards every (partition, offset) is in the lake exactly once, dense
# from 0 to the partition's end offset (asked of the broker with kcat), each
# row holds the value produced at that offset, and no partial file is left.
. "$(dirname "$0")/../lib/integ.sh"
command -v node >/dev/null || die "node is not installed"
command -v kcat >/dev/null || die "kcat is not installed"
DUCK="node $SRC_ROOT/tests/archive/duck.mjs"
kafka_start 1 ev:2 || die "could not start the mock Kafka cluster"

DAY_A=1700000000000 # 2023-11-14
DAY_B=1700100000000 # 2023-11-16
NEXT=0
# produce N: N more events; event i goes to partition i % 2, every third one
# is stamped a day later, so both days stay open in both partitions.
produce() {
	local n=$1 p i ts
	for p in 0 1; do
		for ((i = NEXT; i < NEXT + n; i++)); do
			((i % 2 == p)) || continue
			if ((i % 3 == 0)); then ts=$((DAY_B + i)); else ts=$((DAY_A + i)); fi
			printf 'k%d|{"before":null,"after":{"id":%d,"note":"event %d"},"source":{"ts_ms":%d,"db":"d","table":"t"},"op":"c","ts_ms":%d}\n' \
				$((i % 50)) "$i" "$i" "$ts" "$ts"
		done | kcat -P -b "$KAFKA_BOOTSTRAP" -t ev -p "$p" -K '|' 2>>"$TROOT/kcat.err" || return 1
	done
	NEXT=$((NEXT + n))
}
end_offsets() { # "P END" per partition, from the broker
	local p
	for p in 0 1; do
		echo "$p $(kcat -Q -b "$KAFKA_BOOTSTRAP" -t "ev:$p:-1" 2>/dev/null | awk '{print $NF}')"
	done
}

cat >"$TROOT/a.properties" <<P
topics=ev
group.id=replay-test
kafka.bootstrap.servers=$KAFKA_BOOTSTRAP
kafka.session.timeout.ms=6000
kafka.heartbeat.interval.ms=500
store.url=file://$TROOT/lake
format.class=parquet
flush.size=1000000
rotate.schedule.interval.ms=700
partitioner.class=TimeBased
path.format='dt'=YYYY-MM-dd
partition.duration.ms=86400000
timestamp.extractor=RecordField
timestamp.field=source.ts_ms
log.format=json
http.listen=off
P
SRCQ="read_parquet('$TROOT/lake/**/*.parquet', hive_partitioning=true)"
lake_rows() { find "$TROOT/lake" -name '*.parquet' 2>/dev/null | grep -q . || { echo 0; return; }; $DUCK "SELECT count(*) FROM $SRCQ"; }
has_rows() { [ "$(lake_rows)" -ge "$1" ]; }

# --- 1. the failpoint between a round's files and its offsets --------------
produce 300 || die "kcat could not produce"
SLUICE_FAILPOINT=archive-file-committed:1 "$SLUICE" archive -c "$TROOT/a.properties" >"$TROOT/fp1.log" 2>&1 &
P=$!
t_track_pid $P
wait $P
is "$?" 86 "the archive stopped at the failpoint (first file of a round stored)"
files1=$(cd "$TROOT/lake" && find . -name '*.parquet' | sort)
is "$(echo "$files1" | grep -c parquet)" 1 "exactly one file of the round was stored"
sum1=$(cd "$TROOT/lake" && md5sum $files1)
# More events arrive before the redo: a replay that simply reads on would
# cut the round later than the stored file (same name, other contents).
produce 200 || die "kcat could not produce"
# A second crash in the redo, after its first file, must not harm either.
SLUICE_FAILPOINT=archive-file-committed:2 "$SLUICE" archive -c "$TROOT/a.properties" >"$TROOT/fp2.log" 2>&1 &
P=$!
t_track_pid $P
wait $P
is "$?" 86 "the redo stopped at the failpoint again (second file)"
like "$(cat "$TROOT/fp2.log")" "redoing the round from offset 0 to [0-9]+" "the redo found the intent"
is "$(cd "$TROOT/lake" && md5sum $files1)" "$sum1" "the stored file was left as it was"
"$SLUICE" archive -c "$TROOT/a.properties" >"$TROOT/fp3.log" 2>&1 &
P=$!
t_track_pid $P
check "a clean run archives all 500 events" wait_for 60 has_rows 500
kill -TERM $P
wait $P
is "$?" 0 "clean stop"
redo_files=$(grep -c 'already exists (replay)' "$TROOT/fp2.log" "$TROOT/fp3.log" | awk -F: '{s += $2} END {print s}')
check "the redo recognised the stored files ($redo_files)" test "$redo_files" -ge 1
is "$($DUCK "SELECT count(*) || ' ' || count(DISTINCT (_partition, _offset)) FROM $SRCQ")" "500 500" \
	"after the failpoint crashes: all 500 events, each once"

# --- 2. SIGKILL at random moments under a steady load -----------------------
( while [ ! -e "$TROOT/stop-load" ]; do produce 40 || break; sleep 0.2; done ) &
LOADP=$!
t_track_pid $LOADP
kills=0
for round in $(seq 1 10); do
	"$SLUICE" archive -c "$TROOT/a.properties" >"$TROOT/kill$round.log" 2>&1 &
	P=$!
	t_track_pid $P
	sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.8 + (r % 220) / 100 }')"
	if kill -KILL $P 2>/dev/null; then kills=$((kills + 1)); fi
	wait $P 2>/dev/null
	if grep -q "ERROR: AddressSanitizer\|runtime error" "$TROOT/kill$round.log"; then
		fail "sanitizer report in run $round"
		grep -m1 -A20 "ERROR: AddressSanitizer\|runtime error" "$TROOT/kill$round.log"
	fi
done
touch "$TROOT/stop-load"
wait $LOADP
is "$kills" 10 "archive SIGKILLed 10 times under load"
read -r -a ends <<<"$(end_offsets | awk '{print $2}' | tr '\n' ' ')"
total=$((ends[0] + ends[1]))
check "the load produced events ($total)" test "$total" -gt 600
"$SLUICE" archive -c "$TROOT/a.properties" >"$TROOT/final.log" 2>&1 &
P=$!
t_track_pid $P
check "the last run catches up to $total events" wait_for 120 has_rows "$total"
kill -TERM $P
wait $P
is "$?" 0 "clean stop"

is "$(lake_rows)" "$total" "every event archived once in all ($total)"
is "$($DUCK "SELECT count(*) FROM (SELECT _partition, _offset FROM $SRCQ GROUP BY ALL HAVING count(*) > 1)")" 0 \
	"no (partition, offset) twice"
is "$($DUCK "SELECT string_agg(_partition || ':' || n || ':' || lo || ':' || hi, ' ' ORDER BY _partition)
	FROM (SELECT _partition, count(*) n, min(_offset) lo, max(_offset) hi FROM $SRCQ GROUP BY 1)")" \
	"0:${ends[0]}:0:$((ends[0] - 1)) 1:${ends[1]}:0:$((ends[1] - 1))" "offsets dense from 0 to the broker's end offset per partition"
# the value at each offset is the one produced there (event i is the
# (i div 2)-th of partition i % 2)
is "$($DUCK "SELECT count(*) FROM $SRCQ WHERE after::JSON->>'id' IS NULL
	OR (after::JSON->>'id')::BIGINT % 2 <> _partition OR (after::JSON->>'id')::BIGINT // 2 <> _offset")" 0 \
	"each row holds the event produced at its offset"
is "$($DUCK "SELECT count(DISTINCT dt) FROM $SRCQ")" 2 "both day partitions written"
is "$(find "$TROOT/lake" -type f ! -name '*.parquet' | wc -l)" 0 "no temporary or partial file left in the lake"
finish
