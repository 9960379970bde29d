"""The Python client: the standard sqlite3 module loads growth.so and runs the shared checks.

    /usr/bin/python3 tests/clients/test_python.py EXT_PATH DEMO_DB CHECKS_SQL

Needs a Python whose sqlite3 module allows extension loading (Debian's /usr/bin/python3 does;
pyenv builds usually do not). Expected values: plain SQL in checks.sql, or by hand below.
"""
import sqlite3
import sys
import unittest

EXT, DEMO_DB, CHECKS = sys.argv[1:4]


def connect(path):
    db = sqlite3.connect(path, uri=path.startswith("file:"))
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    return db


class PythonClient(unittest.TestCase):
    def setUp(self):
        self.db = connect(f"file:{DEMO_DB}?mode=ro")

    def tearDown(self):
        self.db.close()

    def test_shared_checks(self):
        with open(CHECKS, encoding="utf-8") as f:
            rows = self.db.execute(f.read()).fetchall()
        self.assertGreaterEqual(len(rows), 5)
        for check, got, want in rows:
            with self.subTest(check=check):
                self.assertEqual(got, want)

    def test_types_and_parameters(self):
        # Parameters bind like any value; results come back as Python str / int.
        (week,) = self.db.execute("SELECT date_bucket(?, 'week', ?)", ("2024-03-03 20:00:00Z", "tz=+08:00")).fetchone()
        self.assertEqual(week, "2024-03-04")
        (months,) = self.db.execute("SELECT period_diff(?, ?, 'month')", ("2024-01-31", "2024-02-01")).fetchone()
        self.assertIsInstance(months, int)
        self.assertEqual(months, 1)
        # 3 of 4 over 8 cells = 48 eighths = 6 full blocks.
        (b,) = self.db.execute("SELECT bar(?, ?, ?)", (3, 4.0, 8)).fetchone()
        self.assertEqual(b, "\u2588" * 6)
        self.assertIsNone(self.db.execute("SELECT bar(NULL, 1), shade(NULL)").fetchone()[0])

    def test_errors_are_exceptions(self):
        with self.assertRaises(sqlite3.OperationalError) as e:
            self.db.execute("SELECT shade(?)", (1.5,)).fetchone()
        self.assertEqual(str(e.exception), "shade: rate is REAL 1.5, expected a number from 0 to 1")
        with self.assertRaises(sqlite3.OperationalError) as e:
            self.db.execute("SELECT date_bucket('soon', 'day')").fetchone()
        self.assertIn("date_bucket: ts is TEXT 'soon'", str(e.exception))

    def test_rows_from_the_demo(self):
        # Orders per month through the extension, each against a plain-SQL count of that month.
        rows = self.db.execute(
            "SELECT date_bucket(ts, 'month') AS m, count(*) FROM orders GROUP BY m ORDER BY m").fetchall()
        self.assertEqual(len(rows), 6)  # the demo covers January to June 2024
        for month, n in rows:
            (want,) = self.db.execute(
                "SELECT count(*) FROM orders WHERE ts >= ? AND ts < date(?, '+1 month')", (month, month)).fetchone()
            self.assertEqual(n, want, month)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
