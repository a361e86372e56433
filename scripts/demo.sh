#!/usr/bin/env bash
# scripts/demo.sh -- `make demo`: the embedded default, `sluice run`.
#
#   1. a throwaway PostgreSQL 15 with a small shop schema;
#   2. `sluice run` takes a snapshot and streams live changes into a local
#      Parquet lake (./lake, or $LAKE), with no broker;
#   3. DuckDB queries the lake: current orders by status, and raw events.
#
# The server listens on 127.0.0.1 only, on a free port; it and its data live
# in a temporary directory removed at the end.  The lake stays for you to
# query; each demo run recreates it (only a lake this script made).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-rel}
SLUICE=$PWD/$BUILD/sluice
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
LAKE=${LAKE:-$PWD/lake}
case $LAKE in /*) ;; *) LAKE=$PWD/$LAKE ;; esac
if [ -e "$LAKE" ] && [ ! -e "$LAKE/.made-by-sluice-demo" ]; then
	echo "demo: $LAKE exists and was not made by the demo; move it away or set LAKE=<dir>" >&2
	exit 1
fi
rm -rf "$LAKE"
mkdir -p "$LAKE"
touch "$LAKE/.made-by-sluice-demo"
DEMO=$(mktemp -d /tmp/sluice-demo.XXXXXX)
chmod 755 "$DEMO"
RUN=()
if [ "$(id -u)" -eq 0 ]; then
	# PostgreSQL refuses to run as root: use an unprivileged system user.
	id pgdemo >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin pgdemo
	chown pgdemo: "$DEMO"
	RUN=(runuser -u pgdemo --)
fi
# A free port below the kernel's ephemeral range (32768+), which outgoing
# connections may be using even though nothing listens there.
PORT=$(for _ in $(seq 1 100); do p=$((20000 + RANDOM % 12000)); (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; break; }; done)
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

cat >"$DEMO/run.properties" <<P
# The same keys as Debezium's PostgreSQL connector, plus the S3 sink's
# rotation keys; store.url could as well be s3://bucket/prefix.
database.hostname=127.0.0.1
database.port=$PORT
database.user=postgres
database.dbname=postgres
topic.prefix=dbserver1
snapshot.mode=initial
store.url=file://$LAKE
rotate.schedule.interval.ms=1000
offset.storage.dir=$DEMO/state
http.listen=off
log.format=text
P
say "sluice run: snapshot (op \"r\"), then live changes, into the Parquet lake $LAKE"
"$SLUICE" run -c "$DEMO/run.properties" &
SLUICE_PID=$!
# Once the slot exists nothing later is missed: what committed before it is
# in the snapshot, everything after is streamed from it.  (Whether the slot
# is "active" says nothing: it is briefly free between the snapshot and the
# start of streaming.)
slot() { [ "$(psql -X -At -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'debezium'")" = 1 ]; }
for _ in $(seq 1 300); do slot && break; kill -0 "$SLUICE_PID" 2>/dev/null || break; sleep 0.1; done
slot && kill -0 "$SLUICE_PID" 2>/dev/null || { echo "demo: sluice run did not create its replication slot" >&2; exit 1; }

say "live changes: new orders, payments, a shipment, a cancellation, a user deleted"
sql "UPDATE app.users SET email = 'test+upd@example.com' WHERE name = 'TestUser'"
sql "BEGIN; INSERT INTO orders (customer_id, status, amount) VALUES (1, 'new', 12.50), (2, 'new', 310.00), (1, 'new', 45.00);
UPDATE orders SET status = 'shipped' WHERE id = 1; COMMIT;"
sql "UPDATE orders SET status = 'paid' WHERE id IN (3, 4)"
sql "UPDATE orders SET status = 'cancelled' WHERE id = 5"
sql "DELETE FROM app.users WHERE name = 'Anne'"
target=$(psql -X -At -c "SELECT pg_current_wal_lsn()")
say "waiting until PostgreSQL's slot is confirmed past $target (the files holding every change are durable)"
confirmed() { [ "$(psql -X -At -c "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots")" = t ]; }
for _ in $(seq 1 300); do confirmed && break; sleep 0.1; done
confirmed || { echo "demo: the slot was not confirmed past $target" >&2; exit 1; }
kill -TERM "$SLUICE_PID"
wait "$SLUICE_PID" || true
SLUICE_PID=

say "the lake: $(find "$LAKE" -name '*.parquet' | wc -l) Parquet files"
(cd "$LAKE" && find . -name '*.parquet' | sort | sed 's|^\./|  |')
Q="node tools/js/lake-query.mjs"
ORDERS="read_parquet('$LAKE/topics/dbserver1.public.orders/**/*.parquet', hive_partitioning=true)"
ALL="read_parquet('$LAKE/**/*.parquet', hive_partitioning=true, union_by_name=true)"
say "DuckDB: current orders by status (the latest event per order id, deletes dropped)"
$Q "WITH latest AS (
      SELECT op, after FROM $ORDERS
      QUALIFY row_number() OVER (PARTITION BY coalesce(after.id, before.id) ORDER BY _offset DESC) = 1)
    SELECT after.status AS status, count(*) AS orders, sum(after.amount) AS amount
    FROM latest WHERE op <> 'd' GROUP BY 1 ORDER BY 1"
say "DuckDB: events per table and operation (r = snapshot read, c/u/d = live)"
$Q "SELECT _topic AS topic, op, count(*) AS events FROM $ALL GROUP BY ALL ORDER BY 1, 2"
say "DuckDB: a few raw order events (Debezium envelopes: typed before/after, source, position)"
$Q "SELECT _offset, op, source.txId AS tx, source.lsn AS lsn, ts_ms,
           before.status AS before_status, after.id, after.status, after.amount
    FROM $ORDERS ORDER BY _offset LIMIT 8"
say "done: query it yourself with  node tools/js/lake-query.mjs \"SELECT ... FROM read_parquet('$LAKE/**/*.parquet')\""
