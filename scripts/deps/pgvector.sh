#!/usr/bin/env bash
# scripts/deps/pgvector.sh -- the pgvector extension for the test PostgreSQL 15.
#
# Debian 12 packages pgvector for no PostgreSQL version, so the tests'
# real extension is built from Debian's own source package: the newer
# release's (trixie) pgvector source, fetched with apt from Debian's
# archive through a private source list (the machine's apt configuration
# is left alone; apt checks the files against the release's signed index),
# compiled against postgresql-server-dev-15 and installed into PostgreSQL
# 15's directories.  Does nothing when vector.control is already there.
set -euo pipefail

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
SUITE=${PGVECTOR_SUITE:-trixie}
[ -x "$PG_CONFIG" ] || { echo "pgvector: $PG_CONFIG not found (install postgresql-server-dev-15)" >&2; exit 1; }
share=$("$PG_CONFIG" --sharedir)
[ -f "$share/extension/vector.control" ] && exit 0

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/lists/partial"
cat >"$work/src.sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
apt_opts=(-o "Dir::Etc::sourcelist=$work/src.sources" -o "Dir::Etc::sourceparts=-"
	-o "Dir::State::Lists=$work/lists" -o "APT::Sandbox::User=root")
echo "deps: building pgvector from Debian's $SUITE source package for PostgreSQL $("$PG_CONFIG" --version | awk '{print $2}')"
apt-get "${apt_opts[@]}" update -qq
(cd "$work" && apt-get "${apt_opts[@]}" source --download-only -qq pgvector >/dev/null 2>&1) || {
	echo "pgvector: could not download Debian's pgvector source package" >&2
	exit 1
}
orig=$(find "$work" -maxdepth 1 -name 'pgvector_*.orig.tar.*' | head -1)
[ -n "$orig" ] || { echo "pgvector: the source package has no upstream tarball" >&2; exit 1; }
mkdir "$work/src"
tar -xf "$orig" -C "$work/src" --strip-components=1
# OPTFLAGS="": no -march=native, so the build suits any machine it lands on.
make -s -C "$work/src" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >/dev/null
$SUDO make -s -C "$work/src" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" install >/dev/null
[ -f "$share/extension/vector.control" ] || { echo "pgvector: install did not produce vector.control" >&2; exit 1; }
echo "deps: pgvector $(sed -n "s/^default_version = '\(.*\)'/\1/p" "$share/extension/vector.control") installed"
