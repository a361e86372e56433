#!/usr/bin/env bash
# A snapshot reader loses its connection mid-table (its backend is
# terminated): the snapshot is retried in the same process, from scratch,
# and then streaming starts.  Once for `sluice run` (typed rows into the
# lake) and once for `sluice capture` to a file (JSON).  Afterwards every
# row of both tables is there, the completed snapshot ends with exactly one
# "last" row, nothing held back from the failed attempt leaks into the new
# one, and a change made after the snapshot is streamed.
. "$(dirname "$0")/../lib/integ.sh"
command -v node >/dev/null || die "node is not installed"
DUCK="node $SRC_ROOT/tests/archive/duck.mjs"
pg_start || die "could not start PostgreSQL"
ROWS=200000
psqlc "CREATE TABLE a(id int PRIMARY KEY, v text); CREATE TABLE b(id int PRIMARY KEY, v text);
INSERT INTO a SELECT g, repeat('a', 50) FROM generate_series(1, $ROWS) g;
INSERT INTO b SELECT g, repeat('b', 50) FROM generate_series(1, $ROWS) g;" >/dev/null || die schema

# Terminate one snapshot COPY once it has been reading for a moment.
cut_a_reader() {
	local i
	for i in $(seq 1 200); do
		[ "$(psqlc "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY (SELECT%'")" -ge 1 ] && break
		sleep 0.05
	done
	sleep 0.3
	psqlc "SELECT count(pg_terminate_backend(pid)) FROM (SELECT pid FROM pg_stat_activity
	  WHERE query LIKE 'COPY (SELECT%' LIMIT 1) p"
}

for cmd in run capture; do
	slot=retry_$cmd
	cat >"$TROOT/$cmd.properties" <<P
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=postgres
database.dbname=postgres
topic.prefix=t
slot.name=$slot
publication.name=pub_$cmd
snapshot.max.threads=2
offset.storage.dir=$TROOT/state_$cmd
store.url=file://$TROOT/lake
sink.type=file
sink.file.path=$TROOT/out.jsonl
http.listen=off
log.level=info
retriable.restart.connector.wait.ms=200
P
	if [ $cmd = run ]; then sed -i '/^sink\./d' "$TROOT/$cmd.properties"; else sed -i '/^store\./d' "$TROOT/$cmd.properties"; fi
	"$SLUICE" $cmd -c "$TROOT/$cmd.properties" >"$TROOT/$cmd.log" 2>&1 &
	P=$!
	t_track_pid $P
	is "$(cut_a_reader)" 1 "$cmd: a snapshot reader's backend was terminated mid-table"
	streaming() { grep -q "streaming from slot" "$TROOT/$cmd.log"; }
	check "$cmd: the snapshot was retried and streaming started" wait_for 120 streaming
	like "$(cat "$TROOT/$cmd.log")" "could not read table .*(server closed the connection|terminating connection due to administrator command)" \
		"$cmd: the lost reader is logged"
	echo "# $cmd: $(grep -m1 -oE 'could not read table.{1,130}' "$TROOT/$cmd.log" | cut -c1-110)"
	like "$(cat "$TROOT/$cmd.log")" "connection restored after 1 retries" "$cmd: one retry, in the same process"
	check "$cmd: still running" kill -0 $P
	psqlc "INSERT INTO a VALUES (-1, 'after the snapshot')" >/dev/null
	target=$(psqlc "SELECT pg_current_wal_lsn()")
	caught_up() { [ "$(psqlc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name = '$slot'")" = t ]; }
	check "$cmd: the later insert is confirmed" wait_for 60 caught_up
	kill -TERM $P
	wait $P
	is "$?" 0 "$cmd: clean stop"
	psqlc "DELETE FROM a WHERE id = -1" >/dev/null
	q() { $DUCK "$1"; }
	if [ $cmd = run ]; then
		src="read_parquet('$TROOT/lake/**/*.parquet', union_by_name=true)"
		marks="SELECT source.snapshot AS m, source.lsn AS lsn FROM $src WHERE op = 'r'"
		ids() { echo "SELECT count(DISTINCT after.id) FROM $src WHERE _topic = 't.public.$1' AND op = 'r'"; }
		later="SELECT count(*) FROM $src WHERE op = 'c' AND after.id = -1"
		seq="SELECT source.sequence FROM $src WHERE op = 'c' AND after.id = -1"
	else
		# One JSON line per record: {"topic":..,"key":..,"value":..}.
		src="read_json('$TROOT/out.jsonl', format='newline_delimited', maximum_object_size=1048576)"
		marks="SELECT value.source.snapshot AS m, value.source.lsn AS lsn FROM $src WHERE value.op = 'r'"
		ids() { echo "SELECT count(DISTINCT value.after.id) FROM $src WHERE topic = 't.public.$1' AND value.op = 'r'"; }
		later="SELECT count(*) FROM $src WHERE value.op = 'c' AND value.after.id = -1"
		seq="SELECT value.source.sequence FROM $src WHERE value.op = 'c' AND value.after.id = -1"
	fi
	is "$(q "$(ids a)")" $ROWS "$cmd: every row of a was read"
	is "$(q "$(ids b)")" $ROWS "$cmd: every row of b was read"
	is "$(q "SELECT count(*) FROM ($marks) WHERE m = 'last'")" 1 "$cmd: exactly one \"last\" row (the completed snapshot's)"
	# The completed attempt: the rows stamped with the "last" row's LSN (the
	# retry's new slot has a new consistent point).
	done_q="SELECT count(*) FILTER (m = 'first') || ' ' || count(*) FILTER (m = 'last') || ' ' || count(*)
	  FROM ($marks) WHERE lsn = (SELECT lsn FROM ($marks) WHERE m = 'last')"
	is "$(q "$done_q")" "1 1 $((2 * ROWS))" "$cmd: the retried snapshot has its own first and last row and every row once"
	is "$(q "SELECT count(DISTINCT lsn) FROM ($marks)")" 2 "$cmd: two attempts wrote rows"
	is "$(q "$later")" 1 "$cmd: the insert after the snapshot was streamed once"
	# Its sequence starts from the new slot's position, not the dropped one's.
	like "$(q "$seq")" "^\[\"$(q "SELECT lsn FROM ($marks) WHERE m = 'last'")\"," \
		"$cmd: the first streamed event's sequence starts at the retried snapshot's LSN"
	if grep -qiE 'AddressSanitizer|runtime error|LeakSanitizer' "$TROOT/$cmd.log"; then
		fail "$cmd: no sanitizer report"; grep -iE -A8 'AddressSanitizer|runtime error' "$TROOT/$cmd.log" | head -20
	else pass "$cmd: no sanitizer report"; fi
	rm -f "$TROOT/out.jsonl"
done
finish
