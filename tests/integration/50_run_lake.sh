#!/usr/bin/env bash
# sluice run: PostgreSQL -> Parquet lake on the local backend, read back
# with DuckDB.  Snapshot plus streamed inserts, updates, deletes and a key
# change over many column types; the latest `after` per key must equal the
# table value by value, and every (topic, _offset) must appear once, 0..n-1.
. "$(dirname "$0")/../lib/integ.sh"
command -v node >/dev/null || die "node is not installed"
# A small logical_decoding_work_mem: the transactions of the last part are
# "large" for the server (spilled or streamed).
pg_start "logical_decoding_work_mem = 64kB" || die "could not start PostgreSQL"
DUCK="node $SRC_ROOT/tests/archive/duck.mjs"
psqlc "CREATE TABLE items(id int PRIMARY KEY, name text, amount numeric(12,2), big numeric,
  at timestamptz, local timestamp, day date, u uuid, doc jsonb, flag bool, ratio float8,
  tags int[], note varchar(20));
CREATE TABLE other(k bigint PRIMARY KEY, v text);
INSERT INTO items SELECT g, 'item ' || g, g * 1.25, (g::numeric ^ 7) / 3, '2024-03-01 10:00:00+00'::timestamptz + g * interval '1 hour 1.5 sec',
  '2024-03-01 10:00:00'::timestamp + g * interval '1 day', '2024-02-28'::date + g, md5(g::text)::uuid,
  jsonb_build_object('g', g, 's', 'x' || g), g % 2 = 0, g / 4.0, ARRAY[g, g + 1], NULL FROM generate_series(1, 300) g;
INSERT INTO other SELECT g, 'v' || g FROM generate_series(1, 50) g;" || die schema

cat >"$TROOT/run.properties" <<P
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=postgres
database.dbname=postgres
topic.prefix=shop
table.include.list=public\\..*
offset.storage.dir=$TROOT/state
store.url=file://$TROOT/lake
flush.size=100
rotate.schedule.interval.ms=500
log.format=json
snapshot.max.threads=2
P
"$SLUICE" run -c "$TROOT/run.properties" >"$TROOT/run.log" 2>&1 &
P=$!
t_track_pid $P
slot_ready() { [ "$(psqlc "SELECT count(*) FROM pg_replication_slots WHERE active")" = 1 ]; }
check "run is streaming" wait_for 60 slot_ready
psqlc "UPDATE items SET name = name || ' v2', amount = amount + 0.01 WHERE id % 3 = 0;
DELETE FROM items WHERE id % 10 = 0;
INSERT INTO items VALUES (1000, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'nulls');
INSERT INTO items VALUES (1001, 'neg', -12345.67, -0.000123, '1970-01-01 00:00:00+00', '1999-12-31 23:59:59.999999', '1900-01-01',
  '00000000-0000-0000-0000-000000000000', '[1, \"two\"]', true, -2.5, '{}', 'é ü 漢');
UPDATE items SET id = 2000 WHERE id = 7;
UPDATE other SET v = 'changed' WHERE k <= 10;" || fail "changes"
target=$(psqlc "SELECT pg_current_wal_lsn()")
caught_up() { [ "$(psqlc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots")" = t ]; }
check "slot confirmed past the last change (files durable)" wait_for 60 caught_up
kill -TERM $P
wait $P
rc=$?
is "$rc" 0 "clean stop"
[ "$rc" = 0 ] || grep -m1 -A30 "ERROR: AddressSanitizer" "$TROOT/run.log"

LAKE=$TROOT/lake
nfiles=$(find "$LAKE" -name '*.parquet' | wc -l)
check "several Parquet files written ($nfiles)" test "$nfiles" -gt 3
like "$(find "$LAKE" -name '*.parquet' | head -1)" "/topics/shop\.public\.(items|other)/partition=0/shop\.public\.(items|other)\+0\+[0-9]{10}\.parquet$" "object names"
src="read_parquet('$LAKE/**/*.parquet', hive_partitioning=true, union_by_name=true)"

# every (topic, _offset) exactly once and dense
dup=$($DUCK "SELECT count(*) FROM (SELECT _topic, _offset FROM $src GROUP BY 1, 2 HAVING count(*) > 1)")
is "$dup" 0 "no duplicate (topic, _offset)"
dense=$($DUCK "SELECT bool_and(n = mx + 1) FROM (SELECT _topic, count(*) n, max(_offset) mx FROM $src GROUP BY 1)")
is "$dense" true "offsets are 0..n-1 per topic"

# typed columns
types=$($DUCK "SELECT string_agg(column_name || ':' || column_type, ' ' ORDER BY column_name) FROM (DESCRIBE SELECT after.amount, after.at, after.local, after.day, after.u, after.tags, after.flag, after.doc FROM $src)")
like "$types" "amount:DECIMAL\(12,2\)" "numeric(12,2) -> DECIMAL(12,2)"
like "$types" "at:TIMESTAMP WITH TIME ZONE" "timestamptz -> TIMESTAMP (UTC)"
like "$types" "local:TIMESTAMP " "timestamp -> TIMESTAMP (local)"
like "$types" "day:DATE" "date -> DATE"
like "$types" "u:UUID" "uuid -> UUID"
like "$types" "tags:INTEGER\[\]" "int[] -> LIST"
like "$types" "flag:BOOLEAN" "bool -> BOOLEAN"

# latest after per key equals the table
pg=$(psql -X -q -At -F $'\t' -P null='\N' -c "SET TimeZone='UTC'; SELECT id, name, amount::text, trim_scale(big)::text,
  (extract(epoch from at) * 1000000)::bigint, (extract(epoch from local) * 1000000)::bigint, day::text, u::text,
  doc::text, flag::text, round(ratio * 1000)::bigint, array_to_string(tags, ','), note FROM items ORDER BY id")
lake=$($DUCK "WITH ev AS (SELECT *, coalesce(after.id, before.id) AS k FROM $src WHERE _topic = 'shop.public.items'),
  latest AS (SELECT * FROM ev QUALIFY row_number() OVER (PARTITION BY k ORDER BY _offset DESC) = 1)
  SELECT after.id, after.name, after.amount::varchar, after.big, epoch_us(after.at), epoch_us(after.local), after.day::varchar,
  after.u::varchar, after.doc::varchar, CASE WHEN after.flag THEN 'true' WHEN NOT after.flag THEN 'false' END,
  round(after.ratio * 1000)::bigint, array_to_string(after.tags, ','), after.note FROM latest WHERE op <> 'd' ORDER BY 1")
rows=$(printf '%s\n' "$pg" | wc -l)
if [ "$pg" = "$lake" ]; then pass "items: latest after per key equals PostgreSQL ($rows rows)"; else
	fail "items: latest after per key equals PostgreSQL"; diff <(printf '%s\n' "$pg") <(printf '%s\n' "$lake") | head -10; fi
pg2=$(psqlc "SELECT k || ':' || v FROM other ORDER BY k" | tr '\n' ' ')
lake2=$($DUCK "SELECT after.k || ':' || after.v FROM $src WHERE _topic = 'shop.public.other' QUALIFY row_number() OVER (PARTITION BY after.k ORDER BY _offset DESC) = 1 ORDER BY after.k" | tr '\n' ' ')
is "$lake2" "$pg2" "other: latest after per key equals PostgreSQL"
ops=$($DUCK "SELECT string_agg(DISTINCT op, ',' ORDER BY op) FROM $src")
is "$ops" "c,d,r,u" "ops r (snapshot), c, u, d"
# Snapshot markers, as Debezium sets them: one "first", one "last", the
# other reads "true", streamed events "false".
marks=$($DUCK "SELECT string_agg(m || '=' || n, ' ' ORDER BY m) FROM (SELECT op || ':' || source.snapshot AS m, count(*) n FROM $src GROUP BY 1)")
like "$marks" "^(c:false=[0-9]+ )?(d:false=[0-9]+ )?r:first=1 r:last=1 r:true=348 u:false=[0-9]+$" "snapshot markers: first, true x348, last ($marks)"
src_ok=$($DUCK "SELECT count(*) FROM $src WHERE source.\"table\" IS NULL OR source.lsn IS NULL AND op <> 'r'")
is "$src_ok" 0 "source is a typed group (table, lsn)"

# restart: nothing new is written twice, new changes continue the sequence
"$SLUICE" run -c "$TROOT/run.properties" >"$TROOT/run2.log" 2>&1 &
P=$!
t_track_pid $P
check "run resumes" wait_for 60 slot_ready
psqlc "INSERT INTO other VALUES (9999, 'after restart')"
target=$(psqlc "SELECT pg_current_wal_lsn()")
check "caught up after restart" wait_for 60 caught_up
kill -TERM $P
wait $P
is "$?" 0 "clean stop after restart"
last=$($DUCK "SELECT _offset || ':' || after.v FROM $src WHERE _topic = 'shop.public.other' ORDER BY _offset DESC LIMIT 1")
n_other=$($DUCK "SELECT count(*) FROM $src WHERE _topic = 'shop.public.other'")
is "$last" "$((n_other - 1)):after restart" "offset sequence continues across restarts"
dup=$($DUCK "SELECT count(*) FROM (SELECT _topic, _offset FROM $src GROUP BY 1, 2 HAVING count(*) > 1)")
is "$dup" 0 "still no duplicate (topic, _offset)"

# --until-lsn commits the open files once everything before the LSN is in
# them, instead of waiting for flush.size or the schedule (10 minutes here)
psqlc "INSERT INTO other SELECT g, 'until ' || g FROM generate_series(20001, 20005) g"
target=$(psqlc "SELECT pg_current_wal_lsn()")
timeout 120 "$SLUICE" run -c "$TROOT/run.properties" -D rotate.schedule.interval.ms=600000 \
	-D flush.size=100000 --until-lsn "$target" >"$TROOT/run3.log" 2>&1
is "$?" 0 "run --until-lsn stops by itself with the schedule far away"
n_until=$($DUCK "SELECT count(*) FROM $src WHERE _topic = 'shop.public.other' AND after.v LIKE 'until %'")
is "$n_until" 5 "the rows before the LSN are in committed files"
check "slot confirmed up to the LSN" caught_up

# A transaction bigger than logical_decoding_work_mem, both ways.  By
# default run lets the server spill it and send it after its commit
# (pg_stat_replication_slots.spill_txns grows); with
# streaming.in.progress=true the server streams it while in progress
# (stream_txns grows) and sluice spools and replays it.
slot_stat() { psqlc "SELECT $1 FROM pg_stat_replication_slots WHERE slot_name = 'debezium'"; }
for mode in default streamed; do
	base=$([ $mode = default ] && echo 30000 || echo 40000)
	spill0=$(slot_stat spill_txns); stream0=$(slot_stat stream_txns)
	psqlc "INSERT INTO other SELECT g, repeat('large ', 10) || g FROM generate_series($base + 1, $base + 3000) g"
	target=$(psqlc "SELECT pg_current_wal_lsn()")
	opts=()
	[ $mode = streamed ] && opts=(-D streaming.in.progress=true)
	timeout 120 "$SLUICE" run -c "$TROOT/run.properties" "${opts[@]}" --until-lsn "$target" \
		-D log.level=info >"$TROOT/run_$mode.log" 2>&1
	is "$?" 0 "$mode: a 3000-row transaction, run --until-lsn stops by itself"
	n=$($DUCK "SELECT count(*) FROM $src WHERE _topic = 'shop.public.other' AND after.k > $base AND after.k <= $base + 3000")
	is "$n" 3000 "$mode: every row of the large transaction is in the lake, once"
	sleep 0.5 # the walsender's statistics are flushed as it exits
	if [ $mode = default ]; then
		check "default: the server spilled the transaction (spill_txns $spill0 -> $(slot_stat spill_txns))" \
			test "$(slot_stat spill_txns)" -gt "$spill0"
		is "$(slot_stat stream_txns)" "$stream0" "default: nothing was streamed in progress"
		like "$(cat "$TROOT/run_$mode.log")" "large transactions sent by the server after their commit" \
			"default: the log says how large transactions arrive"
	else
		check "streamed: the server streamed the transaction (stream_txns $stream0 -> $(slot_stat stream_txns))" \
			test "$(slot_stat stream_txns)" -gt "$stream0"
		like "$(cat "$TROOT/run_$mode.log")" "replaying [0-9.]+ MiB from the spool" \
			"streamed: sluice spooled it and replayed it at the commit"
	fi
done
dup=$($DUCK "SELECT count(*) FROM (SELECT _topic, _offset FROM $src GROUP BY 1, 2 HAVING count(*) > 1)")
is "$dup" 0 "after the large transactions: no duplicate (topic, _offset)"
dense=$($DUCK "SELECT bool_and(n = mx + 1) FROM (SELECT _topic, count(*) n, max(_offset) mx FROM $src GROUP BY 1)")
is "$dense" true "after the large transactions: offsets are 0..n-1 per topic"
finish
