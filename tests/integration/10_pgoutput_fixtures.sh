#!/usr/bin/env bash
# 10_pgoutput_fixtures.sh -- live pgoutput capture from a real PostgreSQL 15,
# decoded by tools/pgo_dump (the sl_pgo decoder).
#
# Runs a workload that produces every pgoutput message type (Begin, Commit,
# Origin, Relation, Type, Insert, Update K/O, Delete, Truncate, Message and,
# with logical_decoding_work_mem=64kB and streaming on, Stream Start/Stop/
# Commit/Abort incl. a rolled-back subtransaction), peeks the slot through
# the SQL interface, and checks that
#   - the decoder accepts every message of the v1 and v2 captures;
#   - the decoded DML equals what the workload wrote, value for value;
#   - replaying the streamed chunks with Stream Abort/Commit semantics gives
#     exactly the rows the table holds afterwards.
# With PGO_FIXTURE_DIR=dir it also writes the captures used as unit-test
# fixtures (tests/golden/pgoutput/), with long stream chunks trimmed.
. "$(dirname "$0")/../lib/integ.sh"

DUMP=$SRC_ROOT/$BUILD/tools/pgo_dump
[ -x "$DUMP" ] || die "missing $DUMP (build the tools first)"

pg_start "logical_decoding_work_mem = 64kB" "max_replication_slots = 10" || die "could not start PostgreSQL"

psqlc "
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE t_basic (id int PRIMARY KEY, name text, score numeric(10,2), m mood, note varchar(20));
CREATE TABLE t_full (id int, v text);
ALTER TABLE t_full REPLICA IDENTITY FULL;
CREATE TABLE t_idx (a int NOT NULL, b text);
CREATE UNIQUE INDEX t_idx_a ON t_idx (a);
ALTER TABLE t_idx REPLICA IDENTITY USING INDEX t_idx_a;
CREATE TABLE t_toast (id int PRIMARY KEY, big text, small int);
ALTER TABLE t_toast ALTER COLUMN big SET STORAGE EXTERNAL;
CREATE TABLE t_parent (id serial PRIMARY KEY);
CREATE TABLE t_child (id int REFERENCES t_parent);
CREATE TABLE t_big (id int PRIMARY KEY, pad text);
CREATE PUBLICATION p FOR ALL TABLES;
SELECT pg_replication_origin_create('upstream');
" >/dev/null || die "could not create schema"
psqlc "SELECT pg_create_logical_replication_slot('s', 'pgoutput')" >/dev/null || die "could not create slot"

# Small transactions: each statement is its own transaction.
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || die "small workload failed"
INSERT INTO t_basic VALUES (1, 'alice', 12.5, 'happy', 'x'), (2, 'bob''s', NULL, 'sad', NULL),
  (3, E'tab\there', -1, 'ok', 'ü');
UPDATE t_basic SET name = 'alice2' WHERE id = 1;
UPDATE t_basic SET id = 10 WHERE id = 2;
DELETE FROM t_basic WHERE id = 3;
INSERT INTO t_full VALUES (1, 'a'), (2, 'b');
UPDATE t_full SET v = 'bb' WHERE id = 2;
DELETE FROM t_full WHERE id = 1;
INSERT INTO t_idx VALUES (7, 'seven');
UPDATE t_idx SET a = 8 WHERE a = 7;
INSERT INTO t_toast VALUES (1, repeat('x', 3000), 1);
UPDATE t_toast SET small = 2 WHERE id = 1;
SELECT pg_logical_emit_message(true, 'sluice', 'hello txn');
SELECT pg_logical_emit_message(false, 'sluice', E'non\001tx');
INSERT INTO t_parent DEFAULT VALUES;
INSERT INTO t_child VALUES (1);
TRUNCATE t_parent, t_child RESTART IDENTITY CASCADE;
SELECT pg_replication_origin_session_setup('upstream');
BEGIN;
SELECT pg_replication_origin_xact_setup('0/ABCDEF', '2024-01-02 03:04:05+00');
INSERT INTO t_basic VALUES (20, 'from origin', 1, 'ok', 'o');
COMMIT;
SELECT pg_replication_origin_session_reset();
SQL
split_lsn=$(psqlc "SELECT pg_current_wal_lsn()")

# Streamed transactions (each bigger than logical_decoding_work_mem):
# T1 rolls back a streamed subtransaction then commits; T2 aborts whole.
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || die "streamed workload failed"
BEGIN;
INSERT INTO t_big SELECT g, repeat('p', 100) FROM generate_series(1, 300) g;
SAVEPOINT a;
INSERT INTO t_big SELECT g, repeat('q', 100) FROM generate_series(1001, 1300) g;
ROLLBACK TO SAVEPOINT a;
SELECT pg_logical_emit_message(true, 'sluice', 'in stream');
INSERT INTO t_basic VALUES (30, 'streamed', 3.25, 'sad', 's');
COMMIT;
BEGIN;
INSERT INTO t_big SELECT g, repeat('r', 100) FROM generate_series(2001, 2300) g;
ROLLBACK;
SQL
# An abort record is not flushed at once, and decoding reads only flushed
# WAL: without this the peek can end inside T2's stream, before its Stream
# Abort.  A checkpoint flushes everything and decodes to nothing.
psqlc "CHECKPOINT" >/dev/null || die "checkpoint failed"

peek() { # peek PROTO_OPTIONS... -> lsn|hex lines
	psqlc "SELECT lsn, data FROM pg_logical_slot_peek_binary_changes('s', NULL, NULL,
	       'publication_names', 'p', 'messages', 'true' $*)"
}
peek ", 'proto_version', '2', 'streaming', 'on'" >"$TROOT/v2.hex" || die "peek v2 failed"
psqlc "SELECT lsn, data FROM pg_logical_slot_peek_binary_changes('s', NULL, NULL,
       'publication_names', 'p', 'messages', 'true', 'proto_version', '1')" >"$TROOT/v1.hex" ||
	die "peek v1 failed"
psqlc "SELECT lsn, data FROM pg_logical_slot_peek_binary_changes('s', '$split_lsn', NULL,
       'publication_names', 'p', 'proto_version', '1', 'binary', 'true')" >"$TROOT/bin.hex" ||
	die "peek binary failed"

# --- the decoder accepts every message ---------------------------------------
"$DUMP" -p 2 "$TROOT/v2.hex" >"$TROOT/v2.txt" 2>"$TROOT/v2.err"
is "$?:$(head -c 500 "$TROOT/v2.err")" "0:" "decoder accepts all $(wc -l <"$TROOT/v2.hex") v2 messages"
"$DUMP" -p 1 "$TROOT/v1.hex" >"$TROOT/v1.txt" 2>"$TROOT/v1.err"
is "$?:$(head -c 500 "$TROOT/v1.err")" "0:" "decoder accepts all $(wc -l <"$TROOT/v1.hex") v1 messages"
is "$(wc -l <"$TROOT/v2.txt")" "$(wc -l <"$TROOT/v2.hex")" "one decoded line per v2 message"
"$DUMP" -p 1 "$TROOT/bin.hex" >/dev/null 2>"$TROOT/bin.err"
like "$(cat "$TROOT/bin.err")" "binary tuple data not supported" "binary tuple data is refused by name"
"$DUMP" -p 1 "$TROOT/v2.hex" >/dev/null 2>"$TROOT/v2as1.err"
like "$(cat "$TROOT/v2as1.err")" "Stream Start message: streaming requires protocol version 2" \
	"a v1 decoder refuses stream messages"

for t in B C O R Y I U D T M S E c A; do
	check "v2 capture has a '$t' message" grep -q "^$t " "$TROOT/v2.txt"
done

oid() { psqlc "SELECT '$1'::regclass::oid"; }
B=$(oid t_basic) F=$(oid t_full) X=$(oid t_idx) TT=$(oid t_toast) BIG=$(oid t_big)
P=$(oid t_parent) CH=$(oid t_child) MOOD=$(psqlc "SELECT 'mood'::regtype::oid")
has() { # has REGEX NAME: some decoded v2 line matches REGEX entirely
	if grep -Eq "^$1\$" "$TROOT/v2.txt"; then pass "$2"; else
		fail "$2"; echo "#   no line matches ^$1\$"; fi
}
has "R xid=0 oid=$B ns='public' name='t_basic' ri=d cols=\['id':23:-1:key,'name':25:-1,'score':1700:655366,'m':$MOOD:-1,'note':1043:24\]" "Relation t_basic"
has "Y xid=0 oid=$MOOD ns='public' name='mood'" "Type mood"
has "R xid=0 oid=$F ns='public' name='t_full' ri=f cols=\['id':23:-1:key,'v':25:-1:key\]" "Relation t_full (identity full)"
has "R xid=0 oid=$X ns='public' name='t_idx' ri=i cols=\['a':23:-1:key,'b':25:-1\]" "Relation t_idx (identity index)"
has "I xid=0 rel=$B new=\('1','alice','12.50','happy','x'\)" "Insert with text values"
has "I xid=0 rel=$B new=\('2','bob\\\\'s',null,'sad',null\)" "Insert with quote and NULLs"
has "I xid=0 rel=$B new=\('3','tab\\\\x09here','-1.00','ok','\\\\xc3\\\\xbc'\)" "Insert with tab and UTF-8"
has "U xid=0 rel=$B new=\('1','alice2','12.50','happy','x'\)" "Update without old tuple"
has "U xid=0 rel=$B old=K\('2',-,-,-,-\) new=\('10','bob\\\\'s',null,'sad',null\)" "Update of the key (old K)"
has "D xid=0 rel=$B old=K\('3',-,-,-,-\)" "Delete (old K)"
has "U xid=0 rel=$F old=O\('2','b'\) new=\('2','bb'\)" "Update with identity full (old O)"
has "D xid=0 rel=$F old=O\('1','a'\)" "Delete with identity full (old O)"
has "U xid=0 rel=$X old=K\('7',-\) new=\('8','seven'\)" "Update with identity index"
has "I xid=0 rel=$TT new=\('1','x{3000}','1'\)" "Insert of a TOASTed value"
has "U xid=0 rel=$TT new=\('1',toast,'2'\)" "Update leaves unchanged TOAST as 'u'"
has "M xid=0 transactional=1 lsn=[0-9A-F]+/[0-9A-F]+ prefix='sluice' content='hello txn'" "transactional Message"
has "M xid=0 transactional=0 lsn=[0-9A-F]+/[0-9A-F]+ prefix='sluice' content='non\\\\x01tx'" "non-transactional Message"
has "T xid=0 opts=3 cascade=1 restart_identity=1 rels=\[($P,$CH|$CH,$P)\]" "Truncate with cascade and restart identity"
has "O commit_lsn=0/ABCDEF name='upstream'" "Origin"
like "$(grep -A1 '^B ' "$TROOT/v2.txt" | grep -c '^O ')" '^1$' "Origin follows its Begin"

# Begin/Commit pairs agree: final_lsn == commit_lsn and the same timestamps.
pairs=$(awk '/^B /{for(i=2;i<=NF;i++){split($i,a,"=");b[a[1]]=a[2]}}
	/^C /{for(i=2;i<=NF;i++){split($i,a,"=");c[a[1]]=a[2]}
	      n++; if (b["final_lsn"]!=c["commit_lsn"] || b["ts"]!=c["ts"]) bad++}
	END{print n+0, bad+0}' "$TROOT/v2.txt")
like "$pairs" '^[1-9][0-9]* 0$' "every Commit matches its Begin's LSN and timestamp ($pairs)"
# The commit time converts to Unix time as PostgreSQL reports it.
got_ts=$(awk '/^B /{for(i=2;i<=NF;i++){split($i,a,"=");if(a[1]=="unix_us")u=a[2]}}
	/^U .* new=\(.1.,.alice2./{print u; exit}' "$TROOT/v2.txt")
now_us=$(psqlc "SELECT (extract(epoch FROM now()) * 1000000)::bigint")
if [ -n "$got_ts" ] && [ $((now_us - got_ts)) -ge 0 ] && [ $((now_us - got_ts)) -lt 600000000 ]; then
	pass "Begin's Unix commit time is recent ($got_ts)"
else
	fail "Begin's Unix commit time is recent (got '$got_ts', now $now_us)"
fi

# --- streaming ---------------------------------------------------------------
n_start=$(grep -c '^S ' "$TROOT/v2.txt")
like "$n_start" '^([4-9]|[1-9][0-9]+)$' "big transactions arrive in several stream chunks ($n_start)"
has "R xid=[1-9][0-9]* oid=$BIG ns='public' name='t_big' ri=d cols=\['id':23:-1:key,'pad':25:-1\]" "Relation inside a stream carries the xid"
has "M xid=[1-9][0-9]* transactional=1 lsn=[0-9A-F]+/[0-9A-F]+ prefix='sluice' content='in stream'" "Message inside a stream carries the xid"
has "I xid=[1-9][0-9]* rel=$B new=\('30','streamed','3.25','sad','s'\)" "Insert inside a stream carries the xid"
has "Y xid=[1-9][0-9]* oid=$MOOD ns='public' name='mood'" "Type inside a stream carries the xid"
aborts=$(awk '/^A /{split($2,x,"=");split($3,s,"=");print (x[2]==s[2]?"whole":"sub")}' "$TROOT/v2.txt" | sort | tr '\n' ' ')
is "$aborts" "sub whole " "one subtransaction abort and one whole-transaction abort"
# S..E nest properly and every chunk's messages carry an xid.
nest=$(awk '/^S /{if(ins)bad++; ins=1; next} /^E /{if(!ins)bad++; ins=0; next}
	ins && /^[RYIUDTM] xid=0 /{bad++} END{print bad+0}' "$TROOT/v2.txt")
is "$nest" "0" "stream chunks are well nested and carry xids"

# Replay: apply Stream Abort / Stream Commit and plain Begin/Commit to the
# decoded t_big inserts; the surviving ids must be exactly the table's rows.
replayed=$(awk -v rel="$BIG" '
	/^S /{split($2,a,"=");top=a[2];next}
	/^E /{top="";next}
	/^B /{intx=1;n=0;next}
	$1=="I" && $3=="rel="rel {split($2,a,"=");split($4,v,"\047"); id=v[2];
		if (top!="") {k++; tops[k]=top; subs[k]=a[2]; ids[k]=id} else if (intx) plain[++n]=id; next}
	/^C /{for(i=1;i<=n;i++)print plain[i]; intx=0; next}
	/^A /{split($2,x,"=");split($3,s,"=");
		for(i=1;i<=k;i++) if(tops[i]==x[2] && (x[2]==s[2] || subs[i]==s[2])) ids[i]=""; next}
	/^c /{split($2,x,"="); for(i=1;i<=k;i++) if(tops[i]==x[2] && ids[i]!=""){print ids[i]; ids[i]=""}; next}
	' "$TROOT/v2.txt" | sort -n | tr '\n' ' ')
table=$(psqlc "SELECT id FROM t_big ORDER BY id" | tr '\n' ' ')
check "stream replay gives the table's rows ($(echo "$table" | wc -w) rows)" test "$replayed" = "$table"
is "$(echo "$table" | wc -w)" "300" "t_big holds the 300 committed rows"

# --- protocol version 1 sees the same DML, unstreamed -----------------------
check "v1 capture has the big transaction's tail" \
	grep -Eq "^I xid=0 rel=$B new=\('30','streamed','3.25','sad','s'\)$" "$TROOT/v1.txt"
is "$(grep -c '^[SEcA] ' "$TROOT/v1.txt")" "0" "v1 capture has no stream messages"
is "$(grep -c "^I xid=0 rel=$BIG " "$TROOT/v1.txt")" "300" "v1 sees exactly the 300 committed t_big rows"

# --- optional: write unit-test fixtures -------------------------------------
if [ -n "${PGO_FIXTURE_DIR:-}" ]; then
	mkdir -p "$PGO_FIXTURE_DIR"
	# Keep the first 3 Insert messages of each (stream chunk, xid): the
	# sequence stays valid for the decoder and the files stay small.
	trim() { awk -F'|' '/\|\\x53/{ins=1;delete n} /\|\\x45/{ins=0}
		ins && /\|\\x49/{x=substr($2,5,8); if (++n[x]>3) next} {print}' "$1"; }
	trim "$TROOT/v2.hex" >"$PGO_FIXTURE_DIR/capture_v2.hex"
	awk -v big="|\\\\x49$(printf '%08x' "$BIG")" 'index($0, big){n++; if (n>3) next} {print}' \
		"$TROOT/v1.hex" >"$PGO_FIXTURE_DIR/capture_v1.hex"
	grep -m1 -E '\|\\x49' "$TROOT/bin.hex" >"$PGO_FIXTURE_DIR/binary_v1.hex"
	"$DUMP" -p 2 "$PGO_FIXTURE_DIR/capture_v2.hex" >"$PGO_FIXTURE_DIR/capture_v2.txt"
	"$DUMP" -p 1 "$PGO_FIXTURE_DIR/capture_v1.hex" >"$PGO_FIXTURE_DIR/capture_v1.txt"
	echo "# fixtures written to $PGO_FIXTURE_DIR"
fi
finish
