#!/usr/bin/env bash
# bench/archive/run.sh -- sluice archive (Kafka -> Parquet) against the
# broker's read limit and against DuckDB's JSON -> Parquet, in one run.
#
# Events: a real table with 11 mixed columns, written as EVENTS changes
# (80% inserts, 20% updates) and turned into Debezium events by `sluice
# capture` itself, twice: once with value.converter.schemas.enable=true
# (topic t.public.bench: the archive writes typed columns from the schema)
# and once without (topic p.public.bench: schemaless).  librdkafka's mock
# cluster keeps only ~5 MB per partition, so capture writes to its file
# sink and bench/archive/fill.c loads the events, keys and values
# verbatim, into PARTS partitions (equal contiguous chunks) with
# COMPRESSION (lz4 by default: a real deployment compresses Debezium JSON
# too, and every reader below pays the same decompression).
#
# Timed, per topic (medians of REPS):
#   kcat      `kcat -C -e` reading every message to /dev/null: the broker's
#             read limit (the anchor);
#   duckdb    DuckDB (threads=1) COPY of the same events, dumped as JSON
#             lines beforehand, to Parquet/SNAPPY (timer around the COPY);
#   file      `sluice archive` into store.url=file://... (Parquet, SNAPPY);
#   rgw       `sluice archive` into Ceph RGW over S3 (RGW=0 skips it).
# An archive run starts with a fresh group.id and ends when the group's
# committed offsets reach the end of the topic (bench/archive/caughtup.c
# polls them every 20 ms) -- every record is then in a stored file -- and
# is stopped with SIGTERM.  flush.size divides EVENTS, so the last file is
# committed by its last record.  Wall time runs from launch to caught up
# (consumer group join included); CPU time is user+sys from GNU time over
# the whole process.  events/CPU-s is the per-core rate.  Each archive run
# is read back with DuckDB: the row count must equal EVENTS.
#
#   EVENTS=200000 PARTS=16 REPS=3 RGW=1 bench/archive/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# The release build: set before integ.sh, whose default is the sanitizer build.
export BUILD=${BUILD:-build-rel}
. tests/lib/integ.sh
SLUICE=$SRC_ROOT/$BUILD/sluice
EVENTS=${EVENTS:-200000}
REPS=${REPS:-3}
RGW=${RGW:-1}
PARTS=${PARTS:-16}
COMPRESSION=${COMPRESSION:-lz4}
FLUSH=${FLUSH:-$((EVENTS / PARTS / 2))}
TIME=/usr/bin/time
[ -x "$SLUICE" ] || { echo "build first: make release" >&2; exit 1; }
[ $((EVENTS % (PARTS * FLUSH))) = 0 ] || { echo "PARTS * FLUSH must divide EVENTS" >&2; exit 1; }
for c in kcat node; do command -v $c >/dev/null || { echo "$c is not installed" >&2; exit 1; }; done
for h in caughtup fill; do
	cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror bench/archive/$h.c \
		$(pkg-config --cflags --libs rdkafka) -o "$TROOT/$h"
done
DUCK="node $SRC_ROOT/tests/archive/duck.mjs"

pg_start "max_replication_slots = 20" "max_wal_senders = 20" "wal_sender_timeout = 0" >/dev/null || exit 1
# The mock cluster with both topics created up front.
"$SRC_ROOT/$BUILD/tools/mockbroker" 1 t.public.bench:$PARTS p.public.bench:$PARTS >"$TROOT/mockbroker.out" 2>/dev/null &
t_track_pid $!
wait_for 10 grep -q . "$TROOT/mockbroker.out" || { echo "mockbroker did not start" >&2; exit 1; }
KAFKA_BOOTSTRAP=$(head -n 1 "$TROOT/mockbroker.out")
if [ "$RGW" = 1 ]; then
	. tests/lib/rgw.sh
	rgw_start >/dev/null || exit 1
	rgw_mb bench || { echo "could not create the bucket" >&2; exit 1; }
fi

# --- events: sluice capture from a real table into the mock cluster ----------
INS=$((EVENTS * 4 / 5))
psqlc "CREATE TABLE bench(id bigint PRIMARY KEY, k int, status text, amount numeric(12,2), note text,
  at timestamptz, day date, flag bool, ratio float8, u uuid, qty smallint);
CREATE PUBLICATION p FOR ALL TABLES;" >/dev/null
for v in typed plain; do psqlc "SELECT pg_create_logical_replication_slot('$v', 'pgoutput')" >/dev/null; done
psql -X -q -v ON_ERROR_STOP=1 -c "INSERT INTO bench SELECT g, g % 1000, (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4],
  (g % 100000) / 100.0, 'note ' || g || ' for customer ' || (g * 13 % 50000),
  '2026-01-01'::timestamptz + g * interval '1 second', '2020-01-01'::date + g % 2000, g % 3 = 0, g / 7.0,
  md5(g::text)::uuid, (g % 500)::smallint FROM generate_series(1, $INS) g" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -c "UPDATE bench SET status = 'paid', amount = amount + 1 WHERE id % 4 = 0" >/dev/null
end=$(psqlc "SELECT pg_current_wal_insert_lsn()")
for v in typed plain; do
	schemas=false; [ $v = typed ] && schemas=true
	cat >"$TROOT/cap_$v.properties" <<P
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=postgres
database.dbname=postgres
topic.prefix=${v:0:1}
http.listen=off
publication.name=p
publication.autocreate.mode=disabled
slot.name=$v
snapshot.mode=no_data
sink.type=file
sink.file.path=$TROOT/cap_$v.jsonl
value.converter.schemas.enable=$schemas
offset.storage.dir=$TROOT/cstate_$v
log.level=warn
P
	"$SLUICE" capture -c "$TROOT/cap_$v.properties" --until-lsn "$end" >/dev/null 2>>"$TROOT/bench.err"
	"$TROOT/fill" "$KAFKA_BOOTSTRAP" "${v:0:1}.public.bench" "$PARTS" "$COMPRESSION" "$TROOT/cap_$v.jsonl" \
		"$TROOT/values_$v.jsonl" >/dev/null
	rm -f "$TROOT/cap_$v.jsonl"
done

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }

# archive_once N TOPIC PROPS...: prints "total_s steady_s cpu_s peak_kb": total from
# launch to caught up; steady from the archive's own "assigned" log line (the
# consumer group join, ~3 s of broker-side rebalance delay, is left out) to
# caught up; cpu = user+sys of the whole process.
# Runs in a subshell: the caller numbers the runs (fresh group.id each).
archive_once() {
	local n=$1 topic=$2; shift 2
	local f=$TROOT/arc$n.properties
	{
		echo "topics=$topic"; echo "group.id=bench$n"; echo "kafka.bootstrap.servers=$KAFKA_BOOTSTRAP"
		echo "flush.size=$FLUSH"; echo "offset.storage.dir=$TROOT/astate$n"; echo "log.format=json"
		echo "http.listen=off"
		for kv in "$@"; do echo "$kv"; done
	} >"$f"
	local t0 t1 tp pid ta
	t0=$(now)
	$TIME -f '%U %S %M' -o "$TROOT/time.out" "$SLUICE" archive -c "$f" >"$TROOT/arc$n.log" 2>&1 &
	tp=$!
	"$TROOT/caughtup" "$KAFKA_BOOTSTRAP" "bench$n" "$topic" 600 >/dev/null || echo "# archive did not catch up" >&2
	t1=$(now)
	pid=$(pgrep -P "$tp" || true)
	[ -n "$pid" ] && kill -TERM "$pid"
	wait "$tp" || { echo "# archive exited with an error" >&2; grep -v '"info"' "$TROOT/arc$n.log" | head -3 >&2; }
	ta=$(sed -n 's/^{"ts":"\([^"]*\)".*assigned.*/\1/p' "$TROOT/arc$n.log" | head -1)
	ta=$(date -d "$ta" +%s.%N)
	read -r u s m <"$TROOT/time.out"
	echo "$(echo "$t1 - $t0" | bc -l) $(echo "$t1 - $ta" | bc -l) $(echo "$u + $s" | bc -l) $m"
}

RUN_ID=0
echo "events=$EVENTS per topic (80% insert, 20% update; 11 columns), $PARTS partitions, $COMPRESSION; flush.size=$FLUSH; reps=$REPS (medians)"
echo "wall: from partition assignment to caught up (the ~3 s group join is listed apart); CPU: user+sys of the"
echo "whole process; ratio = anchor seconds / sluice steady seconds; MB = JSON value bytes"
echo
echo "| topic | MB | kcat -C | DuckDB | archive->file (join) | events/s | MB/s | vs kcat | vs DuckDB | CPU s | events/CPU-s | peak RSS | archive->RGW | events/s | events/CPU-s |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for v in typed plain; do
	topic=${v:0:1}.public.bench
	kcat -C -b "$KAFKA_BOOTSTRAP" -t "$topic" -o beginning -e -q >"$TROOT/events.jsonl" 2>>"$TROOT/bench.err"
	[ "$(stat -c %s "$TROOT/events.jsonl")" = "$(stat -c %s "$TROOT/values_$v.jsonl")" ] ||
		{ echo "# $topic does not hold the captured events (the mock keeps ~5 MB per partition:" \
			"raise PARTS)" >&2; exit 1; }
	nmsg=$(wc -l <"$TROOT/events.jsonl")
	[ "$nmsg" = "$EVENTS" ] || { echo "# $topic holds $nmsg events, expected $EVENTS" >&2; exit 1; }
	bytes=$(stat -c %s "$TROOT/events.jsonl"); bytes=$((bytes - nmsg))
	mb=$(echo "$bytes / 1000000" | bc -l)
	ta=(); tt=(); tf=(); cf=(); mf=(); tr=(); cr=()
	for i in $(seq 1 "$REPS"); do
		$TIME -f '%e' -o "$TROOT/time.out" kcat -C -b "$KAFKA_BOOTSTRAP" -t "$topic" -o beginning -e -q >/dev/null 2>>"$TROOT/bench.err"
		ta+=("$(cat "$TROOT/time.out")")
		rm -rf "$TROOT/lake"
		RUN_ID=$((RUN_ID + 1))
		read -r t w c m < <(archive_once "$RUN_ID" "$topic" "store.url=file://$TROOT/lake")
		tt+=("$t"); tf+=("$w"); cf+=("$c"); mf+=("$m")
		got=$($DUCK "SELECT count(*) FROM read_parquet('$TROOT/lake/**/*.parquet')")
		[ "$got" = "$EVENTS" ] || { echo "# archive->file wrote $got rows, expected $EVENTS" >&2; exit 1; }
		if [ "$RGW" = 1 ]; then
			RUN_ID=$((RUN_ID + 1))
			read -r t w c m < <(archive_once "$RUN_ID" "$topic" "store.url=$S3_ENDPOINT" "s3.bucket.name=bench" \
				"topics.dir=run$RUN_ID" "aws.access.key.id=$AWS_ACCESS_KEY_ID" \
				"aws.secret.access.key=$AWS_SECRET_ACCESS_KEY")
			tr+=("$w"); cr+=("$c")
		fi
	done
	d=$(node bench/archive/duck.mjs "$TROOT/events.jsonl" "$TROOT/duck.parquet" "$REPS")
	ds=$(echo "$d" | sed -n 's/.*duck_seconds=\([^ ]*\).*/\1/p')
	rm -f "$TROOT/duck.parquet"
	med() { printf '%s\n' "$@" | median; }
	a=$(med "${ta[@]}"); f=$(med "${tf[@]}"); t=$(med "${tt[@]}"); c=$(med "${cf[@]}")
	rgw="- | - | -"
	if [ "$RGW" = 1 ]; then
		r=$(med "${tr[@]}"); rc=$(med "${cr[@]}")
		rgw=$(printf '%.2f s | %.0f | %.0f' "$r" "$(echo "$EVENTS / $r" | bc -l)" "$(echo "$EVENTS / $rc" | bc -l)")
	fi
	printf '| %s | %.0f | %.2f s | %.2f s | %.2f s (+%.1f s) | %.0f | %.1f | %.2fx | %.2fx | %.2f | %.0f | %s MB | %s |\n' \
		"$topic" "$mb" "$a" "$ds" "$f" "$(echo "$t - $f" | bc -l)" "$(echo "$EVENTS / $f" | bc -l)" \
		"$(echo "$mb / $f" | bc -l)" "$(echo "$a / $f" | bc -l)" "$(echo "$ds / $f" | bc -l)" "$c" \
		"$(echo "$EVENTS / $c" | bc -l)" "$(( $(printf '%s\n' "${mf[@]}" | sort -n | tail -1) / 1024 ))" "$rgw"
done
if [ -s "$TROOT/bench.err" ]; then echo; echo "stderr:"; tail -5 "$TROOT/bench.err"; fi
exit 0
