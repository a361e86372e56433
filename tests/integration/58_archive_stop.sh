#!/usr/bin/env bash
# 58_archive_stop.sh -- SIGTERM while the S3 store is being retried: sluice
# archive stops within seconds and exits 0 (nothing was committed), instead
# of sitting out the full retry budget (about 40 s of backoff) and then
# reporting FAILED.
. "$(dirname "$0")/../lib/integ.sh"
S3PORT=$(free_port) # nothing listens there
common() {
	cat <<P
s3.bucket.name=stop-test
s3.endpoint=http://127.0.0.1:$S3PORT
s3.path.style.access.enabled=true
s3.region=us-east-1
aws.access.key.id=AKIDSTOPTEST
aws.secret.access.key=stop-test-secret
offset.storage.dir=$TROOT/state
http.listen=off
log.format=json
P
}
{ echo "topics=t"; echo "group.id=g"; echo "kafka.bootstrap.servers=127.0.0.1:$(free_port)"; common; } >"$TROOT/a.properties"

# stop_during_retries NAME CMD...: start, wait for the first S3 retry, SIGTERM.
stop_during_retries() {
	local name=$1 log=$TROOT/$1.log; shift
	"$@" >"$log" 2>&1 &
	local pid=$!
	t_track_pid $pid
	check "$name: the store is being retried" wait_for 20 grep -q 'retrying with backoff' "$log"
	kill -TERM $pid
	local t0=$SECONDS
	wait $pid
	local rc=$?
	is "$rc" "0" "$name: exit 0 after SIGTERM"
	check "$name: stopped within 5 s ($((SECONDS - t0)) s)" test $((SECONDS - t0)) -le 5
	check "$name: says it stopped while retrying" grep -q 'stopped while retrying' "$log"
	check "$name: no FAILED state" bash -c "! grep -q 'is FAILED' '$log'"
	check "$name: the secret is not logged" bash -c "! grep -q 'stop-test-secret' '$log'"
}
stop_during_retries archive "$SLUICE" archive -c "$TROOT/a.properties"
finish
