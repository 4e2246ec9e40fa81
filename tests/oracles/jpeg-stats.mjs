// jpeg-js's reading of JPEG files, for QueryLake's JPEG decoder test: width, height, mean luma (0..1, Rec. 601) and
// the mean absolute difference helper's raw pixels (RGBA, base64).
// usage: node jpeg-stats.mjs <file>...
import jpeg from 'jpeg-js';
import fs from 'fs';
const out = [];
for (const f of process.argv.slice(2)) {
  const img = jpeg.decode(fs.readFileSync(f), { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
  let sum = 0;
  for (let i = 0; i < img.width * img.height; i++) sum += 0.299 * img.data[i * 4] + 0.587 * img.data[i * 4 + 1] + 0.114 * img.data[i * 4 + 2];
  out.push({ file: f, width: img.width, height: img.height, brightness: sum / (img.width * img.height) / 255, rgba: Buffer.from(img.data).toString('base64') });
}
console.log(JSON.stringify(out));
