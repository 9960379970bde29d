// Type declarations of sqlite-growth's loader (index.js).

/** Anything with SQLite's loadExtension: a better-sqlite3 Database, a node:sqlite DatabaseSync. */
export interface ExtensionLoadingDatabase {
  loadExtension(path: string, ...rest: any[]): unknown;
}

/**
 * Load sqlite-growth into db: a better-sqlite3 `Database`, or a node:sqlite `DatabaseSync`
 * opened with `{ allowExtension: true }`. Throws SQLite's error if it cannot be loaded.
 */
export declare function load(db: ExtensionLoadingDatabase): void;

/** The absolute path of the extension file in this package, for hosts that load it themselves. */
export declare function getLoadablePath(): string;

/** The package's version, the one `SELECT growth_version()` reports. */
export declare const version: string;
