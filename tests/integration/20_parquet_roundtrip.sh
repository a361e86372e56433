#!/usr/bin/env bash
# 20_parquet_roundtrip.sh -- files written by sluice's Parquet writer, read
# back value for value by DuckDB and by hyparquet.
#
# test_writer --out writes fixture files (every type, codec and encoding,
# nulls, nesting, lists, 0 rows, all-null columns, a 1 MiB string, extreme
# integers and decimals, pre-1970 times, many row groups) plus a manifest
# of what went in; tests/parquet/verify.mjs compares both readers' values,
# the schema types, codecs, key-value metadata and every row group's
# statistics against it.
. "$(dirname "$0")/../lib/integ.sh"

gen=$SRC_ROOT/$BUILD/tests/unit/parquet/test_writer
[ -x "$gen" ] || die "missing $gen (make build-tests)"
command -v node >/dev/null || die "node is not installed"
[ -d "$SRC_ROOT/tools/js/node_modules/@duckdb/node-api" ] || die "tools/js/node_modules is not installed"

out=$TROOT/pq
mkdir -p "$out"
log=$("$gen" --out "$out" 2>&1)
like "$(printf '%s\n' "$log" | tail -n 1)" '^[0-9]+ passed, 0 failed$' "fixture files written"
check "manifest present" test -s "$out/manifest.json"

vlog=$(node "$SRC_ROOT/tests/parquet/verify.mjs" "$out" 2>&1)
printf '%s\n' "$vlog" | grep -v '^[0-9]* passed, [0-9]* failed$'
line=$(printf '%s\n' "$vlog" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
if [ -z "$line" ]; then
	fail "verify.mjs produced no summary"
else
	T_PASS=$((T_PASS + $(echo "$line" | awk '{print $1}')))
	T_FAIL=$((T_FAIL + $(echo "$line" | awk '{print $3}')))
fi
finish
