// Reads an Arrow IPC file or stream with the apache-arrow package (an implementation QueryLake did not
// write) and prints its schema and rows as canonical JSON, for QueryLake's tests to compare against.
import { tableFromIPC, Type, compressionRegistry, CompressionType } from 'apache-arrow';
import fs from 'fs';
import { decompress as zstdDecompress } from 'fzstd';
import lz4 from 'lz4js';

// Codecs from independent packages, so compressed files are checked by code QueryLake did not write.
compressionRegistry.set(CompressionType.ZSTD, { decode: (d) => zstdDecompress(d).slice() });
compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: (d) => Uint8Array.from(lz4.decompress(d)) });

const bytes = fs.readFileSync(process.argv[2]);
const table = tableFromIPC(bytes);

function typeName(t) {
  switch (t.typeId) {
    case Type.Bool: return 'bool';
    case Type.Int: return `${t.isSigned ? 'int' : 'uint'}${t.bitWidth}`;
    case Type.Float: return ['float16', 'float32', 'float64'][t.precision];
    case Type.Utf8: return 'utf8';
    case Type.LargeUtf8: return 'large_utf8';
    case Type.Binary: return 'binary';
    case Type.LargeBinary: return 'large_binary';
    case Type.FixedSizeBinary: return `fixed_size_binary[${t.byteWidth}]`;
    case Type.Date: return t.unit === 0 ? 'date32' : 'date64';
    case Type.Timestamp: {
      const u = ['s', 'ms', 'us', 'ns'][t.unit];
      return t.timezone ? `timestamp[${u}, ${t.timezone}]` : `timestamp[${u}]`;
    }
    case Type.List: return `list<${typeName(t.children[0].type)}>`;
    case Type.FixedSizeList: return `fixed_size_list<${typeName(t.children[0].type)}, ${t.listSize}>`;
    case Type.Struct: return `struct<${t.children.map(c => `${c.name}: ${typeName(c.type)}`).join(', ')}>`;
    case Type.Dictionary: return `dictionary<${typeName(t.indices)}, ${typeName(t.dictionary)}>`;
    default: return `unsupported:${Type[t.typeId]}`;
  }
}

function hex64(v) {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return 'f:' + b.readBigUInt64LE().toString(16);
}

function render(type, v, data, i) {
  if (v === null || v === undefined) return null;
  switch (type.typeId) {
    case Type.Bool: return v;
    case Type.Int: return String(v);
    case Type.Float: return hex64(v);
    case Type.Utf8: case Type.LargeUtf8: return v;
    case Type.Binary: case Type.LargeBinary: case Type.FixedSizeBinary: return 'b:' + Buffer.from(v).toString('base64');
    case Type.Date: return String(Math.round(Number(v instanceof Date ? v.getTime() : v) / 86400000));
    case Type.Timestamp: return String(data.values[data.offset + i]);
    case Type.List: case Type.FixedSizeList: {
      const out = [];
      for (let j = 0; j < v.length; j++) out.push(renderVector(type.children[0].type, v, j));
      return out;
    }
    case Type.Struct: {
      const o = {};
      for (const c of type.children) o[c.name] = renderAny(c.type, v[c.name]);
      return o;
    }
    case Type.Dictionary: return renderAny(type.dictionary, v);
    default: return 'unsupported';
  }
}

// Renders element j of a child vector, reading raw values for timestamps.
function renderVector(type, vec, j) {
  if (type.typeId === Type.Timestamp) {
    let k = j;
    for (const d of vec.data) { if (k < d.length) return d.getValid(k) ? String(d.values[d.offset + k]) : null; k -= d.length; }
  }
  return renderAny(type, vec.get(j));
}

function renderAny(type, v) {
  if (v === null || v === undefined) return null;
  if (type.typeId === Type.Float) return hex64(v);
  if (type.typeId === Type.Int) return String(v);
  if (type.typeId === Type.Binary || type.typeId === Type.LargeBinary || type.typeId === Type.FixedSizeBinary) return 'b:' + Buffer.from(v).toString('base64');
  if (type.typeId === Type.Date) return String(Math.round(Number(v instanceof Date ? v.getTime() : v) / 86400000));
  return render(type, v, null, 0);
}

const fields = table.schema.fields.map(f => ({
  name: f.name, type: typeName(f.type), nullable: f.nullable,
  metadata: Object.fromEntries([...f.metadata.entries()].sort()),
}));
const rows = [];
const columns = table.schema.fields.map((f, c) => table.getChildAt(c));
for (let r = 0; r < table.numRows; r++) {
  const row = [];
  for (let c = 0; c < fields.length; c++) {
    const f = table.schema.fields[c];
    const col = columns[c];
    // Locate the chunk holding row r for raw timestamp access.
    let k = r, data = null;
    for (const d of col.data) { if (k < d.length) { data = d; break; } k -= d.length; }
    const valid = data.getValid(k);
    row.push(valid ? render(f.type, col.get(r), data, k) : null);
  }
  rows.push(row);
}
process.stdout.write(JSON.stringify({
  metadata: Object.fromEntries([...table.schema.metadata.entries()].sort()),
  fields, numRows: table.numRows, rows,
}));
