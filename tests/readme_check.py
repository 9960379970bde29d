#!/usr/bin/env python3
"""readme_check.py: the README's examples must print what the README says they print.

Every ```sql block that is followed directly by a plain ``` block (its output) is run with
the sqlite3 shell against the demo database, in -header -column mode with the extension
loaded, and the output is compared line by line (trailing spaces ignored).

    python3 tests/readme_check.py README.md build/demo.db ./growth
"""
import re
import subprocess
import sys



def main():
    readme, db, ext = sys.argv[1:4]
    text = open(readme, encoding="utf-8").read()
    # Only pairs that are adjacent in the file (nothing but blank lines between them).
    pairs = []
    for m in re.finditer(r"```sql\n((?:(?!```).)*)```\n\s*```\n((?:(?!```).)*)```", text, re.S):
        pairs.append((m.group(1), m.group(2), text[: m.start()].count("\n") + 1))
    passed = failed = 0
    for sql, expected, line in pairs:
        run = subprocess.run(["sqlite3", "-header", "-column", db, f".load {ext}", sql],
                             capture_output=True, text=True)
        got = [l.rstrip() for l in (run.stdout + run.stderr).strip("\n").split("\n")]
        want = [l.rstrip() for l in expected.strip("\n").split("\n")]
        if got == want:
            passed += 1
        else:
            failed += 1
            print(f"README.md:{line}: example output differs\n--- README says\n" + "\n".join(want)
                  + "\n--- sqlite3 prints\n" + "\n".join(got) + "\n")
    print(f"readme: {passed} passed, {failed} failed")
    return 1 if failed or not pairs else 0


if __name__ == "__main__":
    sys.exit(main())
