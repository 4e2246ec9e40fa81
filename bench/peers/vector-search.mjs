// DuckDB's and LanceDB's side of QueryLake's similarity benchmark, on the same vectors in the same run.
// usage: node vector-search.mjs <vectors.arrow> <dim> <probes.json> <repeat> <work-dir>
// DuckDB: the vectors in an in-memory table (FLOAT[dim]), top-10 by array_cosine_similarity … ORDER BY … LIMIT 10.
// LanceDB: a table on disk (warm in the OS cache), flat search (no index) with the cosine metric, limit 10.
// Each without a filter and with a 10% filter (id % 10 = 0). Prints JSON of median seconds per query and the ids
// each engine found for the first probe (so the harness can check they agree).
import { DuckDBInstance } from '@duckdb/node-api';
import * as lancedb from '@lancedb/lancedb';
import { tableFromIPC } from 'apache-arrow';
import fs from 'fs';
import path from 'path';

const [arrowPath, dimArg, probesPath, repeatArg, work] = process.argv.slice(2);
const dim = Number(dimArg), repeat = Number(repeatArg);
const probes = JSON.parse(fs.readFileSync(probesPath, 'utf8'));
const median = xs => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e9;
const filters = [null, 'id % 10 = 0'];
const out = { duckdb: {}, lancedb: {} };

async function measure(run) {
  const result = {};
  for (const filter of filters) {
    const key = filter ? 'filter10' : 'all';
    await run(probes[0], filter); // warm-up
    const times = [];
    let firstIds = null;
    for (let r = 0; r < repeat; r++)
      for (const probe of probes) {
        const t = now();
        const ids = await run(probe, filter);
        times.push(now() - t);
        if (probe === probes[0]) firstIds = ids;
      }
    result[key] = { seconds: median(times), ids: firstIds };
  }
  return result;
}

// LanceDB first (it needs the Arrow table in memory only while loading).
{
  const table = tableFromIPC(fs.readFileSync(arrowPath));
  const db = await lancedb.connect(path.join(work, 'lance'));
  const t = await db.createTable('v', table, { mode: 'overwrite' });
  out.lancedb = await measure(async (probe, filter) => {
    let q = t.search(probe).distanceType('cosine').limit(10);
    if (filter) q = q.where(filter);
    return (await q.toArray()).map(h => Number(h.id));
  });
}
{
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  // DuckDB reads the Arrow IPC file through its arrow extension only when installed; load from Parquet instead.
  await con.run(`CREATE TABLE v AS SELECT id, vector::FLOAT[${dim}] AS v FROM read_parquet('${arrowPath.replace(/\.arrow$/, '.parquet')}')`);
  out.duckdb = await measure(async (probe, filter) => {
    const lit = `[${probe.join(',')}]::FLOAT[${dim}]`;
    const r = await con.runAndReadAll(`SELECT id FROM v ${filter ? 'WHERE ' + filter : ''} ORDER BY array_cosine_similarity(v, ${lit}) DESC LIMIT 10`);
    return r.getRows().map(x => Number(x[0]));
  });
}
console.log(JSON.stringify(out));
