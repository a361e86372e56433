#!/usr/bin/env bash
# scripts/deps/python.sh -- the Python readers the tests and benchmarks use
# (pyarrow, DuckDB with its iceberg extension, PyIceberg, fastavro), in a
# project-local virtualenv at .deps/venv, pinned in tools/py/requirements.txt.
#
# Wheels are cached in .deps/pip-cache, so a second install needs no network.
# Does nothing when the venv was built from the current requirements file.
# Test and bench tools only: sluice itself never needs Python.
set -euo pipefail
cd "$(dirname "$0")/../.."

req=tools/py/requirements.txt
venv=.deps/venv
stamp=$venv/.sluice-requirements
if [ -f "$stamp" ] && cmp -s "$req" "$stamp"; then
	exit 0
fi
# A Python 3.10+ with the venv module: the one on PATH first, Debian's after.
py=
for cand in python3 /usr/bin/python3; do
	if command -v "$cand" >/dev/null 2>&1 &&
		"$cand" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
		py=$cand
		break
	fi
done
[ -n "$py" ] || { echo "deps: no python3 >= 3.10 with venv and ensurepip (install python3-venv)" >&2; exit 1; }
echo "deps: python readers into $venv ($("$py" --version 2>&1))"
rm -rf "$venv"
mkdir -p .deps/pip-cache
"$py" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --cache-dir .deps/pip-cache \
	--only-binary=:all: -r "$req"
cp "$req" "$stamp"
