#!/usr/bin/env bash
# bench/parquet/run.sh -- sluice's Parquet writer against DuckDB's own
# COPY ... TO '...parquet' (FORMAT parquet, COMPRESSION zstd) at threads=1,
# on the same orders-like rows (bigint id, int qty, low-cardinality text
# status, numeric(12,2) amount, text note, timestamptz), both with ZSTD.
#
#   ROWS=10000000 REPEAT=3 BUILD=build-rel bench/parquet/run.sh
#
# Prints each side's best time of REPEAT runs, the file sizes, sluice's
# peak RSS at ROWS/10 and at ROWS rows (it must not grow with the row
# count), the same-run ratios, and whether the targets hold:
# throughput >= 1.0x DuckDB's, size <= 1.1x DuckDB's.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build-rel}
ROWS=${ROWS:-10000000}
REPEAT=${REPEAT:-3}

# Only the writer's objects: the release build of src/parquet and src/core.
objs=()
for f in src/parquet/*.c src/core/buf.c src/core/err.c; do objs+=("$BUILD/${f%.c}.o"); done
make -s BUILD="$BUILD" SAN=0 "${objs[@]}"
mkdir -p "$BUILD/bench"
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Isrc bench/parquet/pqbench.c "${objs[@]}" \
	$(pkg-config --libs libzstd snappy zlib) -lm -o "$BUILD/bench/pqbench"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }

small=$("$BUILD/bench/pqbench" $((ROWS / 10)) "$tmp/small.parquet")
best=""
for _ in $(seq "$REPEAT"); do
	out=$("$BUILD/bench/pqbench" "$ROWS" "$tmp/sluice.parquet")
	s=$(echo "$out" | field seconds)
	if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$s; fi
	rss=$(echo "$out" | field maxrss_kb)
	bytes=$(echo "$out" | field bytes)
done
duck=$(node bench/parquet/duck.mjs "$ROWS" "$tmp/duck.parquet" "$tmp/sluice.parquet" "$REPEAT")
dsec=$(echo "$duck" | field duck_seconds)
dbytes=$(echo "$duck" | field duck_bytes)
same=$(echo "$duck" | field same_rows)

awk -v rows="$ROWS" -v s="$best" -v b="$bytes" -v ds="$dsec" -v db="$dbytes" \
	-v rss_small="$(echo "$small" | field maxrss_kb)" -v rss="$rss" -v same="$same" 'BEGIN {
	printf "rows                 %d (same rows in both files: %s)\n", rows, same
	printf "sluice               %.3f s  %.2f Mrows/s  %d bytes\n", s, rows / s / 1e6, b
	printf "duckdb (threads=1)   %.3f s  %.2f Mrows/s  %d bytes\n", ds, rows / ds / 1e6, db
	printf "throughput ratio     %.2fx DuckDB (target >= 1.0)  %s\n", ds / s, (ds / s >= 1.0) ? "ok" : "MISSED"
	printf "size ratio           %.2fx DuckDB (target <= 1.1)  %s\n", b / db, (b / db <= 1.1) ? "ok" : "MISSED"
	printf "sluice peak RSS      %d KiB at %d rows, %d KiB at %d rows\n", rss_small, rows / 10, rss, rows
	if (same != "true") { print "ERROR: the two files do not hold the same rows"; exit 1 }
}'
