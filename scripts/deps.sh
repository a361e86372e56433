#!/usr/bin/env bash
# scripts/deps.sh -- install whatever is missing on a Debian 12 machine.
#
# Debian packages are listed one per line in scripts/deps/*.txt; npm
# packages (DuckDB and the other test readers) in tools/js/package.json;
# scripts/deps/pgvector.sh builds the one extension Debian 12 lacks;
# scripts/deps/python.sh puts the Python readers (pyarrow, DuckDB with
# iceberg, PyIceberg) in a project-local virtualenv, .deps/venv.
# Fast when everything is present: it only asks dpkg and looks for
# node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(cat scripts/deps/*.txt | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$' | sort -u)
missing=()
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
# nodejs may come from outside Debian (a preinstalled node); accept that.
if command -v node >/dev/null && command -v npm >/dev/null; then
	tmp=()
	for p in "${missing[@]+"${missing[@]}"}"; do
		case "$p" in nodejs|npm) ;; *) tmp+=("$p") ;; esac
	done
	missing=("${tmp[@]+"${tmp[@]}"}")
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	# Keep the distribution's default PostgreSQL cluster from starting.
	if [ -d /usr/sbin ] && [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
		$SUDO chmod +x /usr/sbin/policy-rc.d
	fi
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# pgvector for the tests' PostgreSQL 15, built from Debian's source package
# (Debian 12 has no binary package of it); a no-op once installed.
scripts/deps/pgvector.sh

# The Python readers of the tests and benchmarks, pinned in
# tools/py/requirements.txt; a no-op once the venv matches it.
scripts/deps/python.sh

if [ ! -f tools/js/node_modules/.sluice-installed ] ||
	[ tools/js/package.json -nt tools/js/node_modules/.sluice-installed ]; then
	echo "deps: npm install in tools/js"
	(cd tools/js && npm install --no-audit --no-fund --loglevel=error >/dev/null)
	touch tools/js/node_modules/.sluice-installed
fi
