#!/usr/bin/env bash
# make demo's script (the README's first command) end to end on the build
# under test: throwaway PostgreSQL, sluice run, DuckDB over the lake.  The
# counts are what the demo's fixed workload must produce.
. "$(dirname "$0")/../lib/integ.sh"
command -v node >/dev/null || die "node is not installed"
LAKE=$TROOT/lake BUILD=$BUILD "$SRC_ROOT/scripts/demo.sh" >"$TROOT/demo.out" 2>"$TROOT/demo.err"
rc=$?
is "$rc" 0 "demo exits 0"
[ "$rc" = 0 ] || tail -20 "$TROOT/demo.err"
check "lake marked as the demo's" test -e "$TROOT/lake/.made-by-sluice-demo"
out=$(tr -s ' ' <"$TROOT/demo.out")
for row in "dbserver1.app.users d 1" "dbserver1.app.users r 2" "dbserver1.app.users u 1" \
	"dbserver1.public.customers r 2" "dbserver1.public.orders c 3" "dbserver1.public.orders r 2" \
	"dbserver1.public.orders u 4"; do
	check "events per topic and op: $row" grep -qx "$row" <<<"$out"
done
# current orders: 1 shipped, 2 and 3 and 4 paid, 5 cancelled
check "orders by status: cancelled" grep -qx "cancelled 1 45.00" <<<"$out"
check "orders by status: paid" grep -qx "paid 3 1572.50" <<<"$out"
check "orders by status: shipped" grep -qx "shipped 1 99.90" <<<"$out"
check "no error in the demo's log" bash -c "! grep -qi 'error\|fatal' '$TROOT/demo.err'"
LAKE=$TROOT/lake BUILD=$BUILD "$SRC_ROOT/scripts/demo.sh" >/dev/null 2>&1
is "$?" 0 "a second demo run recreates its own lake"
mkdir -p "$TROOT/mine"
LAKE=$TROOT/mine BUILD=$BUILD "$SRC_ROOT/scripts/demo.sh" >/dev/null 2>"$TROOT/demo3.err"
is "$?" 1 "a directory the demo did not make is left alone"
like "$(cat "$TROOT/demo3.err")" "was not made by the demo" "and says why"
finish
