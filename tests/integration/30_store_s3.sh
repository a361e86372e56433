#!/usr/bin/env bash
# 30_store_s3.sh -- the S3 store against a real Ceph RGW (which checks
# SigV4 signatures): put/get, list with continuation, head, multipart with
# 3 parts, abort, crash mid-upload, conditional create, auth and not-found
# errors, and faults (a failing proxy in front of RGW; RGW stopped).
. "$(dirname "$0")/../lib/integ.sh"
. "$(dirname "$0")/../lib/rgw.sh"

SC=$SRC_ROOT/$BUILD/tools/storectl
FP=$SRC_ROOT/$BUILD/tools/faultproxy
[ -x "$SC" ] && [ -x "$FP" ] || die "build storectl and faultproxy first (make build-tests)"
rgw_start || die "could not start Ceph RGW"
rgw_mb sluice-test || die "could not create bucket"

S3=(--endpoint "$S3_ENDPOINT" --path-style)
URL=s3://sluice-test/lake
sc() { "$SC" "${S3[@]}" "$@"; }
# not_listed KEY: KEY is not among the in-progress multipart uploads.
not_listed() { ! sc s3://sluice-test uploads | grep -qx "$1"; }

# --- put / get / head --------------------------------------------------------
printf 'hello, object store\n' >"$TROOT/small"
is "$(sc $URL put dir/small.txt "$TROOT/small")" ok "put small object"
sc $URL get dir/small.txt >"$TROOT/small.back"
check "get returns the same bytes" cmp -s "$TROOT/small" "$TROOT/small.back"
is "$(sc $URL head dir/small.txt)" "exists 20" "head: exists with size"
is "$(sc $URL head dir/missing.txt)" "absent" "head: absent key"
out=$(sc $URL get dir/missing.txt 2>&1)
like "$out" "SL_ERR_NOTFOUND.*NoSuchKey" "get of a missing key is SL_ERR_NOTFOUND with the S3 code"
# A key with characters that need encoding in the path and the signature.
printf 'x' >"$TROOT/one"
is "$(sc $URL put 'odd/a b+c=d&e$f~g.txt' "$TROOT/one")" ok "put a key needing URI encoding"
is "$(sc $URL head 'odd/a b+c=d&e$f~g.txt')" "exists 1" "head the encoded key"
# Virtual-host addressing: the bucket goes in the host name.
VH=(--endpoint "http://localhost:$RGW_PORT")
is "$("$SC" "${VH[@]}" $URL get dir/small.txt)" "hello, object store" "virtual-host style get"
is "$("$SC" "${VH[@]}" $URL put vhost/k "$TROOT/one")" ok "virtual-host style put"
is "$(sc $URL list vhost/)" "vhost/k 1" "virtual-host put is visible path-style"

# --- list with continuation (through a pass-through proxy, to count pages) ---
for i in 1 2 3 4 5 6 7; do sc $URL put "many/k$i" "$TROOT/one" >/dev/null; done
"$FP" "$TROOT/fp0.port" "$RGW_PORT" 2>"$TROOT/fp0.log" &
FP0=$!
t_track_pid $FP0
wait_for 10 test -s "$TROOT/fp0.port" || die "faultproxy did not start"
P0=http://127.0.0.1:$(cat "$TROOT/fp0.port")
got=$("$SC" --endpoint "$P0" --path-style --max-keys 2 $URL list many/ | tr '\n' ' ')
is "$got" "many/k1 1 many/k2 1 many/k3 1 many/k4 1 many/k5 1 many/k6 1 many/k7 1 " \
	"list with max-keys 2 returns all 7 keys in order"
is "$(grep -c 'list-type=2' "$TROOT/fp0.log")" 4 "listing took 4 pages (continuation tokens followed)"
is "$(sc $URL list nothing-here/ | wc -l)" 0 "empty prefix lists nothing"

# --- multipart: 3 parts of 5 MiB minimum ------------------------------------
head -c 12000000 /dev/urandom >"$TROOT/big"
: >"$TROOT/fp0.log"
is "$("$SC" --endpoint "$P0" --path-style --part-size 5242880 $URL put big/three-parts "$TROOT/big")" ok \
	"multipart put (12 MB, 5 MiB parts)"
is "$(grep -c 'partNumber=' "$TROOT/fp0.log")" 3 "exactly 3 parts were uploaded"
is "$(grep -c 'POST .*uploads' "$TROOT/fp0.log")" 1 "one multipart upload was created"
sc $URL get big/three-parts >"$TROOT/big.back"
check "multipart object reads back identical" cmp -s "$TROOT/big" "$TROOT/big.back"
is "$(sc $URL head big/three-parts)" "exists 12000000" "multipart object has the full size"
kill "$FP0" 2>/dev/null

# --- abort and crash: nothing partial is visible -----------------------------
is "$(sc --part-size 5242880 $URL abort big/aborted "$TROOT/big")" aborted "abort after 2 parts (twice: idempotent)"
is "$(sc $URL head big/aborted)" absent "aborted upload left no object"
check "aborted upload is gone from the in-progress list" not_listed lake/big/aborted
sc --part-size 5242880 --crash-after 6000000 $URL put big/crashed "$TROOT/big"
is "$?" 3 "writer killed mid-upload (after one part)"
is "$(sc $URL head big/crashed)" absent "no partial object visible after a crash"
like "$(sc s3://sluice-test uploads)" "lake/big/crashed" \
	"the crashed upload is only an in-progress multipart upload (invisible)"

# --- conditional create (If-None-Match: *) ----------------------------------
printf 'first\n' >"$TROOT/v1"
printf 'second\n' >"$TROOT/v2"
is "$(sc --if-none-match --inm-native 1 $URL put cond/a "$TROOT/v1")" ok "conditional put creates"
is "$(sc --if-none-match --inm-native 1 $URL put cond/a "$TROOT/v2")" existed \
	"conditional PutObject on an existing key: RGW answers 412, reported as existed"
is "$(sc $URL get cond/a)" first "the existing object was not replaced"
# Multipart: does RGW enforce If-None-Match on CompleteMultipartUpload?
sc --part-size 5242880 $URL put cond/big "$TROOT/big" >/dev/null
# (Informational: Ceph 16.2 answers "ok" here -- it ignores the header on
# Complete and replaces the object -- which is why --inm-native defaults
# to "unknown" and the store adds a HEAD check before completing.)
native=$(sc --if-none-match --inm-native 1 --part-size 5242880 $URL put cond/big "$TROOT/big")
echo "# RGW with If-None-Match on CompleteMultipartUpload alone (no HEAD check) says: $native"
sc --part-size 5242880 $URL put cond/big2 "$TROOT/big" >/dev/null
is "$(sc --if-none-match --part-size 5242880 $URL put cond/big2 "$TROOT/big")" existed \
	"conditional multipart put with the HEAD fallback reports existed"
sc $URL get cond/big2 >"$TROOT/big2.back"
check "conditional multipart put left the first object" cmp -s "$TROOT/big" "$TROOT/big2.back"
check "the refused multipart upload was aborted" not_listed lake/cond/big2

# --- errors: wrong secret, missing bucket ------------------------------------
out=$(AWS_SECRET_ACCESS_KEY=not-the-secret-xyz "$SC" "${S3[@]}" $URL put auth/x "$TROOT/one" 2>&1)
like "$out" "SL_ERR_AUTH.*SignatureDoesNotMatch.*HTTP 403" "wrong secret: SL_ERR_AUTH with SignatureDoesNotMatch"
check "the secret is not in the message" test "${out/not-the-secret-xyz/}" == "$out"
out=$(sc s3://no-such-bucket-here/p put x "$TROOT/one" 2>&1)
like "$out" "SL_ERR_NOTFOUND.*NoSuchBucket" "missing bucket: SL_ERR_NOTFOUND with NoSuchBucket"

# --- faults: a failing proxy in front of RGW ---------------------------------
# Requests 2-4 fail (503 SlowDown, 500, dropped connection): the client
# retries the same request and the upload completes.
"$FP" "$TROOT/fp1.port" "$RGW_PORT" 503=2 500=3 drop=4 2>"$TROOT/fp1.log" &
t_track_pid $!
wait_for 10 test -s "$TROOT/fp1.port" || die "faultproxy did not start"
P1=http://127.0.0.1:$(cat "$TROOT/fp1.port")
"$SC" --endpoint "$P1" --path-style --part-size 5242880 --backoff-ms 20 $URL put fault/retried "$TROOT/big" \
	>"$TROOT/f1.out" 2>"$TROOT/f1.err"
is "$(cat "$TROOT/f1.out")" ok "upload through failing proxy succeeds"
is "$(grep -c 'retrying' "$TROOT/f1.err")" 1 "retrying is logged once, not per attempt"
like "$(cat "$TROOT/f1.err")" "recovered after 3 retries" "recovery is logged with the retry count"
is "$(grep -c -E ' (503|500|drop) ' "$TROOT/fp1.log")" 3 "the proxy injected 3 failures"
sc $URL get fault/retried >"$TROOT/f1.back"
check "retried upload reads back identical" cmp -s "$TROOT/big" "$TROOT/f1.back"

# Part 2 always fails: the upload cannot finish, so it is aborted.
"$FP" "$TROOT/fp2.port" "$RGW_PORT" match=partNumber=2 always503 2>"$TROOT/fp2.log" &
t_track_pid $!
wait_for 10 test -s "$TROOT/fp2.port" || die "faultproxy did not start"
P2=http://127.0.0.1:$(cat "$TROOT/fp2.port")
out=$("$SC" --endpoint "$P2" --path-style --part-size 5242880 --attempts 3 --backoff-ms 20 \
	$URL put fault/never "$TROOT/big" 2>&1)
like "$out" "SL_ERR_RETRY.*after 3 attempts.*SlowDown" "persistent 503: SL_ERR_RETRY after the configured attempts"
is "$(grep -c 'partNumber=2' "$TROOT/fp2.log")" 3 "part 2 was tried 3 times"
like "$(grep DELETE "$TROOT/fp2.log")" "uploadId=" "the unfinishable upload was aborted"
is "$(sc $URL head fault/never)" absent "no partial object after a failed upload"
check "no in-progress upload left behind" not_listed lake/fault/never

# RGW stopped: network errors are retried, then reported clearly.
rgw_stop_gateway
out=$(sc --attempts 3 --backoff-ms 20 $URL put fault/down "$TROOT/small" 2>&1)
like "$out" "SL_ERR_RETRY.*after 3 attempts.*(onnect|resolve)" "RGW down: SL_ERR_RETRY naming the connection failure"
rgw_start_gateway || die "could not restart radosgw"
is "$(sc $URL head fault/down)" absent "nothing was written while RGW was down"

finish
