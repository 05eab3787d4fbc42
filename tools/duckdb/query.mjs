// Runs one SQL statement with DuckDB and prints the rows as JSON (BLOBs as base64, BIGINTs as
// numbers). Used by the tests as an independent reader of our Parquet files.
//   node tools/duckdb/query.mjs "SELECT count(*) AS n FROM 'shard.parquet'"
import { DuckDBInstance } from '@duckdb/node-api';

const sql = process.argv[2];
if (!sql) { console.error('usage: node query.mjs SQL'); process.exit(2); }
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
try {
  const reader = await con.runAndReadAll(sql);
  const rows = reader.getRowObjectsJS();
  const plain = JSON.stringify(rows, (_, v) =>
    typeof v === 'bigint' ? Number(v)
    : v instanceof Uint8Array ? Buffer.from(v).toString('base64')
    : v && v.type === 'Buffer' && Array.isArray(v.data) ? Buffer.from(v.data).toString('base64')
    : v);
  process.stdout.write(plain + '\n');
} catch (e) {
  console.error(String(e.message ?? e));
  process.exit(1);
}
