// The DuckDB side of QueryLake's differential SQL tests.
// usage: node duckdb-diff.mjs <work-dir> <queries.json>
// Loads real data nobody here made (vega-datasets) into DuckDB, exports every table to <work-dir>/<name>.arrow
// (with apache-arrow) so QueryLake reads exactly the same rows, runs each query and prints canonical JSON:
// [{ "columns": [...], "rows": [[...]] } | { "error": "..." }].
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC, tableToIPC, Table, vectorFromArray, Int64, Int32, Int16, Float64, Float32, Utf8, Bool, DateDay } from 'apache-arrow';
import fs from 'fs';
import path from 'path';

const [work, queriesPath] = process.argv.slice(2);
const queries = JSON.parse(fs.readFileSync(queriesPath, 'utf8'));
const data = path.join(path.dirname(new URL(import.meta.url).pathname), 'node_modules', 'vega-datasets', 'data');

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();

// flights-200k.arrow: DuckDB cannot read Arrow files without an extension, so apache-arrow feeds it.
const flights = tableFromIPC(fs.readFileSync(path.join(data, 'flights-200k.arrow')));
await con.run('CREATE TABLE flights (delay SMALLINT, distance SMALLINT, time FLOAT)');
const appender = await con.createAppender('flights');
const [d, dist, t] = ['delay', 'distance', 'time'].map(n => flights.getChild(n));
for (let i = 0; i < flights.numRows; i++) {
  appender.appendSmallInt(d.get(i)); appender.appendSmallInt(dist.get(i)); appender.appendFloat(t.get(i));
  appender.endRow();
}
appender.closeSync();
await con.run(`CREATE TABLE weather AS SELECT * FROM read_csv('${path.join(data, 'seattle-weather.csv')}')`);
await con.run(`CREATE TABLE cars AS SELECT * FROM read_json('${path.join(data, 'cars.json')}')`);
await con.run(`CREATE TABLE airports AS SELECT * FROM read_csv('${path.join(data, 'airports.csv')}')`);

function arrowType(t) {
  switch (t) {
    case 'BIGINT': return new Int64();
    case 'INTEGER': return new Int32();
    case 'SMALLINT': return new Int16();
    case 'DOUBLE': return new Float64();
    case 'FLOAT': return new Float32();
    case 'VARCHAR': return new Utf8();
    case 'BOOLEAN': return new Bool();
    case 'DATE': return new DateDay();
    default: throw new Error('no arrow type for ' + t);
  }
}

function jsValue(t, v) {
  if (v === null || v === undefined) return null;
  if (t === 'DATE') return new Date(v.days * 86400000);
  if (t === 'BIGINT') return BigInt(v);
  return v;
}

for (const table of ['flights', 'weather', 'cars', 'airports']) {
  const reader = await con.runAndReadAll(`SELECT * FROM ${table}`);
  const names = reader.columnNames();
  const types = reader.columnTypes().map(x => x.toString());
  const cols = reader.getColumns();
  const vectors = {};
  names.forEach((n, i) => { vectors[n] = vectorFromArray(cols[i].map(v => jsValue(types[i], v)), arrowType(types[i])); });
  fs.writeFileSync(path.join(work, `${table}.arrow`), tableToIPC(new Table(vectors), 'file'));
}

function canonical(t, v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (Number.isInteger(v) && !t.startsWith('DOUBLE') && !t.startsWith('FLOAT')) return String(v);
    return { f: Number.isFinite(v) ? v : String(v) };
  }
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v;
  if (t === 'DATE') return new Date(v.days * 86400000).toISOString().slice(0, 10);
  if (t.startsWith('DECIMAL')) return { f: Number(v.toDouble ? v.toDouble() : v.toString()) };
  if (t.startsWith('HUGEINT')) return v.toString();
  return String(v);
}

const out = [];
for (const q of queries) {
  try {
    const r = await con.runAndReadAll(q);
    const types = r.columnTypes().map(x => x.toString());
    const rows = r.getRows().map(row => row.map((v, i) => canonical(types[i], v)));
    out.push({ columns: r.columnNames(), rows });
  } catch (e) {
    out.push({ error: String(e.message ?? e) });
  }
}
process.stdout.write(JSON.stringify(out));
