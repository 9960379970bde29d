#!/usr/bin/python3
"""clv_oracle.py: independent values for tests/test_clv_model.c (BG/NBD and Gamma-Gamma).

Run from the repository root with Debian's python3 and its python3-scipy and python3-mpmath
packages:   /usr/bin/python3 tests/clv_oracle.py
It prints every number the C test takes from here (the test names this script beside each).
Nothing here uses the extension: the formulas are written out again from the papers
(Fader, Hardie and Lee 2005, "Counting Your Customers the Easy Way"; Hardie's notes 021 and
025; lifetimes' summary_data_from_transaction_data), fitted with scipy.optimize, and point
values (log-likelihood rows, Gauss hypergeometric 2F1, E[Y(t)]) evaluated with mpmath at 50
digits.
"""
import csv
import datetime
import sys
from collections import defaultdict

import mpmath as mp
import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1

mp.mp.dps = 50
DATA = "tests/data/"


def cdnow_summary(as_of=datetime.date(1997, 10, 1)):
    """Per customer (sample id): frequency, recency and T in weeks, mean repeat-day spend.
    Rows before as_of; purchases collapse per calendar day (amounts summed)."""
    days = defaultdict(lambda: defaultdict(float))
    for line in open(DATA + "CDNOW_sample.txt"):
        f = line.split()
        d = datetime.datetime.strptime(f[2], "%Y%m%d").date()
        if d < as_of:
            days[int(f[1])][d] += float(f[4])
    last = as_of - datetime.timedelta(days=1)
    out = {}
    for cid, byday in days.items():
        ds = sorted(byday)
        x = len(ds) - 1
        rec = (ds[-1] - ds[0]).days / 7
        T = (last - ds[0]).days / 7
        m = sum(byday[d] for d in ds[1:]) / x if x else 0.0
        out[cid] = (x, rec, T, m)
    return out


def read_published_summary():
    rows = []
    with open(DATA + "cdnow_customers_summary.csv") as fh:
        for r in csv.DictReader(fh):
            rows.append((int(r["ID"]), int(r["frequency"]), float(r["recency"]), float(r["T"])))
    return rows


def bgnbd_ll_rows(params, x, tx, T):
    r, alpha, a, b = params
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    A3 = -(r + x) * np.log(alpha + T)
    A4 = np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(alpha + tx)
    m = np.maximum(A3, np.where(x > 0, A4, -np.inf))
    return A1 + A2 + m + np.log(np.exp(A3 - m) + np.where(x > 0, np.exp(A4 - m), 0.0))


def fit_bgnbd(x, tx, T, penalizer=0.0):
    scale = 1.0 / T.max()
    def f(lp):
        p = np.exp(lp)
        return -bgnbd_ll_rows(p, x, tx * scale, T * scale).mean() + penalizer * np.sum(p ** 2)
    best = minimize(f, np.full(4, 0.1), method="Nelder-Mead",
                    options={"xatol": 1e-12, "fatol": 1e-15, "maxiter": 200000, "maxfev": 200000})
    best = minimize(f, best.x, method="BFGS", options={"gtol": 1e-12})
    p = np.exp(best.x)
    p[1] /= scale
    return p, bgnbd_ll_rows(p, x, tx, T).sum()


def gg_ll_rows(params, x, m):
    p, q, v = params
    return (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(v) + (p * x - 1) * np.log(m)
            + p * x * np.log(x) - (p * x + q) * np.log(x * m + v))


def fit_gg(x, m, penalizer=0.0):
    def f(lp):
        p = np.exp(lp)
        return -gg_ll_rows(p, x, m).mean() + penalizer * np.sum(p ** 2)
    # BFGS as lifetimes does (from its start, log-parameters 0.1): Nelder-Mead from there runs
    # off along a ridge (p to 1e7, v to 1e-5) to a worse point on this data.
    best = minimize(f, np.full(3, 0.1), method="BFGS", options={"gtol": 1e-12})
    best = minimize(f, best.x, method="Nelder-Mead",
                    options={"xatol": 1e-12, "fatol": 1e-15, "maxiter": 200000, "maxfev": 200000})
    p = np.exp(best.x)
    return p, gg_ll_rows(p, x, m).sum()


# ---- point values at 50 digits (mpmath) ----
def mp_bgnbd_ll(params, x, tx, T):
    r, alpha, a, b = map(mp.mpf, params)
    x, tx, T = mp.mpf(x), mp.mpf(tx), mp.mpf(T)
    A1 = mp.loggamma(r + x) - mp.loggamma(r) + r * mp.log(alpha)
    A2 = mp.loggamma(a + b) + mp.loggamma(b + x) - mp.loggamma(b) - mp.loggamma(a + b + x)
    L = mp.exp(-(r + x) * mp.log(alpha + T))
    if x > 0:
        L += mp.exp(mp.log(a) - mp.log(b + x - 1) - (r + x) * mp.log(alpha + tx))
    return A1 + A2 + mp.log(L)


def mp_p_alive(params, x, tx, T):
    r, alpha, a, b = map(mp.mpf, params)
    if x == 0:
        return mp.mpf(1)
    return 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))


def mp_expected_y(params, t, x, tx, T):
    """FHL 2005 eq. (10), 2F1 by mpmath's own hyp2f1 (any z in [0, 1))."""
    r, alpha, a, b = map(mp.mpf, params)
    t, x, tx, T = mp.mpf(t), mp.mpf(x), mp.mpf(tx), mp.mpf(T)
    z = t / (alpha + T + t)
    h = mp.hyp2f1(r + x, b + x, a + b + x - 1, z)
    num = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * h)
    return num * mp_p_alive((r, alpha, a, b), x, tx, T)


def mp_expected_x(params, t):
    """FHL 2005 eq. (9)."""
    r, alpha, a, b = map(mp.mpf, params)
    t = mp.mpf(t)
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * mp.hyp2f1(r, b, a + b - 1, t / (alpha + t)))


def mp_clv(params, gg_mean, t_month, months, discount, x, tx, T):
    """lifetimes _customer_lifetime_value: sum over months of spend * (E[Y(k f)] - E[Y((k-1) f)]) / (1+d)^k."""
    total, prev = mp.mpf(0), mp.mpf(0)
    for k in range(1, months + 1):
        cur = mp_expected_y(params, k * t_month, x, tx, T)
        total += mp.mpf(gg_mean) * (cur - prev) / (1 + mp.mpf(discount)) ** k
        prev = cur
    return total


def show(name, value, digits=15):
    print(f"{name} = {mp.nstr(mp.mpf(value), digits)}")


# The MLE printed below, as literals, so the point values do not depend on this run's optimiser.
BG_MLE = (0.242592902, 4.41353135, 0.7928861826, 2.425753484)
GG_MLE = (6.249570386, 3.744224911, 15.44352711)


def main():
    np.seterr(all="ignore")
    pub = read_published_summary()
    mine = cdnow_summary()
    # The published summary (weeks, 2 decimals) against the recomputation from the transactions.
    bad = [c for c, x, rec, T in pub
           if mine[c][0] != x or round(mine[c][1], 2) != rec or round(mine[c][2], 2) != T]
    print(f"summary rows {len(pub)}, recomputed {len(mine)}, mismatches {len(bad)}")

    x = np.array([r[1] for r in pub], dtype=float)
    tx = np.array([r[2] for r in pub])
    T = np.array([r[3] for r in pub])
    print("BG/NBD LL at (0.243, 4.414, 0.793, 2.426):", bgnbd_ll_rows((0.243, 4.414, 0.793, 2.426), x, tx, T).sum())
    p, ll = fit_bgnbd(x, tx, T)
    print("BG/NBD MLE r alpha a b:", " ".join(f"{v:.10g}" for v in p), " LL", f"{ll:.10f}")
    pp, llp = fit_bgnbd(x, tx, T, penalizer=0.1)
    print("BG/NBD MLE penalizer=0.1:", " ".join(f"{v:.10g}" for v in pp), " LL", f"{llp:.10f}")
    p = BG_MLE
    for t in (0.1429, 1, 3, 31.8571, 32, 78):
        show(f"E[X({t})] at BG_MLE", mp_expected_x(p, t))
    show("E[Y(39) | 2, 30.43, 38.86] at BG_MLE", mp_expected_y(p, 39, 2, 30.43, 38.86))
    show("P(alive | 2, 30.43, 38.86) at BG_MLE", mp_p_alive(p, 2, 30.43, 38.86))
    show("sum E[Y(39)] over the cohort at BG_MLE", sum(mp_expected_y(p, 39, a, b, c) for a, b, c in zip(x, tx, T)), 10)

    rep = sorted((c, v[0], v[3]) for c, v in mine.items() if v[0] > 0)
    gx = np.array([r[1] for r in rep], dtype=float)
    gm = np.array([r[2] for r in rep])
    print("GG repeaters", len(rep), " customer 1 monetary", mine[1][3])
    print("GG LL at (6.25, 3.74, 15.44):", gg_ll_rows((6.25, 3.74, 15.44), gx, gm).sum())
    g, gll = fit_gg(gx, gm)
    print("GG MLE p q v:", " ".join(f"{v:.10g}" for v in g), " LL", f"{gll:.10f}")
    g2, gll2 = fit_gg(gx, gm, penalizer=0.01)
    print("GG MLE penalizer=0.01:", " ".join(f"{v:.10g}" for v in g2), " LL", f"{gll2:.10f}")
    gp, gq, gv = GG_MLE
    def e_m(x, m):
        w = gp * x / (gp * x + gq - 1)
        return (1 - w) * gp * gv / (gq - 1) + w * m
    print("GG E[M] first ten customers at GG_MLE:", " ".join(f"{e_m(mine[c][0], mine[c][3]):.10f}" for c in range(1, 11)))

    # CLV of customer 1 (x = 2, t_x = 30.43, T = 38.86 weeks), 12 months of 4.345 weeks, 1% a month,
    # spend 24.65 a purchase
    show("CLV customer 1 (weeks, 12 months, d = 0.01, spend 24.65) at BG_MLE", mp_clv(p, 24.65, 4.345, 12, 0.01, 2, 30.43, 38.86))
    # ... with its Gamma-Gamma expected spend at GG_MLE (customer 1: x = 2, m = 22.345), as clv()
    # computes it with every parameter given
    show("E[M] customer 1 at GG_MLE", e_m(2, 22.345))
    show("CLV customer 1 at BG_MLE and GG_MLE (weeks, 12 months, d = 0.01)",
         mp_clv(p, e_m(2, 22.345), 4.345, 12, 0.01, 2, 213 / 7, 272 / 7))
    # the same customer in days (alpha * 7), 12 months of 30 days, 10% a month, spend 100
    pday = (p[0], p[1] * 7, p[2], p[3])
    show("CLV customer 1 in days (12 months of 30 days, d = 0.1, spend 100)", mp_clv(pday, 100, 30, 12, 0.1, 2, 213, 272))

    # pymc-marketing test_beta_geo.py unit oracles
    po = (0.25, 4.0, 0.80, 2.50)
    show("pymc LL x=0 t_x=0 T=40", mp_bgnbd_ll(po, 0, 0, 40))
    show("pymc LL x=200 t_x=38 T=40", mp_bgnbd_ll(po, 200, 38, 40))
    # hostile rows: huge frequency
    show("LL x=10000 t_x=38 T=40 (pymc params)", mp_bgnbd_ll(po, 10000, 38, 40))
    show("P(alive) x=10000 t_x=38 T=40", mp_p_alive(po, 10000, 38, 40), 20)
    show("P(alive) x=10000 t_x=39.99 T=40", mp_p_alive(po, 10000, 39.99, 40), 20)
    show("E[Y(10)] x=10000 t_x=40 T=40", mp_expected_y(po, 10, 10000, 40, 40))
    show("E[Y(10)] x=10000 t_x=39.99 T=40", mp_expected_y(po, 10, 10000, 39.99, 40))
    show("GG LL row x=10000 m=35 at (6.25, 3.74, 15.44)",
         mp.loggamma(6.25 * 10000 + 3.74) - mp.loggamma(6.25 * 10000) - mp.loggamma(3.74) + 3.74 * mp.log(15.44)
         + (6.25 * 10000 - 1) * mp.log(35) + 6.25 * 10000 * mp.log(10000) - (6.25 * 10000 + 3.74) * mp.log(10000 * 35 + 15.44))

    # Gauss hypergeometric 2F1 at 50 digits: small z, z near 1, C - A - B an integer, large parameters.
    for A, B, C, z in ((1, 1, 2, 0.5), (0.3, 2.5, 4.2, 0.2), (0.243, 2.426, 2.219, 0.4688),
                       (2.2, 1.1, 3.5, 0.99), (0.5, 0.7, 1.9, 0.999999), (3.0, 4.5, 2.5, 0.97),
                       (1.5, 1.5, 3.0, 0.999), (2.2, 0.5, 2.7, 0.9999), (0.5, 0.7, 1.2001, 0.95),
                       (2.0, -0.3, 10002.5, 0.999), (1.2, -0.5, -0.3, 0.6)):
        show(f"2F1({A}, {B}; {C}; {z})", mp.hyp2f1(A, B, C, z), 17)
    # E[Y] with t far beyond alpha + T (z = 0.9997, 0.9995), parameters like a fit in days
    pd_ = (0.2426, 31.0, 0.7929, 2.4258)
    show("E[Y(36500)] x=0 t_x=0 T=10 days-like params", mp_expected_y(pd_, 36500, 0, 0, 10))
    show("E[Y(365000)] x=3 t_x=100 T=200 days-like params", mp_expected_y(pd_, 365000, 3, 100, 200))
    show("E[X(365)] at (0.5, 20, a = 1, 2): the limit a -> 1", mp.limit(lambda a: mp_expected_x((0.5, 20.0, a, 2.0), 365), 1))
    show("E[X(100)] at (0.5, 20, 0.3, 0.7): the limit a + b -> 1",
         mp.limit(lambda b: mp_expected_x((0.5, 20.0, 0.3, b), 100), 0.7))
    # closed form used by tests/sql/clv.sql: r = 1, b = 1, a = 1/2, x = 0 gives
    # E[Y(t)] = sqrt(t/(alpha + T)) asin(sqrt(t/(alpha + T + t)))
    show("E[Y(365)] at (1, 1, 0.5, 1), x=0, T=19, by eq. 10", mp_expected_y((1, 1, 0.5, 1), 365, 0, 0, 19))
    show("  the closed form", mp.sqrt(mp.mpf(365) / 20) * mp.asin(mp.sqrt(mp.mpf(365) / 385)))
    show("E[Y(30)] at (0.2309, 4.219, 0.1287, 0.2671), x=0, T=20 (a + b - 1 < 0)",
         mp_expected_y((0.2309, 4.219, 0.1287, 0.2671), 30, 0, 0, 20))

    # special functions
    for v in (0.5, 1, 2, 10, 1e-8, 0.243, 10000.25, 1e6 + 0.5):
        show(f"lnGamma({v})", mp.loggamma(v), 17)
    for v in (-0.5, -1.5, -2.7):
        show(f"ln|Gamma({v})|", mp.log(abs(mp.gamma(v))), 17)
    for v in (1, 0.5, 1e-8, 3.7, 10000.25):
        show(f"digamma({v})", mp.digamma(v), 17)


if __name__ == "__main__":
    sys.exit(main())
