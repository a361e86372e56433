#!/usr/bin/env bash
# sluice archive: capture -> Kafka (mock cluster) -> archive -> local
# Parquet, read back with DuckDB; restart resumes from committed offsets
# with no duplicate; bad messages go to the DLQ (errors.tolerance=all) or
# stop the archive naming topic/partition/offset (none); tombstones ignored.
. "$(dirname "$0")/../lib/integ.sh"
command -v node >/dev/null || die "node is not installed"
command -v kcat >/dev/null || die "kcat is not installed"
DUCK="node $SRC_ROOT/tests/archive/duck.mjs"
pg_start || die "could not start PostgreSQL"
kafka_start || die "could not start the mock Kafka cluster"
psqlc "CREATE TABLE acct(id int PRIMARY KEY, owner text, balance numeric(14,2), opened date, at timestamptz);
INSERT INTO acct SELECT g, 'o' || g, g * 10.5, '2020-01-01'::date + g, '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 min' FROM generate_series(1, 200) g;" || die schema
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
P
"$SLUICE" capture -c "$TROOT/c.properties" >"$TROOT/capture.log" 2>&1 &
CP=$!
t_track_pid $CP
slot_ready() { [ "$(psqlc "SELECT count(*) FROM pg_replication_slots WHERE active")" = 1 ]; }
check "capture is streaming" wait_for 60 slot_ready
psqlc "UPDATE acct SET balance = balance * 2 WHERE id % 4 = 0; DELETE FROM acct WHERE id > 190; INSERT INTO acct VALUES (500, NULL, -1.05, NULL, NULL);"
target=$(psqlc "SELECT pg_current_wal_lsn()")
caught_up() { [ "$(psqlc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots")" = t ]; }
check "capture delivered everything" wait_for 60 caught_up

cat >"$TROOT/a.properties" <<P
topics=bank.public.acct
group.id=arch-test
kafka.session.timeout.ms=6000
kafka.heartbeat.interval.ms=500
kafka.topic.metadata.refresh.interval.ms=1000
kafka.bootstrap.servers=$KAFKA_BOOTSTRAP
store.url=file://$TROOT/lake
flush.size=40
partitioner.class=io.confluent.connect.storage.partitioner.TimeBasedPartitioner
path.format='dt'=YYYY-MM-dd
partition.duration.ms=86400000
timestamp.extractor=RecordField
timestamp.field=source.ts_ms
format.class=io.confluent.connect.s3.format.parquet.ParquetFormat
offset.storage.dir=$TROOT/astate
P
"$SLUICE" archive -c "$TROOT/a.properties" >"$TROOT/archive.log" 2>&1 &
AP=$!
t_track_pid $AP
n_kafka=$(kcat -C -b "$KAFKA_BOOTSTRAP" -t bank.public.acct -e -q -f '%o\n' 2>/dev/null | wc -l)
src="read_parquet('$TROOT/lake/**/*.parquet', hive_partitioning=true, union_by_name=true)"
# flush.size=40: wait until all full files are there (the tail stays open)
landed() { [ "$(find "$TROOT/lake" -name '*.parquet' 2>/dev/null | wc -l)" -ge 2 ]; }
check "full files land ($n_kafka records in Kafka)" wait_for 60 landed
sleep 3
kill -TERM $AP
wait $AP
rc=$?
is "$rc" 0 "archive stops cleanly (commits the open files)"
[ "$rc" = 0 ] || grep -v '"level":"info"' "$TROOT/archive.log" | head -20
like "$(find "$TROOT/lake" -name '*.parquet' | head -1)" "/topics/bank\.public\.acct/dt=[0-9]{4}-[0-9]{2}-[0-9]{2}/bank\.public\.acct\+0\+[0-9]{10}\.parquet$" "Confluent object names, TimeBased 'dt'=YYYY-MM-dd"
got=$($DUCK "SELECT count(*) FROM $src")
nt=$(kcat -C -b "$KAFKA_BOOTSTRAP" -t bank.public.acct -e -q -f '%S\n' 2>/dev/null | grep -vc '^-1$')
is "$got" "$nt" "every non-tombstone record archived once ($nt)"
dup=$($DUCK "SELECT count(*) FROM (SELECT _partition, _offset FROM $src GROUP BY 1, 2 HAVING count(*) > 1)")
is "$dup" 0 "no duplicate (partition, offset)"
pg=$(psql -X -q -At -F $'\t' -P null='\N' -c "SELECT id, owner, balance::text, opened::text, (extract(epoch from at) * 1000000)::bigint FROM acct ORDER BY id")
lake=$($DUCK "WITH ev AS (SELECT *, coalesce(after.id, before.id) k FROM $src QUALIFY row_number() OVER (PARTITION BY k ORDER BY _offset DESC) = 1)
  SELECT after.id, after.owner, after.balance::varchar, after.opened::varchar, epoch_us(after.at) FROM ev WHERE op <> 'd' ORDER BY 1")
if [ "$pg" = "$lake" ]; then pass "latest after per key equals PostgreSQL"; else fail "latest after per key equals PostgreSQL"; diff <(echo "$pg") <(echo "$lake") | head -5; fi

# restart with nothing new: committed offsets mean no new object
before=$(find "$TROOT/lake" -name '*.parquet' | sort | md5sum)
"$SLUICE" archive -c "$TROOT/a.properties" >"$TROOT/archive2.log" 2>&1 &
AP=$!
t_track_pid $AP
sleep 4
kill -TERM $AP
wait $AP
is "$(find "$TROOT/lake" -name '*.parquet' | sort | md5sum)" "$before" "restart reads from the committed offsets (no new files)"

# bad messages
printf '{"not json\n' | kcat -P -b "$KAFKA_BOOTSTRAP" -t bank.public.acct -p 0 2>/dev/null
cat >"$TROOT/dlq.properties" <<P
$(cat "$TROOT/a.properties")
errors.tolerance=all
errors.deadletterqueue.topic.name=acct-dlq
P
"$SLUICE" archive -c "$TROOT/dlq.properties" >"$TROOT/archive3.log" 2>&1 &
AP=$!
t_track_pid $AP
dlq_has() { kcat -C -b "$KAFKA_BOOTSTRAP" -t acct-dlq -e -q -f '%h\n' 2>/dev/null | grep -q '__connect.errors.offset'; }
check "malformed JSON goes to the DLQ with error headers" wait_for 30 dlq_has
like "$(kcat -C -b "$KAFKA_BOOTSTRAP" -t acct-dlq -e -q -f '%h' 2>/dev/null)" "__connect.errors.topic=bank.public.acct" "DLQ header names the topic"
kill -TERM $AP
wait $AP
is "$?" 0 "archive with DLQ stops cleanly"
printf '{"also bad"\n' | kcat -P -b "$KAFKA_BOOTSTRAP" -t bank.public.acct -p 0 2>/dev/null
timeout 60 "$SLUICE" archive -c "$TROOT/a.properties" >"$TROOT/archive4.log" 2>&1
rc=$?
is "$rc" 1 "errors.tolerance=none stops with an error"
like "$(cat "$TROOT/archive4.log")" "bank.public.acct.{1,4} partition [0-9]+ offset [0-9]+" "the error names topic, partition and offset"
finish
