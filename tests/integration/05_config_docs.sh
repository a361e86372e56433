#!/usr/bin/env bash
# 05_config_docs.sh -- docs/CONFIG.md must match the key table.
#
# Regenerates the reference with the built tools/gen_config_docs into a
# scratch file and diffs it against the committed docs/CONFIG.md, so a key
# added or changed in src/config/keys.c without `gen_config_docs
# docs/CONFIG.md` fails here.  Also checks the generator's output is
# stable and that every key of the table appears in the committed file.
. "$(dirname "$0")/../lib/integ.sh"

GEN=$SRC_ROOT/$BUILD/tools/gen_config_docs
DOC=$SRC_ROOT/docs/CONFIG.md
[ -x "$GEN" ] || die "missing $GEN (run make BUILD=$BUILD build-tests)"
[ -f "$DOC" ] || die "missing docs/CONFIG.md"

check "generator runs (file output)" "$GEN" "$TROOT/CONFIG.md"
"$GEN" >"$TROOT/stdout.md"
check "stdout output equals file output" cmp -s "$TROOT/CONFIG.md" "$TROOT/stdout.md"
if diff -u "$DOC" "$TROOT/CONFIG.md" >"$TROOT/diff"; then
	pass "docs/CONFIG.md is up to date"
else
	fail "docs/CONFIG.md is stale: run $BUILD/tools/gen_config_docs docs/CONFIG.md"
	head -n 40 "$TROOT/diff"
fi

# Every key declared in keys.c has a row (guards against a generator that
# silently drops keys, which the diff alone would not notice).
missing=0
while IFS= read -r key; do
	grep -q "^| \`$key\`" "$DOC" || { echo "no row for $key"; missing=$((missing + 1)); }
done < <(sed -n 's/.*\.name = "\([^"]*\)".*/\1/p' "$SRC_ROOT/src/config/keys.c")
is "$missing" 0 "every key in src/config/keys.c has a row"
nkeys=$(sed -n 's/.*\.name = "\([^"]*\)".*/\1/p' "$SRC_ROOT/src/config/keys.c" | wc -l)
rows=$(grep -c '^| `' "$DOC")
is "$rows" "$nkeys" "one row per key"
like "$(grep '^| `topic.prefix`' "$DOC")" 'required' "topic.prefix documented as required"
like "$(grep '^| `database.password`' "$DOC")" 'Secret' "database.password documented as secret"
check "usage error exits 2" bash -c "'$GEN' a b >/dev/null 2>&1; [ \$? -eq 2 ]"
finish
