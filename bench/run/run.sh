#!/usr/bin/env bash
# bench/run/run.sh -- `sluice run` (PostgreSQL -> local Parquet, one process,
# no broker) against the walsender's own limit, in one run.
#
# Anchor: pg_recvlogical (pgoutput, proto 1) to /dev/null, stopping at the
# workload's end LSN, on exactly the same WAL: every reader has its own
# slot created before the workload.  sluice runs `run --until-lsn <end>`
# into store.url=file://... (Parquet, SNAPPY, flush.size 10000 and the
# default 5 s schedule): it stops once every event up to the end LSN is in
# a committed file and confirmed.  sluice runs twice per rep: with its
# default (streaming.in.progress=false: the server sends a large
# transaction after its commit) and with streaming.in.progress=true (the
# server streams it while in progress, sluice spools it and replays it at
# the commit).  Each run is read back with DuckDB: the lake must hold
# exactly ROWS events.
# Workloads on an 11-column table (bigint pk, int, text, numeric(12,2),
# text, timestamptz, date, bool, float8, uuid, smallint): one INSERT of
# ROWS rows, then one UPDATE of all of them (both exceed
# logical_decoding_work_mem, so PostgreSQL streams them in chunks), then
# ROWS more rows inserted in transactions of BATCH rows (default 1000).
# Times are medians of REPS; ratio = anchor time / sluice time (target
# >= 0.8).  CPU is user+sys and peak RSS is %M, both from GNU time.
#
#   ROWS=500000 REPS=3 bench/run/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# The release build: set before integ.sh, whose default is the sanitizer build.
export BUILD=${BUILD:-build-rel}
. tests/lib/integ.sh
SLUICE=$SRC_ROOT/$BUILD/sluice
ROWS=${ROWS:-500000}
REPS=${REPS:-3}
TIME=/usr/bin/time
DUCK="node $SRC_ROOT/tests/archive/duck.mjs"
[ -x "$SLUICE" ] || { echo "build first: make release" >&2; exit 1; }
command -v node >/dev/null || { echo "node is not installed" >&2; exit 1; }
pg_start "max_replication_slots = 20" "max_wal_senders = 20" "wal_sender_timeout = 0" >/dev/null || exit 1
psqlc "CREATE TABLE bench(id bigint PRIMARY KEY, k int, status text, amount numeric(12,2), note text,
  at timestamptz, day date, flag bool, ratio float8, u uuid, qty smallint);
CREATE PUBLICATION p FOR ALL TABLES;" >/dev/null

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# timed CMD...: prints "wall_s cpu_s peak_kb"
timed() {
	$TIME -f "%e %U %S %M" -o "$TROOT/time.out" "$@" >/dev/null 2>>"$TROOT/bench.err" || echo "# failed: $*" >&2
	awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$TROOT/time.out"
}

bench() { # name workload-sql
	local name=$1 sql=$2 i
	for i in $(seq 1 "$REPS"); do
		psqlc "SELECT pg_create_logical_replication_slot('${name}_a$i', 'pgoutput')" >/dev/null
		psqlc "SELECT pg_create_logical_replication_slot('${name}_s$i', 'pgoutput')" >/dev/null
		psqlc "SELECT pg_create_logical_replication_slot('${name}_t$i', 'pgoutput')" >/dev/null
	done
	local t0=$SECONDS end
	psql -X -q -v ON_ERROR_STOP=1 -c "$sql" >/dev/null
	end=$(psqlc "SELECT pg_current_wal_insert_lsn()")
	echo "# $name: workload written in $((SECONDS - t0)) s, end LSN $end" >&2
	# The workload's own WAL and heap writeback must not land on whichever
	# reader happens to run first.
	psqlc "CHECKPOINT" >/dev/null
	sync
	local ta=() ts=() cs=() ms=() tt=() ct=() mt=() s c m got
	for i in $(seq 1 "$REPS"); do
		read -r s c m < <(timed "$PGBIN/pg_recvlogical" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres \
			--slot "${name}_a$i" --start -E "$end" -o proto_version=1 -o publication_names=p -f /dev/null)
		ta+=("$s")
		rm -rf "$TROOT/lake" "$TROOT/state"
		cat >"$TROOT/run.properties" <<P
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=postgres
database.dbname=postgres
topic.prefix=b
publication.name=p
publication.autocreate.mode=disabled
slot.name=${name}_s$i
snapshot.mode=no_data
store.url=file://$TROOT/lake
offset.storage.dir=$TROOT/state
http.listen=off
log.level=${RUN_LOG_LEVEL:-warn}
P
		read -r s c m < <(timed "$SLUICE" run -c "$TROOT/run.properties" --until-lsn "$end")
		ts+=("$s"); cs+=("$c"); ms+=("$m")
		check_lake default
		rm -rf "$TROOT/lake" "$TROOT/state"
		sed -i "s/^slot.name=.*/slot.name=${name}_t$i/" "$TROOT/run.properties"
		read -r s c m < <(timed "$SLUICE" run -c "$TROOT/run.properties" -D streaming.in.progress=true \
			--until-lsn "$end")
		tt+=("$s"); ct+=("$c"); mt+=("$m")
		check_lake streamed
		psqlc "SELECT pg_drop_replication_slot('${name}_a$i'), pg_drop_replication_slot('${name}_s$i'),
		  pg_drop_replication_slot('${name}_t$i')" >/dev/null
	done
	local a
	a=$(printf '%s\n' "${ta[@]}" | median)
	printf '| %s | %s s | %.0f ' "$name" "$a" "$(echo "$ROWS / $a" | bc -l)"
	row "$a" ts cs ms
	row "$a" tt ct mt
	echo "|"
}
check_lake() { # mode
	got=$($DUCK "SELECT count(*) FROM read_parquet('$TROOT/lake/**/*.parquet')")
	[ "$got" = "$ROWS" ] || { echo "# sluice run ($1) wrote $got events, expected $ROWS" >&2; exit 1; }
}
row() { # anchor-time walls[] cpus[] rss[]: | wall | ratio | CPU | rows/CPU-s | peak RSS
	local -n w=$2 cp=$3 rs=$4
	local f c
	f=$(printf '%s\n' "${w[@]}" | median); c=$(printf '%s\n' "${cp[@]}" | median)
	printf '| %s s | %.2fx | %s s | %.0f | %s MB ' "$f" "$(echo "$1 / $f" | bc -l)" "$c" \
		"$(echo "$ROWS / $c" | bc -l)" "$(( $(printf '%s\n' "${rs[@]}" | sort -n | tail -1) / 1024 ))"
}

echo "rows=$ROWS reps=$REPS (medians; ratio = pg_recvlogical time / sluice run time, target >= 0.8)"
echo
echo "| workload | pg_recvlogical | rows/s | sluice run (default) | ratio | CPU (user+sys) | rows/CPU-s | peak RSS | sluice run, streaming.in.progress=true | ratio | CPU | rows/CPU-s | peak RSS |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
bench insert "INSERT INTO bench SELECT g, g % 1000, (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4],
  (g % 100000) / 100.0, 'note ' || g || ' for customer ' || (g * 13 % 50000),
  '2026-01-01'::timestamptz + g * interval '1 second', '2020-01-01'::date + g % 2000, g % 3 = 0, g / 7.0,
  md5(g::text)::uuid, (g % 500)::smallint FROM generate_series(1, $ROWS) g"
bench update "UPDATE bench SET amount = amount + 1, status = 'paid'"
# Many ordinary transactions (1000 rows each, below logical_decoding_work_mem):
# PostgreSQL sends each at its commit while it decodes the next, so sluice
# works while the walsender does instead of after it.
BATCH=${BATCH:-1000}
bench batched "DO \$\$ BEGIN FOR b IN 0..$(( (ROWS + BATCH - 1) / BATCH - 1 )) LOOP
  INSERT INTO bench SELECT g, g % 1000, (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4],
    (g % 100000) / 100.0, 'note ' || g || ' for customer ' || (g * 13 % 50000),
    '2026-01-01'::timestamptz + g * interval '1 second', '2020-01-01'::date + g % 2000, g % 3 = 0, g / 7.0,
    md5(g::text)::uuid, (g % 500)::smallint
  FROM generate_series($ROWS + 1 + b * $BATCH, LEAST($ROWS + (b + 1) * $BATCH, 2 * $ROWS)) g;
  COMMIT;
END LOOP; END \$\$"
# The snapshot phase: the table now holds 2 x ROWS rows.  Anchor: COPY TO
# STDOUT; sluice: run with snapshot.mode=initial_only into a fresh lake.
echo
echo "| snapshot | rows | COPY TO STDOUT | sluice run (initial_only) | ratio | CPU | rows/CPU-s | peak RSS |"
echo "|---|---|---|---|---|---|---|---|"
ta=(); ts=(); cs=(); ms=()
for i in $(seq 1 "$REPS"); do
	read -r s c m < <(timed psql -X -q -c "COPY bench TO STDOUT")
	ta+=("$s")
	rm -rf "$TROOT/lake" "$TROOT/state"
	sed -i -e "s/^slot.name=.*/slot.name=snap$i/" -e "s/^snapshot.mode=.*/snapshot.mode=initial_only/" \
		"$TROOT/run.properties"
	read -r s c m < <(timed "$SLUICE" run -c "$TROOT/run.properties")
	ts+=("$s"); cs+=("$c"); ms+=("$m")
	got=$($DUCK "SELECT count(*) FROM read_parquet('$TROOT/lake/**/*.parquet')")
	[ "$got" = "$((2 * ROWS))" ] || { echo "# snapshot wrote $got events, expected $((2 * ROWS))" >&2; exit 1; }
	psqlc "SELECT pg_drop_replication_slot('snap$i')" >/dev/null
done
a=$(printf '%s\n' "${ta[@]}" | median)
printf '| snapshot | %s | %s s ' "$((2 * ROWS))" "$a"
ROWS=$((2 * ROWS)) row "$a" ts cs ms
echo "|"
if [ -s "$TROOT/bench.err" ]; then echo; echo "stderr:"; tail -5 "$TROOT/bench.err"; fi
exit 0
