#!/usr/bin/env bash
# tests/run.sh -- run the suites and add up their "N passed, N failed" lines.
#
#   tests/run.sh unit|integration|all     (BUILD=build by default)
#   T=regex tests/run.sh all              only tests whose path matches regex
#   TSAN_BUILD=build-tsan tests/run.sh unit   also the ThreadSanitizer build
#
# Unit binaries and fuzz-corpus replays run under ASan+UBSan.  Integration
# scripts (tests/integration/*.sh) start their own servers on 127.0.0.1
# and stop them by PID.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
mode=${1:-all}
filter=${T:-.}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}

total_pass=0
total_fail=0
failed_names=()

# run NAME CMD...: run one test program, add its summary line to the totals.
run() {
	local name=$1
	shift
	local log
	log=$(mktemp)
	local start=$SECONDS
	"$@" >"$log" 2>&1
	local rc=$?
	local line p=0 f=0
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | awk '{print $1}')
		f=$(echo "$line" | awk '{print $3}')
	fi
	# A crash or a non-zero exit with no failure counted is still a failure.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	if [ -z "$line" ] && [ "$rc" -eq 0 ]; then f=1; echo "  (no summary line)" >>"$log"; fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	printf '%-52s %5d passed %3d failed %4ds\n' "$name" "$p" "$f" $((SECONDS - start))
	if [ "$f" -ne 0 ]; then
		failed_names+=("$name")
		sed 's/^/    | /' "$log" | tail -n 80
	fi
	rm -f "$log"
}

if [ "$mode" = unit ] || [ "$mode" = all ]; then
	while IFS= read -r bin; do
		[[ "$bin" =~ $filter ]] || continue
		run "${bin#"$BUILD"/}" "$bin"
	done < <(find "$BUILD/tests/unit" -type f -perm -u+x 2>/dev/null | sort)
	# The same unit tests built with ThreadSanitizer (make test, make tsan):
	# a data race is a failure like any other.
	if [ -n "${TSAN_BUILD:-}" ]; then
		while IFS= read -r bin; do
			[[ "$bin" =~ $filter ]] || continue
			TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1} \
				run "tsan/${bin#"$TSAN_BUILD"/}" "$bin"
		done < <(find "$TSAN_BUILD/tests/unit" -type f -perm -u+x 2>/dev/null | sort)
	fi
	# Source checks (the layering of includes, ...): tests/lint/*.sh.
	for t in tests/lint/*.sh; do
		[ -f "$t" ] || continue
		[[ "$t" =~ $filter ]] || continue
		run "$t" bash "$t"
	done
	for bin in "$BUILD"/fuzz-replay/fuzz_*; do
		[ -x "$bin" ] || continue
		[[ "$bin" =~ $filter ]] || continue
		name=$(basename "$bin")
		corpus=tests/fuzz/corpus/${name#fuzz_}
		[ -d "$corpus" ] || { echo "missing corpus $corpus"; total_fail=$((total_fail + 1)); continue; }
		run "fuzz-replay/$name" "$bin" "$corpus"
	done
fi

if [ "$mode" = integration ] || [ "$mode" = all ]; then
	for t in tests/integration/*.sh tests/deploy/*.sh; do
		[ -f "$t" ] || continue
		[[ "$t" =~ $filter ]] || continue
		run "$t" bash "$t"
	done
fi

echo
if [ ${#failed_names[@]} -gt 0 ]; then
	echo "failed: ${failed_names[*]}"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
