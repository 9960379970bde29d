// sqlite-growth for Node.js: load(db) loads the extension into a better-sqlite3 Database or a
// node:sqlite DatabaseSync; getLoadablePath() is its file, for hosts that load it themselves.
// The manual is README.md and docs/ in the sqlite-growth source (docs/clients.md for this package).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const version = require('./package.json').version;

/** The absolute path of the extension in this package (growth.so, .dylib or .dll). */
function getLoadablePath() {
  for (const suffix of ['so', 'dylib', 'dll']) {
    const file = path.join(__dirname, `growth.${suffix}`);
    if (fs.existsSync(file)) return file;
  }
  throw new Error(`sqlite-growth: no growth.so, .dylib or .dll in ${__dirname}`);
}

/**
 * Load sqlite-growth into db: a better-sqlite3 Database, or a node:sqlite DatabaseSync opened
 * with { allowExtension: true } (Node.js 22.13 and later).
 */
function load(db) {
  if (!db || typeof db.loadExtension !== 'function') {
    throw new TypeError('sqlite-growth: load(db) takes a better-sqlite3 Database or a node:sqlite DatabaseSync');
  }
  try {
    db.loadExtension(getLoadablePath());
  } catch (e) {
    // node:sqlite refuses unless the database was opened to allow it; say how.
    if (typeof db.enableLoadExtension === 'function' && /not allowed|disabled/i.test(e.message)) {
      e.message += ' (sqlite-growth: open it with new DatabaseSync(path, { allowExtension: true }))';
    }
    throw e;
  }
}

module.exports = { load, getLoadablePath, version };
