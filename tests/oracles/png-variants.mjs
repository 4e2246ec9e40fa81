// Re-encodes a PNG with pngjs in every colour type and bit depth pngjs writes (grey, grey+alpha, RGB, RGBA; 8 and 16
// bits), for QueryLake's PNG decoder test.
// usage: node png-variants.mjs <source.png> <out-dir>
import { PNG } from 'pngjs';
import fs from 'fs';
import path from 'path';
const [source, outDir] = process.argv.slice(2);
const png = PNG.sync.read(fs.readFileSync(source));
const written = [];
for (const colorType of [0, 2, 4, 6])
  for (const bitDepth of [8, 16]) {
    const file = path.join(outDir, `variant-c${colorType}-d${bitDepth}.png`);
    fs.writeFileSync(file, PNG.sync.write(png, { colorType, bitDepth, inputColorType: 6, inputHasAlpha: true }));
    written.push(file);
  }
console.log(JSON.stringify(written));
