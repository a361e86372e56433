// SPDX-License-Identifier: Apache-2.0
//
// lake-query.mjs SQL [SQL...] -- run queries against a sluice lake in an
// in-memory DuckDB (@duckdb/node-api) and print each result as an aligned
// text table.  Used by `make demo`; handy for poking at a lake by hand:
//
//   node tools/js/lake-query.mjs "SELECT count(*) FROM read_parquet('lake/**/*.parquet')"
//
// Timestamps are shown in UTC, as sluice writes them.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { DuckDBInstance } = await import(
	pathToFileURL(join(here, 'node_modules/@duckdb/node-api/lib/index.js')).href);

const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
await con.run("SET TimeZone = 'UTC'");

const show = (v) => (v === null || v === undefined ? 'NULL' : String(v));
for (const sql of process.argv.slice(2)) {
	const reader = await con.runAndReadAll(sql);
	const names = reader.columnNames();
	const rows = reader.getRows().map((r) => r.map(show));
	const width = names.map((n, i) => Math.max(n.length, ...rows.map((r) => r[i].length)));
	const line = (cells) => cells.map((c, i) => c.padEnd(width[i])).join('  ').trimEnd();
	const out = [line(names), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)];
	out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`, '');
	process.stdout.write(out.join('\n') + '\n');
}
