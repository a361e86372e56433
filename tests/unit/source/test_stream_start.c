/* Unit tests: the pgoutput protocol chosen per server version and the
 * START_REPLICATION command built for it (quoting included). */
#include "lib/test.h"
#include "source/pg/stream.h"

#include <string.h>

static void test_proto_for(void)
{
	is_int(sl_pg_stream_proto_for(100000), 1, "PostgreSQL 10: protocol 1");
	is_int(sl_pg_stream_proto_for(130012), 1, "PostgreSQL 13.12: protocol 1");
	is_int(sl_pg_stream_proto_for(139999), 1, "just below 14: protocol 1");
	is_int(sl_pg_stream_proto_for(140000), 2, "PostgreSQL 14.0: protocol 2");
	is_int(sl_pg_stream_proto_for(150004), 2, "PostgreSQL 15.4: protocol 2");
	is_int(sl_pg_stream_proto_for(170000), 2, "PostgreSQL 17: protocol 2");
}

static void test_command(void)
{
	char buf[1400];
	ok(sl_pg_stream_start_command(buf, sizeof buf, 2, true, "debezium", "dbz_publication",
				      0x16B3748ULL),
	   "v2 command fits");
	is_str(buf,
	       "START_REPLICATION SLOT \"debezium\" LOGICAL 0/16B3748 (proto_version '2', "
	       "publication_names '\"dbz_publication\"', streaming 'on', messages 'true')",
	       "PG 14+: proto 2, streaming on, messages");
	ok(sl_pg_stream_start_command(buf, sizeof buf, 2, false, "debezium", "dbz_publication",
				      0x16B3748ULL),
	   "v2 command without streaming fits");
	is_str(buf,
	       "START_REPLICATION SLOT \"debezium\" LOGICAL 0/16B3748 (proto_version '2', "
	       "publication_names '\"dbz_publication\"', messages 'true')",
	       "PG 14+, streaming.in.progress=false: proto 2 and messages, no streaming option");
	ok(sl_pg_stream_start_command(buf, sizeof buf, 1, true, "debezium", "dbz_publication", 0),
	   "v1 command fits");
	is_str(buf,
	       "START_REPLICATION SLOT \"debezium\" LOGICAL 0/0 (proto_version '1', "
	       "publication_names '\"dbz_publication\"')",
	       "PG 10-13: proto 1, neither streaming nor messages (those servers refuse them)");
	ok(strstr(buf, "streaming") == NULL, "no streaming option with proto 1");

	ok(sl_pg_stream_start_command(buf, sizeof buf, 2, true, "we\"ird", "it's \"pub\"", 0),
	   "quoted names fit");
	ok(strstr(buf, "SLOT \"we\"\"ird\" ") != NULL, "slot: \" doubled inside the identifier");
	ok(strstr(buf, "publication_names '\"it''s \"\"pub\"\"\"'") != NULL,
	   "publication: \" doubled, then ' doubled for the literal");

	char small[40];
	ok(!sl_pg_stream_start_command(small, sizeof small, 2, true, "debezium", "dbz_publication", 0),
	   "a buffer too small is refused, not truncated");
	char longname[700];
	memset(longname, 'p', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	ok(!sl_pg_stream_start_command(buf, sizeof buf, 2, true, "s", longname, 0),
	   "a publication name too long is refused");
}

int main(void)
{
	test_proto_for();
	test_command();
	return t_done();
}
