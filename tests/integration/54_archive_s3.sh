#!/usr/bin/env bash
# sluice archive and sluice run against a real S3 API (Ceph RGW, which
# checks SigV4 signatures).  capture -> mock Kafka -> archive into RGW with
# s3.bucket.name / s3.endpoint / s3.part.size (5 MiB): path-style through
# a pass-through proxy that counts the requests (one table is big enough
# for a multipart file), then a second archive with virtual-host
# addressing; then sluice run with store.url=s3://bucket/prefix.  Each lake
# is listed and downloaded with storectl (keys preserved) and read back
# with DuckDB: hive partitions, every (_topic, _partition, _offset) once,
# the latest `after` per key equal to PostgreSQL value by value.
# Credentials come from ${env:...} and ${file:...} references and the
# secrets never appear in a log.
. "$(dirname "$0")/../lib/integ.sh"
# A distinctive secret, so a leak into any log is found by grep.
RGW_SECRET_KEY=rgw-Secret-$RANDOM$RANDOM-x
. "$(dirname "$0")/../lib/rgw.sh"
command -v node >/dev/null || die "node is not installed"
command -v kcat >/dev/null || die "kcat is not installed"
SC=$SRC_ROOT/$BUILD/tools/storectl
FP=$SRC_ROOT/$BUILD/tools/faultproxy
[ -x "$SC" ] && [ -x "$FP" ] || die "build storectl and faultproxy first (make build-tests)"
DUCK="node $SRC_ROOT/tests/archive/duck.mjs"
PGPASS=pg-Pass-$RANDOM$RANDOM-y

pg_start || die "could not start PostgreSQL"
# The mock cluster with pre-created topics: blob in one partition (so one
# file reaches flush.size), acct in two.
"$SRC_ROOT/$BUILD/tools/mockbroker" 1 bank.public.blob:1 bank.public.acct:2 >"$TROOT/mockbroker.out" 2>"$TROOT/mockbroker.err" &
t_track_pid $!
wait_for 10 grep -q . "$TROOT/mockbroker.out" || die "could not start the mock Kafka cluster"
KAFKA_BOOTSTRAP=$(head -n 1 "$TROOT/mockbroker.out")
rgw_start || die "could not start Ceph RGW"
rgw_mb lake || die "could not create bucket"

# acct: small, typed.  blob: 12000 rows of 768 characters, so the first
# blob file (flush.size=10000 rows, parquet.codec=none) is bigger than one
# 5 MiB part.  The mock Kafka cluster keeps only ~5 MiB per partition, so
# the producer compresses (zstd) and the payloads are repetitive.
psqlc "CREATE TABLE acct(id int PRIMARY KEY, owner text, balance numeric(14,2), opened date, at timestamptz);
INSERT INTO acct SELECT g, 'o' || g, g * 10.5, '2020-01-01'::date + g, '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 min' FROM generate_series(1, 300) g;
CREATE TABLE blob(id int PRIMARY KEY, payload text);
INSERT INTO blob SELECT g, repeat(md5(g::text), 24) FROM generate_series(1, 12000) g;" ||
	die schema
printf 'aws.secret=%s\ndb.password=%s\n' "$AWS_SECRET_ACCESS_KEY" "$PGPASS" >"$TROOT/secrets.properties"
chmod 600 "$TROOT/secrets.properties"

cat >"$TROOT/c.properties" <<P
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=postgres
database.password=\${file:$TROOT/secrets.properties:db.password}
database.dbname=postgres
topic.prefix=bank
table.include.list=public\\.acct,public\\.blob
sink.type=kafka
kafka.bootstrap.servers=$KAFKA_BOOTSTRAP
kafka.compression.type=zstd
value.converter.schemas.enable=true
offset.storage.dir=$TROOT/cstate
P
"$SLUICE" capture -c "$TROOT/c.properties" >"$TROOT/capture.log" 2>&1 &
CP=$!
t_track_pid $CP
slot_ready() { [ "$(psqlc "SELECT count(*) FROM pg_replication_slots WHERE active")" = 1 ]; }
check "capture is streaming" wait_for 90 slot_ready
psqlc "UPDATE acct SET balance = balance * 2 WHERE id % 4 = 0; DELETE FROM acct WHERE id > 290;
INSERT INTO acct VALUES (500, NULL, -1.05, NULL, NULL);
UPDATE blob SET payload = 'short ' || id WHERE id % 1000 = 0; DELETE FROM blob WHERE id = 11999;" || fail changes
target=$(psqlc "SELECT pg_current_wal_lsn()")
caught_up() { [ "$(psqlc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name = 'debezium'")" = t ]; }
check "capture delivered everything to Kafka" wait_for 120 caught_up
kill -TERM $CP
wait $CP
# Non-tombstone records per topic in Kafka: what the archive must hold.
nk() { kcat -C -b "$KAFKA_BOOTSTRAP" -t "$1" -e -q -f '%S\n' 2>/dev/null | grep -vc '^-1$'; }
n_acct=$(nk bank.public.acct)
n_blob=$(nk bank.public.blob)
check "Kafka holds the snapshot and the changes ($n_acct acct, $n_blob blob records)" \
	test "$n_acct" -ge 375 -a "$n_blob" -ge 12013

# The PostgreSQL side of the comparisons.
PSQLT=(psql -X -q -At -F $'\t' -P null='\N')
pg_acct=$("${PSQLT[@]}" -c "SELECT id, owner, balance::text, opened::text, (extract(epoch from at) * 1000000)::bigint FROM acct ORDER BY id")
pg_blob=$("${PSQLT[@]}" -c "SELECT id, md5(payload) FROM blob ORDER BY id")

# download URL DIR: list the bucket/prefix with storectl and fetch every
# object into DIR under its key.
download() {
	local url=$1 dir=$2 k sz
	mkdir -p "$dir"
	"$SC" --endpoint "$S3_ENDPOINT" --path-style "$url" list >"$dir.list" || return 1
	while read -r k sz; do
		mkdir -p "$dir/$(dirname "$k")"
		"$SC" --endpoint "$S3_ENDPOINT" --path-style "$url" get "$k" >"$dir/$k" || return 1
		[ "$(stat -c %s "$dir/$k")" = "$sz" ] || return 1
	done <"$dir.list"
}

# readback DIR LABEL: the DuckDB checks of an archived lake.
readback() {
	local dir=$1 label=$2 src got
	src="read_parquet('$dir/**/*.parquet', hive_partitioning=true, union_by_name=true)"
	got=$($DUCK "SELECT string_agg(_topic || '=' || n, ' ' ORDER BY _topic) FROM (SELECT _topic, count(*) n FROM $src GROUP BY 1)")
	is "$got" "bank.public.acct=$n_acct bank.public.blob=$n_blob" "$label: every non-tombstone record archived"
	got=$($DUCK "SELECT count(*) FROM (SELECT _topic, _partition, _offset FROM $src GROUP BY ALL HAVING count(*) > 1)")
	is "$got" 0 "$label: every (_topic, _partition, _offset) once"
	got=$($DUCK "SELECT string_agg(DISTINCT dt, ',') FROM $src")
	like "$got" "^[0-9]{4}-[0-9]{2}-[0-9]{2}(,[0-9]{4}-[0-9]{2}-[0-9]{2})*$" "$label: hive partition column dt from the dt= directories"
	got=$($DUCK "WITH ev AS (SELECT *, coalesce(after.id, before.id) k FROM $src WHERE _topic = 'bank.public.acct'
	  QUALIFY row_number() OVER (PARTITION BY k ORDER BY _offset DESC) = 1)
	  SELECT after.id, after.owner, after.balance::varchar, after.opened::varchar, epoch_us(after.at) FROM ev WHERE op <> 'd' ORDER BY 1")
	if [ "$got" = "$pg_acct" ]; then pass "$label: acct latest after per key equals PostgreSQL"; else
		fail "$label: acct latest after per key equals PostgreSQL"; diff <(echo "$pg_acct") <(echo "$got") | head -5; fi
	got=$($DUCK "WITH ev AS (SELECT *, coalesce(after.id, before.id) k FROM $src WHERE _topic = 'bank.public.blob'
	  QUALIFY row_number() OVER (PARTITION BY k ORDER BY _offset DESC) = 1)
	  SELECT after.id, md5(after.payload) FROM ev WHERE op <> 'd' ORDER BY 1")
	if [ "$got" = "$pg_blob" ]; then pass "$label: blob latest after per key equals PostgreSQL (12k rows)"; else
		fail "$label: blob latest after per key equals PostgreSQL"; diff <(echo "$pg_blob") <(echo "$got") | head -5; fi
}

# --- archive 1: path-style, through a pass-through proxy ---------------------
"$FP" "$TROOT/fp.port" "$RGW_PORT" 2>"$TROOT/fp.log" &
t_track_pid $!
wait_for 10 test -s "$TROOT/fp.port" || die "faultproxy did not start"
PROXY=http://127.0.0.1:$(cat "$TROOT/fp.port")
arch_props() { # arch_props GROUP ENDPOINT PATHSTYLE TOPICSDIR
	cat <<P
topics=bank.public.acct,bank.public.blob
group.id=$1
kafka.session.timeout.ms=6000
kafka.heartbeat.interval.ms=500
kafka.bootstrap.servers=$KAFKA_BOOTSTRAP
s3.bucket.name=lake
s3.endpoint=$2
s3.path.style.access.enabled=$3
s3.region=us-east-1
s3.part.size=5242880
aws.access.key.id=\${env:AWS_ACCESS_KEY_ID}
aws.secret.access.key=\${file:$TROOT/secrets.properties:aws.secret}
topics.dir=$4
flush.size=10000
partitioner.class=io.confluent.connect.storage.partitioner.TimeBasedPartitioner
path.format='dt'=YYYY-MM-dd
partition.duration.ms=86400000
timestamp.extractor=RecordField
timestamp.field=source.ts_ms
timezone=UTC
format.class=io.confluent.connect.s3.format.parquet.ParquetFormat
parquet.codec=none
log.format=json
http.listen=off
P
}
arch_props arch-path "$PROXY" true arch >"$TROOT/a1.properties"
# The secret comes only from the ${file:...} reference: not in the env.
env -u AWS_SECRET_ACCESS_KEY "$SLUICE" archive -c "$TROOT/a1.properties" >"$TROOT/archive1.log" 2>&1 &
AP=$!
t_track_pid $AP
# flush.size=10000: one full blob file, the rest stays open until the stop.
full_file() { grep -q 'POST /lake/arch/bank.public.blob/.*uploadId=' "$TROOT/fp.log"; }
check "the full blob file is committed (multipart complete)" wait_for 120 full_file
sleep 2
kill -TERM $AP
wait $AP
rc=$?
is "$rc" 0 "archive (path-style) stops cleanly, committing open files"
[ "$rc" = 0 ] || grep -v '"level":"info"' "$TROOT/archive1.log" | head -20
is "$(grep -c 'POST /lake/arch/bank.public.blob/.*?uploads' "$TROOT/fp.log")" 1 "one multipart upload was created (the >5 MiB file)"
is "$(grep -c 'PUT /lake/arch/bank.public.blob/.*partNumber=' "$TROOT/fp.log")" 2 "it went up in 2 parts"
check "every request was forwarded and answered" test "$(grep -vc ' forward ' "$TROOT/fp.log")" = 0
like "$(grep -E 'PUT /lake/arch/bank.public.acct/' "$TROOT/fp.log" | head -1)" \
	"PUT /lake/arch/bank\.public\.acct/dt%3D[0-9]{4}-[0-9]{2}-[0-9]{2}/bank\.public\.acct%2B[01]%2B[0-9]{10}\.parquet HTTP" \
	"small files are single PutObjects with Confluent names under topics.dir"
is "$("$SC" --endpoint "$S3_ENDPOINT" --path-style s3://lake uploads | wc -l)" 0 "no multipart upload left in progress"
download s3://lake/arch "$TROOT/dl1" || fail "download the path-style lake"
nobj=$(wc -l <"$TROOT/dl1.list")
check "objects listed and downloaded ($nobj)" test "$nobj" -ge 3
big=$(sort -k2 -n "$TROOT/dl1.list" | tail -1)
check "the largest object is over one part ($big)" test "${big##* }" -gt 5242880
like "$(head -1 "$TROOT/dl1.list")" "^bank\.public\.acct/dt=[0-9-]+/bank\.public\.acct\+[01]\+[0-9]{10}\.parquet " "keys relative to the store prefix"
readback "$TROOT/dl1" "path-style"

# --- archive 2: virtual-host addressing (bucket in the host name) ------------
# Through the same pass-through proxy: the request lines must not name
# the bucket (it is in the Host header, lake.localhost:PORT).
: >"$TROOT/fp.log"
arch_props arch-vhost "http://localhost:$(cat "$TROOT/fp.port")" false vh >"$TROOT/a2.properties"
env -u AWS_SECRET_ACCESS_KEY "$SLUICE" archive -c "$TROOT/a2.properties" >"$TROOT/archive2.log" 2>&1 &
AP=$!
t_track_pid $AP
vh_full() { "$SC" --endpoint "$S3_ENDPOINT" --path-style s3://lake/vh list bank.public.blob/ | grep -q .; }
check "virtual-host archive commits the full blob file" wait_for 120 vh_full
sleep 2
kill -TERM $AP
wait $AP
is "$?" 0 "archive (virtual-host) stops cleanly"
like "$(grep -c '^faultproxy: #[0-9]* forward PUT /vh/bank\.public\.blob/' "$TROOT/fp.log")" "^[1-9]" "virtual-host requests carry the bucket in the host name, not the path"
is "$(grep -c ' /lake/' "$TROOT/fp.log")" 0 "no virtual-host request names the bucket in the path"
download s3://lake/vh "$TROOT/dl2" || fail "download the virtual-host lake"
is "$(cut -d' ' -f1 "$TROOT/dl2.list" | sed 's/.*+//' | sort | md5sum)" "$(cut -d' ' -f1 "$TROOT/dl1.list" | sed 's/.*+//' | sort | md5sum)" \
	"same file boundaries as the path-style run (deterministic names)"
readback "$TROOT/dl2" "virtual-host"

# --- sluice run: store.url=s3://bucket/prefix --------------------------------
RPORT=$(free_port) || die "no free port"
cat >"$TROOT/run.properties" <<P
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=postgres
database.password=\${file:$TROOT/secrets.properties:db.password}
database.dbname=postgres
slot.name=sluice_run
topic.prefix=shop
table.include.list=public\\.acct
offset.storage.dir=$TROOT/rstate
store.url=s3://lake/runlake
s3.endpoint=\${env:S3_ENDPOINT}
aws.access.key.id=\${env:AWS_ACCESS_KEY_ID}
aws.secret.access.key=\${file:$TROOT/secrets.properties:aws.secret}
flush.size=100
rotate.schedule.interval.ms=500
log.format=json
http.listen=127.0.0.1:$RPORT
P
env -u AWS_SECRET_ACCESS_KEY "$SLUICE" run -c "$TROOT/run.properties" >"$TROOT/run.log" 2>&1 &
RP=$!
t_track_pid $RP
run_ready() { [ "$(psqlc "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = 'sluice_run'")" = 1 ]; }
check "run is streaming" wait_for 90 run_ready
psqlc "UPDATE acct SET owner = owner || ' v2' WHERE id % 3 = 0; DELETE FROM acct WHERE id % 50 = 0;
INSERT INTO acct VALUES (777, 'new', 7.77, '2024-07-07', '2024-07-07 07:07:07.777777+00'); UPDATE acct SET id = 2000 WHERE id = 7;" || fail "run changes"
target=$(psqlc "SELECT pg_current_wal_lsn()")
run_caught_up() { [ "$(psqlc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name = 'sluice_run'")" = t ]; }
check "run confirmed past the last change (files durable in RGW)" wait_for 90 run_caught_up
# run's object store metrics, against the bucket listed at the same time
# (nothing rotates between the two: the stream is idle).
sleep 1
curl -s -m 5 "http://127.0.0.1:$RPORT/metrics" >"$TROOT/run-scrape.txt"
curl -s -m 5 "http://127.0.0.1:$RPORT/connectors/shop-run/config" >"$TROOT/run-config.json"
"$SC" --endpoint "$S3_ENDPOINT" --path-style s3://lake/runlake list >"$TROOT/run-objects.list"
rmet() { awk -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? 0 : v) }' "$TROOT/run-scrape.txt"; }
robj=$(wc -l <"$TROOT/run-objects.list")
rsize=$(awk '{ s += $2 } END { print s + 0 }' "$TROOT/run-objects.list")
is "$(rmet 'sluice_archive_files_committed_total{topic="shop.public.acct"}')" "$robj" "run: files committed = objects in the bucket ($robj)"
is "$(awk '$1 ~ /^sluice_s3_requests_total\{op="(PutObject|CompleteMultipartUpload)",code="200"\}$/ { s += $2 } END { print s + 0 }' "$TROOT/run-scrape.txt")" \
	"$robj" "run: one successful PutObject per object"
check "run: bytes sent ($(rmet 'sluice_s3_bytes_total{direction="sent"}')) >= the objects' bytes ($rsize)" \
	test "$(rmet 'sluice_s3_bytes_total{direction="sent"}')" -ge "$rsize" -a "$rsize" -gt 0
is "$(rmet sluice_s3_part_retries_total)/$(rmet 'sluice_retries_total{kind="s3"}')" "0/0" "run: no part retries, no S3 retries"
check "run: no S3 request failed" bash -c "! grep -E '^sluice_s3_requests_total\{.*code=\"(5[0-9][0-9]|403|error)\"\}' '$TROOT/run-scrape.txt'"
if command -v promtool >/dev/null; then
	check "run: promtool check metrics passes" bash -c "promtool check metrics <'$TROOT/run-scrape.txt' >/dev/null 2>&1"
fi
kill -TERM $RP
wait $RP
rc=$?
is "$rc" 0 "run stops cleanly"
[ "$rc" = 0 ] || grep -v '"level":"info"' "$TROOT/run.log" | head -20
download s3://lake/runlake "$TROOT/dl3" || fail "download the run lake"
like "$(head -1 "$TROOT/dl3.list")" "^topics/shop\.public\.acct/partition=0/shop\.public\.acct\+0\+[0-9]{10}\.parquet " "run: object names under the store.url prefix"
src="read_parquet('$TROOT/dl3/**/*.parquet', hive_partitioning=true, union_by_name=true)"
is "$($DUCK "SELECT count(*) FROM (SELECT _topic, _offset FROM $src GROUP BY 1, 2 HAVING count(*) > 1)")" 0 "run: every (_topic, _offset) once"
is "$($DUCK "SELECT bool_and(n = mx + 1) FROM (SELECT count(*) n, max(_offset) mx FROM $src)")" true "run: offsets are dense 0..n-1"
pg_acct=$("${PSQLT[@]}" -c "SELECT id, owner, balance::text, opened::text, (extract(epoch from at) * 1000000)::bigint FROM acct ORDER BY id")
got=$($DUCK "WITH ev AS (SELECT *, coalesce(after.id, before.id) k FROM $src QUALIFY row_number() OVER (PARTITION BY k ORDER BY _offset DESC) = 1)
  SELECT after.id, after.owner, after.balance::varchar, after.opened::varchar, epoch_us(after.at) FROM ev WHERE op <> 'd' ORDER BY 1")
if [ "$got" = "$pg_acct" ]; then pass "run: latest after per key equals PostgreSQL"; else
	fail "run: latest after per key equals PostgreSQL"; diff <(echo "$pg_acct") <(echo "$got") | head -5; fi
is "$("$SC" --endpoint "$S3_ENDPOINT" --path-style s3://lake uploads | wc -l)" 0 "no multipart upload left in progress"

# --- secrets ------------------------------------------------------------------
leaks=$(grep -l -e "$AWS_SECRET_ACCESS_KEY" -e "$PGPASS" "$TROOT"/*.log "$TROOT/run-scrape.txt" "$TROOT/run-config.json")
is "$leaks" "" "neither the S3 secret nor the database password appears in any log, or in run's /metrics and /config"
# References are shown as written (Kafka Connect shows config provider
# references too); a literal secret would be redacted.
like "$(cat "$TROOT/run-config.json")" '"aws.secret.access.key":"(\[redacted\]|\$\{file:[^"]*:aws.secret\})"' "run's /config shows the S3 secret's reference, not the secret"
finish
