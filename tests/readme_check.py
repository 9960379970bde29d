#!/usr/bin/env python3
"""readme_check.py: the manual's examples must print what the manual says they print.

    python3 tests/readme_check.py build/demo.db ./growth README.md docs/*.md

For every page given:
- Every ```sql block that is followed directly by a plain ``` block (its output) is run with the
  sqlite3 shell against the demo database, in -header -column mode with the extension loaded,
  and the output (stdout, then stderr) is compared line by line (trailing spaces ignored). A page
  with no checked example fails, unless it says why with a line
  `<!-- readme_check: no examples: REASON -->`.
- Every relative link points to a file of the repository, and a `#anchor` to a heading (or an
  `<a id>`) of its target page.
- A page under docs/ starts with the link bar: links to ../README.md and to every other docs/
  page given, so a new page is reachable from every page.
- README.md's table "Every SQL name" lists exactly the SQL names that loading the extension adds
  (pragma_function_list and pragma_module_list with and without it), each once.
"""
import os
import re
import subprocess
import sys

EXAMPLE = re.compile(r"```sql\n((?:(?!```).)*)```\n\s*```\n((?:(?!```).)*)```", re.S)
NO_EXAMPLES = re.compile(r"<!-- readme_check: no examples: \S.* -->")
LINK = re.compile(r"\]\(([^()\s]+)\)")
INDEX_HEADING = "## Every SQL name"
INDEX_ROW = re.compile(r"^\| \[`([A-Za-z_][A-Za-z0-9_]*)`\]\(")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def in_docs(page):
    return os.path.relpath(os.path.abspath(page), ROOT).startswith("docs" + os.sep)


def without_code(text):
    """The text with fenced code blocks blanked (line numbers kept), for links and headings."""
    out, fenced = [], False
    for line in text.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
            out.append("")
        else:
            out.append("" if fenced else line)
    return "\n".join(out)


def anchors(path, cache={}):
    """GitHub's heading anchors of a page: lower case, punctuation dropped, spaces to hyphens,
    a repeated heading numbered -1, -2, ...; plus explicit <a id="..."> anchors."""
    if path not in cache:
        text = without_code(open(path, encoding="utf-8").read())
        seen, found = {}, set()
        for m in re.finditer(r"^#{1,6} +(.*?) *#* *$", text, re.M):
            title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", m.group(1))
            slug = re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            found.add(slug if n == 0 else f"{slug}-{n}")
        found.update(re.findall(r'<a id="([^"]+)"', text))
        cache[path] = found
    return cache[path]


def check_examples(page, text, db, ext):
    passed = failed = 0
    for m in EXAMPLE.finditer(text):
        sql, expected = m.group(1), m.group(2)
        line = text[: m.start()].count("\n") + 1
        run = subprocess.run(["sqlite3", "-header", "-column", db, f".load {ext}", sql],
                             capture_output=True, text=True)
        got = [l.rstrip() for l in (run.stdout + run.stderr).strip("\n").split("\n")]
        want = [l.rstrip() for l in expected.strip("\n").split("\n")]
        if got == want:
            passed += 1
        else:
            failed += 1
            print(f"{page}:{line}: example output differs\n--- the page says\n" + "\n".join(want)
                  + "\n--- sqlite3 prints\n" + "\n".join(got) + "\n")
    if passed + failed == 0 and not NO_EXAMPLES.search(text):
        print(f"{page}: no checked example (a ```sql block followed by its output), and no "
              "'<!-- readme_check: no examples: REASON -->' line")
        failed += 1
    return passed, failed


def check_links(page, text):
    problems = []
    plain = without_code(text)
    for m in LINK.finditer(plain):
        target = m.group(1)
        if re.match(r"^[a-z]+:", target):
            continue  # http:, https:, mailto:
        line = plain[: m.start()].count("\n") + 1
        path, _, anchor = target.partition("#")
        path = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
        if not os.path.exists(path):
            problems.append(f"{page}:{line}: link to {target}: no such file")
        elif anchor and path.endswith(".md") and anchor not in anchors(path):
            problems.append(f"{page}:{line}: link to {target}: no heading with that anchor in {path}")
    return problems


def check_link_bar(page, text, pages):
    if not in_docs(page):
        return []
    first = text.split("\n", 1)[0]
    bar = set(LINK.findall(first))
    want = {"../README.md"} | {os.path.basename(p) for p in pages if in_docs(p)}
    missing = sorted(want - bar)
    return [f"{page}:1: the link bar does not link {', '.join(missing)}"] if missing else []


def sql_names(ext, load):
    q = "SELECT name FROM pragma_function_list UNION SELECT name FROM pragma_module_list"
    args = ["sqlite3", ":memory:"] + ([f".load {ext}"] if load else []) + [q]
    run = subprocess.run(args, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"readme_check: cannot list SQL names: {run.stderr.strip()}")
    return set(run.stdout.split())


def check_index(page, text, ext):
    if os.path.relpath(os.path.abspath(page), ROOT) != "README.md":
        return []
    start = text.find("\n" + INDEX_HEADING + "\n")
    if start < 0:
        return [f"{page}: no '{INDEX_HEADING}' section (the index of every SQL name)"]
    end = text.find("\n## ", start + 1)
    listed = [m.group(1) for l in text[start:end if end > 0 else None].split("\n")
              if (m := INDEX_ROW.match(l))]
    registered = sql_names(ext, True) - sql_names(ext, False)
    problems = []
    for name in sorted(set(listed)):
        if listed.count(name) > 1:
            problems.append(f"{page}: the index lists {name} {listed.count(name)} times")
    for name in sorted(registered - set(listed)):
        problems.append(f"{page}: the index of SQL names lacks {name}, which the extension registers")
    for name in sorted(set(listed) - registered):
        problems.append(f"{page}: the index lists {name}, which the extension does not register")
    return problems


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    db, ext, pages = sys.argv[1], sys.argv[2], sys.argv[3:]
    passed = failed = 0
    for page in pages:
        text = open(page, encoding="utf-8").read()
        p, f = check_examples(page, text, db, ext)
        problems = check_links(page, text) + check_link_bar(page, text, pages) + check_index(page, text, ext)
        for problem in problems:
            print(problem)
        passed, failed = passed + p, failed + f + len(problems)
    print(f"readme: {passed} examples passed, {failed} failed, in {len(pages)} pages")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
