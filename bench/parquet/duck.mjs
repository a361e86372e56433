// SPDX-License-Identifier: Apache-2.0
//
// duck.mjs ROWS DUCK_OUT.parquet [SLUICE_FILE.parquet [REPEAT]] -- the DuckDB side of
// the Parquet benchmark: build the same orders rows as pqbench.c (same
// formulas, in SQL), time COPY ... (FORMAT parquet, COMPRESSION zstd) at
// threads=1, and, given sluice's file, check that it holds exactly the same
// rows (hash of every column of every row).  The COPY runs REPEAT times
// (default 1) and the best time is reported.
// Prints: duck_seconds=S duck_bytes=B [same_rows=true|false]
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { DuckDBInstance } = await import(pathToFileURL(join(root, 'tools/js/node_modules/@duckdb/node-api/lib/index.js')).href);

const [rows, out, ours] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const repeat = Number(process.argv[5] ?? 1);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const run = (sql) => con.run(sql);
const one = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson()[0];
await run(`SET threads = 1`);
await run(`SET TimeZone = 'UTC'`);
await run(`CREATE TABLE orders AS SELECT
    (i + 1)::BIGINT AS id,
    ((i * 7919) % 100 + 1)::INTEGER AS qty,
    (['pending', 'paid', 'shipped', 'delivered', 'cancelled'])[((i * 31 + i // 1000) % 5) + 1] AS status,
    ((((i * 104729) % 10000000)::DECIMAL(12, 0)) * 0.01)::DECIMAL(12, 2) AS amount,
    'order ' || i || ' for customer ' || (i * 13 % 50000) AS note,
    make_timestamp(1700000000000000 + i * 100000 + (i * 37) % 1000)::TIMESTAMPTZ AS created_at
  FROM range(${rows}) t(i)`);
const lit = (p) => `'${p.replace(/'/g, "''")}'`;
let secs = Infinity;
for (let r = 0; r < repeat; r++) {
  const t0 = process.hrtime.bigint();
  await run(`COPY orders TO ${lit(out)} (FORMAT parquet, COMPRESSION zstd)`);
  secs = Math.min(secs, Number(process.hrtime.bigint() - t0) / 1e9);
}
let line = `duck_seconds=${secs.toFixed(3)} duck_bytes=${statSync(out).size}`;
if (ours) {
  const h = `sum(hash(id, qty, status, amount, note, created_at)::HUGEINT) AS h, count(*) AS n`;
  const a = await one(`SELECT ${h} FROM orders`);
  const b = await one(`SELECT ${h} FROM read_parquet(${lit(ours)})`);
  line += ` same_rows=${a.h === b.h && a.n === b.n}`;
}
console.log(line);
