#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/deploy/live.sh -- the rendered chart against the real sluice binary,
# on 127.0.0.1 only.  No cluster here, so what a kubelet and the status-check
# Job would do is done by hand:
#
#  * probes: for every environment, sluice capture and sluice archive start
#    from the properties the chart renders, with every host overridden (-D)
#    to a closed port on 127.0.0.1 (archive's S3 endpoint to a stub that
#    answers 404, an empty bucket, so it gets as far as the broker), and the
#    paths of the Deployment's startup, liveness and readiness probes and of
#    the Prometheus annotations are requested: alive (200) and not ready
#    (503) while not connected.  Then SIGTERM, and the PID must exit 0.
#  * the PostSync/post-install status check: the Job's rendered /bin/sh
#    script runs with curl, its Service URLs pointed at a sluice capture
#    that is FAILED (the script must stop at once and print the trace), a
#    sluice archive that is RUNNING but not ready yet, and a stub HTTP
#    server answering RUNNING / PAUSED, or nothing at all.
# shellcheck source-path=SCRIPTDIR source=../lib/integ.sh
. "$(dirname "$0")/../lib/integ.sh"
cd "$SRC_ROOT" || exit 1
CHART=deploy/helm/data-platform
[ -x "$SLUICE" ] || die "needs $SLUICE (make build-tests)"
for c in curl python3 node go; do command -v "$c" >/dev/null || die "$c missing (scripts/deps.sh)"; done

RENDER=$TROOT/render
(cd tests/deploy/render && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS="" GOPROXY=off \
	GOCACHE=$SRC_ROOT/$BUILD/go-cache go build -o "$RENDER" .) >"$TROOT/go-build.log" 2>&1 ||
	{ cat "$TROOT/go-build.log"; die "render tool does not build"; }

# jsq FILE EXPR: evaluate a JavaScript expression over a render's objects
# (M: all of them, f(kind, name): one); strings print raw, others as JSON.
jsq() {
	node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1]));
const M=j.manifests.map((m)=>m.object);
const f=(k,n)=>M.find((o)=>o.kind===k&&o.metadata.name===n);
const r=eval(process.argv[2]);
process.stdout.write(typeof r==="string"?r:JSON.stringify(r));' "$1" "$2"
}
# code URL: the HTTP status; the body goes to $TROOT/body.
code() { curl -s -m 5 -o "$TROOT/body" -w '%{http_code}' "$1"; }
body() { cat "$TROOT/body"; }
# stop_pid PID NAME WANT-RC: SIGTERM, wait (10 s at most) by PID, check the exit code.
stop_pid() {
	kill -TERM "$1"
	local i
	for ((i = 0; i < 100; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$1" 2>/dev/null; then
		fail "$2 exits within 10 s of SIGTERM"
		kill -KILL "$1"
	fi
	wait "$1"
	is "$?" "$3" "$2 exits $3 on SIGTERM"
}
# sanitizer_clean LOG NAME
sanitizer_clean() {
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$1"; then
		fail "$2: no sanitizer report"
		grep -E -A5 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$1" | head -20
	else
		pass "$2: no sanitizer report"
	fi
}

# A stub HTTP server on 127.0.0.1 serving files: an empty S3 bucket (every
# object 404) and, for the status check, fixed connector answers.
STUB=$TROOT/stub-http
mkdir -p "$STUB/connectors/app-capture" "$STUB/connectors/app-archive"
SP=$(free_port) || die "no free port"
python3 -m http.server --bind 127.0.0.1 --directory "$STUB" "$SP" >"$TROOT/stub-http.log" 2>&1 &
t_track_pid $!
wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$SP/" || die "stub HTTP server did not start"

# sluice_args ENV ROLE PROPS HTTP-PORT: the command line, every host in the
# rendered properties overridden to 127.0.0.1.
sluice_args() {
	local env=$1 role=$2 props=$3 hp=$4
	ARGS=("$role" -c "$props" -D "http.listen=127.0.0.1:$hp" -D "offset.storage.dir=$TROOT/state-$env-$role"
		-D "kafka.bootstrap.servers=127.0.0.1:$(free_port)")
	if [ "$role" = capture ]; then
		ARGS+=(-D database.hostname=127.0.0.1 -D "database.port=$(free_port)")
	else
		ARGS+=(-D "s3.endpoint=http://127.0.0.1:$SP" -D s3.path.style.access=true)
	fi
}
SLUICE_ENV=(POSTGRES_USER=u POSTGRES_PASSWORD=p AWS_ACCESS_KEY_ID=stub-access AWS_SECRET_ACCESS_KEY=stub-secret)
# loopback_bad PROPS: what in the effective configuration (--print-config
# with ARGS) is not 127.0.0.1: a host key with another address, a host of
# the rendered properties still there, virtual-hosted S3 (bucket.host, a
# DNS lookup).  Empty when only loopback is left.
loopback_bad() {
	local props=$1 cfg bad="" k v
	cfg=$(env "${SLUICE_ENV[@]}" "$SLUICE" "${ARGS[@]}" --print-config 2>&1) || { echo "--print-config failed: $(tail -3 <<<"$cfg")"; return; }
	while IFS='=' read -r k v; do
		v=${v%%  # default}
		case "$k" in
		*hostname | *servers | *endpoint | *listen)
			[[ "$v" =~ ^(http://)?127\.0\.0\.1(:[0-9]+)?$ ]] || bad+=" $k=$v" ;;
		esac
	done <<<"$cfg"
	while IFS='=' read -r k v; do
		case "$k" in *hostname | *servers | *endpoint) [[ "$cfg" != *"${v%:*}"* ]] || bad+=" still:$v" ;; esac
	done <"$props"
	if [[ "${ARGS[0]}" == archive ]] && ! grep -qx 's3.path.style.access.enabled=true' <<<"$cfg"; then bad+=" virtual-hosted-S3"; fi
	echo "$bad"
}
# loopback_only NAME PROPS: a check that loopback_bad finds nothing; the
# test starts sluice only then.
loopback_only() {
	local bad
	bad=$(loopback_bad "$2")
	is "$bad" "" "$1: every host is overridden to 127.0.0.1 (checked in --print-config)"
	[ -z "$bad" ]
}

# The guard itself: each missing override is caught.
"$RENDER" -chart "$CHART" -f "$CHART/values-prod.yaml" -namespace data-platform-prod >"$TROOT/guard.json" || die "prod render"
for role in capture archive; do
	jsq "$TROOT/guard.json" "f('ConfigMap','data-platform-$role').data['$role.properties']" >"$TROOT/guard-$role.properties"
done
# drop_override KEY: remove `-D KEY=...` from ARGS.
drop_override() {
	local a=() i
	for ((i = 0; i < ${#ARGS[@]}; i++)); do
		if [ "${ARGS[i]}" = -D ] && [[ "${ARGS[i + 1]}" == "$1="* ]]; then
			i=$((i + 1))
			continue
		fi
		a+=("${ARGS[i]}")
	done
	ARGS=("${a[@]}")
}
sluice_args prod capture "$TROOT/guard-capture.properties" 1
drop_override database.hostname
is "$(loopback_bad "$TROOT/guard-capture.properties")" " database.hostname=postgres.prod.internal still:postgres.prod.internal" \
	"guard: a database host left as rendered is caught"
sluice_args prod archive "$TROOT/guard-archive.properties" 1
drop_override kafka.bootstrap.servers
is "$(loopback_bad "$TROOT/guard-archive.properties")" " kafka.bootstrap.servers=data-platform-redpanda.data-platform-prod.svc.cluster.local:9092 still:data-platform-redpanda.data-platform-prod.svc.cluster.local:9092" \
	"guard: a broker left as rendered is caught"
sluice_args prod archive "$TROOT/guard-archive.properties" 1
drop_override s3.path.style.access
is "$(loopback_bad "$TROOT/guard-archive.properties")" " virtual-hosted-S3" "guard: virtual-hosted S3 (a DNS name per bucket) is caught"

# --- probes, per environment and role -----------------------------------------
for env in dev staging prod; do
	out=$TROOT/$env.json
	"$RENDER" -chart "$CHART" -f "$CHART/values-$env.yaml" -namespace "data-platform-$env" >"$out" 2>"$TROOT/$env.err" ||
		{ cat "$TROOT/$env.err"; fail "$env: chart renders"; continue; }
	for role in capture archive; do
		id="$env $role"
		props=$TROOT/$env-$role.properties
		jsq "$out" "f('ConfigMap','data-platform-$role').data['$role.properties']" >"$props"
		dep="f('Deployment','data-platform-$role')"
		ctr="$dep.spec.template.spec.containers[0]"
		live=$(jsq "$out" "$ctr.livenessProbe.httpGet.path")
		ready=$(jsq "$out" "$ctr.readinessProbe.httpGet.path")
		startup=$(jsq "$out" "$ctr.startupProbe.httpGet.path")
		metrics=$(jsq "$out" "$dep.spec.template.metadata.annotations['prometheus.io/path']")
		name=$(sed -n 's/^name=//p' "$props")
		# The probes' named port is the port sluice listens on in the pod.
		pport=$(jsq "$out" "(()=>{const c=$ctr;const n=c.livenessProbe.httpGet.port;return String(c.ports.find((p)=>p.name===n).containerPort)})()")
		is "$(sed -n 's/^http.listen=.*://p' "$props")" "$pport" "$id: the probes' port (containerPort $pport) is the port of the rendered http.listen"
		is "$(jsq "$out" "[$ctr.readinessProbe.httpGet.port,$ctr.startupProbe.httpGet.port,$dep.spec.template.metadata.annotations['prometheus.io/port']].join(' ')")" \
			"http http $pport" "$id: readiness, startup and scrape use that port too"

		hp=$(free_port) || die "no free port"
		sluice_args "$env" "$role" "$props" "$hp"
		loopback_only "$id" "$props" || continue
		log=$TROOT/$env-$role
		env "${SLUICE_ENV[@]}" "$SLUICE" "${ARGS[@]}" >"$log.out" 2>"$log.err" &
		pid=$!
		t_track_pid "$pid"
		H=http://127.0.0.1:$hp
		if ! wait_for 20 curl -sf -o /dev/null "$H$live"; then
			fail "$id: sluice $role serves the liveness path $live"
			tail -5 "$log.err"
			kill "$pid"
			continue
		fi
		if [ "$role" = capture ]; then
			want_ready='^\{"status":"NOT_READY","state":"UNASSIGNED","reason":"(connecting|postgres unreachable: retrying)"\}$'
		else
			# The S3 stub answers first; the broker is the closed port.
			want_ready='^\{"status":"NOT_READY","state":"RUNNING","reason":"joining the consumer group"\}$'
		fi
		# shellcheck disable=SC2317 # called through wait_for
		ready_is() { [ "$(code "$H$ready")" = 503 ] && [[ "$(body)" =~ $want_ready ]]; }
		wait_for 20 ready_is || true
		sleep 1 # a few retries later: still alive, still not ready
		is "$(code "$H$live")" 200 "$id: livenessProbe $live answers 200 while not connected"
		is "$(body)" '{"status":"UP"}' "$id: $live body"
		is "$(code "$H$startup")" 200 "$id: startupProbe $startup answers 200"
		is "$(code "$H$ready")" 503 "$id: readinessProbe $ready answers 503 while not connected"
		like "$(body)" "$want_ready" "$id: $ready says why"
		c=$(code "$H$metrics")
		like "$c $(body)" '^200 .*sluice_connector_ready 0' "$id: the scrape annotation's path $metrics is served (connector_ready 0)"
		is "$(code "$H/connectors/$name/status")" 200 "$id: /connectors/$name/status (the status check's URL) answers"
		kill -0 "$pid" 2>/dev/null
		is "$?" 0 "$id: still running while retrying"
		stop_pid "$pid" "$id" 0
		sanitizer_clean "$log.err" "$id"
	done
done

# --- the connector status check (PostSync / post-install Job) ----------------
CHK=$TROOT/check.json
"$RENDER" -chart "$CHART" -f "$CHART/values-dev.yaml" -namespace data-platform-dev \
	-set statusCheck.attempts=3 -set statusCheck.intervalSeconds=1 >"$CHK" || die "status check render"
job="f('Job','data-platform-connector-status').spec.template.spec.containers[0]"
mapfile -t CMD < <(jsq "$CHK" "$job.command.join('\n')")
SCRIPT=$(jsq "$CHK" "$job.args[0]")
is "${CMD[*]}" "/bin/sh -c" "status check: the Job runs /bin/sh -c SCRIPT"
CAP_SVC=http://data-platform-capture:8083
ARC_SVC=http://data-platform-archive:8083
check "status check: the script polls both Services" test "${SCRIPT/"$CAP_SVC"/}" != "$SCRIPT" -a "${SCRIPT/"$ARC_SVC"/}" != "$SCRIPT"
# run_check CAPTURE-BASE ARCHIVE-BASE: the script with the Service URLs
# replaced; sets RC, OUT (stdout), ERR (stderr), TOOK (seconds).
run_check() {
	local s=${SCRIPT//"$CAP_SVC"/$1}
	s=${s//"$ARC_SVC"/$2}
	if [[ "$s" == *data-platform-* ]]; then
		fail "status check: every URL points at 127.0.0.1"
		RC=99 OUT="" ERR=""
		return
	fi
	local t0=$SECONDS
	timeout 60 "${CMD[@]}" "$s" >"$TROOT/check.out" 2>"$TROOT/check.err"
	RC=$?
	TOOK=$((SECONDS - t0))
	OUT=$(cat "$TROOT/check.out")
	ERR=$(cat "$TROOT/check.err")
}
STUB_URL=http://127.0.0.1:$SP
running() { printf '{"name":"%s","connector":{"state":"%s","worker_id":"10.0.0.7:8083"},"tasks":[{"id":0,"state":"%s","worker_id":"10.0.0.7:8083"}],"type":"%s"}' "$1" "$2" "$2" "$3"; }
running app-capture RUNNING source >"$STUB/connectors/app-capture/status"
running app-archive RUNNING sink >"$STUB/connectors/app-archive/status"
printf '{"status":"READY","state":"RUNNING"}' >"$STUB/readyz"

run_check "$STUB_URL" "$STUB_URL"
is "$RC" 0 "status check: exits 0 when both connectors are RUNNING and ready"
is "$OUT" "RUNNING: $STUB_URL/connectors/app-capture/status"$'\n'"RUNNING: $STUB_URL/connectors/app-archive/status" "status check: says so for each"

# A FAILED capture: the real binary, PostgreSQL a closed port, one retry.
hp=$(free_port)
pgc=$(free_port)
sluice_args dev capture "$TROOT/dev-capture.properties" "$hp"
ARGS+=(-D "database.port=$pgc" -D errors.max.retries=1)
if loopback_only "status check: failing capture" "$TROOT/dev-capture.properties"; then
	env "${SLUICE_ENV[@]}" "$SLUICE" "${ARGS[@]}" >"$TROOT/failed.out" 2>"$TROOT/failed.err" &
	pid=$!
	t_track_pid "$pid"
	H=http://127.0.0.1:$hp
	# shellcheck disable=SC2317 # called through wait_for
	failed() { code "$H/connectors/app-capture/status" >/dev/null && [[ "$(body)" == *'"connector":{"state":"FAILED"'* ]]; }
	check "capture with errors.max.retries=1 and no PostgreSQL is FAILED" wait_for 30 failed
	is "$(code "$H/healthz")" 200 "a FAILED capture stays live (liveness 200: it serves its status, no restart loop)"
	is "$(code "$H/readyz")" 503 "a FAILED capture is not ready"
	run_check "$H" "$STUB_URL"
	is "$RC" 1 "status check: exits 1 on a FAILED connector"
	like "$ERR" "^connector at $H/connectors/app-capture/status is FAILED: \{\"name\":\"app-capture\",\"connector\":\{\"state\":\"FAILED\",.*\"trace\":\"could not connect to PostgreSQL at 127\.0\.0\.1:$pgc as " \
		"status check: prints the FAILED status body with its trace, verbatim"
	check "status check: stops at once on FAILED (${TOOK}s, no waiting for the attempts)" test "$TOOK" -lt 3
	is "$OUT" "" "status check: reports nothing as RUNNING"
	stop_pid "$pid" "FAILED capture" 1
	sanitizer_clean "$TROOT/failed.err" "FAILED capture"
fi

# An archive that is RUNNING but not ready (no broker to join a group on).
hp=$(free_port)
sluice_args dev archive "$TROOT/dev-archive.properties" "$hp"
if loopback_only "status check: archive without a broker" "$TROOT/dev-archive.properties"; then
	env "${SLUICE_ENV[@]}" "$SLUICE" "${ARGS[@]}" >"$TROOT/joining.out" 2>"$TROOT/joining.err" &
	pid=$!
	t_track_pid "$pid"
	H=http://127.0.0.1:$hp
	# shellcheck disable=SC2317 # called through wait_for
	joining() { [ "$(code "$H/readyz")" = 503 ] && [[ "$(body)" == *'joining the consumer group'* ]]; }
	check "archive without a broker: RUNNING, not ready yet" wait_for 20 joining
	run_check "$STUB_URL" "$H"
	is "$RC" 1 "status check: exits 1 when a RUNNING connector never becomes ready"
	is "$OUT" "RUNNING: $STUB_URL/connectors/app-capture/status" "status check: capture passed first"
	like "$ERR" "^connector at $H/connectors/app-archive/status is not RUNNING and ready after 3 attempts: \{\"name\":\"app-archive\",\"connector\":\{\"state\":\"RUNNING\".*; $H/readyz: \{\"status\":\"NOT_READY\",\"state\":\"RUNNING\",\"reason\":\"joining the consumer group\"\}$" \
		"status check: prints the last status and readiness answers"
	stop_pid "$pid" "archive joining" 0
	sanitizer_clean "$TROOT/joining.err" "archive joining"
fi

# PAUSED, then nothing listening.
running app-archive PAUSED sink >"$STUB/connectors/app-archive/status"
run_check "$STUB_URL" "$STUB_URL"
is "$RC" 1 "status check: exits 1 on a connector that stays PAUSED"
like "$ERR" "^connector at $STUB_URL/connectors/app-archive/status is not RUNNING and ready after 3 attempts: \{\"name\":\"app-archive\",\"connector\":\{\"state\":\"PAUSED\"" \
	"status check: prints the PAUSED body"
check "status check: PAUSED is polled until the attempts run out (${TOOK}s)" test "$TOOK" -ge 2
closed=http://127.0.0.1:$(free_port)
run_check "$STUB_URL" "$closed"
is "$RC" 1 "status check: exits 1 when nothing answers"
like "$ERR" "^connector at $closed/connectors/app-archive/status is not RUNNING and ready after 3 attempts: curl: \(7\) " \
	"status check: prints curl's error when nothing answers"

finish
