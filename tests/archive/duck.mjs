// SPDX-License-Identifier: Apache-2.0
//
// duck.mjs SQL -- run one query in an in-memory DuckDB (@duckdb/node-api)
// and print the rows as tab-separated text, NULL as \N, one row per line.
// Used by the archive tests to read the lake back with an independent
// Parquet reader; values are cast to text in the SQL so both sides compare
// in PostgreSQL's text form.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const mod = (p) => import(pathToFileURL(join(root, 'tools/js/node_modules', p)).href);
const { DuckDBInstance } = await mod('@duckdb/node-api/lib/index.js');

const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
await con.run("SET TimeZone = 'UTC'");
const reader = await con.runAndReadAll(process.argv[2]);
const out = [];
for (const row of reader.getRows()) {
	out.push(row.map((v) => (v === null ? '\\N' : String(v))).join('\t'));
}
process.stdout.write(out.length ? out.join('\n') + '\n' : '');
