// SPDX-License-Identifier: Apache-2.0
//
// verify.mjs DIR -- read every Parquet file described by DIR/manifest.json
// with two independent readers, DuckDB (@duckdb/node-api) and hyparquet
// (+ hyparquet-compressors), and compare every value with what the writer
// was given.  Also checks, through DuckDB's parquet_schema(),
// parquet_metadata(), parquet_file_metadata() and parquet_kv_metadata():
// the logical types, the codec, row-group counts, created_by, key-value
// metadata, and each row group's statistics (null_count, min/max in the
// logical type's order, NaN left out, -0/+0 rule, truncated long strings).
//
// Values are compared in the manifest's canonical text form (see
// tests/unit/parquet/test_writer.c).  Prints "N passed, N failed".
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const mod = (p) => import(pathToFileURL(join(root, 'tools/js/node_modules', p)).href);
const { DuckDBInstance } = await mod('@duckdb/node-api/lib/index.js');
const { parquetMetadata, parquetReadObjects } = await mod('hyparquet/src/index.js');
const { compressors } = await mod('hyparquet-compressors/src/index.js');

const dir = process.argv[2];
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
let pass = 0, fail = 0, shown = 0;
function ok(cond, name, detail) {
  if (cond) { pass++; return true; }
  fail++;
  if (shown++ < 40) console.log(`not ok - ${name}${detail ? `\n#   ${detail}` : ''}`);
  return false;
}

const hex = (u8) => Buffer.from(u8).toString('hex');
function f32bits(x) { const b = new DataView(new ArrayBuffer(4)); b.setFloat32(0, x, true); return b.getUint32(0, true).toString(16).padStart(8, '0'); }
function f64bits(x) { const b = new DataView(new ArrayBuffer(8)); b.setFloat64(0, x, true); return b.getBigUint64(0, true).toString(16).padStart(16, '0'); }
function beSigned(u8) {
  let v = 0n;
  for (const b of u8) v = (v << 8n) | BigInt(b);
  if (u8.length && u8[0] & 0x80) v -= 1n << BigInt(8 * u8.length);
  return v;
}
const isNull = (v) => v === null || v === undefined;

// One leaf value, as DuckDB (who = 'duck') or hyparquet ('hyp') returns it.
function canonLeaf(f, v, who) {
  if (isNull(v)) return null;
  if (v && typeof v === 'object' && '__hex' in v) return v.__hex;
  switch (f.kind) {
    case 'boolean': return v ? 'true' : 'false';
    case 'int8': case 'int16': case 'int32': case 'int64': return String(v);
    case 'date': return String(who === 'duck' ? v.days : v);
    case 'time': case 'timestamp': return String(who === 'duck' ? v.micros : v);
    case 'decimal':
      if (who === 'duck') return String(v.value);
      return v instanceof Uint8Array ? String(beSigned(v)) : String(v);
    case 'float': return Number.isNaN(v) ? 'NaN' : 'f' + f32bits(v);
    case 'double': return Number.isNaN(v) ? 'NaN' : 'd' + f64bits(v);
    case 'string': case 'json': case 'enum': return Buffer.from(v, 'utf8').toString('hex');
    case 'bytes': return hex(v.bytes ?? v);
    case 'uuid': return String(v).replace(/-/g, '');
  }
  throw new Error('unknown kind ' + f.kind);
}

function canon(fields, row, who) {
  if (isNull(row)) return null;
  const src = who === 'duck' && row.entries ? row.entries : row;
  const out = {};
  for (const f of fields) {
    const v = src[f.name];
    if (f.kind === 'group') out[f.name] = canon(f.children, v, who);
    else if (f.list) {
      if (isNull(v)) out[f.name] = null;
      else out[f.name] = Array.from(who === 'duck' ? v.items : v, (x) => canonLeaf(f, x, who));
    } else out[f.name] = canonLeaf(f, v, who);
  }
  return out;
}

function diff(a, b, path = '') {
  if (a === b) return null;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object')
    return `${path}: got ${JSON.stringify(a)?.slice(0, 120)}, want ${JSON.stringify(b)?.slice(0, 120)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: shape`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  if (Array.isArray(a) && a.length !== b.length) return `${path}: length ${a.length} vs ${b.length}`;
  for (const k of keys) {
    const d = diff(a[k], b[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}

// Leaves with their path, kind and definition info.
function leaves(fields, prefix = [], out = []) {
  for (const f of fields) {
    if (f.kind === 'group') leaves(f.children, [...prefix, f.name], out);
    else out.push({ ...f, path: [...prefix, f.name] });
  }
  return out;
}
function leafValue(row, path) {
  let v = row;
  for (const p of path) { if (v === null) return null; v = v[p]; }
  return v;
}

const duckType = (f) => ({
  boolean: 'BOOLEAN', int8: 'TINYINT', int16: 'SMALLINT', int32: 'INTEGER', int64: 'BIGINT',
  float: 'FLOAT', double: 'DOUBLE', string: 'VARCHAR', json: 'JSON', enum: 'VARCHAR', bytes: 'BLOB',
  uuid: 'UUID', date: 'DATE', time: 'TIME',
  decimal: `DECIMAL(${f.precision},${f.scale})`,
  timestamp: f.utc ? 'TIMESTAMP WITH TIME ZONE' : 'TIMESTAMP',
})[f.kind];
const physType = (f) => ({
  boolean: 'BOOLEAN', int8: 'INT32', int16: 'INT32', int32: 'INT32', date: 'INT32', int64: 'INT64',
  time: 'INT64', timestamp: 'INT64', float: 'FLOAT', double: 'DOUBLE', string: 'BYTE_ARRAY',
  json: 'BYTE_ARRAY', enum: 'BYTE_ARRAY', bytes: 'BYTE_ARRAY', uuid: 'FIXED_LEN_BYTE_ARRAY',
  decimal: f.precision <= 9 ? 'INT32' : f.precision <= 18 ? 'INT64' : 'FIXED_LEN_BYTE_ARRAY',
})[f.kind];
const codecName = { 0: 'UNCOMPRESSED', 1: 'SNAPPY', 2: 'GZIP', 6: 'ZSTD' };

// Order for statistics, on canonical values.
function cmp(f, a, b) {
  switch (f.kind) {
    case 'boolean': return (a === 'true') - (b === 'true');
    case 'float': case 'double': { const x = num(f, a), y = num(f, b); return x < y ? -1 : x > y ? 1 : 0; }
    case 'string': case 'json': case 'enum': case 'bytes': case 'uuid': return a < b ? -1 : a > b ? 1 : 0;
    default: { const x = BigInt(a), y = BigInt(b); return x < y ? -1 : x > y ? 1 : 0; }
  }
}
function num(f, c) {
  if (c === 'NaN') return NaN;
  const dv = new DataView(new ArrayBuffer(8));
  if (f.kind === 'float') { dv.setUint32(0, parseInt(c.slice(1), 16), true); return dv.getFloat32(0, true); }
  dv.setBigUint64(0, BigInt('0x' + c.slice(1)), true);
  return dv.getFloat64(0, true);
}

// SQL turning a parquet_metadata stats string into the canonical form.
function statSql(f, col) {
  switch (f.kind) {
    case 'date': return `CAST(CAST(${col} AS DATE) - DATE '1970-01-01' AS VARCHAR)`;
    case 'timestamp': return `CAST(epoch_us(CAST(${col} AS ${f.utc ? 'TIMESTAMPTZ' : 'TIMESTAMP'})) AS VARCHAR)`;
    case 'time': return `CAST((hour(CAST(${col} AS TIME)) * 3600 + minute(CAST(${col} AS TIME)) * 60) * 1000000 + microsecond(CAST(${col} AS TIME)) AS VARCHAR)`;
    case 'bytes': return `lower(hex(CAST(${col} AS BLOB)))`;
    case 'string': case 'json': case 'enum': return `lower(hex(${col}))`;
    case 'uuid': return `replace(${col}, '-', '')`;
    default: return col;
  }
}
function statCanon(f, s) {
  if (s === null) return null;
  if (f.kind === 'decimal') {
    const neg = s.startsWith('-');
    const digits = s.replace('-', '').replace('.', '');
    return String(BigInt(digits) * (neg ? -1n : 1n));
  }
  if (f.kind === 'float' || f.kind === 'double') {
    const x = Number(s === 'inf' ? Infinity : s === '-inf' ? -Infinity : s);
    return f.kind === 'float' ? 'f' + f32bits(x) : 'd' + f64bits(x);
  }
  return s;
}

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const q = async (sql) => (await con.runAndReadAll(sql)).getRowObjects();
const qj = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();

const hypParsers = {
  stringFromBytes: (b) => (b ? { __hex: hex(b) } : b),
  jsonFromBytes: (b) => (b ? { __hex: hex(b) } : b),
  uuidFromBytes: (b) => (b ? { __hex: hex(b) } : b),
  timestampFromMicroseconds: (v) => v,
  timestampFromMilliseconds: (v) => v,
  timestampFromNanoseconds: (v) => v,
  dateFromDays: (v) => v,
};

for (const m of manifest) {
  const file = join(dir, m.file);
  const lit = `'${file.replace(/'/g, "''")}'`;
  const name = m.file;

  // ---- DuckDB: values ----
  const rows = await q(`SELECT * EXCLUDE (file_row_number) FROM read_parquet(${lit}, file_row_number = true) ORDER BY file_row_number`);
  ok(rows.length === m.rows, `${name}: duckdb row count`, `${rows.length} vs ${m.rows}`);
  let bad = 0;
  for (let i = 0; m.data && i < Math.min(rows.length, m.data.length); i++) {
    const d = diff(canon(m.schema, rows[i], 'duck'), m.data[i]);
    if (d) { if (bad++ < 3) ok(false, `${name}: duckdb row ${i}`, d); }
  }
  ok(bad === 0, `${name}: duckdb values equal (${m.rows} rows)`, `${bad} rows differ`);

  // ---- hyparquet: values ----
  const buf = readFileSync(file);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const meta = parquetMetadata(ab);
  for (const el of meta.schema) if (el.converted_type === 'DECIMAL') { delete el.converted_type; delete el.logical_type; }
  let hrows = [];
  try {
    hrows = m.rows ? await parquetReadObjects({ file: ab, metadata: meta, compressors, parsers: hypParsers }) : [];
  } catch (e) { ok(false, `${name}: hyparquet read`, String(e)); }
  ok(hrows.length === m.rows, `${name}: hyparquet row count`, `${hrows.length} vs ${m.rows}`);
  bad = 0;
  for (let i = 0; m.data && i < Math.min(hrows.length, m.data.length); i++) {
    const d = diff(canon(m.schema, hrows[i], 'hyp'), m.data[i]);
    if (d) { if (bad++ < 3) ok(false, `${name}: hyparquet row ${i}`, d); }
  }
  ok(bad === 0, `${name}: hyparquet values equal (${m.rows} rows)`, `${bad} rows differ`);

  // ---- file metadata ----
  const fm = (await qj(`SELECT created_by, num_rows, num_row_groups FROM parquet_file_metadata(${lit})`))[0];
  ok(fm.created_by === 'sluice version 0.1.0', `${name}: created_by`, fm.created_by);
  ok(Number(fm.num_rows) === m.rows, `${name}: num_rows in footer`);
  ok(Number(fm.num_row_groups) >= m.min_row_groups, `${name}: at least ${m.min_row_groups} row groups`, `got ${fm.num_row_groups}`);
  const kv = await qj(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${lit})`);
  ok(kv.length === 1 && kv[0].k === 'sluice.test' && kv[0].v === m.file.replace('.parquet', ''), `${name}: key_value_metadata`, JSON.stringify(kv));

  // ---- schema: types ----
  const ls = leaves(m.schema);
  const sch = await qj(`SELECT name, type, type_length, duckdb_type, field_id, repetition_type FROM parquet_schema(${lit})`);
  for (const f of ls) {
    const el = sch.find((e) => e.name === (f.list ? 'element' : f.name) && e.type !== null &&
      (!f.list || true));
    const cands = sch.filter((e) => e.name === (f.list ? 'element' : f.name) && e.type !== null);
    const want = duckType(f);
    const hit = cands.find((e) => e.duckdb_type === want && e.type === physType(f));
    ok(hit !== undefined, `${name}: ${f.path.join('.')} is ${physType(f)} / ${want}`, JSON.stringify(cands.map((e) => [e.type, e.duckdb_type])));
    if (f.kind === 'decimal' && f.precision > 18 && hit)
      ok(Number(hit.type_length) === [0, 1, 1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 6, 7, 7, 8, 8, 8, 9, 9, 10, 10, 11, 11, 11, 12, 12, 13, 13, 13, 14, 14, 15, 15, 16, 16, 16][f.precision],
        `${name}: ${f.path.join('.')} decimal width`, hit.type_length);
    if (!f.list && el) ok(el.field_id !== null, `${name}: ${f.path.join('.')} has a field id`);
  }
  // The described DuckDB types for the whole table.
  const desc = await qj(`DESCRIBE SELECT * FROM read_parquet(${lit})`);
  ok(desc.length === m.schema.length, `${name}: top-level column count`);

  // ---- row groups and statistics ----
  const md = await qj(`SELECT row_group_id, row_group_num_rows, path_in_schema, compression, encodings,
      stats_null_count, stats_min_value, stats_max_value, min_is_exact, max_is_exact FROM parquet_metadata(${lit})
      ORDER BY row_group_id, column_id`);
  ok(md.every((r) => r.compression === codecName[m.codec]), `${name}: codec ${codecName[m.codec]} on every chunk`);
  const rgs = [...new Set(md.map((r) => Number(r.row_group_id)))].sort((a, b) => a - b);
  let start = 0, statBad = 0, statChecked = 0;
  const statFail = (msg) => { if (statBad++ < 5) ok(false, `${name}: ${msg}`); };
  for (const rg of m.data ? rgs : []) {
    const chunks = md.filter((r) => Number(r.row_group_id) === rg);
    const n = Number(chunks[0].row_group_num_rows);
    for (const f of ls) {
      if (f.list) continue;
      const pis = f.path.join(', ');
      const ch = chunks.find((r) => r.path_in_schema === pis);
      if (!ch) { statFail(`no chunk for ${pis}`); continue; }
      let nulls = 0, mn = null, mx = null;
      for (let i = start; i < start + n; i++) {
        const v = leafValue(m.data[i], f.path);
        if (v === null) { nulls++; continue; }
        if (v === 'NaN') continue;
        if (mn === null || cmp(f, v, mn) < 0) mn = v;
        if (mx === null || cmp(f, v, mx) > 0) mx = v;
      }
      if ((f.kind === 'float' || f.kind === 'double') && mn !== null) {
        if (num(f, mn) === 0) mn = f.kind === 'float' ? 'f80000000' : 'd8000000000000000';
        if (num(f, mx) === 0) mx = f.kind === 'float' ? 'f00000000' : 'd0000000000000000';
      }
      statChecked++;
      if (Number(ch.stats_null_count) !== nulls) statFail(`rg ${rg} ${pis} null_count ${ch.stats_null_count} want ${nulls}`);
      const sqlLit = (v) => (v === null ? 'NULL' : `'${String(v).replace(/'/g, "''")}'::VARCHAR`);
      const conv = (await qj(`SELECT ${statSql(f, sqlLit(ch.stats_min_value))} AS mn, ${statSql(f, sqlLit(ch.stats_max_value))} AS mx`))[0];
      let gmn = statCanon(f, conv.mn), gmx = statCanon(f, conv.mx);
      if (f.kind === 'float' || f.kind === 'double') {
        // DuckDB's parquet_metadata() hides infinite float bounds, so floats
        // are read from the footer through hyparquet instead.
        const hc = meta.row_groups[rg].columns.find((c) => c.meta_data.path_in_schema.join(', ') === pis);
        const st = hc?.meta_data.statistics ?? {};
        const bits = f.kind === 'float' ? (x) => 'f' + f32bits(x) : (x) => 'd' + f64bits(x);
        gmn = isNull(st.min_value) ? null : bits(Number(st.min_value));
        gmx = isNull(st.max_value) ? null : bits(Number(st.max_value));
      }
      if (mn === null) {
        if (gmn !== null || gmx !== null) statFail(`rg ${rg} ${pis}: min/max ${gmn}/${gmx} on a chunk with no comparable values`);
        continue;
      }
      if (ch.min_is_exact === false) {
        if (!(mn.startsWith(gmn) && gmn.length < mn.length)) statFail(`rg ${rg} ${pis}: truncated min ${gmn} is not a prefix of ${mn.slice(0, 40)}`);
      } else if (gmn !== mn) statFail(`rg ${rg} ${pis}: min ${gmn} want ${mn}`);
      if (ch.max_is_exact === false) {
        if (!(gmx > mx && gmx.length < mx.length)) statFail(`rg ${rg} ${pis}: truncated max ${gmx} does not bound ${mx.slice(0, 40)}`);
      } else if (gmx !== mx) statFail(`rg ${rg} ${pis}: max ${gmx} want ${mx}`);
    }
    start += n;
  }
  ok(statBad === 0, `${name}: statistics of ${statChecked} column chunks`, `${statBad} wrong`);
  if (m.data) ok(start === m.rows, `${name}: row groups add up to the row count`);
  else {
    // Random content: the readers agree with the writer's row count, and
    // DuckDB can scan every column of every row.
    const all = await qj(`SELECT count(*) AS n, count(s) AS ns, count(arr) AS na FROM read_parquet(${lit})`);
    ok(Number(all[0].n) === m.rows, `${name}: full scan`);
  }

  // ---- pruning: with a sorted column, row-group ranges are disjoint and a
  // selective filter returns the right rows ----
  const seq = ls.find((f) => f.seq);
  if (seq && m.data && rgs.length > 1) {
    const ranges = md.filter((r) => r.path_in_schema === seq.name).map((r) => [BigInt(r.stats_min_value), BigInt(r.stats_max_value)]);
    ok(ranges.every((r, i) => i === 0 || r[0] > ranges[i - 1][1]), `${name}: ${seq.name} ranges are disjoint across ${ranges.length} row groups`);
    const target = BigInt(Math.floor(m.rows * 0.7));
    const res = await qj(`SELECT count(*) AS n FROM read_parquet(${lit}) WHERE ${seq.name} = ${target}`);
    ok(Number(res[0].n) === 1, `${name}: point lookup on ${seq.name}`);
    // Proof that DuckDB prunes on these statistics: wreck every column chunk
    // of every other row group; the filtered query must still answer (it
    // never reads them), while the same filter hidden from pushdown fails.
    const wrecked = Buffer.from(buf);
    meta.row_groups.forEach((rg) => {
      const idc = rg.columns.find((c) => c.meta_data.path_in_schema.join('.') === seq.name).meta_data.statistics;
      if (target >= BigInt(idc.min_value) && target <= BigInt(idc.max_value)) return;
      for (const c of rg.columns) {
        const md2 = c.meta_data;
        const off = Number(md2.dictionary_page_offset ?? md2.data_page_offset);
        wrecked.fill(0xff, off, off + Number(md2.total_compressed_size));
      }
    });
    const wf = file.replace(/\.parquet$/, '.wrecked.parquet');
    (await import('node:fs')).writeFileSync(wf, wrecked);
    const wlit = `'${wf.replace(/'/g, "''")}'`;
    let pruned = null, unpruned = null;
    try { pruned = Number((await qj(`SELECT count(*) AS n FROM read_parquet(${wlit}) WHERE ${seq.name} = ${target}`))[0].n); } catch (e) { pruned = String(e); }
    try { unpruned = Number((await qj(`SELECT count(*) AS n FROM read_parquet(${wlit}) WHERE CAST(${seq.name} AS VARCHAR) = '${target}'`))[0].n); } catch (e) { unpruned = 'error'; }
    ok(pruned === 1, `${name}: DuckDB skips row groups by statistics (lookup on a file whose other row groups are wrecked)`, String(pruned));
    ok(unpruned === 'error', `${name}: the wrecked row groups are really unreadable without pruning`, String(unpruned));
    (await import('node:fs')).unlinkSync(wf);
  }

  // ---- encodings seen ----
  if (name === 'types_zstd.parquet') {
    const encs = new Set(md.flatMap((r) => String(r.encodings).split(', ')));
    for (const e of ['PLAIN', 'RLE', 'RLE_DICTIONARY', 'DELTA_BINARY_PACKED'])
      ok(encs.has(e), `${name}: uses ${e}`, [...encs].join(','));
  }
  if (name === 'many_row_groups.parquet') {
    const s = md.filter((r) => r.path_in_schema === 's').map((r) => String(r.encodings));
    ok(s.some((e) => e.includes('RLE_DICTIONARY') && e.includes('PLAIN')), `${name}: dictionary falls back to PLAIN within a chunk`, s.slice(0, 3).join(' | '));
  }
}

console.log(`${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);
