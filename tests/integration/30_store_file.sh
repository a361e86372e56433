#!/usr/bin/env bash
# 30_store_file.sh -- the file:// store from the shell: nested keys, list
# order and prefixes, conditional create, abort and crash leave nothing
# visible, and no temp files stay behind.
. "$(dirname "$0")/../lib/integ.sh"

SC=$SRC_ROOT/$BUILD/tools/storectl
[ -x "$SC" ] || die "build storectl first (make build-tests)"
LAKE=$TROOT/lake
URL=file://$LAKE

head -c 3000000 /dev/urandom >"$TROOT/blob"
is "$("$SC" "$URL" put "topics/t1/dt=2024-01-02/t1+0+0000000000.parquet" "$TROOT/blob")" ok "put creates nested directories"
check "object is a plain file at the key's path" cmp -s "$TROOT/blob" "$LAKE/topics/t1/dt=2024-01-02/t1+0+0000000000.parquet"
"$SC" "$URL" get "topics/t1/dt=2024-01-02/t1+0+0000000000.parquet" >"$TROOT/blob.back"
check "get returns the same bytes" cmp -s "$TROOT/blob" "$TROOT/blob.back"
is "$("$SC" "$URL" head "topics/t1/dt=2024-01-02/t1+0+0000000000.parquet")" "exists 3000000" "head gives the size"
is "$("$SC" "$URL" head topics/t1)" absent "a directory is not an object"

printf 'a' | "$SC" "$URL" put topics/t2/b >/dev/null
printf 'ab' | "$SC" "$URL" put topics/t10/a >/dev/null
printf 'abc' | "$SC" "$URL" put other/x >/dev/null
is "$("$SC" "$URL" list topics/ | tr '\n' ' ')" \
	"topics/t1/dt=2024-01-02/t1+0+0000000000.parquet 3000000 topics/t10/a 2 topics/t2/b 1 " \
	"list is in key order and limited to the prefix"
is "$("$SC" "$URL" list topics/t1 | wc -l)" 2 "a prefix need not end at a directory boundary"

printf 'one' | "$SC" --if-none-match "$URL" put cond/k >/dev/null
is "$(printf 'two' | "$SC" --if-none-match "$URL" put cond/k)" existed "conditional create reports existed"
is "$("$SC" "$URL" get cond/k)" one "and keeps the first content"
is "$(printf 'three' | "$SC" "$URL" put cond/k)" ok "a plain put replaces"
is "$("$SC" "$URL" get cond/k)" three "with the new content"

is "$("$SC" "$URL" abort cond/aborted "$TROOT/blob")" aborted "abort"
is "$("$SC" "$URL" head cond/aborted)" absent "abort leaves no object"
"$SC" --crash-after 1000000 "$URL" put cond/crashed "$TROOT/blob"
is "$?" 3 "writer killed mid-write"
is "$("$SC" "$URL" head cond/crashed)" absent "a crash leaves no object"
is "$("$SC" "$URL" list cond/ | tr '\n' ' ')" "cond/k 5 " "temp files are never listed"
is "$(find "$LAKE" -name '.sluice-tmp-*' | wc -l)" 1 "only the crashed writer's temp file exists"

out=$("$SC" "$URL" put ../escape "$TROOT/blob" 2>&1)
like "$out" 'SL_ERR_ARG.*"\.\." segment' "keys cannot escape the directory"
out=$("$SC" file://relative/dir list 2>&1)
like "$out" "SL_ERR_CONFIG.*absolute path" "file URLs must be absolute"
out=$("$SC" "$URL" get nope 2>&1)
like "$out" "SL_ERR_NOTFOUND" "get of a missing key is SL_ERR_NOTFOUND"
finish
