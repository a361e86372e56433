#!/usr/bin/env bash
# sluice archive into Ceph RGW while S3 fails.  capture -> mock Kafka ->
# archive, three faults:
#  A. a failing proxy in front of RGW answers 503 / 500 / drops requests of
#     a multipart upload (parts and the Complete): the client retries the
#     same request, logs each storm once (not per attempt) and the file
#     lands whole;
#  B. part 2 of a multipart file always gets 503: the upload cannot finish,
#     so it is aborted (no object, no upload left in progress) and archive
#     exits with a clear error; the restart resumes from the committed
#     offsets and writes the file -- and RGW's answer to that Complete is
#     lost after RGW did the work: the Complete is sent again and RGW
#     answers it as done (a repeated Complete is idempotent there);
#  C. the RGW gateway is stopped for ~10 s while files rotate on schedule:
#     archive RIDES IT OUT (retries with backoff, never gives up within
#     the outage) and keeps running.
# Each phase serves /metrics: the S3 counters (part retries, retries by
# kind, requests by op and code, bytes received) must equal what the
# proxy injected.
# After each, and at the end, no multipart upload is left in progress and
# the whole lake, downloaded with storectl, reads back in DuckDB with every
# (_topic, _partition, _offset) once and the latest `after` per key equal
# to PostgreSQL.
. "$(dirname "$0")/../lib/integ.sh"
. "$(dirname "$0")/../lib/rgw.sh"
command -v node >/dev/null || die "node is not installed"
command -v kcat >/dev/null || die "kcat is not installed"
SC=$SRC_ROOT/$BUILD/tools/storectl
FP=$SRC_ROOT/$BUILD/tools/faultproxy
[ -x "$SC" ] && [ -x "$FP" ] || die "build storectl and faultproxy first (make build-tests)"
DUCK="node $SRC_ROOT/tests/archive/duck.mjs"

pg_start || die "could not start PostgreSQL"
# blob in one partition so one file reaches flush.size (10000 rows of 768
# characters > one 5 MiB part with parquet.codec=none); the mock cluster
# keeps ~5 MiB per partition, hence zstd on the producer.
"$SRC_ROOT/$BUILD/tools/mockbroker" 1 bank.public.blob:1 bank.public.acct:2 >"$TROOT/mockbroker.out" 2>"$TROOT/mockbroker.err" &
t_track_pid $!
wait_for 10 grep -q . "$TROOT/mockbroker.out" || die "could not start the mock Kafka cluster"
KAFKA_BOOTSTRAP=$(head -n 1 "$TROOT/mockbroker.out")
rgw_start || die "could not start Ceph RGW"
rgw_mb lake || die "could not create bucket"
S3=(--endpoint "$S3_ENDPOINT" --path-style)

psqlc "CREATE TABLE acct(id int PRIMARY KEY, owner text, balance numeric(14,2));
INSERT INTO acct SELECT g, 'o' || g, g * 10.5 FROM generate_series(1, 100) g;
CREATE TABLE blob(id int PRIMARY KEY, payload text);
INSERT INTO blob SELECT g, repeat(md5(g::text), 24) FROM generate_series(1, 12000) g;" || die schema
cat >"$TROOT/c.properties" <<P
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=postgres
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
t_track_pid $!
slot_ready() { [ "$(psqlc "SELECT count(*) FROM pg_replication_slots WHERE active")" = 1 ]; }
check "capture is streaming" wait_for 90 slot_ready
caught_up() {
	[ "$(psqlc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots")" = t ]
}
target=$(psqlc "SELECT pg_current_wal_lsn()")
check "snapshot delivered to Kafka" wait_for 120 caught_up

arch_props() { # arch_props GROUP ENDPOINT TOPICS FLUSH SCHEDULE_MS [HTTP_PORT]
	cat <<P
topics=$3
group.id=$1
kafka.session.timeout.ms=6000
kafka.heartbeat.interval.ms=500
kafka.bootstrap.servers=$KAFKA_BOOTSTRAP
s3.bucket.name=lake
s3.endpoint=$2
s3.part.size=5242880
topics.dir=lake
flush.size=$4
rotate.schedule.interval.ms=$5
partitioner.class=io.confluent.connect.storage.partitioner.TimeBasedPartitioner
path.format='dt'=YYYY-MM-dd
partition.duration.ms=86400000
timestamp.extractor=RecordField
timestamp.field=source.ts_ms
format.class=io.confluent.connect.s3.format.parquet.ParquetFormat
parquet.codec=none
P
	# the HTTP endpoint where the test reads the metrics
	if [ -n "${6:-}" ]; then echo "http.listen=127.0.0.1:$6"; else echo http.listen=off; fi
}
# start_proxy NAME RULE...: a faultproxy in front of RGW; sets PROXY.
start_proxy() {
	local n=$1
	shift
	"$FP" "$TROOT/$n.port" "$RGW_PORT" "$@" 2>"$TROOT/$n.log" &
	t_track_pid $!
	wait_for 10 test -s "$TROOT/$n.port" || die "faultproxy did not start"
	PROXY=http://127.0.0.1:$(cat "$TROOT/$n.port")
}
# m PORT NAME{labels}: one sample from a fresh scrape (0 when absent).
m() { curl -s -m 5 "http://127.0.0.1:$1/metrics" | awk -v k="$2" '$1 == k { v = $2 } END { print (v == "" ? 0 : v) }'; }
state_is() { [ "$(curl -s -m 5 "http://127.0.0.1:$1/connectors/sluice-archive/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["connector"]["state"])' 2>/dev/null)" = "$2" ]; }
no_uploads() { [ -z "$("$SC" "${S3[@]}" s3://lake uploads)" ]; }
nblob() { "$SC" "${S3[@]}" s3://lake/lake list bank.public.blob/ | wc -l; }
blob_ge() { [ "$(nblob)" -ge "$1" ]; }

# --- A: 503, 500 and a dropped request inside one multipart upload ----------
# Requests naming an uploadId, in order: part 1 (x3: 503, 503, ok),
# part 2 (x2: 500, ok), Complete (x2: dropped, ok).  Three storms.
start_proxy fpa match=uploadId= 503=1,2 500=4 drop=6
HA=$(free_port) || die "no free port"
arch_props g1 "$PROXY" bank.public.blob 10000 -1 "$HA" >"$TROOT/a.properties"
"$SLUICE" archive -c "$TROOT/a.properties" >"$TROOT/archiveA.log" 2>&1 &
AP=$!
t_track_pid $AP
check "A: the multipart file lands despite the failures" wait_for 120 blob_ge 1
sleep 1
# Injected: 3 part failures (503, 503 on part 1; 500 on part 2) and a
# dropped Complete; each is one retry.
is "$(m $HA sluice_s3_part_retries_total)" 3 "A: part retries counted = the 3 injected part failures"
check "A: S3 retries >= 3 parts + 1 Complete" test "$(m $HA 'sluice_retries_total{kind="s3"}')" -ge 4
is "$(m $HA 'sluice_s3_requests_total{op="UploadPart",code="503"}')/$(m $HA 'sluice_s3_requests_total{op="UploadPart",code="500"}')" \
	"2/1" "A: the failed parts counted by op and code (two 503, one 500)"
is "$(m $HA 'sluice_s3_requests_total{op="CompleteMultipartUpload",code="error"}')/$(m $HA 'sluice_s3_requests_total{op="CompleteMultipartUpload",code="200"}')" \
	"1/1" "A: the dropped Complete counted as code=error, then one 200"
is "$(m $HA 'sluice_s3_requests_total{op="UploadPart",code="200"}')" 2 "A: 2 parts stored"
check "A: bytes received counted ($(m $HA 'sluice_s3_bytes_total{direction="received"}'))" \
	test "$(m $HA 'sluice_s3_bytes_total{direction="received"}')" -gt 0
check "A: bytes sent count every attempt (part 1 of 5 MiB went 3 times: > 15 MiB)" \
	test "$(m $HA 'sluice_s3_bytes_total{direction="sent"}')" -gt 15728640
kill -TERM $AP
wait $AP
is "$?" 0 "A: archive stops cleanly"
is "$(grep -cE '#[0-9]+ (503|500|drop) ' "$TROOT/fpa.log")" 4 "A: the proxy injected 4 failures"
like "$(grep -E '#(1|2|3) ' "$TROOT/fpa.log" | tr '\n' ' ')" "#1 503 PUT [^ ]*partNumber=1.*#2 503 PUT [^ ]*partNumber=1.*#3 forward PUT [^ ]*partNumber=1" \
	"A: part 1 was sent 3 times (two 503s)"
like "$(grep -E '#(6|7) ' "$TROOT/fpa.log" | tr '\n' ' ')" "#6 drop POST .*#7 forward POST " "A: the dropped Complete was sent again"
is "$(grep -c 'retrying with backoff' "$TROOT/archiveA.log")" 3 "A: one 'retrying' line per storm (3), none per attempt"
is "$(grep -o 'recovered after [0-9]* retries' "$TROOT/archiveA.log" | tr '\n' ,)" \
	"recovered after 2 retries,recovered after 1 retries,recovered after 1 retries," "A: each storm logs its recovery once, with the retry count"
check "A: no multipart upload left in progress" no_uploads
is "$(nblob)" 2 "A: the multipart file and the tail file, nothing else"

# --- B: part 2 always fails: abort, clear error, resume on restart ----------
psqlc "INSERT INTO blob SELECT g, repeat(md5(g::text), 24) FROM generate_series(20001, 30000) g" || fail "B: insert"
target=$(psqlc "SELECT pg_current_wal_lsn()")
check "B: new rows delivered to Kafka" wait_for 120 caught_up
start_proxy fpb match=partNumber=2 always503
HB=$(free_port) || die "no free port"
arch_props g1 "$PROXY" bank.public.blob 10000 -1 "$HB" >"$TROOT/b.properties"
t0=$SECONDS
# With http.listen set the failed archive serves its FAILED status until
# SIGTERM (exit 1), so its metrics can be read after the failure.
"$SLUICE" archive -c "$TROOT/b.properties" >"$TROOT/archiveB.log" 2>&1 &
AP=$!
t_track_pid $AP
check "B: the connector is FAILED once part 2 cannot be uploaded" wait_for 150 state_is "$HB" FAILED
echo "# B failed after $((SECONDS - t0)) s"
like "$(curl -s -m 5 "http://127.0.0.1:$HB/connectors/sluice-archive/status")" \
	'"trace":"could not PUT s3://lake/lake/bank\.public\.blob/.*after 10 attempts: HTTP 503 SlowDown' "B: the FAILED trace names the object and the attempts"
# Injected: 10 part-2 failures; the last ends the upload, the 9 before it
# were retried.
is "$(m $HB 'sluice_s3_requests_total{op="UploadPart",code="503"}')" 10 "B: the 10 injected part failures counted by op and code"
is "$(m $HB sluice_s3_part_retries_total)" 9 "B: part retries = injected failures - 1 (the 10th is not retried)"
check "B: S3 retries >= the part retries" test "$(m $HB 'sluice_retries_total{kind="s3"}')" -ge 9
is "$(m $HB 'sluice_s3_requests_total{op="AbortMultipartUpload",code="204"}')" 1 "B: the abort counted"
check "B: bytes received counted" test "$(m $HB 'sluice_s3_bytes_total{direction="received"}')" -gt 0
kill -TERM $AP
wait $AP
rc=$?
is "$rc" 1 "B: archive exits with an error (SIGTERM after FAILED)"
like "$(cat "$TROOT/archiveB.log")" "could not PUT s3://lake/lake/bank\.public\.blob/.*after 10 attempts: HTTP 503 SlowDown" \
	"B: the error names the object, the attempts and the S3 answer"
is "$(grep -c 'partNumber=2' "$TROOT/fpb.log")" 10 "B: part 2 was tried 10 times"
like "$(grep DELETE "$TROOT/fpb.log")" "forward DELETE .*uploadId=" "B: the unfinishable upload was aborted"
check "B: no multipart upload left in progress" no_uploads
is "$(nblob)" 2 "B: no object for the failed file"
# Restart: resumes from the committed offsets.  Through a proxy that
# forwards the Complete but loses RGW's answer (requests naming an
# uploadId: part 1, part 2, Complete): the Complete is retried and RGW
# answers the repeated Complete of a finished upload with 200.
start_proxy fpb2 match=uploadId= lose=3
HB2=$(free_port) || die "no free port"
arch_props g1 "$PROXY" bank.public.blob 10000 -1 "$HB2" >"$TROOT/b2.properties"
"$SLUICE" archive -c "$TROOT/b2.properties" >"$TROOT/archiveB2.log" 2>&1 &
AP=$!
t_track_pid $AP
check "B: the restarted archive writes the file" wait_for 120 blob_ge 3
sleep 1
is "$(m $HB2 sluice_s3_part_retries_total)" 0 "B: restart: no part retried"
check "B: restart: S3 retries >= 1 (the Complete whose answer was lost)" test "$(m $HB2 'sluice_retries_total{kind="s3"}')" -ge 1
is "$(m $HB2 'sluice_s3_requests_total{op="CompleteMultipartUpload",code="error"}')" 1 "B: restart: the lost answer counted as code=error"
kill -TERM $AP
wait $AP
is "$?" 0 "B: restarted archive stops cleanly"
like "$(grep -E '^faultproxy: #[34] ' "$TROOT/fpb2.log" | tr '\n' ' ')" "#3 lose POST .*uploadId=.*#4 forward POST .*uploadId=" \
	"B: RGW completed the upload, the answer was lost, the Complete was sent again"
like "$(cat "$TROOT/archiveB2.log")" "POST [^ ]*bank\.public\.blob\+0\+0000012000\.parquet recovered after 1 retries" \
	"B: the retried Complete succeeds, no error"
check "B: no multipart upload left in progress after the restart" no_uploads

# --- C: RGW stopped for ~10 s while files rotate every second ---------------
HTTP_PORT=$(free_port) || die "no free port"
arch_props g2 "$S3_ENDPOINT" bank.public.acct 100000 1000 "$HTTP_PORT" >"$TROOT/c2.properties"
"$SLUICE" archive -c "$TROOT/c2.properties" >"$TROOT/archiveC.log" 2>&1 &
AP=$!
t_track_pid $AP
acct_landed() { "$SC" "${S3[@]}" s3://lake/lake list bank.public.acct/ | grep -q .; }
check "C: snapshot files land" wait_for 60 acct_landed
# Changes keep coming, one transaction every 0.2 s, during the outage.
(for i in $(seq 1 80); do
	psql -X -q -c "UPDATE acct SET balance = balance + 1, owner = 'c$i' WHERE id = $((i % 100 + 1)); INSERT INTO acct VALUES ($((1000 + i)), 'n$i', $i)" >/dev/null 2>&1
	sleep 0.2
done) &
WP=$!
t_track_pid $WP
sleep 3
t0=$SECONDS
rgw_stop_gateway
sleep 10
rgw_start_gateway || die "could not restart radosgw"
outage=$((SECONDS - t0))
wait $WP
target=$(psqlc "SELECT pg_current_wal_lsn()")
check "C: changes delivered to Kafka" wait_for 60 caught_up
check "C: archive is still running after the ${outage} s outage" kill -0 $AP
check "C: the outage's refused requests counted (code=error)" \
	test "$(curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | awk '$1 ~ /^sluice_s3_requests_total\{.*code="error"\}$/ { s += $2 } END { print s + 0 }')" -ge 1
check "C: S3 retries counted" test "$(m $HTTP_PORT 'sluice_retries_total{kind="s3"}')" -ge 1
# The archive only stops once every acct record in Kafka is in a committed
# file (the metric counts records of committed files).
n_acct=$(kcat -C -b "$KAFKA_BOOTSTRAP" -t bank.public.acct -e -q -f '%S\n' 2>/dev/null | grep -vc '^-1$')
archived() {
	[ "$(curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" | grep '^sluice_archive_records_total{topic="bank.public.acct"}' | cut -d' ' -f2)" = "$n_acct" ]
}
check "C: after the outage the archive catches up ($n_acct records committed)" wait_for 90 archived
kill -TERM $AP
wait $AP
is "$?" 0 "C: archive stops cleanly after riding out the outage"
is "$(grep -c 'retrying with backoff' "$TROOT/archiveC.log")" 1 "C: the outage is one storm: one 'retrying' line"
like "$(grep -o 'recovered after [0-9]* retries' "$TROOT/archiveC.log")" "^recovered after [0-9]+ retries$" "C: and one recovery line"
like "$(grep 'retrying with backoff' "$TROOT/archiveC.log")" "(onnect|refused)" "C: the retry names the connection failure"
check "C: no multipart upload left in progress" no_uploads

# --- the whole lake, read back ------------------------------------------------
n_acct=$(kcat -C -b "$KAFKA_BOOTSTRAP" -t bank.public.acct -e -q -f '%S\n' 2>/dev/null | grep -vc '^-1$')
n_blob=$(kcat -C -b "$KAFKA_BOOTSTRAP" -t bank.public.blob -e -q -f '%S\n' 2>/dev/null | grep -vc '^-1$')
is "$n_blob" 22000 "Kafka holds every blob record (snapshot + 10000 inserts)"
DL=$TROOT/dl
"$SC" "${S3[@]}" s3://lake/lake list >"$TROOT/dl.list"
while read -r k sz; do
	mkdir -p "$DL/$(dirname "$k")"
	"$SC" "${S3[@]}" s3://lake/lake get "$k" >"$DL/$k" || fail "get $k"
done <"$TROOT/dl.list"
src="read_parquet('$DL/**/*.parquet', hive_partitioning=true, union_by_name=true)"
got=$($DUCK "SELECT string_agg(_topic || '=' || n, ' ' ORDER BY _topic) FROM (SELECT _topic, count(*) n FROM $src GROUP BY 1)")
is "$got" "bank.public.acct=$n_acct bank.public.blob=$n_blob" "every record archived, every object readable ($(wc -l <"$TROOT/dl.list") objects)"
is "$($DUCK "SELECT count(*) FROM (SELECT _topic, _partition, _offset FROM $src GROUP BY ALL HAVING count(*) > 1)")" 0 \
	"every (_topic, _partition, _offset) once"
pg=$(psql -X -q -At -F $'\t' -c "SELECT id, owner, balance::text FROM acct ORDER BY id")
got=$($DUCK "SELECT after.id, after.owner, after.balance::varchar FROM $src WHERE _topic = 'bank.public.acct'
  QUALIFY row_number() OVER (PARTITION BY after.id ORDER BY _offset DESC) = 1 ORDER BY 1")
if [ "$got" = "$pg" ]; then pass "acct: latest after per key equals PostgreSQL"; else
	fail "acct: latest after per key equals PostgreSQL"; diff <(echo "$pg") <(echo "$got") | head -5; fi
pg=$(psql -X -q -At -F $'\t' -c "SELECT id, md5(payload) FROM blob ORDER BY id")
got=$($DUCK "SELECT after.id, md5(after.payload) FROM $src WHERE _topic = 'bank.public.blob' ORDER BY 1")
if [ "$got" = "$pg" ]; then pass "blob: every row equals PostgreSQL (22000 rows)"; else
	fail "blob: every row equals PostgreSQL"; diff <(echo "$pg") <(echo "$got") | head -5; fi
finish
