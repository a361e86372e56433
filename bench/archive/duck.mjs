// SPDX-License-Identifier: Apache-2.0
//
// duck.mjs EVENTS.jsonl OUT.parquet REPEAT -- the DuckDB anchor of the archive
// benchmark: convert the same Debezium events (one JSON value per line, as
// read from the topic) to Parquet with SNAPPY, like sluice archive's default
// parquet.codec, at threads=1.  DuckDB infers the types from the JSON and
// writes typed, nested columns.  The timer covers the COPY alone (parse,
// convert, encode, compress, write); the median of REPEAT runs is printed.
// Prints: duck_seconds=S duck_rows=N duck_bytes=B
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { DuckDBInstance } = await import(pathToFileURL(join(root, 'tools/js/node_modules/@duckdb/node-api/lib/index.js')).href);

const [src, out] = [process.argv[2], process.argv[3]];
const repeat = Number(process.argv[4] ?? 1);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run(`SET threads = 1`);
const lit = (p) => `'${p.replace(/'/g, "''")}'`;
const times = [];
for (let r = 0; r < repeat; r++) {
  const t0 = process.hrtime.bigint();
  await con.run(`COPY (SELECT * FROM read_json(${lit(src)}, format = 'newline_delimited', maximum_object_size = 16777216))
    TO ${lit(out)} (FORMAT parquet, COMPRESSION snappy)`);
  times.push(Number(process.hrtime.bigint() - t0) / 1e9);
}
times.sort((a, b) => a - b);
const rows = (await con.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${lit(out)})`)).getRowObjectsJson()[0].n;
console.log(`duck_seconds=${times[Math.floor((times.length - 1) / 2)].toFixed(3)} duck_rows=${rows} duck_bytes=${statSync(out).size}`);
