#!/usr/bin/env bash
# scripts/demo.sh -- `make demo`: a throwaway PostgreSQL, a demo schema, some
# changes, and `sluice capture` printing Debezium events to stdout.
#
# Everything lives in a temporary directory and is removed at the end; the
# server listens on 127.0.0.1 only, on a free port.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-rel}
SLUICE=$PWD/$BUILD/sluice
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DEMO=$(mktemp -d /tmp/sluice-demo.XXXXXX)
chmod 755 "$DEMO"
RUN=()
if [ "$(id -u)" -eq 0 ]; then
	# PostgreSQL refuses to run as root: use an unprivileged system user.
	id pgdemo >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin pgdemo
	chown pgdemo: "$DEMO"
	RUN=(runuser -u pgdemo --)
fi
PORT=$(for _ in $(seq 1 100); do p=$((20000 + RANDOM % 40000)); (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; break; }; done)
SLUICE_PID=
cleanup() {
	[ -n "$SLUICE_PID" ] && kill "$SLUICE_PID" 2>/dev/null || true
	"${RUN[@]}" "$PGBIN/pg_ctl" -D "$DEMO/data" -m fast -w stop >/dev/null 2>&1 || true
	rm -rf "$DEMO"
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }
say "starting a throwaway PostgreSQL 15 on 127.0.0.1:$PORT (wal_level=logical)"
"${RUN[@]}" "$PGBIN/initdb" -D "$DEMO/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
cat >>"$DEMO/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DEMO'
wal_level = logical
max_replication_slots = 4
max_wal_senders = 4
CONF
"${RUN[@]}" "$PGBIN/pg_ctl" -D "$DEMO/data" -l "$DEMO/server.log" -w start >/dev/null
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
sql() { psql -X -q -v ON_ERROR_STOP=1 -c "$1"; }

say "creating the demo schema: app.users, public.customers, public.orders"
sql "CREATE SCHEMA app;
CREATE TABLE app.users (id serial PRIMARY KEY, name text NOT NULL, email text);
CREATE TABLE public.customers (id serial PRIMARY KEY, name text NOT NULL, country char(2));
CREATE TABLE public.orders (id bigserial PRIMARY KEY, customer_id int REFERENCES customers,
  status text NOT NULL, amount numeric(12,2), placed_at timestamptz DEFAULT now());
INSERT INTO app.users (name, email) VALUES ('Anne', 'anne@example.com'), ('TestUser', 'test@example.com');
INSERT INTO customers (name, country) VALUES ('Acme', 'DE'), ('Globex', 'US');
INSERT INTO orders (customer_id, status, amount) VALUES (1, 'new', 99.90), (2, 'paid', 1250.00);"

cat >"$DEMO/capture.properties" <<P
# The same keys as Debezium's PostgreSQL connector.
database.hostname=127.0.0.1
database.port=$PORT
database.user=postgres
database.dbname=postgres
topic.prefix=dbserver1
snapshot.mode=initial
sink.type=stdout
offset.storage.dir=$DEMO/state
log.format=text
P
say "sluice capture: snapshot first (op \"r\"), then live changes; one JSON line per event"
"$SLUICE" capture -c "$DEMO/capture.properties" &
SLUICE_PID=$!
active() { [ "$(psql -X -At -c "SELECT count(*) FROM pg_replication_slots WHERE active")" = 1 ]; }
for _ in $(seq 1 100); do active && break; sleep 0.1; done

sleep 0.5
sql "UPDATE app.users SET email = 'test+upd@example.com' WHERE name = 'TestUser'"
sql "BEGIN; INSERT INTO orders (customer_id, status, amount) VALUES (1, 'new', 12.50);
UPDATE orders SET status = 'shipped' WHERE id = 1; COMMIT;"
sql "DELETE FROM app.users WHERE name = 'Anne'"
target=$(psql -X -At -c "SELECT pg_current_wal_lsn()")
for _ in $(seq 1 100); do
	[ "$(psql -X -At -c "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots")" = t ] && break
	sleep 0.1
done
kill -TERM "$SLUICE_PID"
wait "$SLUICE_PID" || true
SLUICE_PID=
say "done: every change above was confirmed to PostgreSQL only after it was written out"
