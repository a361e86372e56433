# tests/lib/rgw.sh -- a single-node Ceph RGW for S3 tests (bash, source-able).
#
#   . tests/lib/integ.sh; . tests/lib/rgw.sh
#   rgw_start            # exports S3_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
#   rgw_stop_gateway     # stop only radosgw (fault tests); rgw_start_gateway restarts it
#
# One monitor, one memstore OSD (RAM only), no cephx between daemons, and
# radosgw's beast frontend on a free 127.0.0.1 port.  `rgw dns name =
# localhost` enables virtual-host addressing as http://BUCKET.localhost:PORT
# (curl resolves *.localhost to loopback itself).  RGW checks SigV4
# signatures for real.  Daemons daemonize and write pid files under
# $RGW_DIR/run; cleanup stops them in order (rgw, osd, mon), each by PID,
# waiting for it to exit -- killing all at once can hang radosgw.
# Needs integ.sh sourced first ($TROOT, free_port, t_on_exit).

RGW_ACCESS_KEY=${RGW_ACCESS_KEY:-TESTKEY}
RGW_SECRET_KEY=${RGW_SECRET_KEY:-TESTSECRET}

_rgw_c() { echo "-c $RGW_DIR/ceph.conf"; }

# PIDs are also remembered as daemons start, so cleanup still stops them
# by PID if their pid files are gone.
declare -gA RGW_PIDS=()
_rgw_remember() {
	local f=$RGW_DIR/run/$1.pid
	wait_for 10 test -s "$f" && RGW_PIDS[$1]=$(cat "$f")
}

# _rgw_stop_pid NAME: stop the daemon NAME (pid file $RGW_DIR/run/NAME.pid).
_rgw_stop_pid() {
	local f=$RGW_DIR/run/$1.pid p i
	p=$(cat "$f" 2>/dev/null) || p=${RGW_PIDS[$1]:-}
	unset "RGW_PIDS[$1]"
	[ -n "$p" ] || return 0
	kill "$p" 2>/dev/null || { rm -f "$f"; return 0; }
	for ((i = 0; i < 150; i++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.2
	done
	kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null
	rm -f "$f"
	return 0
}

rgw_stop() {
	[ -n "${RGW_DIR:-}" ] || return 0
	local n
	for n in client.rgw.a osd.0 mon.a; do _rgw_stop_pid "$n"; done
}

rgw_stop_gateway() { _rgw_stop_pid client.rgw.a; }

rgw_start_gateway() {
	radosgw $(_rgw_c) -n client.rgw.a || { echo "rgw_start: radosgw failed" >&2; return 1; }
	_rgw_remember client.rgw.a
	wait_for 60 curl -s -o /dev/null "http://127.0.0.1:$RGW_PORT/" || {
		echo "radosgw did not answer on port $RGW_PORT" >&2
		tail -20 "$RGW_DIR/log/client.rgw.a.log" >&2
		return 1
	}
}

rgw_start() {
	local mon_port fsid
	for b in radosgw ceph-mon ceph-osd ceph monmaptool ceph-authtool radosgw-admin uuidgen; do
		command -v "$b" >/dev/null || { echo "rgw_start: $b not installed (scripts/deps.sh)" >&2; return 1; }
	done
	RGW_DIR=$TROOT/ceph
	mkdir -p "$RGW_DIR"/{mon,osd0,run,log}
	mon_port=$(free_port) || return 1
	RGW_PORT=$(free_port) || return 1
	while [ "$RGW_PORT" = "$mon_port" ]; do RGW_PORT=$(free_port); done
	fsid=$(uuidgen)
	printf '%s\n' '[global]' "fsid = $fsid" "mon host = v1:127.0.0.1:$mon_port" 'mon initial members = a' \
		'public addr = 127.0.0.1' 'public network = 127.0.0.0/8' 'ms bind msgr2 = false' \
		'auth cluster required = none' 'auth service required = none' 'auth client required = none' \
		'osd pool default size = 1' 'osd pool default min size = 1' 'osd pool default pg num = 8' \
		'osd pool default pgp num = 8' 'mon allow pool size one = true' 'mon max pg per osd = 1000' \
		"run dir = $RGW_DIR/run" "pid file = $RGW_DIR/run/\$name.pid" "log file = $RGW_DIR/log/\$name.log" \
		"admin socket = $RGW_DIR/run/\$name.asok" "keyring = $RGW_DIR/keyring" \
		'osd objectstore = memstore' 'memstore device bytes = 1073741824' "osd data = $RGW_DIR/osd\$id" \
		"mon data = $RGW_DIR/mon" '[client.rgw.a]' "rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT" 'rgw dns name = localhost' \
		>"$RGW_DIR/ceph.conf"
	t_on_exit rgw_stop
	ceph-authtool --create-keyring "$RGW_DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null || { echo "rgw_start: ceph-authtool failed" >&2; return 1; }
	monmaptool --create --add a "v1:127.0.0.1:$mon_port" --fsid "$fsid" "$RGW_DIR/monmap" >/dev/null || { echo "rgw_start: monmaptool failed" >&2; return 1; }
	ceph-mon $(_rgw_c) --mkfs -i a --monmap "$RGW_DIR/monmap" --keyring "$RGW_DIR/keyring" || { echo "rgw_start: ceph-mon failed" >&2; return 1; }
	ceph-mon $(_rgw_c) -i a || { echo "rgw_start: ceph-mon failed" >&2; return 1; }
	_rgw_remember mon.a
	wait_for 60 ceph $(_rgw_c) --connect-timeout 2 mon stat || { echo "ceph-mon did not start" >&2; return 1; }
	local osd
	osd=$(ceph $(_rgw_c) osd create) || { echo "rgw_start: ceph osd create failed" >&2; return 1; }
	# mkfs now and then fails while the new monitor settles: retry a few times.
	local try
	for try in 1 2 3 4 5; do
		ceph-osd $(_rgw_c) -i "$osd" --mkfs >>"$RGW_DIR/log/osd-mkfs.out" 2>&1 &&
			ceph-osd $(_rgw_c) -i "$osd" >>"$RGW_DIR/log/osd-mkfs.out" 2>&1 && _rgw_remember "osd.$osd" && break
		[ "$try" = 5 ] && { echo "rgw_start: ceph-osd failed" >&2; tail -5 "$RGW_DIR/log/osd-mkfs.out" >&2; return 1; }
		sleep 1
	done
	rgw_start_gateway || return 1
	radosgw-admin $(_rgw_c) user create --uid=test --display-name=test \
		--access-key="$RGW_ACCESS_KEY" --secret="$RGW_SECRET_KEY" >/dev/null || { echo "rgw_start: radosgw-admin user create failed" >&2; return 1; }
	S3_ENDPOINT=http://127.0.0.1:$RGW_PORT
	AWS_ACCESS_KEY_ID=$RGW_ACCESS_KEY
	AWS_SECRET_ACCESS_KEY=$RGW_SECRET_KEY
	export S3_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY RGW_PORT RGW_DIR
}

# rgw_mb BUCKET: create a bucket with a signed request from our own client
# path (storectl has no bucket command; curl's --aws-sigv4 is fine for a
# plain PUT with no query string).
rgw_mb() {
	curl -sf -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
		-H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
		"$S3_ENDPOINT/$1" -o /dev/null
}
