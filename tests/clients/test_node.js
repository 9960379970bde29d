// The Node.js client: better-sqlite3 loads growth.so (db.loadExtension) and runs the shared checks.
//
//   NODE_PATH=build/node/node_modules node tests/clients/test_node.js EXT_PATH DEMO_DB CHECKS_SQL
//
// Expected values: plain SQL in checks.sql, or by hand below.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const Database = require('better-sqlite3');

const [ext, demoDb, checksPath] = process.argv.slice(2);

function open() {
  const db = new Database(demoDb, { readonly: true, fileMustExist: true });
  db.loadExtension(ext);
  return db;
}

test('shared checks', () => {
  const db = open();
  const rows = db.prepare(fs.readFileSync(checksPath, 'utf8')).raw().all();
  assert.ok(rows.length >= 5, `checks.sql gave ${rows.length} rows`);
  for (const [check, got, want] of rows) assert.strictEqual(got, want, check);
  db.close();
});

test('parameters and types', () => {
  const db = open();
  assert.strictEqual(db.prepare("SELECT date_bucket(?, 'week', ?)").pluck().get('2024-03-03 20:00:00Z', 'tz=+08:00'),
                     '2024-03-04');
  // 2 of 8 over 4 cells = 8 eighths = one full block; shade of 0.85 is the top step.
  assert.strictEqual(db.prepare('SELECT bar(?, ?, ?)').pluck().get(2, 8, 4), '\u2588');
  assert.strictEqual(db.prepare('SELECT shade(?)').pluck().get(0.85), '\u2588');
  assert.strictEqual(db.prepare('SELECT bar(NULL, 1)').pluck().get(), null);
  const months = db.prepare("SELECT period_diff('2024-01-31', '2024-02-01', 'month')").pluck().get();
  assert.strictEqual(months, 1);
  db.close();
});

test('errors are exceptions with the message', () => {
  const db = open();
  assert.throws(() => db.prepare('SELECT bar(1, 2, 0)').get(),
                { message: 'bar: width is INTEGER 0, expected an integer from 1 to 1000' });
  db.close();
});

test('the linked SQLite is better-sqlite3\'s own (the newest)', () => {
  const db = open();
  const v = db.prepare('SELECT growth_version()').pluck().get();
  const sv = db.prepare('SELECT sqlite_version()').pluck().get();
  assert.match(v, /^sqlite-growth \d+\.\d+\.\d+ \(SQLite /);
  assert.ok(v.endsWith(`(SQLite ${sv})`), v);
  db.close();
});
