// LanceDB, measured on the same data as QueryLake's storage benchmark, in the same run.
// usage: node lancedb-storage.mjs <mixed.arrow> <blob-batch.arrow> <blob-count> <work-dir> <repeat>
// Prints one JSON object of medians (seconds).
import * as lancedb from '@lancedb/lancedb';
import { tableFromIPC, Table } from 'apache-arrow';
import fs from 'fs';
import path from 'path';

const [mixedPath, blobPath, blobCountArg, work, repeatArg] = process.argv.slice(2);
const blobCount = Number(blobCountArg), repeat = Number(repeatArg);
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e9;

async function timed(fn) { const t = now(); const r = await fn(); return [now() - t, r]; }

const mixed = tableFromIPC(fs.readFileSync(mixedPath));
const blobBatch = tableFromIPC(fs.readFileSync(blobPath)).batches[0];
// LanceDB's JavaScript API serializes whole tables in memory, so blobs go in as ~1 GB adds (LanceDB's
// documented way to ingest more than fits in memory); each add is a commit, as each QueryLake append is.
const blobBatches = [];
for (let n = 0; n < blobCount; n += blobBatch.numRows) blobBatches.push(n + blobBatch.numRows <= blobCount ? blobBatch : blobBatch.slice(0, blobCount - n));
const chunks = [];
for (let i = 0; i < blobBatches.length; i += 40) chunks.push(new Table(blobBatches.slice(i, i + 40)));

const result = {};
const appendMixed = [], appendBlobs = [];
let db, mixedTable, blobTable;
for (let r = 0; r < repeat; r++) {
  const dir = path.join(work, `lance-${r}`);
  db = await lancedb.connect(dir);
  const [t1, mt] = await timed(() => db.createTable('mixed', mixed));
  appendMixed.push(t1); mixedTable = mt;
  if (r < Math.min(repeat, 2)) {
    const [t2, bt] = await timed(async () => {
      const t = await db.createTable('blobs', chunks[0]);
      for (const c of chunks.slice(1)) await t.add(c);
      return t;
    });
    appendBlobs.push(t2); blobTable = bt;
  }
}
result.appendMixedSeconds = median(appendMixed);
result.appendBlobsSeconds = median(appendBlobs);

let seed = 7; // mulberry32
const rand = (n) => {
  seed = (seed + 0x6D2B79F5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) % n;
};
// 1,000 distinct random offsets (LanceDB returns each row once).
const pick = () => { const s = new Set(); while (s.size < 1000) s.add(rand(blobCount)); return [...s]; };
for (const [label, columns] of [['idOnly', ['id']], ['withImage', ['id', 'image']]]) {
  const warm = [];
  await blobTable.takeOffsets(pick()).select(columns).toArrow();
  for (let r = 0; r < repeat * 5; r++) {
    const offsets = pick();
    const [t, tbl] = await timed(() => blobTable.takeOffsets(offsets).select(columns).toArrow());
    if (tbl.numRows !== 1000) throw new Error('take returned ' + tbl.numRows);
    warm.push(t);
  }
  result[`take_${label}_warmSeconds`] = median(warm);
}

const scans = [];
for (let r = 0; r < repeat * 3; r++) {
  const [t, tbl] = await timed(() => mixedTable.query().select([mixed.schema.fields[0].name]).toArrow());
  if (tbl.numRows !== mixed.numRows) throw new Error('scan returned ' + tbl.numRows);
  scans.push(t);
}
result.scanIdSeconds = median(scans); // the first column: QueryLake's benchmark puts its int64 id there
process.stdout.write(JSON.stringify(result));
