#!/usr/bin/env bash
# tests/lint/layers.sh -- fail on an #include that points up the layers.
#
# Folders of src/ are subsystems with a rank; a file may include headers of
# its own folder and of folders of a LOWER rank only.  Equal ranks are
# siblings that must not know each other (config and event, source/pg and
# lake).  A new folder must be given a rank here before it builds into a
# test run: an unranked folder fails too.
#
#   cli -> pipeline -> source/pg, sinks -> lake, iceberg -> store -> s3
#       -> obs -> config, event, parquet -> core
set -u
cd "$(dirname "$0")/../.."

declare -A rank=(
	[core]=0
	[config]=1 [event]=1 [parquet]=1
	[obs]=2
	[s3]=3
	[store]=4
	[lake]=5 [iceberg]=5
	[sinks]=6 [source/pg]=6
	[pipeline]=7
	[cli]=8
	[.]=9
)

pass=0
fail=0
while IFS= read -r f; do
	rel=${f#src/}
	dir=$(dirname "$rel")
	if [ -z "${rank[$dir]+x}" ]; then
		echo "not ok - $f: folder src/$dir has no rank in tests/lint/layers.sh"
		fail=$((fail + 1))
		continue
	fi
	while IFS= read -r inc; do
		idir=$(dirname "$inc")
		[ "$idir" = "$dir" ] && continue
		if [ -z "${rank[$idir]+x}" ]; then
			echo "not ok - $f includes \"$inc\": src/$idir has no rank"
			fail=$((fail + 1))
		elif [ "${rank[$idir]}" -ge "${rank[$dir]}" ]; then
			echo "not ok - $f includes \"$inc\": src/$dir (rank ${rank[$dir]}) may not depend on src/$idir (rank ${rank[$idir]})"
			fail=$((fail + 1))
		else
			pass=$((pass + 1))
		fi
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done < <(find src -name '*.[ch]' | sort)
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
