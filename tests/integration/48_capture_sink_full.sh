#!/usr/bin/env bash
# The file sink cannot write (its file is /dev/full: every write fails with
# ENOSPC, on the sink's writer thread).  sluice capture must stop with an
# error that says so, and must not confirm the LSN of anything it could not
# write: the slot stays behind the changes, so a later run gets them again.
. "$(dirname "$0")/../lib/integ.sh"
pg_start || die "could not start PostgreSQL"
psqlc "CREATE TABLE t(id int PRIMARY KEY, v text)" >/dev/null || die schema
cat >"$TROOT/c.properties" <<P
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=postgres
database.dbname=postgres
topic.prefix=full
snapshot.mode=no_data
sink.type=file
sink.file.path=/dev/full
offset.storage.dir=$TROOT/state
http.listen=off
status.update.interval.ms=200
P
"$SLUICE" capture -c "$TROOT/c.properties" >"$TROOT/c.log" 2>&1 &
P=$!
t_track_pid $P
check "capture is streaming" wait_for 60 slot_active debezium
before=$(psqlc "SELECT (confirmed_flush_lsn - '0/0')::bigint FROM pg_replication_slots WHERE slot_name = 'debezium'")
# Enough rows to fill more than one output buffer (256 KiB).
psqlc "INSERT INTO t SELECT g, repeat('v', 200) FROM generate_series(1, 5000) g" >/dev/null
ins=$(psqlc "SELECT (pg_current_wal_lsn() - '0/0')::bigint")
exited() { ! kill -0 $P 2>/dev/null; }
check "capture stops by itself" wait_for 60 exited
wait $P
rc=$?
check "with a non-zero exit status ($rc)" test "$rc" -ne 0
like "$(cat "$TROOT/c.log")" "could not write sink file: No space left on device" \
	"the error says the sink file could not be written, and why"
after=$(psqlc "SELECT (confirmed_flush_lsn - '0/0')::bigint FROM pg_replication_slots WHERE slot_name = 'debezium'")
check "the slot did not move past the unwritten changes (confirmed $before -> $after, insert at $ins)" \
	test "$after" -lt "$ins"
if grep -qiE 'AddressSanitizer|runtime error|LeakSanitizer' "$TROOT/c.log"; then
	fail "no sanitizer report"; grep -iE -A8 'AddressSanitizer|runtime error' "$TROOT/c.log" | head -20
else pass "no sanitizer report"; fi
finish
