// The DuckDB side of QueryLake's Parquet matrix test.
// usage: node parquet-matrix.mjs <work-dir>          write the matrix and <work-dir>/matrix.json
//        node parquet-matrix.mjs read <out.json> <file>...   read files (QueryLake's) into the same canonical form
// DuckDB writes one table with every type and nesting it supports into Parquet files for each codec and format
// version, then reads each file back and prints, per file, the rows in a canonical JSON form (see norm below) and the
// encodings it used: [{ "file", "codec", "version", "encodings": [...], "rows": [[...]] }].
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'fs';
import path from 'path';

const args = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const q = async sql => (await con.runAndReadAll(sql)).getRowObjectsJson();

async function createTable() {
await con.run(`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`);
await con.run(`CREATE TABLE t AS SELECT
  i AS id,
  CASE WHEN i % 7 = 0 THEN NULL ELSE i % 3 = 0 END AS b,
  (i % 200 - 100)::TINYINT AS i8,
  CASE WHEN i % 5 = 0 THEN NULL ELSE (i * 37 % 60000 - 30000)::SMALLINT END AS i16,
  (i * 7919 - 1000000)::INTEGER AS i32,
  CASE WHEN i % 11 = 0 THEN NULL ELSE i * 1000000007::BIGINT - 5000000000000 END AS i64,
  (i % 250)::UTINYINT AS u8, (i * 13 % 65000)::USMALLINT AS u16, (i * 100003)::UINTEGER AS u32, (i * 1000000000039)::UBIGINT AS u64,
  CASE WHEN i % 13 = 0 THEN NULL ELSE (i / 7.0)::FLOAT END AS f,
  (i * 1.5 - 777.25)::DOUBLE AS d,
  ((i % 9000) / 100.0 - 45)::DECIMAL(4,2) AS dec4,
  (i * 3.125)::DECIMAL(9,3) AS dec9,
  CASE WHEN i % 3 = 0 THEN NULL ELSE (i * 12345.6789)::DECIMAL(18,4) END AS dec18,
  (i * 98765.4321)::DECIMAL(38,10) AS dec38,
  CASE WHEN i % 17 = 0 THEN NULL ELSE 'label_' || (i % 20) END AS s_dict,
  'unique value number ' || i || repeat('x', i % 13) AS s_plain,
  CASE WHEN i % 4 = 0 THEN NULL ELSE ('\\x' || lpad(to_hex(i % 256), 2, '0') || 'ab\\x00')::BLOB END AS bl,
  (DATE '2001-01-01' + ((i * 3) % 20000 - 9000)::INTEGER) AS dt,
  (TIME '00:00:00' + INTERVAL (i * 123457) MILLISECOND) AS tm,
  (TIMESTAMP '2001-01-01 00:00:00' + INTERVAL (i * 3600007) MILLISECOND) AS ts,
  (TIMESTAMP '2001-01-01 00:00:00' + INTERVAL (i * 61) SECOND)::TIMESTAMP_MS AS ts_ms,
  (TIMESTAMP '1999-06-01 00:00:00' + INTERVAL (i * 17) MICROSECOND)::TIMESTAMP_NS AS ts_ns,
  (TIMESTAMP '2020-02-29 12:00:00' + INTERVAL (i) MINUTE)::TIMESTAMP_S AS ts_s,
  (TIMESTAMPTZ '2001-01-01 00:00:00+00' + INTERVAL (i) HOUR) AS tstz,
  ('00000000-0000-4000-8000-' || lpad(i::VARCHAR, 12, '0'))::UUID AS uid,
  (['sad', 'ok', 'happy'][i % 3 + 1])::mood AS en,
  CASE WHEN i % 9 = 0 THEN NULL ELSE ('{"k": ' || i || '}')::JSON END AS js,
  CASE WHEN i % 10 = 0 THEN NULL WHEN i % 10 = 1 THEN [] ELSE [i, NULL, i + 1][1:(i % 4)] END AS li,
  CASE WHEN i % 8 = 0 THEN NULL ELSE ['a' || i, NULL, 'c'][1:(i % 3 + 1)] END AS ls,
  CASE WHEN i % 12 = 0 THEN NULL WHEN i % 12 = 1 THEN [[]] ELSE [[i], NULL, [i, i + 1, NULL], []][1:(i % 5)] END AS lli,
  CASE WHEN i % 6 = 0 THEN NULL ELSE {'a': CASE WHEN i % 4 = 0 THEN NULL ELSE i END, 'b': 'v' || (i % 5)} END AS st,
  {'x': CASE WHEN i % 5 = 0 THEN NULL ELSE [i, i * 2][1:(i % 3)] END, 'y': CASE WHEN i % 7 = 1 THEN NULL ELSE {'z': i / 4.0} END} AS stl,
  CASE WHEN i % 9 = 0 THEN NULL ELSE [{'a': i, 'b': 'p'}, NULL, {'a': NULL, 'b': NULL}][1:(i % 4)] END AS lst,
  CASE WHEN i % 10 = 0 THEN NULL ELSE MAP(['k' || (i % 3), 'z' || i][1:(i % 2 + 1)], [i, NULL][1:(i % 2 + 1)]) END AS m,
  [i::FLOAT, -i, 0.5, i / 3]::FLOAT[4] AS emb
FROM range(3000) r(i)`);
}

// The canonical form: integers as decimal strings, floats and decimals as JSON numbers, dates as days, times and
// timestamps as microseconds (strings), blobs as base64, maps as lists of {key, value}.
function norm(expr, type) {
  const t = type.trim();
  if (t.endsWith('[]')) return `list_transform(${expr}, x${depth} -> ${normInner(`x${depth}`, t.slice(0, -2))})`;
  const arr = t.match(/^(.*)\[(\d+)\]$/);
  if (arr) return `list_transform(${expr}::${arr[1]}[], x${depth} -> ${normInner(`x${depth}`, arr[1])})`;
  if (t.startsWith('STRUCT(')) {
    const fields = splitTop(t.slice(7, -1)).map(f => { const m = f.trim().match(/^("?)([^" ]+)\1 (.*)$/); return [m[2], m[3]]; });
    return `CASE WHEN ${expr} IS NULL THEN NULL ELSE struct_pack(${fields.map(([n, ft]) => `"${n}" := ${normInner(`(${expr})."${n}"`, ft)}`).join(', ')}) END`;
  }
  if (t.startsWith('MAP(')) {
    const [kt, vt] = splitTop(t.slice(4, -1));
    return `list_transform(map_entries(${expr}), e${depth} -> struct_pack(key := ${normInner(`e${depth}.key`, kt)}, value := ${normInner(`e${depth}.value`, vt)}))`;
  }
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|HUGEINT)$/.test(t)) return `CAST(${expr} AS VARCHAR)`;
  if (/^(FLOAT|DOUBLE|DECIMAL.*)$/.test(t)) return `CAST(${expr} AS DOUBLE)`;
  if (t === 'BLOB') return `to_base64(${expr})`;
  if (t === 'DATE') return `CAST(${expr} - DATE '1970-01-01' AS VARCHAR)`;
  if (t === 'TIME') return `CAST((hour(${expr}) * 3600 + minute(${expr}) * 60)::BIGINT * 1000000 + microsecond(${expr}) AS VARCHAR)`;
  if (t.startsWith('TIMESTAMP')) return `CAST(epoch_us(${expr}) AS VARCHAR)`;
  if (t === 'UUID' || t === 'JSON' || t.startsWith('ENUM')) return `CAST(${expr} AS VARCHAR)`;
  return expr;
}
let depth = 0;
function normInner(expr, type) { depth++; try { return norm(expr, type); } finally { depth--; } }
function splitTop(s) {
  const out = []; let level = 0, cur = '';
  for (const c of s) {
    if (c === '(') level++;
    if (c === ')') level--;
    if (c === ',' && level === 0) { out.push(cur); cur = ''; } else cur += c;
  }
  if (cur.trim()) out.push(cur);
  return out;
}

async function canonical(file) {
  const cols = await q(`DESCRIBE SELECT * FROM '${file}'`);
  const select = cols.map(c => `${norm(`"${c.column_name}"`, c.column_type)} AS "${c.column_name}"`).join(', ');
  const rows = (await q(`SELECT to_json(struct_pack(${cols.map(c => `"${c.column_name}" := "${c.column_name}"`).join(', ')})) AS j FROM (SELECT ${select} FROM '${file}')`))
    .map(r => { const o = JSON.parse(r.j); return cols.map(c => o[c.column_name] ?? null); });
  return { file, columns: cols.map(c => c.column_name), types: cols.map(c => c.column_type), rows };
}

if (args[0] === 'read') {
  const out = [];
  for (const f of args.slice(2)) out.push(await canonical(f));
  fs.writeFileSync(args[1], JSON.stringify(out));
  process.exit(0);
}

const work = args[0];
await createTable();
const results = [];
const variants = [];
for (const codec of ['uncompressed', 'snappy', 'gzip', 'zstd', 'lz4_raw', 'brotli'])
  for (const version of ['V1', 'V2']) variants.push({ codec, version });
for (const v of variants) {
  const file = path.join(work, `matrix-${v.codec}-${v.version}.parquet`);
  await con.run(`COPY (SELECT * FROM t ORDER BY id) TO '${file}' (FORMAT parquet, COMPRESSION ${v.codec}, PARQUET_VERSION ${v.version}, ROW_GROUP_SIZE 1024)`);
  const enc = await q(`SELECT DISTINCT unnest(string_split(encodings, ', ')) AS e FROM parquet_metadata('${file}') ORDER BY e`);
  results.push({ ...(await canonical(file)), codec: v.codec, version: v.version, encodings: enc.map(e => e.e) });
}
fs.writeFileSync(path.join(work, 'matrix.json'), JSON.stringify(results));
console.log(JSON.stringify(results.map(r => ({ file: path.basename(r.file), encodings: r.encodings, rows: r.rows.length }))));
