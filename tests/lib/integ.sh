# tests/lib/integ.sh -- shared helpers for integration tests (bash).
#
# Source it first thing:   . "$(dirname "$0")/../lib/integ.sh"
# It creates $TROOT (a scratch dir), stops every server it started by PID
# on exit, and counts checks; end the script with `finish`, which prints
# the "N passed, N failed" line tests/run.sh reads.
# Servers bind 127.0.0.1 only; ports are picked free per run.
set -u
SRC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
SLUICE=${SLUICE:-$SRC_ROOT/$BUILD/sluice}
TROOT=$(mktemp -d /tmp/sluice-test.XXXXXX)
chmod 755 "$TROOT"
T_PASS=0
T_FAIL=0
T_PIDS=()
T_CLEANUPS=()

_t_cleanup() {
	local i
	for ((i = ${#T_CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${T_CLEANUPS[$i]}" >/dev/null 2>&1 || true; done
	for p in "${T_PIDS[@]+"${T_PIDS[@]}"}"; do kill "$p" 2>/dev/null || true; done
	sleep 0.2
	for p in "${T_PIDS[@]+"${T_PIDS[@]}"}"; do kill -9 "$p" 2>/dev/null || true; done
	[ -n "${KEEP_TROOT:-}" ] || rm -rf "$TROOT"
}
trap _t_cleanup EXIT
trap 'exit 130' INT TERM

# Record a PID to be killed on exit.
t_track_pid() { T_PIDS+=("$1"); }
# Record a shell command to run on exit (run in reverse order).
t_on_exit() { T_CLEANUPS+=("$1"); }

pass() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }
# check NAME CMD...: pass if CMD exits 0.
check() { local n=$1; shift; if "$@"; then pass "$n"; else fail "$n"; fi; }
# is GOT WANT NAME
is() {
	if [ "$1" == "$2" ]; then pass "$3"; else
		fail "$3"; echo "#   got:  $(printf '%s' "$1" | head -c 2000)"; echo "#   want: $(printf '%s' "$2" | head -c 2000)"; fi
}
# like GOT REGEX NAME
like() {
	if [[ "$1" =~ $2 ]]; then pass "$3"; else
		fail "$3"; echo "#   got:  $(printf '%s' "$1" | head -c 2000)"; echo "#   want match: $2"; fi
}
finish() { echo "$T_PASS passed, $T_FAIL failed"; [ "$T_FAIL" -eq 0 ]; exit $?; }
die() { echo "error: $*" >&2; fail "$*"; finish; }

# free_port: print a TCP port that nothing listens on, below the kernel's
# ephemeral range (32768+ by default).  A port in that range can be the
# local end of some outgoing connection at any moment: nothing answers on
# it, yet a listener cannot bind it.
free_port() {
	local p lo=20000 hi=32768 eph
	read -r eph _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || eph=32768
	[ "$eph" -gt $((lo + 2000)) ] && hi=$eph
	for _ in $(seq 1 200); do
		p=$((lo + RANDOM % (hi - lo)))
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "$p"; return 0; fi
	done
	return 1
}

# T_SCALE: a factor for every deadline (wait_for) and t_sleep, for slow or
# loaded machines (T_SCALE=3 tests/run.sh all).  Default 1; decimals work.
T_SCALE=${T_SCALE:-1}
export T_SCALE
# t_scaled SECONDS: SECONDS times T_SCALE, rounded up to a whole second.
t_scaled() { awk -v s="$1" -v k="$T_SCALE" 'BEGIN { v = s * k; r = int(v); if (r < v) r++; print r }'; }
# t_sleep SECONDS: sleep SECONDS times T_SCALE (waits that let time pass on
# purpose, e.g. "nothing flows while paused").
t_sleep() { sleep "$(awk -v s="$1" -v k="$T_SCALE" 'BEGIN { print s * k }')"; }

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds, for at
# most SECONDS (times T_SCALE).
wait_for() {
	local limit
	limit=$(t_scaled "$1"); shift
	local end=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.1
	done
}

# --- PostgreSQL 15 -----------------------------------------------------------
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
# pg_start [extra postgresql.conf lines...]: initdb + start; exports PGHOST,
# PGPORT, PGUSER, PGDATABASE for psql and sluice.  Runs as user pgtest.
pg_start() {
	id pgtest >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin pgtest
	PGPORT=$(free_port)
	PGROOT=$TROOT/pg
	mkdir -p "$PGROOT"
	chown pgtest: "$PGROOT"
	runuser -u pgtest -- "$PGBIN/initdb" -D "$PGROOT/data" -U postgres --auth=trust -E UTF8 \
		--locale=C.UTF-8 >"$PGROOT/initdb.log" 2>&1 || { cat "$PGROOT/initdb.log"; return 1; }
	{
		echo "listen_addresses = '127.0.0.1'"
		echo "port = $PGPORT"
		echo "unix_socket_directories = '$PGROOT'"
		echo "wal_level = logical"
		echo "max_replication_slots = 10"
		echo "max_wal_senders = 10"
		echo "fsync = off"
		echo "full_page_writes = off"
		for l in "$@"; do echo "$l"; done
	} >>"$PGROOT/data/postgresql.conf"
	pg_ctl_start || return 1
	export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGDATABASE=postgres
	t_on_exit "pg_stop"
}
pg_ctl_start() {
	runuser -u pgtest -- "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 60 start >/dev/null ||
		{ tail -20 "$PGROOT/server.log"; return 1; }
}
pg_stop() {
	[ -n "${PGROOT:-}" ] && [ -f "$PGROOT/data/postmaster.pid" ] &&
		runuser -u pgtest -- "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null 2>&1
	return 0
}
# psqlc SQL: run SQL quietly, print tuples only (unaligned).
psqlc() { psql -X -q -v ON_ERROR_STOP=1 -At -c "$1"; }
# slot_active SLOT: the replication slot exists and a client streams from it
# (poll it with wait_for: then nothing written afterwards is missed).
slot_active() { [ "$(psqlc "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = '$1'")" = 1 ]; }

# --- Kafka API: librdkafka's mock cluster ------------------------------------
# kafka_start [NBROKERS [TOPIC:PARTITIONS...]]: starts tools/mockbroker (topics
# pre-created with that many partitions); exports KAFKA_BOOTSTRAP.
# Faults: kill -USR1 $KAFKA_PID takes every broker down (connections closed
# and refused), kill -USR2 $KAFKA_PID brings them back with their data;
# kill -STOP / -CONT freezes them.
kafka_start() {
	local out=$TROOT/mockbroker.out
	"$SRC_ROOT/$BUILD/tools/mockbroker" "${1:-1}" "${@:2}" >"$out" 2>"$TROOT/mockbroker.err" &
	KAFKA_PID=$!
	t_track_pid "$KAFKA_PID"
	wait_for 10 grep -q . "$out" || { cat "$TROOT/mockbroker.err"; return 1; }
	KAFKA_BOOTSTRAP=$(head -n 1 "$out")
	export KAFKA_BOOTSTRAP
}
