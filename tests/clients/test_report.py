"""The HTML report: render build/report.html in headless Chromium, check a screenshot is produced
and that the rendered page shows the numbers plain SQL gives on the same database.

    /usr/bin/python3 tests/clients/test_report.py REPORT_HTML DEMO_DB SCREENSHOT_PNG

The expectations use no extension function: the funnel levels come from a greedy chain search
in SQL (ClickHouse windowFunnel semantics, default mode: each step at or after the previous,
all within the window of step 1, the furthest attempt counts), retention from calendar-week
arithmetic, RFM totals from sums over orders and the customers per segment from the plain-SQL
scores of sql/reference/rfm.sql mapped through the rfm_segments table (the segment map is data;
the extension is loaded for that table and for clv_fit's parameters only). The lifecycle counts
come from each actor's set of active weeks, DAU/WAU/MAU from distinct actors over trailing days,
the paths from the first view and the churn points from each actor's rows in Python, and the
expected purchases by segment from Fader, Hardie and Lee's (2005) closed forms
(P(alive), equation 10 with the Gauss series of 2F1) written out again below, evaluated at the
parameters clv_fit() reports (the fit itself is checked against the published CDNOW figures in
tests/test_clv.c).
"""
import datetime
import html.parser
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

REPORT, DEMO_DB, SCREENSHOT = sys.argv[1:4]
EXTENSION = sys.argv[4] if len(sys.argv) > 4 else "./growth"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The defaults of sql/report.sql.
STEPS = ["view", "cart", "checkout", "pay"]
WINDOW = 86400
PERIODS = 13
HORIZON_DAYS = 365   # clv()'s default horizon with unit=day


def hyp2f1(a, b, c, z):
    """Gauss's series; the report's z = t / (alpha + T + t) stays below 1."""
    total, term, n = 1.0, 1.0, 0
    while True:
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        total += term
        n += 1
        if abs(term) < 1e-17 * abs(total) or n > 200000:
            return total


def bgnbd(r, alpha, a, b, x, t_x, T, t):
    """P(alive) and E[X(t) | x, t_x, T] (FHL 2005, equation 10 and its denominator)."""
    odds = a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x) if x > 0 else 0.0
    p_alive = 1.0 / (1.0 + odds)
    z = t / (alpha + T + t)
    head = (a + b + x - 1) / (a - 1)
    tail = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    return p_alive, head * tail * p_alive


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("test_report: no chromium found (Debian: apt-get install chromium)")


def run_chromium(args):
    with tempfile.TemporaryDirectory() as profile:
        out = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                             capture_output=True, timeout=180)
    if out.returncode != 0:
        sys.exit(f"test_report: chromium failed ({out.returncode}): {out.stderr.decode(errors='replace')[-2000:]}")
    return out.stdout.decode("utf-8")


class IdText(html.parser.HTMLParser):
    """id -> the text inside the td, span or SVG tspan carrying it (they hold text only)."""

    def __init__(self):
        super().__init__()
        self.found, self.open_id, self.tags = {}, None, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a and self.open_id is None and tag in ("td", "span", "tspan"):
            self.open_id = a["id"]
            self.found[self.open_id] = ""

    def handle_endtag(self, tag):
        if tag in ("td", "span", "tspan"):
            self.open_id = None

    def handle_data(self, data):
        if self.open_id is not None:
            self.found[self.open_id] += data


def thousands(n):
    return f"{n:,}"


def expected(db):
    want = {}
    # Funnel: for every step-1 event, the earliest next step at or after the previous one and
    # within the window of step 1 (NULL once a step is missing, so later steps are NULL too);
    # an actor's level is the deepest over their step-1 events.
    db.executescript("""
        CREATE TEMP TABLE ev AS SELECT user_id AS u, unixepoch(ts) AS t, event FROM events;
        CREATE INDEX temp.ev_i ON ev(u, event, t);""")
    sql = "WITH s1 AS (SELECT u, t AS t1, t AS t_1 FROM ev WHERE event = ?)"
    prev = "s1"
    for k in range(2, len(STEPS) + 1):
        sql += (f", s{k} AS (SELECT u, t1, (SELECT min(t) FROM ev WHERE ev.u = s.u AND event = ? "
                f"AND t >= s.t_{k - 1} AND t <= s.t1 + {WINDOW}) AS t_{k}, s.* FROM {prev} s)")
        prev = f"s{k}"
    levels = " + ".join(f"(t_{k} IS NOT NULL)" for k in range(1, len(STEPS) + 1))
    sql += f" SELECT u, max({levels}) AS level FROM {prev} GROUP BY u"
    levels_by_user = dict(db.execute(sql, STEPS).fetchall())
    for k in range(1, len(STEPS) + 1):
        want[f"funnel-actors-{k}"] = thousands(sum(1 for lv in levels_by_user.values() if lv >= k))
    # Retention: cohort = the Monday (UTC) week of an actor's first event; period p retained =
    # actors of the cohort with an event in the week p weeks later.
    rows = db.execute("""
        WITH w AS (SELECT DISTINCT user_id AS u, date(ts, '-6 days', 'weekday 1') AS week FROM events),
        first AS (SELECT u, min(week) AS cohort FROM w GROUP BY u),
        size AS (SELECT cohort, count(*) AS n FROM first GROUP BY cohort)
        SELECT f.cohort, s.n, CAST(round((julianday(w.week) - julianday(f.cohort)) / 7) AS INTEGER) AS p, count(*)
        FROM first f JOIN w USING (u) JOIN size s USING (cohort)
        WHERE w.week >= f.cohort GROUP BY f.cohort, p HAVING p < ?""", (PERIODS,)).fetchall()
    for cohort, size, p, retained in rows:
        want[f"ret-size-{cohort}"] = thousands(size)
        want[f"ret-{cohort}-{p}"] = f"{100.0 * retained / size:.1f}%"
    # The header: the extent of the data as dates (whatever the timestamps' encoding).
    actors, first, last = db.execute("SELECT count(DISTINCT user_id), date(min(ts)), date(max(ts)) FROM events").fetchone()
    want["head-actors"], want["head-actors-from"], want["head-actors-to"] = thousands(actors), first, last
    orders, customers, first, last = db.execute(
        "SELECT count(*), count(DISTINCT customer_id), date(min(ts)), date(max(ts)) FROM orders").fetchone()
    want["head-orders"], want["head-customers"] = thousands(orders), thousands(customers)
    want["head-orders-from"], want["head-orders-to"] = first, last
    # RFM totals: every customer with an order, and all order amounts to the cent.
    n, cents = db.execute("SELECT count(DISTINCT customer_id), sum(CAST(round(amount * 100) AS INTEGER)) FROM orders").fetchone()
    want["rfm-n-total"] = thousands(n)
    want["rfm-rev-total"] = f"{cents // 100:,}.{cents % 100:02d}"
    # Customers per named segment: reference scores (as_of the day after the latest order, 5 bins).
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "sql", "reference", "rfm.sql"), encoding="utf-8") as f:
        db.executescript("CREATE TEMP VIEW rfm_input AS SELECT customer_id AS customer, ts, amount FROM orders;\n" + f.read())
    db.enable_load_extension(True)
    db.load_extension(EXTENSION)
    db.enable_load_extension(False)
    for segment, count in db.execute("""
            SELECT s.segment, count(*) FROM rfm_reference r
            JOIN rfm_segments s ON s.scheme = 'en' AND s.code = r.r || r.f || r.m GROUP BY s.segment"""):
        want[f"rfm-n-{segment.replace(' ', '-')}"] = thousands(count)
    # Lifecycle by week (Monday weeks, UTC), zero-filled from the first active week to the last.
    weeks = {}
    for u, w in db.execute("SELECT DISTINCT user_id, date(ts, '-6 days', 'weekday 1') FROM events"):
        weeks.setdefault(u, set()).add(datetime.date.fromisoformat(w))
    first = {u: min(ws) for u, ws in weeks.items()}
    w, last = min(first.values()), max(max(ws) for ws in weeks.values())
    while w <= last:
        prev = w - datetime.timedelta(days=7)
        now_active = [u for u, ws in weeks.items() if w in ws]
        new = sum(1 for u in now_active if first[u] == w)
        retained = sum(1 for u in now_active if prev in weeks[u])
        resurrecting = len(now_active) - new - retained
        dormant = sum(1 for u, ws in weeks.items() if prev in ws and w not in ws)
        for name, n in (("new", new), ("retained", retained), ("resurrecting", resurrecting), ("dormant", dormant)):
            want[f"lc-{name}-{w.isoformat()}"] = thousands(n)
        w += datetime.timedelta(days=7)
    # DAU / WAU / MAU of the last seven days: distinct actors on the day, in the 7 and 30 days
    # ending with it.
    days = {}
    for u, d in db.execute("SELECT DISTINCT user_id, date(ts) FROM events"):
        days.setdefault(datetime.date.fromisoformat(d), set()).add(u)
    last = max(days)
    for back in range(7):
        d = last - datetime.timedelta(days=back)

        def trailing(n):
            return len(set().union(*(days.get(d - datetime.timedelta(days=k), set()) for k in range(n))))
        want[f"au-dau-{d}"], want[f"au-wau-{d}"], want[f"au-mau-{d}"] = (thousands(trailing(1)), thousands(trailing(7)),
                                                                         thousands(trailing(30)))
    # Paths from the first view (the report's 'start=view, steps=4'): each actor's rows ordered by
    # (time, event), split where two rows are more than 30 minutes apart, runs of one event kept
    # once; the journey of the segment holding the actor's first view, from that view, at most 4
    # events; it stopped at its last event when nothing was cut.
    history = {}
    for u, t, e in db.execute("SELECT user_id, unixepoch(ts), event FROM events ORDER BY user_id, unixepoch(ts), event"):
        history.setdefault(u, []).append((t, e))
    reached, stopped = {}, {}
    for rows in history.values():
        segments, prev_t = [], None
        for t, e in rows:
            if prev_t is None or t - prev_t > 1800:
                segments.append([])
            prev_t = t
            if not segments[-1] or segments[-1][-1] != e:
                segments[-1].append(e)
        for seg in segments:
            if "view" in seg:
                journey = seg[seg.index("view"):]
                for step, e in enumerate(journey[:4]):
                    reached[(step, e)] = reached.get((step, e), 0) + 1
                if len(journey) <= 4:
                    key = (len(journey) - 1, journey[-1])
                    stopped[key] = stopped.get(key, 0) + 1
                break
    for (step, e), n in reached.items():
        want[f"pa-{step}-{e}"] = thousands(n)
        want[f"pa-drop-{step}-{e}"] = thousands(stopped.get((step, e), 0))
    # Churn points: actors whose last row lies 30 days or more before the midnight after the
    # latest row's day, by the event of that row (the greatest event among rows at that instant).
    as_of = db.execute("SELECT unixepoch(date(max(ts), '+1 day')) FROM events").fetchone()[0]
    churned = {}
    for rows in history.values():
        t, e = rows[-1]
        if as_of - t >= 30 * 86400:
            churned[e] = churned.get(e, 0) + 1
    for e, n in churned.items():
        want[f"cp-{e}"] = thousands(n)
    return want


def expected_numbers(db):
    """Numbers shown rounded, compared within half their last digit: segment -> (customers, mean
    P(alive), expected purchases, their value at each customer's mean order value)."""
    r, alpha, a, b = db.execute("SELECT r, alpha, a, b FROM clv_fit('SELECT customer_id, ts, NULL FROM orders')").fetchone()
    last_day = db.execute("SELECT julianday(max(date(ts))) FROM orders").fetchone()[0]
    segment = dict(db.execute("""
            SELECT r.customer, s.segment FROM rfm_reference r
            JOIN rfm_segments s ON s.scheme = 'en' AND s.code = r.r || r.f || r.m"""))
    per = {}
    for customer, ndays, first_day, last_buy, orders, spent in db.execute("""
            SELECT customer_id, count(DISTINCT date(ts)), julianday(min(date(ts))), julianday(max(date(ts))),
                   count(DISTINCT order_id), sum(amount) FROM orders GROUP BY customer_id"""):
        p_alive, purchases = bgnbd(r, alpha, a, b, ndays - 1, last_buy - first_day, last_day - first_day, HORIZON_DAYS)
        agg = per.setdefault(segment[customer].replace(" ", "-"), [0, 0.0, 0.0, 0.0])
        agg[0] += 1
        agg[1] += p_alive
        agg[2] += purchases
        agg[3] += purchases * spent / orders
    want = {}
    for seg, (n, alive, purchases, value) in per.items():
        want[f"clv-n-{seg}"] = (n, 0)
        want[f"clv-alive-{seg}"] = (alive / n, 0.005)
        want[f"clv-purchases-{seg}"] = (purchases, 0.05)
        want[f"clv-value-{seg}"] = (value, 0.005)
    return want


def main():
    url = "file://" + os.path.abspath(REPORT)
    if os.path.exists(SCREENSHOT):
        os.remove(SCREENSHOT)
    run_chromium([f"--screenshot={os.path.abspath(SCREENSHOT)}", "--window-size=1200,5600",
                  "--hide-scrollbars", url])
    with open(SCREENSHOT, "rb") as f:
        png = f.read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "the screenshot is not a PNG"
    assert len(png) > 20000, f"the screenshot is suspiciously small ({len(png)} bytes)"
    dom = run_chromium(["--dump-dom", url])
    parser = IdText()
    parser.feed(dom)
    got = parser.found
    db = sqlite3.connect(f"file:{DEMO_DB}?mode=ro", uri=True)
    want = expected(db)
    bad = [f"{k}: page shows {got.get(k)!r}, plain SQL gives {v!r}" for k, v in sorted(want.items()) if got.get(k) != v]
    for k, (v, half) in sorted(expected_numbers(db).items()):
        shown = got.get(k)
        try:
            ok = abs(float(shown.replace(",", "")) - v) <= half + 1e-9 * max(1.0, abs(v))
        except (AttributeError, ValueError):
            ok = False
        if not ok:
            bad.append(f"{k}: page shows {shown!r}, the closed forms give {v!r}")
        want[k] = v
    for prefix, least in (("lc-", 40), ("au-", 21), ("clv-", 16), ("pa-", 8), ("cp-", 3)):
        if len([k for k in want if k.startswith(prefix)]) < least:
            bad.append(f"too few {prefix} numbers checked")
    if len([k for k in want if k.startswith("ret-") and not k.startswith("ret-size")]) < 20:
        bad.append("too few retention cells checked")
    for line in bad:
        print("FAIL", line)
    if bad:
        sys.exit(1)
    print(f"report: screenshot {len(png)} bytes; {len(want)} numbers on the rendered page match plain SQL")


if __name__ == "__main__":
    main()
