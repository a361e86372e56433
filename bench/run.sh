#!/usr/bin/env bash
# bench/run.sh -- run every benchmark (bench/*/run.sh) against the release build.
# Each prints same-run ratios against its anchor; figures are recorded in bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build-rel}
for b in bench/*/run.sh; do
	[ -n "${B:-}" ] && [[ ! "$b" =~ $B ]] && continue
	echo "== $b"
	bash "$b"
done
