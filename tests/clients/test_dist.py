"""The Python package: the wheel of `make dist`, installed into a fresh venv, loads through
sqlite_growth.load() and runs the shared client checks. Run by scripts/test-dist.sh with the venv's
Python:

    VENV/bin/python tests/clients/test_dist.py DEMO_DB CHECKS_SQL VENV VERSION SO_EXT

Expected values: plain SQL in checks.sql (got = want on every row), the version of ext/registry.h
(VERSION), and SQLite's own refusal to load extensions when loading is off.
"""
import os
import sqlite3
import sys
import tempfile
import typing
import unittest

import sqlite_growth

DEMO_DB, CHECKS, VENV, VERSION, SO_EXT = sys.argv[1:6]


def under(path, directory):
    return os.path.realpath(path).startswith(os.path.realpath(directory) + os.sep)


class Wheel(unittest.TestCase):
    def test_installed_from_the_wheel(self):
        # the module imported is the venv's copy, not a source tree on the path
        self.assertTrue(under(sqlite_growth.__file__, VENV), sqlite_growth.__file__)
        self.assertEqual(sqlite_growth.__version__, VERSION)
        self.assertTrue(os.path.isfile(sqlite_growth.loadable_path() + "." + SO_EXT))
        self.assertTrue(under(sqlite_growth.loadable_path(), VENV))
        # typed: py.typed ships, and load/loadable_path carry their hints
        self.assertTrue(os.path.isfile(os.path.join(os.path.dirname(sqlite_growth.__file__), "py.typed")))
        self.assertEqual(typing.get_type_hints(sqlite_growth.load), {"conn": sqlite3.Connection, "return": type(None)})
        self.assertEqual(typing.get_type_hints(sqlite_growth.loadable_path), {"return": str})
        self.assertIn("docs/", sqlite_growth.__doc__)

    def test_shared_checks_through_load(self):
        db = sqlite3.connect(f"file:{DEMO_DB}?mode=ro", uri=True)
        sqlite_growth.load(db)
        with open(CHECKS, encoding="utf-8") as f:
            rows = db.execute(f.read()).fetchall()
        self.assertGreaterEqual(len(rows), 5)
        for check, got, want in rows:
            with self.subTest(check=check):
                self.assertEqual(got, want)
        (v,) = db.execute("SELECT growth_version()").fetchone()
        self.assertEqual(v, f"sqlite-growth {VERSION} (SQLite {sqlite3.sqlite_version})")
        db.close()

    def test_load_leaves_loading_off(self):
        # A new connection has extension loading off; after load() SQL still cannot load others.
        db = sqlite3.connect(":memory:")
        sqlite_growth.load(db)
        with tempfile.TemporaryDirectory() as d, self.assertRaises(sqlite3.OperationalError) as e:
            db.execute("SELECT load_extension(?)", (os.path.join(d, "absent"),)).fetchone()
        self.assertEqual(str(e.exception), "not authorized")
        self.assertEqual(db.execute("SELECT date_bucket('2024-03-03', 'week')").fetchone()[0], "2024-02-26")
        db.close()

    def test_load_keeps_loading_on_where_python_can_tell(self):
        db = sqlite3.connect(":memory:")
        if not hasattr(db, "getconfig"):
            self.skipTest(f"Python {sys.version.split()[0]} cannot read the setting (3.12 can)")
        db.enable_load_extension(True)
        sqlite_growth.load(db)
        self.assertTrue(db.getconfig(sqlite3.SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION))
        db.close()

    def test_loadable_path_for_hosts_that_load_it_themselves(self):
        db = sqlite3.connect(":memory:")
        db.enable_load_extension(True)
        db.load_extension(sqlite_growth.loadable_path())
        db.enable_load_extension(False)
        self.assertTrue(db.execute("SELECT growth_version()").fetchone()[0].startswith(f"sqlite-growth {VERSION} "))
        db.close()

    def test_errors_are_sqlite_errors(self):
        db = sqlite3.connect(":memory:")
        sqlite_growth.load(db)
        with self.assertRaises(sqlite3.OperationalError) as e:
            db.execute("SELECT shade(1.5)").fetchone()
        self.assertEqual(str(e.exception), "shade: rate is REAL 1.5, expected a number from 0 to 1")
        db.close()
        with self.assertRaises(sqlite3.ProgrammingError):
            sqlite_growth.load(db)  # a closed connection


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
