#!/usr/bin/env bash
# 63_obs_archive_s3.sh -- sluice archive's object store metrics against a
# real S3 (Ceph RGW): files committed = objects in the bucket, PutObject
# requests and bytes sent counted, promtool on the scrape; wrong
# credentials fail the connector at start with a readable trace and the
# 403 counted by operation.  Neither the real nor the wrong secret key
# appears in the logs or any HTTP body of either run.
. "$(dirname "$0")/../lib/integ.sh"
# A distinctive secret key, so a leak is found by grep.
RGW_SECRET_KEY=obs-Sk-$RANDOM$RANDOM-k
. "$(dirname "$0")/../lib/rgw.sh"
command -v promtool >/dev/null || die "promtool missing (Debian package prometheus; scripts/deps.sh)"
command -v kcat >/dev/null || die "kcat is not installed"
SC=$SRC_ROOT/$BUILD/tools/storectl
[ -x "$SC" ] || die "build storectl first (make build-tests)"
TOPIC=events
kafka_start 1 "$TOPIC:1" || die "could not start the mock Kafka cluster"
rgw_start || die "could not start Ceph RGW"
rgw_mb obs-arch || die "could not create bucket"
for i in $(seq 1 30); do printf '{"id":%d,"note":"row %d"}\n' "$i" "$i"; done |
	kcat -P -b "$KAFKA_BOOTSTRAP" -t "$TOPIC" -p 0 2>/dev/null

HPORT=$(free_port)
H=http://127.0.0.1:$HPORT
cat >"$TROOT/a.properties" <<P
topics=$TOPIC
group.id=obs-s3
kafka.bootstrap.servers=$KAFKA_BOOTSTRAP
store.url=s3://obs-arch/lake
s3.endpoint=$S3_ENDPOINT
s3.path.style.access.enabled=true
aws.access.key.id=$AWS_ACCESS_KEY_ID
aws.secret.access.key=$AWS_SECRET_ACCESS_KEY
format.class=json
flush.size=10
http.listen=127.0.0.1:$HPORT
log.format=json
P
ALL_HTTP=$TROOT/all-http.out # every HTTP body, for the secret check
get() { curl -s -m 5 "$@" | tee -a "$ALL_HTTP"; echo >>"$ALL_HTTP"; }
metric() { get "$H/metrics" | awk -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? 0 : v) }'; }
msum() { get "$H/metrics" | awk -v k="$1" 'index($1, k "{") == 1 { s += $2 } END { print s + 0 }'; }
state() { get "$H/connectors/sluice-archive/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["connector"]["state"])' 2>/dev/null; }
state_is() { [ "$(state)" = "$1" ]; }
objects() { "$SC" --endpoint "$S3_ENDPOINT" --path-style s3://obs-arch/lake list; }

"$SLUICE" archive -c "$TROOT/a.properties" >"$TROOT/archive.log" 2>&1 &
AP=$!
t_track_pid $AP
three() { [ "$(metric "sluice_archive_files_committed_total{topic=\"$TOPIC\"}")" = 3 ]; }
check "30 records, flush.size=10: 3 files committed" wait_for 60 three
is "$(objects | wc -l)" 3 "3 objects in the bucket"
is "$(metric "sluice_archive_records_total{topic=\"$TOPIC\"}")" 30 "30 records counted"
size=$(objects | awk '{ s += $2 } END { print s + 0 }')
sent=$(metric 'sluice_s3_bytes_total{direction="sent"}')
check "bytes sent ($sent) >= the objects' bytes ($size)" test "$sent" -ge "$size" -a "$size" -gt 0
puts=$(get "$H/metrics" | awk '$1 ~ /^sluice_s3_requests_total\{op="(PutObject|CompleteMultipartUpload)",code="200"\}$/ { s += $2 } END { print s + 0 }')
is "$puts" 3 "one successful PutObject per file"
check "the start-up HEAD is counted (404: reachable, key absent)" test "$(metric 'sluice_s3_requests_total{op="HeadObject",code="404"}')" -ge 1
is "$(metric sluice_s3_part_retries_total)" 0 "no part retries"
get "$H/metrics" >"$TROOT/scrape.txt"
if promtool check metrics <"$TROOT/scrape.txt" >"$TROOT/promtool.out" 2>&1; then
	pass "promtool check metrics passes"
else
	fail "promtool check metrics passes"; head -20 "$TROOT/promtool.out"
fi
like "$(get "$H/connectors/sluice-archive/config")" '"aws.secret.access.key":"\[redacted\]"' "GET config redacts the secret key"
kill -TERM $AP
wait $AP
is "$?" 0 "SIGTERM: clean exit"

# --- wrong credentials: FAILED at start, not at the first file --------------------------------
sed -i 's/^aws.secret.access.key=.*/aws.secret.access.key=not-the-secret-key/' "$TROOT/a.properties"
"$SLUICE" archive -c "$TROOT/a.properties" >"$TROOT/archive2.log" 2>&1 &
AP=$!
t_track_pid $AP
check "wrong secret key: FAILED" wait_for 30 state_is FAILED
like "$(get "$H/connectors/sluice-archive/status")" '"trace":"could not use the store .{1,2}s3://obs-arch/lake.{1,3} could not head .*HTTP 403' \
	"trace names the store and the HTTP 403"
is "$(metric 'sluice_s3_requests_total{op="HeadObject",code="403"}')" 1 "the refused request is counted by op and code"
check "errors counted as auth" test "$(metric 'sluice_errors_total{kind="auth"}')" -ge 1
get "$H/metrics" >/dev/null
like "$(get "$H/connectors/sluice-archive/config")" '"aws.secret.access.key":"\[redacted\]"' "FAILED: GET config redacts the wrong key too"
# Both runs' logs and every HTTP body (metrics, status, config) of both.
for key in "$AWS_SECRET_ACCESS_KEY" not-the-secret-key; do
	hits=$(grep -lF -- "$key" "$TROOT/archive.log" "$TROOT/archive2.log" "$ALL_HTTP" "$TROOT/scrape.txt" | tr '\n' ' ')
	is "$hits" "" "secret key ${key:0:4}... never appears in logs, metrics, status or config"
done
check "(control) the HTTP bodies were collected" grep -q 'sluice_s3_requests_total' "$ALL_HTTP"
kill -TERM $AP
wait $AP
is "$?" 1 "SIGTERM after FAILED: exit 1"
finish
