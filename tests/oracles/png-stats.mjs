// pngjs's reading of PNG files, for QueryLake's PNG decoder test: width, height, mean luma (0..1, Rec. 601 weights
// on 8-bit RGB, alpha ignored) and a few pixels.
// usage: node png-stats.mjs <file>...
import { PNG } from 'pngjs';
import fs from 'fs';
const out = [];
for (const f of process.argv.slice(2)) {
  const png = PNG.sync.read(fs.readFileSync(f), { skipRescale: false });
  let sum = 0;
  const { width, height, data } = png;
  for (let i = 0; i < width * height; i++) sum += 0.299 * data[i * 4] + 0.587 * data[i * 4 + 1] + 0.114 * data[i * 4 + 2];
  const pixel = i => Array.from(data.slice(i * 4, i * 4 + 4));
  out.push({ file: f, width, height, brightness: sum / (width * height) / 255, first: pixel(0), middle: pixel((height >> 1) * width + (width >> 1)) });
}
console.log(JSON.stringify(out));
