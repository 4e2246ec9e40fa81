// Writes an Arrow IPC file with apache-arrow from a table read from another Arrow file, optionally
// LZ4_FRAME-compressed by the lz4js package: files QueryLake's reader did not write itself.
// usage: node arrow-write.mjs <in.arrow> <out.arrow> [lz4|none] [file|stream]
import { tableFromIPC, tableToIPC, RecordBatchFileWriter, RecordBatchStreamWriter, compressionRegistry, CompressionType } from 'apache-arrow';
import fs from 'fs';
import lz4 from 'lz4js';

compressionRegistry.set(CompressionType.LZ4_FRAME, {
  encode: (d) => Uint8Array.from(lz4.compress(d)),
  decode: (d) => Uint8Array.from(lz4.decompress(d)),
});
const [input, output, codec = 'none', format = 'file'] = process.argv.slice(2);
const table = tableFromIPC(fs.readFileSync(input));
const options = codec === 'lz4' ? { compressionType: CompressionType.LZ4_FRAME } : {};
const Writer = format === 'stream' ? RecordBatchStreamWriter : RecordBatchFileWriter;
const writer = new Writer(options);
writer.write(table);
writer.finish();
fs.writeFileSync(output, writer.toUint8Array(true));
