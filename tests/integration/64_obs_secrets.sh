#!/usr/bin/env bash
# 64_obs_secrets.sh -- no secret in any output of any command (issue 5:
# "Secrets never appear: write a test that greps all output for the test
# password").  A PostgreSQL role with a password and an S3 secret key
# (Ceph RGW, which checks SigV4 for real), both distinctive strings, are
# used by capture (PostgreSQL -> mock Kafka), archive (Kafka -> RGW) and
# run (PostgreSQL -> RGW), at log.level=debug so every line any layer
# writes is there (the archive's librdkafka debug lines included).  Grepped for both secrets:
# stdout and stderr of each run; `--print-config` of all three commands
# (which must still list the keys); `sluice help <cmd>` and `<cmd> --help`;
# and every HTTP body each process served (/metrics, /healthz, /readyz,
# /connectors, /connectors/<name>, .../status, .../tasks/0/status,
# .../config).  Wrong secrets too: a wrong database password and a wrong
# S3 secret key give FAILED traces, which are grepped for the wrong value.
. "$(dirname "$0")/../lib/integ.sh"
PGPASS=pg-Pw-$RANDOM$RANDOM-q
RGW_SECRET_KEY=s3-Sk-$RANDOM$RANDOM-z
WRONG_PG=wrong-Pg-$RANDOM$RANDOM
WRONG_S3=wrong-S3-$RANDOM$RANDOM
. "$(dirname "$0")/../lib/rgw.sh"
command -v kcat >/dev/null || die "kcat is not installed"
SC=$SRC_ROOT/$BUILD/tools/storectl
[ -x "$SC" ] || die "build storectl first (make build-tests)"
TOPIC=sec.public.acct
pg_start || die "could not start PostgreSQL"
kafka_start 1 "$TOPIC:1" || die "could not start the mock Kafka cluster"
rgw_start || die "could not start Ceph RGW"
rgw_mb lake || die "could not create bucket"
psqlc "CREATE ROLE cdc LOGIN REPLICATION PASSWORD '$PGPASS';
CREATE TABLE acct(id int PRIMARY KEY, owner text);
INSERT INTO acct SELECT g, 'o' || g FROM generate_series(1, 30) g;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO cdc;
CREATE PUBLICATION dbz_publication FOR ALL TABLES;" || die schema
# Password authentication for cdc (trust stays for the test's own psql).
sed -i "1i host all cdc 127.0.0.1/32 scram-sha-256\nhost replication cdc 127.0.0.1/32 scram-sha-256" "$PGROOT/data/pg_hba.conf"
psqlc "SELECT pg_reload_conf()" >/dev/null

OUT=$TROOT/out # every byte any command printed or served goes under here
mkdir -p "$OUT"
# scrape_all PORT NAME TAG: every HTTP body of one process, kept in $OUT.
scrape_all() {
	local h=http://127.0.0.1:$1 n=$2 p
	for p in /metrics /healthz /readyz /connectors "/connectors/$n" "/connectors/$n/status" \
		"/connectors/$n/tasks/0/status" "/connectors/$n/config" /connectors/nope/config /nope; do
		curl -s -m 5 "$h$p" >>"$OUT/$3.http"
		echo >>"$OUT/$3.http"
	done
}
state() { curl -s -m 5 "http://127.0.0.1:$1/connectors/$2/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["connector"]["state"])' 2>/dev/null; }
state_is() { [ "$(state "$1" "$2")" = "$3" ]; }
metric() { curl -s -m 5 "http://127.0.0.1:$1/metrics" | awk -v k="$2" '$1 == k { v = $2 } END { print (v == "" ? 0 : v) }'; }

for cmd in capture archive run; do
	"$SLUICE" help "$cmd" >"$OUT/help-$cmd.txt" 2>&1
	"$SLUICE" "$cmd" --help >"$OUT/help2-$cmd.txt" 2>&1
done

# --- capture ----------------------------------------------------------------------------
CPORT=$(free_port)
cat >"$TROOT/c.properties" <<P
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=cdc
database.password=$PGPASS
database.dbname=postgres
topic.prefix=sec
table.include.list=public\\.acct
sink.type=kafka
kafka.bootstrap.servers=$KAFKA_BOOTSTRAP
offset.storage.dir=$TROOT/cstate
http.listen=127.0.0.1:$CPORT
log.format=json
log.level=debug
P
"$SLUICE" capture -c "$TROOT/c.properties" --print-config >"$OUT/print-capture.txt" 2>&1
check "capture --print-config lists database.password" grep -q '^database.password=' "$OUT/print-capture.txt"
"$SLUICE" capture -c "$TROOT/c.properties" >"$OUT/capture.stdout" 2>"$OUT/capture.stderr" &
CP=$!
t_track_pid $CP
check "capture RUNNING as cdc (password authentication)" wait_for 60 state_is "$CPORT" sec-capture RUNNING
psqlc "UPDATE acct SET owner = owner || '!' WHERE id <= 10" || fail update
delivered() { [ "$(kcat -C -b "$KAFKA_BOOTSTRAP" -t "$TOPIC" -e -q -f '%o\n' 2>/dev/null | wc -l)" -ge 40 ]; }
check "capture delivered snapshot and updates" wait_for 60 delivered
scrape_all "$CPORT" sec-capture capture
like "$(curl -s "http://127.0.0.1:$CPORT/connectors/sec-capture/config")" '"database.password":"\[redacted\]"' \
	"capture /config shows the password redacted"

# --- archive: Kafka -> RGW ------------------------------------------------------------------
APORT=$(free_port)
cat >"$TROOT/a.properties" <<P
topics=$TOPIC
group.id=sec-arch
kafka.bootstrap.servers=$KAFKA_BOOTSTRAP
store.url=s3://lake/arch
s3.endpoint=$S3_ENDPOINT
s3.path.style.access.enabled=true
aws.access.key.id=$AWS_ACCESS_KEY_ID
aws.secret.access.key=$AWS_SECRET_ACCESS_KEY
format.class=json
flush.size=10
kafka.debug=broker,cgrp,fetch
http.listen=127.0.0.1:$APORT
log.format=json
log.level=debug
P
"$SLUICE" archive -c "$TROOT/a.properties" --print-config >"$OUT/print-archive.txt" 2>&1
check "archive --print-config lists aws.secret.access.key" grep -q '^aws.secret.access.key=' "$OUT/print-archive.txt"
"$SLUICE" archive -c "$TROOT/a.properties" >"$OUT/archive.stdout" 2>"$OUT/archive.stderr" &
AP=$!
t_track_pid $AP
four() { [ "$(metric "$APORT" "sluice_archive_files_committed_total{topic=\"$TOPIC\"}")" -ge 4 ]; }
check "archive stores the 40 records in RGW (4 files)" wait_for 60 four
check "the objects are in the bucket" test "$("$SC" --endpoint "$S3_ENDPOINT" --path-style s3://lake/arch list | wc -l)" -ge 4
scrape_all "$APORT" sluice-archive archive
like "$(curl -s "http://127.0.0.1:$APORT/connectors/sluice-archive/config")" '"aws.secret.access.key":"\[redacted\]"' \
	"archive /config shows the S3 secret redacted"
kill -TERM $AP
wait $AP
is "$?" 0 "archive: clean exit"
kill -TERM $CP
wait $CP
is "$?" 0 "capture: clean exit"

# --- run: PostgreSQL -> RGW, both secrets ------------------------------------------------------
RPORT=$(free_port)
cat >"$TROOT/r.properties" <<P
database.hostname=127.0.0.1
database.port=$PGPORT
database.user=cdc
database.password=$PGPASS
database.dbname=postgres
slot.name=sec_run
topic.prefix=secrun
table.include.list=public\\.acct
offset.storage.dir=$TROOT/rstate
store.url=s3://lake/run
s3.endpoint=$S3_ENDPOINT
aws.access.key.id=$AWS_ACCESS_KEY_ID
aws.secret.access.key=$AWS_SECRET_ACCESS_KEY
flush.size=10
rotate.schedule.interval.ms=500
http.listen=127.0.0.1:$RPORT
log.format=json
log.level=debug
P
"$SLUICE" run -c "$TROOT/r.properties" --print-config >"$OUT/print-run.txt" 2>&1
check "run --print-config lists both secret keys" \
	bash -c "grep -q '^database.password=' '$OUT/print-run.txt' && grep -q '^aws.secret.access.key=' '$OUT/print-run.txt'"
"$SLUICE" run -c "$TROOT/r.properties" >"$OUT/run.stdout" 2>"$OUT/run.stderr" &
RP=$!
t_track_pid $RP
check "run RUNNING" wait_for 60 state_is "$RPORT" secrun-run RUNNING
run_files() { [ "$(metric "$RPORT" 'sluice_archive_records_total{topic="secrun.public.acct"}')" -ge 30 ]; }
check "run stores the snapshot in RGW" wait_for 60 run_files
scrape_all "$RPORT" secrun-run run
cfg=$(curl -s "http://127.0.0.1:$RPORT/connectors/secrun-run/config")
like "$cfg" '"database.password":"\[redacted\]"' "run /config: password redacted"
like "$cfg" '"aws.secret.access.key":"\[redacted\]"' "run /config: S3 secret redacted"
kill -TERM $RP
wait $RP
is "$?" 0 "run: clean exit"

# --- wrong secrets: FAILED traces, and the wrong values never shown ------------------------------
sed -e "s/^database.password=.*/database.password=$WRONG_PG/" "$TROOT/c.properties" >"$TROOT/cw.properties"
"$SLUICE" capture -c "$TROOT/cw.properties" >"$OUT/capture-wrong.stdout" 2>"$OUT/capture-wrong.stderr" &
P=$!
t_track_pid $P
check "wrong database password: FAILED" wait_for 30 state_is "$CPORT" sec-capture FAILED
scrape_all "$CPORT" sec-capture capture-wrong
like "$(cat "$OUT/capture-wrong.http")" 'password authentication failed' "the trace says why"
kill -TERM $P
wait $P
sed -e "s/^aws.secret.access.key=.*/aws.secret.access.key=$WRONG_S3/" "$TROOT/a.properties" >"$TROOT/aw.properties"
"$SLUICE" archive -c "$TROOT/aw.properties" >"$OUT/archive-wrong.stdout" 2>"$OUT/archive-wrong.stderr" &
P=$!
t_track_pid $P
check "wrong S3 secret key: FAILED" wait_for 30 state_is "$APORT" sluice-archive FAILED
scrape_all "$APORT" sluice-archive archive-wrong
like "$(cat "$OUT/archive-wrong.http")" 'HTTP 403' "the trace names the 403"
kill -TERM $P
wait $P

# --- the grep ----------------------------------------------------------------------------------------
nfiles=$(find "$OUT" -type f | wc -l)
check "outputs collected ($nfiles files, $(cat "$OUT"/* | wc -c) bytes)" test "$nfiles" -ge 24
check "debug logging was on (librdkafka's lines are there)" grep -q '"level":"debug","component":"archive","msg":"kafka: ' "$OUT/archive.stderr"
for s in "$PGPASS" "$AWS_SECRET_ACCESS_KEY" "$WRONG_PG" "$WRONG_S3"; do
	hits=$(grep -rlF -- "$s" "$OUT" | sed "s#^$OUT/##" | tr '\n' ' ')
	is "$hits" "" "secret ${s:0:6}... appears in no output"
done
# The grep can fail: the test's own properties files hold the secrets.
check "(control) the secrets are in the properties files" grep -qF -- "$PGPASS" "$TROOT/r.properties"
finish
