// DuckDB's side of QueryLake's file-scan benchmarks: times queries over files both engines read directly.
// usage: node duckdb-time.mjs <queries.json> <repeat> [setup.sql]   (setup statements run once, untimed)
// Prints JSON: [{ "seconds": median, "rows": n }] in query order. Each query runs once to warm the OS cache first.
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'fs';

const [queriesPath, repeatArg, setupPath] = process.argv.slice(2);
const queries = JSON.parse(fs.readFileSync(queriesPath, 'utf8'));
const repeat = Number(repeatArg);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
if (setupPath) for (const stmt of fs.readFileSync(setupPath, 'utf8').split(';').map(x => x.trim()).filter(x => x)) await con.run(stmt);
const out = [];
for (const q of queries) {
  await con.runAndReadAll(q);
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
console.log(JSON.stringify(out));
