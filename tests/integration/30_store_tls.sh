#!/usr/bin/env bash
# 30_store_tls.sh -- TLS peers are verified: an https endpoint with a
# certificate the client does not trust is refused at once (no retries),
# and the same endpoint works once its CA is given with --ca-file.
. "$(dirname "$0")/../lib/integ.sh"

SC=$SRC_ROOT/$BUILD/tools/storectl
[ -x "$SC" ] || die "build storectl first (make build-tests)"
command -v openssl >/dev/null || die "openssl not installed"
D=$TROOT/tls
mkdir -p "$D"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1" -keyout "$D/key.pem" -out "$D/cert.pem" >/dev/null 2>&1 ||
	die "could not make a certificate"
PORT=$(free_port)
(cd "$D" && exec openssl s_server -accept "127.0.0.1:$PORT" -cert cert.pem -key key.pem -www -quiet) \
	>"$D/server.log" 2>&1 &
t_track_pid $!
wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" || die "TLS server did not start"

export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret
out=$(timeout 60 "$SC" --endpoint "https://127.0.0.1:$PORT" --path-style --attempts 5 s3://tls-bucket head k 2>&1)
like "$out" "SL_ERR_IO.*(certificate|SSL)" "untrusted certificate is refused with SL_ERR_IO"
check "and not retried" test "${out/retrying/}" == "$out"
# (s_server -www answers GET with a 200 status page; it does not answer HEAD.)
out=$(timeout 60 "$SC" --endpoint "https://127.0.0.1:$PORT" --path-style --ca-file "$D/cert.pem" s3://tls-bucket get k 2>&1)
is "$?" 0 "with the CA trusted, the request goes through"
like "$out" "s_server" "and gets the test server's page"
finish
