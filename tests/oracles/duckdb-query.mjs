// Runs SQL in DuckDB and prints the rows as JSON (an array of arrays, values as DuckDB's JSON conversion gives them).
// usage: node duckdb-query.mjs <sql>
import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const result = await con.runAndReadAll(process.argv[2]);
console.log(JSON.stringify(result.getRowsJson()));
