// DuckDB's side of QueryLake's SQL benchmark: the same data, the same queries, in the same run.
// usage: node duckdb-sql.mjs <work-dir> <queries.json> <repeat>
// Loads flights-3m.parquet and airports.csv (vega-datasets) into DuckDB, exports both to Arrow IPC files in
// <work-dir> for QueryLake (which has no Parquet reader yet), times each query (median of <repeat> runs)
// and prints JSON: [{ "seconds": s, "rows": n }].
import { DuckDBInstance } from '@duckdb/node-api';
import { tableToIPC, Table, vectorFromArray, makeData, makeVector, Int64, Utf8, TimestampMicrosecond, Float64 } from 'apache-arrow';
import fs from 'fs';
import path from 'path';

const [work, queriesPath, repeatArg] = process.argv.slice(2);
const queries = JSON.parse(fs.readFileSync(queriesPath, 'utf8'));
const repeat = Number(repeatArg);
const data = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'tests', 'oracles', 'node_modules', 'vega-datasets', 'data');

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run(`CREATE TABLE flights AS SELECT * FROM '${path.join(data, 'flights-3m.parquet')}'`);
await con.run(`CREATE TABLE airports AS SELECT * FROM read_csv('${path.join(data, 'airports.csv')}')`);

async function exportTable(name) {
  const r = await con.runAndReadAll(`SELECT * FROM ${name}`);
  const names = r.columnNames();
  const types = r.columnTypes().map(t => t.toString());
  const cols = r.getColumns();
  const vectors = {};
  names.forEach((n, i) => {
    const v = cols[i];
    switch (types[i]) {
      case 'BIGINT': vectors[n] = vectorFromArray(v.map(x => x === null ? null : BigInt(x)), new Int64()); break;
      case 'DOUBLE': vectors[n] = vectorFromArray(v, new Float64()); break;
      case 'TIMESTAMP': vectors[n] = makeVector(makeData({ type: new TimestampMicrosecond(), length: v.length, data: BigInt64Array.from(v, x => x.micros) })); break;
      default: vectors[n] = vectorFromArray(v, new Utf8());
    }
  });
  fs.writeFileSync(path.join(work, `${name}.arrow`), tableToIPC(new Table(vectors), 'file'));
}
await exportTable('flights');
await exportTable('airports');

const out = [];
for (const q of queries) {
  const times = [];
  let rows = 0;
  for (let r = 0; r < repeat; r++) {
    const t = process.hrtime.bigint();
    const result = await con.runAndReadAll(q);
    times.push(Number(process.hrtime.bigint() - t) / 1e9);
    rows = result.currentRowCount;
  }
  times.sort((a, b) => a - b);
  out.push({ seconds: times[Math.floor(times.length / 2)], rows });
}
process.stdout.write(JSON.stringify(out));
