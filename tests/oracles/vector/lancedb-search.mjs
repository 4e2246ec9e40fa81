// Flat (exact, no index) top-k search in LanceDB over real data: MNIST digits as 784-d float vectors.
// Writes the vectors as JSON Lines for QueryLake to import, builds a LanceDB table of the same vectors, and prints
// LanceDB's top-k ids and distances for each probe, metric and filter as JSON.
// usage: node lancedb-search.mjs <out-dir> <per-digit> <k>
import * as lancedb from '@lancedb/lancedb';
import fs from 'fs';
import path from 'path';
import { createRequire } from 'module';
const require = createRequire(import.meta.url);
const [outDir, perDigitArg, kArg] = process.argv.slice(2);
const perDigit = Number(perDigitArg), k = Number(kArg);
const rows = [];
for (let digit = 0; digit < 10; digit++) {
  const raw = require(`mnist/src/digits/${digit}.json`).data;
  for (let j = 0; j < perDigit; j++)
    rows.push({ id: rows.length, label: digit, vector: Array.from(raw.slice(j * 784, (j + 1) * 784)) });
}
fs.writeFileSync(path.join(outDir, 'digits.jsonl'), rows.map(r => JSON.stringify(r)).join('\n') + '\n');
const db = await lancedb.connect(path.join(outDir, 'lance'));
const table = await db.createTable('digits', rows, { mode: 'overwrite' });
const probes = [0, Math.floor(rows.length / 3), rows.length - 1];
const results = [];
for (const metric of ['cosine', 'l2', 'dot'])
  for (const filter of [null, 'id % 10 = 3'])
    for (const probe of probes) {
      let q = table.search(rows[probe].vector).distanceType(metric).limit(k);
      if (filter) q = q.where(filter);
      const hits = await q.toArray();
      results.push({ metric, filter, probe, ids: hits.map(h => Number(h.id)), distances: hits.map(h => h._distance) });
    }
console.log(JSON.stringify({ rows: rows.length, results }));
