// Writes MNIST digits (the mnist package: ~1,000 per class, 28×28 greyscale) as PNG files with pngjs, and their
// labels as CSV (path,label), for QueryLake's ingestion tests.
// usage: node mnist-export.mjs <out-dir> <per-digit>
import { PNG } from 'pngjs';
import fs from 'fs';
import path from 'path';
import { createRequire } from 'module';
const require = createRequire(import.meta.url);
const [outDir, perDigitArg] = process.argv.slice(2);
const perDigit = Number(perDigitArg);
const lines = ['path,label'];
for (let digit = 0; digit < 10; digit++) {
  const raw = require(`mnist/src/digits/${digit}.json`).data;
  const count = Math.min(perDigit, Math.floor(raw.length / 784));
  for (let k = 0; k < count; k++) {
    const png = new PNG({ width: 28, height: 28, colorType: 0 });
    for (let p = 0; p < 784; p++) {
      const v = Math.round(raw[k * 784 + p] * 255);
      png.data[p * 4] = png.data[p * 4 + 1] = png.data[p * 4 + 2] = v;
      png.data[p * 4 + 3] = 255;
    }
    const file = path.join(outDir, `${digit}-${String(k).padStart(4, '0')}.png`);
    fs.writeFileSync(file, PNG.sync.write(png, { colorType: 0 }));
    lines.push(`${file},${digit}`);
  }
}
fs.writeFileSync(path.join(outDir, 'labels.csv'), lines.join('\n') + '\n');
console.log(JSON.stringify({ files: lines.length - 1 }));
