// The npm package: the tarball of `make dist`, installed into a fresh Node project, loads through
// load() into better-sqlite3 (and node:sqlite where Node.js has it) and runs the shared client
// checks. scripts/test-dist.sh copies this file into that project and runs it there:
//
//   NODE_PATH=build/node/node_modules node test_dist.js DEMO_DB CHECKS_SQL VERSION
//
// better-sqlite3 comes only from NODE_PATH (make test-node builds it); without it, or without
// node:sqlite, those tests are skipped with the reason. Expected values: plain SQL in checks.sql
// (got = want on every row) and the version of ext/registry.h (VERSION).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const [demoDb, checksPath, version] = process.argv.slice(2);
const sqliteGrowth = require('sqlite-growth');

function optional(name) {
  try {
    return require(name);
  } catch (e) {
    return null;
  }
}
const Database = optional('better-sqlite3');
const nodeSqlite = optional('node:sqlite');

function sharedChecks(rows) {
  assert.ok(rows.length >= 5, `checks.sql gave ${rows.length} rows`);
  for (const [check, got, want] of rows) assert.strictEqual(got, want, check);
}

test('installed from the tarball, with its types', () => {
  const installed = path.join(process.cwd(), 'node_modules', 'sqlite-growth');
  assert.strictEqual(require.resolve('sqlite-growth'), path.join(installed, 'index.js'));
  assert.strictEqual(sqliteGrowth.version, version);
  const pkg = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
  assert.strictEqual(pkg.version, version);
  assert.ok(fs.existsSync(path.join(installed, pkg.types)), 'the TypeScript declarations ship');
  const so = sqliteGrowth.getLoadablePath();
  assert.ok(so.startsWith(installed + path.sep) && fs.existsSync(so), so);
  const dts = fs.readFileSync(path.join(installed, pkg.types), 'utf8');
  for (const name of ['load', 'getLoadablePath']) assert.match(dts, new RegExp(`export declare function ${name}\\(`));
});

test('load() refuses what is not a database', () => {
  assert.throws(() => sqliteGrowth.load({}), TypeError);
  assert.throws(() => sqliteGrowth.load(null), TypeError);
});

test('better-sqlite3: the shared checks through load()',
     { skip: !Database && 'better-sqlite3 is not built in build/node (make test-node builds it)' }, () => {
  const db = new Database(demoDb, { readonly: true, fileMustExist: true });
  sqliteGrowth.load(db);
  sharedChecks(db.prepare(fs.readFileSync(checksPath, 'utf8')).raw().all());
  const v = db.prepare('SELECT growth_version()').pluck().get();
  assert.strictEqual(v, `sqlite-growth ${version} (SQLite ${db.prepare('SELECT sqlite_version()').pluck().get()})`);
  assert.throws(() => db.prepare('SELECT shade(1.5)').get(), { message: 'shade: rate is REAL 1.5, expected a number from 0 to 1' });
  db.close();
});

test('node:sqlite: the shared checks through load()',
     { skip: !nodeSqlite && `Node.js ${process.version} has no node:sqlite (22.13 and later)` }, () => {
  const { DatabaseSync } = nodeSqlite;
  const db = new DatabaseSync(demoDb, { readOnly: true, allowExtension: true });
  sqliteGrowth.load(db);
  const stmt = db.prepare(fs.readFileSync(checksPath, 'utf8'));
  if (typeof stmt.setReturnArrays === 'function') stmt.setReturnArrays(true);  // Node.js 24
  const rows = stmt.all().map((r) => (Array.isArray(r) ? r : Object.values(r)));
  for (const r of rows) assert.strictEqual(r.length, 3, 'each check is (check, got, want)');
  sharedChecks(rows);
  db.close();
  // opened without allowExtension, the error says how to open it
  const closed = new DatabaseSync(':memory:');
  assert.throws(() => sqliteGrowth.load(closed), /allowExtension: true/);
  closed.close();
});
