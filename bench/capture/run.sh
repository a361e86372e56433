#!/usr/bin/env bash
# bench/capture/run.sh -- sluice capture against PostgreSQL's own limits, in one run.
#
# Anchors (same machine, same run, same WAL):
#   streaming: pg_recvlogical (pgoutput, proto 1) to /dev/null, stopping at the
#              workload's end LSN -- the walsender's own decode limit; a
#              second table holds the same with proto 2 and streaming=on,
#              which is what sluice asks for: the walsender then sends a big
#              transaction while it decodes it instead of spilling it to disk
#              and reading it back after the commit, so that anchor is faster;
#   snapshot:  COPY ... TO STDOUT > /dev/null.
# Each workload is decoded by several slots created before it, so every
# reader sees exactly the same WAL.  Figures are medians of REPS runs; the
# ratio is anchor_time / sluice_time (1.0 = as fast as the anchor).
# Peak RSS comes from GNU time (%M).
#
# Every run must exit 0 and deliver exactly the workload's events (counted in
# the file sink's output, on stdout, or as the growth of the Kafka topic's end
# offsets); otherwise the bench stops with an error instead of printing a ratio
# for work that was not done.
#
#   ROWS=1000000 REPS=3 bench/capture/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# The release build: set before integ.sh, whose default is the sanitizer build.
export BUILD=${BUILD:-build-rel}
. tests/lib/integ.sh
SLUICE=$SRC_ROOT/$BUILD/sluice
ROWS=${ROWS:-1000000}
BIG_ROWS=${BIG_ROWS:-5000000}
REPS=${REPS:-3}
TIME=/usr/bin/time
[ -x "$SLUICE" ] || { echo "build first: make release" >&2; exit 1; }
pg_start "max_replication_slots = 40" "max_wal_senders = 40" "wal_sender_timeout = 0" >/dev/null || exit 1
kafka_start >/dev/null || exit 1
psqlc "CREATE TABLE bench(id bigint PRIMARY KEY, k int, status text, amount numeric(12,2), note text, at timestamptz);
CREATE PUBLICATION p FOR ALL TABLES;"

props() { # name sink-lines...
	local f=$TROOT/$1.properties; shift
	{
		echo "database.hostname=127.0.0.1"; echo "database.port=$PGPORT"
		echo "database.user=postgres"; echo "database.dbname=postgres"
		echo "topic.prefix=b"; echo "publication.name=p"; echo "publication.autocreate.mode=disabled"
		echo "offset.storage.dir=$TROOT/state"; echo "log.level=warn"
		for kv in "$@"; do echo "$kv"; done
	} >"$f"
	echo "$f"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

bench_fail() {
	echo "bench: FAILED: $*" >&2
	[ -s "$TROOT/bench.err" ] && tail -20 "$TROOT/bench.err" >&2
	exit 1
}
# timed CMD...: writes "seconds peak_kb" to $TROOT/result; a command that fails
# fails the bench.  Runs in this shell (not in a $(...) or <(...) subshell), so
# that bench_fail's exit ends the bench.
timed() {
	local rc=0
	$TIME -f '%e %M' -o "$TROOT/time.out" "$@" >/dev/null 2>>"$TROOT/bench.err" || rc=$?
	[ "$rc" -eq 0 ] || bench_fail "exit status $rc: $*"
	tail -n 1 "$TROOT/time.out" >"$TROOT/result"
}
# timed_count CMD...: like timed, with the number of lines CMD wrote to stdout
# appended ("seconds peak_kb lines").
timed_count() {
	local rc=0
	$TIME -f '%e %M' -o "$TROOT/time.out" "$@" 2>>"$TROOT/bench.err" | wc -l >"$TROOT/lines.out" ||
		rc=$?
	[ "$rc" -eq 0 ] || bench_fail "exit status $rc: $*"
	echo "$(tail -n 1 "$TROOT/time.out") $(cat "$TROOT/lines.out")" >"$TROOT/result"
}
# expect WHAT GOT WANT: the delivered event count must be exactly the workload's.
expect() { [ "$2" -eq "$3" ] || bench_fail "$1: $2 events delivered, $3 expected"; }
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
# kafka_total TOPIC: sum of the end offsets of its partitions (0 if it does not exist).
kafka_total() {
	local n q=() p
	n=$(kcat -L -b "$KAFKA_BOOTSTRAP" -t "$1" -J 2>/dev/null | python3 -c 'import json,sys; t=json.load(sys.stdin)["topics"]; print(len(t[0]["partitions"]) if t and not t[0].get("error") else 0)')
	[ "$n" -gt 0 ] || { echo 0; return; }
	for ((p = 0; p < n; p++)); do q+=(-t "$1:$p:-1"); done
	kcat -Q -b "$KAFKA_BOOTSTRAP" "${q[@]}" | awk '$3 == "offset" { s += $4 } END { print s + 0 }'
}

slots() { # prefix count: create slots before the workload
	for i in $(seq 1 "$2"); do psqlc "SELECT pg_create_logical_replication_slot('$1$i', 'pgoutput')" >/dev/null; done
}

stream_bench() { # name workload-sql
	local name=$1 sql=$2
	slots "${name}_a" "$REPS"; slots "${name}_s" "$REPS"; slots "${name}_f" "$REPS"; slots "${name}_k" "$REPS"
	local t0=$SECONDS
	psql -X -q -v ON_ERROR_STOP=1 -c "$sql" >/dev/null
	local end
	end=$(psqlc "SELECT pg_current_wal_insert_lsn()")
	echo "# $name: workload written in $((SECONDS - t0)) s, end LSN $end" >&2
	# The workload's own WAL and heap writeback must not land on whichever
	# reader happens to run first.
	psqlc "CHECKPOINT" >/dev/null
	sync
	local ta=() ts=() tf=() tk=() mf=() mk=()
	for i in $(seq 1 "$REPS"); do
		timed "$PGBIN/pg_recvlogical" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres \
			--slot "${name}_a$i" --start -E "$end" -o proto_version=1 -o publication_names=p -f /dev/null
		read -r s m <"$TROOT/result"
		ta+=("$s")
		timed "$PGBIN/pg_recvlogical" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres \
			--slot "${name}_s$i" --start -E "$end" -o proto_version=2 -o streaming=on \
			-o publication_names=p -f /dev/null
		read -r s m <"$TROOT/result"
		ts+=("$s")
		f=$(props "${name}_f$i" "slot.name=${name}_f$i" "snapshot.mode=no_data" "sink.type=file" \
			"sink.file.path=$TROOT/out_$name$i.jsonl")
		timed "$SLUICE" capture -c "$f" --until-lsn "$end"
		read -r s m <"$TROOT/result"
		tf+=("$s"); mf+=("$m")
		expect "$name, sluice->file run $i" "$(lines "$TROOT/out_$name$i.jsonl")" "$ROWS"
		rm -f "$TROOT/out_$name$i.jsonl"
		f=$(props "${name}_k$i" "slot.name=${name}_k$i" "snapshot.mode=no_data" "sink.type=kafka" \
			"kafka.bootstrap.servers=$KAFKA_BOOTSTRAP")
		local k0
		k0=$(kafka_total b.public.bench)
		timed "$SLUICE" capture -c "$f" --until-lsn "$end"
		read -r s m <"$TROOT/result"
		tk+=("$s"); mk+=("$m")
		expect "$name, sluice->kafka run $i" "$(($(kafka_total b.public.bench) - k0))" "$ROWS"
	done
	local a f k st
	a=$(printf '%s\n' "${ta[@]}" | median); f=$(printf '%s\n' "${tf[@]}" | median); k=$(printf '%s\n' "${tk[@]}" | median)
	st=$(printf '%s\n' "${ts[@]}" | median)
	printf '| %s | %s | %.2fx | %.2fx |\n' "$name" "$st" "$(echo "$st / $f" | bc -l)" \
		"$(echo "$st / $k" | bc -l)" >>"$TROOT/streamed_anchor.md"
	printf '| %s | %s | %.0f | %s (%.2fx) | %.0f | %s MB | %s (%.2fx) | %.0f | %s MB |\n' "$name" "$a" \
		"$(echo "$ROWS / $a" | bc -l)" "$f" "$(echo "$a / $f" | bc -l)" "$(echo "$ROWS / $f" | bc -l)" \
		"$(( $(printf '%s\n' "${mf[@]}" | sort -n | tail -1) / 1024 ))" \
		"$k" "$(echo "$a / $k" | bc -l)" "$(echo "$ROWS / $k" | bc -l)" \
		"$(( $(printf '%s\n' "${mk[@]}" | sort -n | tail -1) / 1024 ))"
}

echo "rows=$ROWS reps=$REPS (medians; ratio = anchor time / sluice time)"
echo
echo "| workload | pg_recvlogical s | rows/s | sluice->file s (ratio) | rows/s | peak RSS | sluice->kafka s (ratio) | rows/s | peak RSS |"
echo "|---|---|---|---|---|---|---|---|---|"
stream_bench insert "INSERT INTO bench SELECT g, g % 1000, (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4],
	(g % 100000) / 100.0, 'note ' || g, '2026-01-01'::timestamptz + g * interval '1 second' FROM generate_series(1, $ROWS) g"
stream_bench update "UPDATE bench SET amount = amount + 1, status = 'paid'"

echo
echo "| workload | pg_recvlogical, proto 2 streaming=on s | sluice->file ratio | sluice->kafka ratio |"
echo "|---|---|---|---|"
cat "$TROOT/streamed_anchor.md"

# Snapshot: the table now has ROWS rows.
echo
echo "| snapshot | readers | COPY TO STDOUT s | sluice snapshot->stdout s | ratio | rows/s | peak RSS |"
echo "|---|---|---|---|---|---|---|"
for threads in 1 2; do
	ta=(); ts=(); ms=()
	for i in $(seq 1 "$REPS"); do
		timed psql -X -q -c "COPY bench TO STDOUT"
		read -r s m <"$TROOT/result"
		ta+=("$s")
		f=$(props "snap$threads$i" "slot.name=snap$threads$i" "snapshot.mode=initial_only" \
			"snapshot.max.threads=$threads" "sink.type=stdout")
		timed_count "$SLUICE" capture -c "$f"
		read -r s m n <"$TROOT/result"
		ts+=("$s"); ms+=("$m")
		expect "snapshot, $threads reader(s), run $i" "$n" "$ROWS"
		psqlc "SELECT pg_drop_replication_slot('snap$threads$i')" >/dev/null
	done
	a=$(printf '%s\n' "${ta[@]}" | median); s=$(printf '%s\n' "${ts[@]}" | median)
	printf '| %s rows | %s | %s | %s | %.2fx | %.0f | %s MB |\n' "$ROWS" "$threads" "$a" "$s" \
		"$(echo "$a / $s" | bc -l)" "$(echo "$ROWS / $s" | bc -l)" \
		"$(( $(printf '%s\n' "${ms[@]}" | sort -n | tail -1) / 1024 ))"
done

# One big transaction: streamed in chunks by PostgreSQL, spooled to disk by sluice.
psqlc "SELECT pg_create_logical_replication_slot('big1', 'pgoutput')" >/dev/null
psqlc "CREATE TABLE big(id bigint PRIMARY KEY, pad text)"
psqlc "INSERT INTO big SELECT g, repeat('x', 40) FROM generate_series(1, $BIG_ROWS) g"
end=$(psqlc "SELECT pg_current_wal_insert_lsn()")
f=$(props big1 "slot.name=big1" "snapshot.mode=no_data" "sink.type=stdout")
timed_count "$SLUICE" capture -c "$f" --until-lsn "$end"
read -r s m n <"$TROOT/result"
expect "one $BIG_ROWS-row transaction" "$n" "$BIG_ROWS"
echo
echo "| one transaction | rows | sluice s | rows/s | peak RSS |"
echo "|---|---|---|---|---|"
printf '| %s-row INSERT | %s | %s | %.0f | %s MB |\n' "$BIG_ROWS" "$BIG_ROWS" "$s" "$(echo "$BIG_ROWS / $s" | bc -l)" "$((m / 1024))"
if [ -s "$TROOT/bench.err" ]; then echo; echo "stderr:"; tail -5 "$TROOT/bench.err"; fi
exit 0
