#!/usr/bin/env bash
# 60_obs_docs.sh -- docs/METRICS.md must match the metrics table
# (src/obs/defs.c), and `sluice help <command>` must print the same key
# facts as `sluice <command> --help` and docs/CONFIG.md.
. "$(dirname "$0")/../lib/integ.sh"

GEN=$SRC_ROOT/$BUILD/tools/gen_metrics_docs
DOC=$SRC_ROOT/docs/METRICS.md
[ -x "$GEN" ] || die "missing $GEN (run make BUILD=$BUILD build-tests)"
[ -f "$DOC" ] || die "missing docs/METRICS.md"

check "generator runs (file output)" "$GEN" "$TROOT/METRICS.md"
"$GEN" >"$TROOT/stdout.md"
check "stdout output equals file output" cmp -s "$TROOT/METRICS.md" "$TROOT/stdout.md"
if diff -u "$DOC" "$TROOT/METRICS.md" >"$TROOT/diff"; then
	pass "docs/METRICS.md is up to date"
else
	fail "docs/METRICS.md is stale: run $BUILD/tools/gen_metrics_docs docs/METRICS.md"
	head -n 40 "$TROOT/diff"
fi
# Every metric name in the table has a row (the diff alone would not
# notice a generator that drops rows).
missing=0
names=$(grep -o '{"sluice_[a-z0-9_]*"' "$SRC_ROOT/src/obs/defs.c" | tr -d '{"')
for m in $names; do
	grep -q "^| \`$m\`" "$DOC" || { echo "no row for $m"; missing=$((missing + 1)); }
done
is "$missing" 0 "every metric in src/obs/defs.c has a row"
is "$(grep -c '^| `sluice_' "$DOC")" "$(wc -w <<<"$names" | tr -d ' ')" "one row per metric"
check "usage error exits 2" bash -c "'$GEN' a b >/dev/null 2>&1; [ \$? -eq 2 ]"

# The Grafana dashboard is valid JSON and uses only metrics that exist.
DASH=$SRC_ROOT/deploy/grafana/sluice-dashboard.json
check "dashboard is valid JSON" python3 -m json.tool "$DASH" >/dev/null
unknown=0
for m in $(grep -o 'sluice_[a-z0-9_]*' "$DASH" | sed -E 's/_(bucket|sum|count)$//' | sort -u); do
	[ "$m" = sluice_overview ] && continue
	grep -qw "$m" <<<"$names" || { echo "dashboard uses unknown metric $m"; unknown=$((unknown + 1)); }
done
is "$unknown" 0 "every sluice_* metric in the dashboard is in the metrics table"
for want in sluice_capture_source_lag_seconds sluice_capture_slot_lag_bytes sluice_capture_events_total \
	sluice_errors_total sluice_snapshot_tables_completed; do
	check "dashboard shows $want" grep -q "$want" "$DASH"
done

# sluice help <command> and <command> --help print the same facts, for
# every command; and every key either lists is in docs/CONFIG.md with the
# same default.
# help_vs_doc HELPFILE: "N keys, M mismatches" and the mismatches.
help_vs_doc() {
	python3 - "$1" "$SRC_ROOT/docs/CONFIG.md" <<'PY'
import re, sys
doc = {}
for l in open(sys.argv[2]):
    m = re.match(r"^\| `([^`]+)`(?: \(also [^)]*\))? \| [^|]* \| (?:`(.*?)`|-) \|", l)
    if m:
        doc[m.group(1)] = m.group(2) or ""
n, bad = 0, []
for l in open(sys.argv[1]):
    m = re.match(r"^  ([a-z][a-z0-9._*-]*[a-z0-9*])(?: +default: (.*?))?(?:  \[[^]]*\])?\s*$", l)
    if not m:
        continue
    n += 1
    k, d = m.group(1), m.group(2) or ""
    if k not in doc:
        bad.append("%s: not in docs/CONFIG.md" % k)
    elif doc[k] != d:
        bad.append("%s: default %r in help, %r in docs/CONFIG.md" % (k, d, doc[k]))
print("%d keys, %d mismatches" % (n, len(bad)))
for b in bad[:10]:
    print("#   " + b)
PY
}
for cmd in capture archive run; do
	a=$("$SLUICE" help "$cmd" 2>&1); ra=$?
	b=$("$SLUICE" "$cmd" --help 2>&1); rb=$?
	is "$ra/$rb" "0/0" "help $cmd and $cmd --help succeed"
	is "$a" "$b" "sluice help $cmd prints the same as sluice $cmd --help"
	like "$b" "usage: sluice $cmd " "$cmd --help starts with its usage"
	like "$b" 'http\.listen +default: 127\.0\.0\.1:8083' "$cmd --help documents http.listen"
	like "$b" '/metrics' "$cmd --help mentions the HTTP endpoint"
	printf '%s\n' "$b" >"$TROOT/help-$cmd.txt"
	r=$(help_vs_doc "$TROOT/help-$cmd.txt")
	like "$r" '^[1-9][0-9]+ keys, 0 mismatches' "$cmd --help: every key listed is in docs/CONFIG.md with the same default ($(head -1 <<<"$r"))"
	[[ "$r" =~ ' 0 mismatches' ]] || echo "$r" | tail -n +2
done
finish
