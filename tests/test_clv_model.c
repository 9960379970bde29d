/*
** test_clv_model.c: the pure CLV core (ext/clv_model.c): BG/NBD and Gamma-Gamma likelihoods,
** fits, P(alive), E[X(t)], E[Y(t)], the Gauss hypergeometric 2F1 and discounted CLV.
**
** Where the expected numbers come from (none from this code):
**   [FHL]   Fader, Hardie and Lee (2005), "Counting Your Customers the Easy Way", Marketing
**           Science 24(2), Table 2: BG/NBD on the CDNOW sample, r = 0.243, alpha = 4.414,
**           a = 0.793, b = 2.426, LL -9582.4; and E[Y(39) | x = 2, t_x = 30.43, T = 38.86] =
**           1.226 (the paper's worked customer, also in lifetimes' test_estimation.py).
**   [LT]    lifetimes (CamDavidsonPilon/lifetimes) tests/test_estimation.py: E[X(t)] at
**           t = 0.1429 .. 78 weeks (decimal 3); Gamma-Gamma p = 6.25, q = 3.74, v = 15.44
**           (decimal 2) and the conditional expected average profit of the first ten CDNOW
**           customers (atol 0.1); weighted and expanded data give the same fit.
**   [PYMC]  pymc-marketing tests/clv/models/test_beta_geo.py: log-likelihood -0.59947382 and
**           100.7957 at r = 0.25, alpha = 4, a = 0.8, b = 2.5, T = 40.
**   [ORA]   tests/clv_oracle.py (Debian's python3 with scipy 1.10 and mpmath 1.2): the same
**           formulas written out again, fitted with scipy.optimize and evaluated with mpmath
**           at 50 digits; each value below names the line of its output it comes from.
** Data: tests/data/ (CDNOW sample and its published summary; provenance in tests/data/README.md).
** Run from the repository root.
*/
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "read_file.h"

#include "clv_model.h"

/* ---- helpers ---- */

static void near_rel(double got, double want, double rel, const char *what) {
  if (!(fabs(got - want) <= rel * fabs(want)))
    fail_msg("%s = %.17g, expected %.17g (relative tolerance %g, off by %.3g)", what, got, want, rel,
             fabs(got - want) / fabs(want));
}

static void near_abs(double got, double want, double tol, const char *what) {
  if (!(fabs(got - want) <= tol))
    fail_msg("%s = %.17g, expected %.17g +- %g", what, got, want, tol);
}

/* The published CDNOW summary: 2,357 customers, frequency, recency and T in weeks. */
#define CDNOW_CUSTOMERS 2357
static size_t read_summary(gclv_obs *o) {
  char *text = read_file("tests/data/cdnow_customers_summary.csv");
  if (!text) fail_msg("run from the repository root: cannot read tests/data/cdnow_customers_summary.csv");
  size_t n = 0;
  char *line = strchr(text, '\n') + 1; /* skip the header ID,frequency,recency,T */
  int id;
  double x, r, T;
  while (n < CDNOW_CUSTOMERS && sscanf(line, "%d,%lf,%lf,%lf", &id, &x, &r, &T) == 4) {
    o[n++] = (gclv_obs){x, r, T, 1};
    char *next = strchr(line, '\n');
    if (!next) break;
    line = next + 1;
  }
  free(text);
  assert_int_equal(n, CDNOW_CUSTOMERS);
  return n;
}

/* Gamma-Gamma data from the transactions (CDNOW_sample.txt: master id, sample id 1..2357,
** YYYYMMDD, CDs, dollars), as lifetimes builds it: rows before 1997-10-01, collapsed per day
** (amounts summed); x = days - 1; m = mean of the days after the first. Written here, not
** with the code under test. Returns the repeaters (x > 0) in customer order; freq[c] and
** mean[c] get every customer's values (index = sample id). */
static size_t read_spend(gclv_spend *s, double *freq, double *mean) {
  char *text = read_file("tests/data/CDNOW_sample.txt");
  if (!text) fail_msg("run from the repository root: cannot read tests/data/CDNOW_sample.txt");
  static int days[CDNOW_CUSTOMERS + 1];
  static long last_day[CDNOW_CUSTOMERS + 1];
  static double repeat_sum[CDNOW_CUSTOMERS + 1];
  memset(days, 0, sizeof days);
  memset(repeat_sum, 0, sizeof repeat_sum);
  char *p = text;
  char master[16];
  int c, cds, used;
  long day;
  double dollars;
  while (sscanf(p, "%15s %d %ld %d %lf%n", master, &c, &day, &cds, &dollars, &used) == 5) {
    p += used;
    assert_true(c >= 1 && c <= CDNOW_CUSTOMERS);
    if (day >= 19971001) continue;
    /* the file is sorted by customer and date */
    if (days[c] == 0 || day != last_day[c]) days[c]++;
    last_day[c] = day;
    if (days[c] > 1) repeat_sum[c] += dollars;
  }
  free(text);
  size_t n = 0;
  for (c = 1; c <= CDNOW_CUSTOMERS; c++) {
    freq[c] = days[c] - 1;
    mean[c] = days[c] > 1 ? repeat_sum[c] / (days[c] - 1) : 0;
    if (days[c] > 1) s[n++] = (gclv_spend){days[c] - 1, mean[c], 1};
  }
  return n;
}

/* [ORA] "BG/NBD MLE r alpha a b" and "GG MLE p q v": the literals the point values use */
static const gclv_bgnbd BG_MLE = {0.242592902, 4.41353135, 0.7928861826, 2.425753484};
static const gclv_gg GG_MLE = {6.249570386, 3.744224911, 15.44352711};
static const gclv_fit_opts NO_PENALTY = {0, 0, NULL};

static int stop_now(void *ctx);

/* ---- special functions ---- */

static void log_gamma_and_digamma(void **state) {
  (void)state;
  /* [ORA] lnGamma(...), ln|Gamma(...)|, digamma(...) */
  struct { double x, want; } lg[] = {
    {0.5, 0.57236494292470009}, {1, 0}, {2, 0}, {10, 12.80182748008147},
    {1e-8, 18.420680738180209}, {0.243, 1.3180435846996699}, {10000.25, 82102.020072160293},
    {1000000.5, 12815511.476902766}, {-0.5, 1.2655121234846454}, {-1.5, 0.86004701537648101},
    {-2.7, -0.071407085315645688},
  };
  for (size_t i = 0; i < sizeof lg / sizeof lg[0]; i++) {
    char what[64];
    snprintf(what, sizeof what, "lnGamma(%g)", lg[i].x);
    near_abs(gclv_lgamma(lg[i].x, NULL), lg[i].want, 4e-15 * fmax(1, fabs(lg[i].want)), what);
  }
  /* signs: Gamma(-0.5) = -2 sqrt(pi) < 0; Gamma(-1.5) = 4 sqrt(pi) / 3 > 0; Gamma(-2.7) < 0
  ** (Gamma(0.3) over three negative factors) */
  int sign;
  gclv_lgamma(-0.5, &sign);
  assert_int_equal(sign, -1);
  gclv_lgamma(-1.5, &sign);
  assert_int_equal(sign, 1);
  gclv_lgamma(-2.7, &sign);
  assert_int_equal(sign, -1);
  assert_true(isinf(gclv_lgamma(0, NULL)) && isinf(gclv_lgamma(-3, NULL)));
  struct { double x, want; } dg[] = {
    {1, -0.57721566490153286}, {0.5, -1.9635100260214235}, {1e-8, -100000000.57721565},
    {3.7, 1.1671535393615114}, {10000.25, 9.210315372080365},
  };
  for (size_t i = 0; i < sizeof dg / sizeof dg[0]; i++) {
    char what[64];
    snprintf(what, sizeof what, "digamma(%g)", dg[i].x);
    near_rel(gclv_digamma(dg[i].x), dg[i].want, 2e-15, what);
  }
}

static void hypergeometric_2f1(void **state) {
  (void)state;
  /* [ORA] 2F1(...) at 50 digits (mpmath). The first is ln(4) exactly: 2F1(1,1;2;z) = -ln(1-z)/z. */
  struct { double A, B, C, z, want, rel; } h[] = {
    {1, 1, 2, 0.5, 1.3862943611198906, 1e-15},
    {0.3, 2.5, 4.2, 0.2, 1.0392378932023162, 1e-15},
    {0.243, 2.426, 2.219, 0.4688, 1.1869973696178661, 1e-15},
    /* z > 0.9: the connection formula in 1 - z */
    {2.2, 1.1, 3.5, 0.99, 6.5655643445189636, 1e-13},
    {0.5, 0.7, 1.9, 0.999999, 1.5323424586264714, 1e-13},
    /* C - A - B = -5, 0, 0 (integers) and 1e-4 (near one): the extrapolated branch */
    {3.0, 4.5, 2.5, 0.97, 56013051.146384231, 1e-11},
    {1.5, 1.5, 3.0, 0.999, 14.501301605417934, 1e-11},
    {2.2, 0.5, 2.7, 0.9999, 7.495350419378758, 1e-11},
    {0.5, 0.7, 1.2001, 0.95, 2.0309819267541366, 1e-11},
    /* large C with z near 1 (the series, which converges fast there); negative B and C */
    {2.0, -0.3, 10002.5, 0.999, 0.99994006869619641, 1e-14},
    {1.2, -0.5, -0.3, 0.6, 3.5434148556858486, 1e-14},
  };
  for (size_t i = 0; i < sizeof h / sizeof h[0]; i++) {
    char what[96];
    snprintf(what, sizeof what, "2F1(%g, %g; %g; %g)", h[i].A, h[i].B, h[i].C, h[i].z);
    near_rel(gclv_hyp2f1(h[i].A, h[i].B, h[i].C, h[i].z), h[i].want, h[i].rel, what);
  }
  /* the domain: 0 <= z < 1, C not a pole */
  assert_true(isnan(gclv_hyp2f1(1, 1, 2, 1)));
  assert_true(isnan(gclv_hyp2f1(1, 1, 2, -0.1)));
  assert_true(isnan(gclv_hyp2f1(1, 1, -2, 0.5)));
  /* a terminating series: 2F1(-2, B; C; z) = 1 - 2Bz/C + B(B+1)z^2/(C(C+1)); with B = 1,
  ** C = 2, z = 0.5: 1 - 0.5 + 2 * 0.25 / 6 = 0.58333... */
  near_rel(gclv_hyp2f1(-2, 1, 2, 0.5), 0.5 + 1.0 / 12, 1e-15, "2F1(-2, 1; 2; 0.5)");
}

/* ---- BG/NBD ---- */

static void bgnbd_row_likelihoods(void **state) {
  (void)state;
  gclv_bgnbd pymc = {0.25, 4.0, 0.80, 2.50};
  /* [PYMC] published digits, and [ORA] "pymc LL ..." to 1e-12 */
  near_abs(gclv_bgnbd_ll_row(&pymc, 0, 0, 40), -0.59947382, 5e-9, "pymc LL(x=0)");
  near_abs(gclv_bgnbd_ll_row(&pymc, 200, 38, 40), 100.7957, 5e-5, "pymc LL(x=200)");
  near_rel(gclv_bgnbd_ll_row(&pymc, 0, 0, 40), -0.599473818199593, 1e-13, "pymc LL(x=0)");
  near_rel(gclv_bgnbd_ll_row(&pymc, 200, 38, 40), 100.795693092706, 1e-13, "pymc LL(x=200)");
  /* x = 10,000: finite, [ORA] "LL x=10000 t_x=38 T=40" */
  near_rel(gclv_bgnbd_ll_row(&pymc, 10000, 38, 40), 44707.3483405083, 1e-13, "LL(x=10000)");
  /* T = 0 (first purchase on the last observed day): L = (alpha / (alpha + 0))^r = 1 */
  assert_true(gclv_bgnbd_ll_row(&pymc, 0, 0, 0) == 0);

  /* the total: [FHL] LL -9582.4 at the published parameters; [ORA] -9582.426831182365 */
  static gclv_obs o[CDNOW_CUSTOMERS];
  size_t n = read_summary(o);
  gclv_bgnbd fhl = {0.243, 4.414, 0.793, 2.426};
  double ll = gclv_bgnbd_ll(&fhl, o, n, NULL, NULL);
  near_abs(ll, -9582.43, 0.01, "CDNOW LL at FHL's parameters");
  near_rel(ll, -9582.426831182365, 1e-13, "CDNOW LL at FHL's parameters");
}

/* The analytic gradient against central differences of the log-likelihood itself: on ordinary
** rows tightly; on a row with x = 10,000 (whose log-likelihood is 4e4, so differences carry
** 1e-11 / step of rounding) with a wider step and tolerance. */
static void check_bgnbd_gradient(const gclv_obs *o, size_t n, double h, double rel) {
  gclv_bgnbd m = {0.243, 4.414, 0.793, 2.426};
  double g[4];
  gclv_bgnbd_ll(&m, o, n, g, NULL);
  double *param[4] = {&m.r, &m.alpha, &m.a, &m.b};
  for (int j = 0; j < 4; j++) {
    double keep = *param[j];
    *param[j] = keep * exp(h);
    double up = gclv_bgnbd_ll(&m, o, n, NULL, NULL);
    *param[j] = keep * exp(-h);
    double down = gclv_bgnbd_ll(&m, o, n, NULL, NULL);
    *param[j] = keep;
    double numeric = (up - down) / (2 * h);
    if (!(fabs(g[j] - numeric) <= rel * fmax(1, fabs(numeric))))
      fail_msg("d LL / d ln param %d: analytic %.12g, differences %.12g", j, g[j], numeric);
  }
}

static void bgnbd_gradient_matches_differences(void **state) {
  (void)state;
  gclv_obs o[] = {{0, 0, 38, 3}, {2, 30.43, 38.86, 1}, {1, 1.71, 38.86, 2}, {5, 20, 21, 1}, {0, 0, 0, 1}};
  check_bgnbd_gradient(o, sizeof o / sizeof o[0], 1e-5, 1e-8);
  gclv_obs big[] = {{10000, 38, 40, 1}};
  check_bgnbd_gradient(big, 1, 1e-5, 1e-5);
}

static void bgnbd_fit_reproduces_fhl(void **state) {
  (void)state;
  static gclv_obs o[CDNOW_CUSTOMERS];
  size_t n = read_summary(o);
  gclv_bgnbd m;
  gclv_fit_info info;
  const char *why = gclv_bgnbd_fit(o, n, &NO_PENALTY, &m, &info);
  if (why) fail_msg("%s", why);
  assert_true(info.converged);
  assert_true(info.iterations > 0 && info.iterations < 100);
  assert_true(info.customers == CDNOW_CUSTOMERS);
  /* [FHL] to the published digits */
  near_abs(m.r, 0.243, 0.0005, "r");
  near_abs(m.alpha, 4.414, 0.0005, "alpha");
  near_abs(m.a, 0.793, 0.0005, "a");
  near_abs(m.b, 2.426, 0.0005, "b");
  near_abs(info.ll, -9582.43, 0.01, "LL");
  /* [ORA] scipy's MLE: 0.242592902 4.41353135 0.7928861826 2.425753484, LL -9582.4255605674 */
  near_rel(m.r, BG_MLE.r, 1e-6, "r");
  near_rel(m.alpha, BG_MLE.alpha, 1e-6, "alpha");
  near_rel(m.a, BG_MLE.a, 1e-6, "a");
  near_rel(m.b, BG_MLE.b, 1e-6, "b");
  near_abs(info.ll, -9582.4255605674, 1e-7, "LL");

  /* the same customers in days: alpha scales by 7, the rest stays (the model is a time-scale
  ** family), and LL drops by sum(x) ln 7 = 2457 ln 7 (the density of each purchase time) */
  static gclv_obs days[CDNOW_CUSTOMERS];
  for (size_t i = 0; i < n; i++) days[i] = (gclv_obs){o[i].x, o[i].t_x * 7, o[i].T * 7, 1};
  gclv_bgnbd d;
  gclv_fit_info dinfo;
  why = gclv_bgnbd_fit(days, n, &NO_PENALTY, &d, &dinfo);
  if (why) fail_msg("%s", why);
  near_rel(d.r, m.r, 1e-9, "r in days");
  near_rel(d.alpha, m.alpha * 7, 1e-9, "alpha in days");
  near_rel(d.a, m.a, 1e-9, "a in days");
  near_rel(d.b, m.b, 1e-9, "b in days");
  near_abs(dinfo.ll, info.ll - 2457 * log(7), 1e-6, "LL in days");
}

static void bgnbd_penalizer_as_lifetimes(void **state) {
  (void)state;
  static gclv_obs o[CDNOW_CUSTOMERS];
  size_t n = read_summary(o);
  gclv_fit_opts opts = {0.1, 0, NULL};
  gclv_bgnbd m;
  gclv_fit_info info;
  const char *why = gclv_bgnbd_fit(o, n, &opts, &m, &info);
  if (why) fail_msg("%s", why);
  /* [ORA] "BG/NBD MLE penalizer=0.1": mean -LL + 0.1 * (r^2 + (alpha/max T)^2 + a^2 + b^2)
  ** minimised with time scaled so max T = 1, as lifetimes does */
  near_rel(m.r, 0.2309470678, 1e-6, "r");
  near_rel(m.alpha, 4.219288523, 1e-6, "alpha");
  near_rel(m.a, 0.12865469, 1e-6, "a");
  near_rel(m.b, 0.2671267727, 1e-6, "b");
  /* at a penalised optimum the LL is not stationary: parameters 1e-7 apart move it by 1e-6 */
  near_abs(info.ll, -9626.9322929215, 1e-5, "unpenalised LL");
}

/* lifetimes: weighted and expanded data give the same fit (decimal 3). Here: bit for bit,
** since identical rows are merged into weights before fitting, and in any input order. */
static void weighted_and_expanded_data_fit_alike(void **state) {
  (void)state;
  static gclv_obs o[CDNOW_CUSTOMERS], w[CDNOW_CUSTOMERS], rev[CDNOW_CUSTOMERS];
  size_t n = read_summary(o);
  memcpy(w, o, sizeof o);
  size_t k = gclv_compress_obs(w, n, NULL);
  /* the 1,411 customers without repeats share x = 0, t_x = 0 and one of at most 90 T values
  ** (first purchases in 1997's first quarter), so there are far fewer patterns than customers */
  assert_true(k < n - 1000);
  double total = 0;
  for (size_t i = 0; i < k; i++) total += w[i].w;
  assert_true(total == CDNOW_CUSTOMERS);
  for (size_t i = 0; i < n; i++) rev[i] = o[n - 1 - i];
  gclv_bgnbd a, b, c;
  gclv_fit_info ia, ib, ic;
  assert_null(gclv_bgnbd_fit(o, n, &NO_PENALTY, &a, &ia));
  assert_null(gclv_bgnbd_fit(w, k, &NO_PENALTY, &b, &ib));
  assert_null(gclv_bgnbd_fit(rev, n, &NO_PENALTY, &c, &ic));
  assert_memory_equal(&a, &b, sizeof a);
  assert_memory_equal(&a, &c, sizeof a);
  assert_int_equal(ia.iterations, ib.iterations);
  /* and the same run twice */
  gclv_bgnbd again;
  assert_null(gclv_bgnbd_fit(o, n, &NO_PENALTY, &again, &ia));
  assert_memory_equal(&a, &again, sizeof a);
  /* weights of 2 are two customers: doubling every weight leaves the mean likelihood, so the fit */
  for (size_t i = 0; i < k; i++) w[i].w *= 2;
  gclv_bgnbd twice;
  assert_null(gclv_bgnbd_fit(w, k, &NO_PENALTY, &twice, &ib));
  near_rel(twice.r, a.r, 1e-12, "r with doubled weights");
  near_rel(ib.ll, 2 * ia.ll, 1e-12, "LL with doubled weights");
}

static void conditional_expectations(void **state) {
  (void)state;
  /* [LT] E[X(t)] (decimal 3) and [ORA] "E[X(t)] at BG_MLE" */
  struct { double t, lt, ora; } ex[] = {
    {0.1429, 0.0078, 0.00781607226821462}, {1, 0.0532, 0.0531847420756455},
    {3, 0.1506, 0.15063193338698}, {31.8571, 1.0405, 1.04049430992508},
    {32, 1.0437, 1.04373723246761}, {78, 1.8576, 1.85797176698825},
  };
  for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
    double got = gclv_expected_x(&BG_MLE, ex[i].t);
    char what[64];
    snprintf(what, sizeof what, "E[X(%g)]", ex[i].t);
    near_abs(got, ex[i].lt, 0.0015, what);
    near_rel(got, ex[i].ora, 1e-12, what);
  }
  /* [FHL] E[Y(39) | 2, 30.43, 38.86] = 1.226; [ORA] 1.22591043794801; P(alive) 0.7266 */
  double ey = gclv_expected_y(&BG_MLE, 39, 2, 30.43, 38.86);
  near_abs(ey, 1.226, 0.001, "E[Y(39)]");
  near_rel(ey, 1.22591043794801, 1e-12, "E[Y(39)]");
  double pa = gclv_p_alive(&BG_MLE, 2, 30.43, 38.86);
  near_abs(pa, 0.7266, 0.00005, "P(alive)");
  near_rel(pa, 0.726609145359475, 1e-13, "P(alive)");
  /* nobody without repeats has shown a drop-out: P(alive) = 1 */
  assert_true(gclv_p_alive(&BG_MLE, 0, 0, 38.86) == 1);
  /* [ORA] "sum E[Y(39)] over the cohort at BG_MLE" = 1653.423233 (the reference notes 1,653
  ** against 1,882 repeat purchase days observed in the holdout) */
  static gclv_obs o[CDNOW_CUSTOMERS];
  size_t n = read_summary(o);
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += gclv_expected_y(&BG_MLE, 39, o[i].x, o[i].t_x, o[i].T);
  near_rel(sum, 1653.423233, 1e-9, "sum of E[Y(39)]");
}

static void extreme_customers_stay_finite(void **state) {
  (void)state;
  gclv_bgnbd pymc = {0.25, 4.0, 0.80, 2.50};
  /* [ORA] x = 10,000 rows */
  near_rel(gclv_p_alive(&pymc, 10000, 38, 40), 1.1430452490796339481e-198, 1e-11, "P(alive), x = 10,000");
  near_rel(gclv_p_alive(&pymc, 10000, 39.99, 40), 0.99922400757911822242, 1e-13, "P(alive), x = 10,000");
  near_rel(gclv_expected_y(&pymc, 10, 10000, 40, 40), 2090.3814956771, 1e-12, "E[Y(10)], x = 10,000");
  near_rel(gclv_expected_y(&pymc, 10, 10000, 39.99, 40), 2088.92645116839, 1e-12, "E[Y(10)], x = 10,000");
  /* t far beyond alpha + T (z up to 0.9997), parameters like a fit in days */
  gclv_bgnbd days = {0.2426, 31.0, 0.7929, 2.4258};
  near_rel(gclv_expected_y(&days, 36500, 0, 0, 10), 11.0197286889361, 1e-11, "E[Y(36500)]");
  near_rel(gclv_expected_y(&days, 365000, 3, 100, 200), 37.0164840814858, 1e-11, "E[Y(365000)]");
  /* the formula's removable singularities: a = 1, and a + b = 1 for x = 0 */
  gclv_bgnbd a1 = {0.5, 20, 1, 2};
  near_rel(gclv_expected_x(&a1, 365), 2.70618572967326, 1e-9, "E[X(365)] at a = 1");
  gclv_bgnbd ab1 = {0.5, 20, 0.3, 0.7};
  near_rel(gclv_expected_x(&ab1, 100), 1.59781788546274, 1e-9, "E[X(100)] at a + b = 1");
  /* a + b < 1 (as the penalised fit gives): [ORA] "E[Y(30)] at (0.2309, ...)" */
  gclv_bgnbd small = {0.2309, 4.219, 0.1287, 0.2671};
  near_rel(gclv_expected_y(&small, 30, 0, 0, 20), 0.243704180536875, 1e-12, "E[Y(30)], a + b < 1");

  /* a grid of histories, in weeks and in days: every output finite, P(alive) in [0, 1],
  ** E[Y] >= 0 and growing with t */
  gclv_bgnbd fits[2] = {BG_MLE, {BG_MLE.r, BG_MLE.alpha * 7, BG_MLE.a, BG_MLE.b}};
  double xs[] = {0, 1, 2, 7, 50, 1000, 10000};
  double Ts[] = {0, 0.5, 1, 38.86, 365, 3650};
  for (int f = 0; f < 2; f++) {
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
      for (size_t j = 0; j < sizeof Ts / sizeof Ts[0]; j++) {
        double T = Ts[j];
        double txs[3] = {0, T / 2, T};
        for (int k = 0; k < 3; k++) {
          double x = xs[i], tx = txs[k];
          if ((x == 0) != (tx == 0)) continue;
          double pa = gclv_p_alive(&fits[f], x, tx, T);
          if (!(pa >= 0 && pa <= 1)) fail_msg("P(alive | %g, %g, %g) = %g", x, tx, T, pa);
          double prev = 0;
          for (double t = 1; t <= 1e5; t *= 10) {
            double ey = gclv_expected_y(&fits[f], t, x, tx, T);
            if (!(isfinite(ey) && ey >= prev * (1 - 1e-12)))
              fail_msg("E[Y(%g) | %g, %g, %g] = %g after %g", t, x, tx, T, ey, prev);
            prev = ey;
          }
          double clv = gclv_clv(&fits[f], 35, x, tx, T, 120, f ? GCLV_MONTH_DAYS : GCLV_MONTH_WEEKS, 0.01);
          if (!(isfinite(clv) && clv >= 0)) fail_msg("CLV(%g, %g, %g) = %g", x, tx, T, clv);
        }
      }
    }
  }
}

/* ---- Gamma-Gamma ---- */

static void gamma_gamma_fit_reproduces_published(void **state) {
  (void)state;
  static gclv_spend s[CDNOW_CUSTOMERS];
  static double freq[CDNOW_CUSTOMERS + 1], mean[CDNOW_CUSTOMERS + 1];
  size_t n = read_spend(s, freq, mean);
  /* the reference's facts: 946 repeaters; customer 1 repeats $29.73 and $14.96: 22.345 */
  assert_int_equal(n, 946);
  near_abs(mean[1], 22.345, 1e-12, "customer 1's mean repeat spend");
  /* the transactions agree with the published summary on frequency */
  static gclv_obs o[CDNOW_CUSTOMERS];
  read_summary(o);
  for (int c = 1; c <= CDNOW_CUSTOMERS; c++) assert_true(freq[c] == o[c - 1].x);

  gclv_gg g;
  gclv_fit_info info;
  const char *why = gclv_gg_fit(s, n, &NO_PENALTY, &g, &info);
  if (why) fail_msg("%s", why);
  assert_true(info.converged);
  /* [LT] p = 6.25, q = 3.74, v = 15.44 (decimal 2) */
  near_abs(g.p, 6.25, 0.005, "p");
  near_abs(g.q, 3.74, 0.005, "q");
  near_abs(g.v, 15.44, 0.005, "v");
  /* [ORA] "GG MLE p q v": 6.249570386 3.744224911 15.44352711, LL -4055.9176948019 */
  near_rel(g.p, GG_MLE.p, 1e-6, "p");
  near_rel(g.q, GG_MLE.q, 1e-6, "q");
  near_rel(g.v, GG_MLE.v, 1e-6, "v");
  near_abs(info.ll, -4055.9176948019, 1e-7, "LL");
  /* [ORA] "GG LL at (6.25, 3.74, 15.44)" */
  gclv_gg pub = {6.25, 3.74, 15.44};
  near_rel(gclv_gg_ll(&pub, s, n, NULL, NULL), -4055.919232049542, 1e-13, "LL at the published parameters");

  /* [LT] conditional expected average profit of the first ten customers (atol 0.1) and [ORA]
  ** "GG E[M] first ten customers at GG_MLE" */
  double lt[10] = {24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17};
  double ora[10] = {24.6539194852, 18.9100204651, 35.1703715301, 35.1703715301, 35.1703715301,
                    71.4647049016, 18.9100204651, 35.1703715301, 27.2819313697, 35.1703715301};
  for (int c = 1; c <= 10; c++) {
    double e = gclv_gg_expected_spend(&GG_MLE, freq[c], mean[c]);
    char what[64];
    snprintf(what, sizeof what, "E[M] of customer %d", c);
    near_abs(e, lt[c - 1], 0.1, what);
    near_abs(e, ora[c - 1], 1e-9, what);
  }
  /* money in cents: p and q stay, v scales by 100 (spend is a scale family) */
  for (size_t i = 0; i < n; i++) s[i].m *= 100;
  gclv_gg cents;
  assert_null(gclv_gg_fit(s, n, &NO_PENALTY, &cents, &info));
  near_rel(cents.p, g.p, 1e-6, "p in cents");
  near_rel(cents.q, g.q, 1e-6, "q in cents");
  near_rel(cents.v, g.v * 100, 1e-6, "v in cents");
}

static void check_gg_gradient(const gclv_spend *s, size_t n, double h, double rel) {
  gclv_gg g = {6.25, 3.74, 15.44};
  double gr[3];
  gclv_gg_ll(&g, s, n, gr, NULL);
  double *param[3] = {&g.p, &g.q, &g.v};
  for (int j = 0; j < 3; j++) {
    double keep = *param[j];
    *param[j] = keep * exp(h);
    double up = gclv_gg_ll(&g, s, n, NULL, NULL);
    *param[j] = keep * exp(-h);
    double down = gclv_gg_ll(&g, s, n, NULL, NULL);
    *param[j] = keep;
    double numeric = (up - down) / (2 * h);
    if (!(fabs(gr[j] - numeric) <= rel * fmax(1, fabs(numeric))))
      fail_msg("d LL / d ln param %d: analytic %.12g, differences %.12g", j, gr[j], numeric);
  }
}

static void gamma_gamma_gradient_and_extremes(void **state) {
  (void)state;
  gclv_spend s[] = {{1, 10, 2}, {2, 22.345, 1}, {7, 3, 1}};
  check_gg_gradient(s, 3, 1e-5, 1e-8);
  /* lnGamma(62,500) is 6e5: rounding in the differences is 1e-10 / step */
  gclv_spend big[] = {{10000, 35, 1}};
  check_gg_gradient(big, 1, 1e-4, 1e-5);
  gclv_gg g = {6.25, 3.74, 15.44};
  /* [ORA] "GG LL row x=10000 m=35 at (6.25, 3.74, 15.44)" */
  /* the row is -4 as the difference of terms of 6e5: 1e-12 needs the stable forms */
  near_rel(gclv_gg_ll_row(&g, 10000, 35), -3.9944294960378, 1e-12, "GG LL row, x = 10,000");
  near_rel(gclv_gg_ll(&g, big, 1, NULL, NULL), -3.9944294960378, 1e-12, "GG LL, x = 10,000");
  /* q <= 1: the population mean p v / (q - 1) does not exist */
  gclv_gg heavy = {4.1, 0.97, 3.8};
  assert_true(isnan(gclv_gg_expected_spend(&heavy, 2, 10)));
  /* no repeat or no positive spend: the population mean 6.25 * 15.44 / 2.74 */
  near_rel(gclv_gg_expected_spend(&g, 0, 0), 6.25 * 15.44 / 2.74, 1e-15, "population mean");
  near_rel(gclv_gg_expected_spend(&g, 3, -5), 6.25 * 15.44 / 2.74, 1e-15, "population mean");
}

static void gamma_gamma_penalizer(void **state) {
  (void)state;
  static gclv_spend s[CDNOW_CUSTOMERS];
  static double freq[CDNOW_CUSTOMERS + 1], mean[CDNOW_CUSTOMERS + 1];
  size_t n = read_spend(s, freq, mean);
  gclv_fit_opts opts = {0.01, 0, NULL};
  gclv_gg g;
  gclv_fit_info info;
  assert_null(gclv_gg_fit(s, n, &opts, &g, &info));
  /* [ORA] "GG MLE penalizer=0.01": q < 1, which the glue must refuse to turn into money */
  near_rel(g.p, 4.109222866, 1e-6, "p");
  near_rel(g.q, 0.9683928479, 1e-6, "q");
  near_rel(g.v, 3.780768446, 1e-6, "v");
  assert_true(isnan(gclv_gg_expected_spend(&g, 1, 10)));
}

/* ---- CLV ---- */

static void discounted_clv(void **state) {
  (void)state;
  /* [ORA] "CLV customer 1 (weeks, ...)": lifetimes' _customer_lifetime_value recomputed */
  near_rel(gclv_clv(&BG_MLE, 24.65, 2, 30.43, 38.86, 12, GCLV_MONTH_WEEKS, 0.01), 36.2658196501293, 1e-12,
           "CLV in weeks");
  gclv_bgnbd days = {BG_MLE.r, BG_MLE.alpha * 7, BG_MLE.a, BG_MLE.b};
  near_rel(gclv_clv(&days, 100, 2, 213, 272, 12, GCLV_MONTH_DAYS, 0.1), 91.1973395638313, 1e-12, "CLV in days");
  /* without discounting, CLV is spend * E[Y(months * month)] (the differences telescope) */
  near_rel(gclv_clv(&BG_MLE, 10, 2, 30.43, 38.86, 12, GCLV_MONTH_WEEKS, 0),
           10 * gclv_expected_y(&BG_MLE, 12 * 4.345, 2, 30.43, 38.86), 1e-13, "undiscounted CLV");
  assert_true(gclv_clv(&BG_MLE, 10, 2, 30.43, 38.86, 0, GCLV_MONTH_WEEKS, 0.01) == 0);
}

/* gclv_predict: the same numbers as one call per customer, once per distinct history */
static void batch_predictions(void **state) {
  (void)state;
  static gclv_obs o[CDNOW_CUSTOMERS];
  static gclv_prediction p[CDNOW_CUSTOMERS];
  size_t n = read_summary(o);
  assert_null(gclv_predict(&BG_MLE, o, n, 39, 12, GCLV_MONTH_WEEKS, 0.01, NULL, p));
  for (size_t i = 0; i < n; i++) {
    double pa = gclv_p_alive(&BG_MLE, o[i].x, o[i].t_x, o[i].T);
    double ey = gclv_expected_y(&BG_MLE, 39, o[i].x, o[i].t_x, o[i].T);
    double clv = gclv_clv(&BG_MLE, 1, o[i].x, o[i].t_x, o[i].T, 12, GCLV_MONTH_WEEKS, 0.01);
    if (p[i].p_alive != pa || fabs(p[i].expected - ey) > 1e-13 * ey || fabs(p[i].discounted - clv) > 1e-13 * clv)
      fail_msg("customer %zu: %.17g %.17g %.17g against %.17g %.17g %.17g", i + 1, p[i].p_alive, p[i].expected,
               p[i].discounted, pa, ey, clv);
  }
  /* customers 3, 4 and 5 share (0, 0, 38.86): one computation, identical values */
  assert_memory_equal(&p[2], &p[3], sizeof p[2]);
  assert_memory_equal(&p[2], &p[4], sizeof p[2]);
  /* [ORA] "sum E[Y(39)] over the cohort at BG_MLE" */
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += p[i].expected;
  near_rel(sum, 1653.423233, 1e-9, "sum of E[Y(39)]");
  /* nothing to do, and a stop */
  assert_null(gclv_predict(&BG_MLE, o, 0, 39, 12, GCLV_MONTH_WEEKS, 0.01, NULL, p));
  int polls = 0;
  gcancel cancel = {stop_now, &polls, 0, 0};
  assert_ptr_equal(gclv_predict(&BG_MLE, o, n, 39, 12, GCLV_MONTH_WEEKS, 0.01, &cancel, p), gcancel_reason);
  /* more months than one block of the series (32): 100 months, against per-month differences */
  double e100 = gclv_clv(&BG_MLE, 1, 2, 30.43, 38.86, 100, GCLV_MONTH_WEEKS, 0);
  near_rel(e100, gclv_expected_y(&BG_MLE, 100 * 4.345, 2, 30.43, 38.86), 1e-12, "100 undiscounted months");
}

/* ---- degenerate data ---- */

static void refuses_what_cannot_be_fitted(void **state) {
  (void)state;
  gclv_bgnbd m;
  gclv_gg g;
  gclv_fit_info info;
  const char *why = gclv_bgnbd_fit(NULL, 0, &NO_PENALTY, &m, &info);
  assert_non_null(why);
  assert_non_null(strstr(why, "no customers"));
  /* nobody with a repeat purchase */
  gclv_obs once[] = {{0, 0, 10, 5}, {0, 0, 3, 1}, {0, 0, 0, 1}};
  why = gclv_bgnbd_fit(once, 3, &NO_PENALTY, &m, &info);
  assert_non_null(why);
  assert_non_null(strstr(why, "nobody made a repeat purchase"));
  assert_non_null(strstr(why, "cannot be fitted"));
  /* bad rows name the row */
  gclv_obs bad[][1] = {{{1, 11, 10, 1}}, {{-1, 0, 10, 1}}, {{0, 2, 10, 1}}, {{1.5, 2, 10, 1}},
                       {{1, 2, NAN, 1}}, {{1, 2, 10, 0}}};
  const char *expect[] = {"recency must be between 0 and T", "whole number", "recency must be 0",
                          "whole number", "not finite", "weight"};
  for (int i = 0; i < 6; i++) {
    why = gclv_bgnbd_fit(bad[i], 1, &NO_PENALTY, &m, &info);
    assert_non_null(why);
    if (!strstr(why, expect[i]) || !strstr(why, "row 1")) fail_msg("bad row %d: %s", i, why);
  }
  gclv_fit_opts negative = {-1, 0, NULL};
  gclv_obs fine[] = {{1, 1, 2, 1}};
  why = gclv_bgnbd_fit(fine, 1, &negative, &m, &info);
  assert_non_null(why);
  assert_non_null(strstr(why, "penalizer"));

  /* Gamma-Gamma: nobody, a zero spend, a one-time buyer */
  why = gclv_gg_fit(NULL, 0, &NO_PENALTY, &g, &info);
  assert_non_null(why);
  assert_non_null(strstr(why, "cannot be fitted"));
  gclv_spend zero[] = {{2, 0, 1}};
  why = gclv_gg_fit(zero, 1, &NO_PENALTY, &g, &info);
  assert_non_null(strstr(why, "positive"));
  gclv_spend onetime[] = {{0, 10, 1}};
  why = gclv_gg_fit(onetime, 1, &NO_PENALTY, &g, &info);
  assert_non_null(strstr(why, "whole number > 0"));
}

static void non_convergence_names_the_remedy(void **state) {
  (void)state;
  gclv_bgnbd m;
  gclv_gg g;
  gclv_fit_info info;
  /* One customer: the likelihood grows without bound as r, alpha and b go to infinity. */
  gclv_obs one[] = {{2, 30, 38, 1}};
  const char *why = gclv_bgnbd_fit(one, 1, &NO_PENALTY, &m, &info);
  assert_non_null(why);
  assert_non_null(strstr(why, "did not converge"));
  assert_non_null(strstr(why, "runs off to infinity"));
  assert_non_null(strstr(why, "penalizer=0.01"));
  assert_false(info.converged);
  /* Three patterns (13 customers) where a and b run off together (drop-out probability
  ** a / (a + b) fixed, its spread going to 0); with the penalizer the message suggests, the fit
  ** is proper. */
  gclv_obs ridge[] = {{2, 7, 16, 7}, {0, 0, 18, 5}, {3, 4, 4, 1}};
  why = gclv_bgnbd_fit(ridge, 3, &NO_PENALTY, &m, &info);
  assert_non_null(why);
  assert_non_null(strstr(why, "runs off to infinity"));
  assert_non_null(strstr(why, "add a penalizer, e.g. penalizer=0.01"));
  gclv_fit_opts pen = {0.01, 0, NULL};
  why = gclv_bgnbd_fit(ridge, 3, &pen, &m, &info);
  if (why) fail_msg("%s", why);
  assert_true(info.converged);
  assert_true(m.r > 0.1 && m.r < 10 && m.a > 0.1 && m.a < 10 && m.b > 0.1 && m.b < 10);
  /* Two patterns where BFGS stops with a vanishing gradient at a = 2e-5, b = 1e5 (nobody seems
  ** to drop out): the Hessian shows the likelihood is flat there, not at a maximum. */
  gclv_obs flat[] = {{4, 2, 3, 9}, {0, 0, 5, 2}};
  why = gclv_bgnbd_fit(flat, 2, &NO_PENALTY, &m, &info);
  assert_non_null(why);
  assert_non_null(strstr(why, "flat along a ridge"));
  assert_non_null(strstr(why, "penalizer"));
  /* The first 50 CDNOW customers: a and b go to 0 (scipy finds the same boundary: a = 1e-8,
  ** b = 1.3e-8); a penalizer pulls toward 0, so the message says it cannot help. */
  static gclv_obs o[CDNOW_CUSTOMERS];
  read_summary(o);
  why = gclv_bgnbd_fit(o, 50, &NO_PENALTY, &m, &info);
  assert_non_null(why);
  assert_non_null(strstr(why, "runs off to zero"));
  assert_non_null(strstr(why, "a penalizer cannot help"));
  /* Gamma-Gamma with every spend equal: no spread, p and q run off; a penalizer fixes it. */
  gclv_spend same[] = {{1, 10, 5}, {2, 10, 3}, {3, 10, 1}};
  why = gclv_gg_fit(same, 3, &NO_PENALTY, &g, &info);
  assert_non_null(why);
  assert_non_null(strstr(why, "Gamma-Gamma fit did not converge"));
  assert_non_null(strstr(why, "penalizer=0.01"));
  assert_null(gclv_gg_fit(same, 3, &pen, &g, &info));
  assert_true(isfinite(g.p) && isfinite(g.q) && isfinite(g.v));
  /* an iteration limit reached is reported the same way */
  gclv_fit_opts short_run = {0, 3, NULL};
  static gclv_obs all[CDNOW_CUSTOMERS];
  size_t n = read_summary(all);
  why = gclv_bgnbd_fit(all, n, &short_run, &m, &info);
  assert_non_null(why);
  assert_non_null(strstr(why, "still moving after 3 iterations"));
}

static void fits_with_hostile_rows(void **state) {
  (void)state;
  /* CDNOW plus a customer with 10,000 repeat purchases, one who joined on the last day
  ** (T = 0) and one with all purchases on one day: the fit stays finite and converges. */
  static gclv_obs o[CDNOW_CUSTOMERS + 3];
  size_t n = read_summary(o);
  o[n++] = (gclv_obs){10000, 38, 38.86, 1};
  o[n++] = (gclv_obs){0, 0, 0, 1};
  o[n++] = (gclv_obs){0, 0, 38.86, 1};
  gclv_bgnbd m;
  gclv_fit_info info;
  const char *why = gclv_bgnbd_fit(o, n, &NO_PENALTY, &m, &info);
  if (why) fail_msg("%s", why);
  assert_true(isfinite(m.r) && isfinite(m.alpha) && isfinite(m.a) && isfinite(m.b) && isfinite(info.ll));
  /* Gamma-Gamma on the CDNOW repeaters plus one with 10,000 repeat purchases. (On a handful of
  ** customers alone Gamma-Gamma has no finite MLE: scipy too sends p to 1e12 and v to 0.) */
  static gclv_spend s[CDNOW_CUSTOMERS + 1];
  static double freq[CDNOW_CUSTOMERS + 1], mean[CDNOW_CUSTOMERS + 1];
  size_t k = read_spend(s, freq, mean);
  s[k++] = (gclv_spend){10000, 35, 1};
  gclv_gg g;
  why = gclv_gg_fit(s, k, &NO_PENALTY, &g, &info);
  if (why) fail_msg("%s", why);
  assert_true(isfinite(g.p) && isfinite(g.q) && isfinite(g.v) && isfinite(info.ll));
}

static int stop_now(void *ctx) {
  int *polls = ctx;
  (*polls)++;
  return 1;
}

static void fits_stop_when_interrupted(void **state) {
  (void)state;
  static gclv_obs o[CDNOW_CUSTOMERS];
  size_t n = read_summary(o);
  int polls = 0;
  gcancel cancel = {stop_now, &polls, 0, 0};
  gclv_fit_opts opts = {0, 0, &cancel};
  gclv_bgnbd m;
  gclv_fit_info info;
  assert_ptr_equal(gclv_bgnbd_fit(o, n, &opts, &m, &info), gcancel_reason);
  assert_int_equal(polls, 1);
  gclv_spend s[] = {{1, 10, 1}, {2, 20, 1}};
  gclv_gg g;
  cancel = (gcancel){stop_now, &polls, 0, 0};
  assert_ptr_equal(gclv_gg_fit(s, 2, &opts, &g, &info), gcancel_reason);
}

static int count_polls(void *ctx) {
  int *polls = ctx;
  (*polls)++;
  return 0;
}

/* Stops at the poll numbered *ctx (counting down). */
static int stop_at(void *ctx) {
  int *left = ctx;
  return --*left <= 0;
}

/* One evaluation of a likelihood over many customers is too long to wait for (50-150 ms at 1M),
** so it polls as it goes: over 200k distinct rows it polls at least once per 65,536 units of
** 16 per row, gives the same bits as without a gcancel, and returns NaN once told to stop. A fit
** told to stop at any of its polls (in the sort, the permutation, an evaluation, the final
** log-likelihood) returns gcancel_reason, and one never told gives the fit without a gcancel. */
static void likelihoods_poll_inside_an_evaluation(void **state) {
  (void)state;
  static gclv_obs cd[CDNOW_CUSTOMERS];
  size_t ncd = read_summary(cd);
  enum { N = 200000 };
  static gclv_obs o[N];
  static gclv_spend sp[CDNOW_CUSTOMERS], s[N];
  static double freq[CDNOW_CUSTOMERS + 1], mean[CDNOW_CUSTOMERS + 1];
  size_t nsp = read_spend(sp, freq, mean);
  for (size_t i = 0; i < N; i++) {
    o[i] = cd[i % ncd];
    o[i].T += (double)(i / ncd) * 1e-3; /* distinct rows: nothing merges */
    s[i] = sp[i % nsp];
    s[i].m *= 1 + (double)(i / nsp) * 1e-6;
  }
  int polls = 0;
  gcancel counting = {count_polls, &polls, 0, 0};
  double plain = gclv_bgnbd_ll(&BG_MLE, o, N, NULL, NULL);
  double polled = gclv_bgnbd_ll(&BG_MLE, o, N, NULL, &counting);
  assert_memory_equal(&plain, &polled, sizeof plain);
  assert_true(polls >= N * 16 / 65536 - 1);
  polls = 0;
  plain = gclv_gg_ll(&GG_MLE, s, N, NULL, NULL);
  polled = gclv_gg_ll(&GG_MLE, s, N, NULL, &counting);
  assert_memory_equal(&plain, &polled, sizeof plain);
  assert_true(polls >= N * 16 / 65536 - 1);
  int left = 1;
  gcancel stop = {stop_at, &left, 0, 0};
  assert_true(isnan(gclv_bgnbd_ll(&BG_MLE, o, N, NULL, &stop)));

  /* whole fits over 20,000 of those rows: every poll a possible stop */
  size_t n = 20000;
  gclv_fit_opts none = {0, 0, NULL};
  gclv_bgnbd want, got;
  gclv_fit_info info;
  assert_null(gclv_bgnbd_fit(o, n, &none, &want, &info));
  polls = 0;
  counting = (gcancel){count_polls, &polls, 0, 0};
  gclv_fit_opts opts = {0, 0, &counting};
  assert_null(gclv_bgnbd_fit(o, n, &opts, &got, &info));
  assert_memory_equal(&want, &got, sizeof want);
  int total = polls;
  assert_true(total > 10);
  for (int k = 1; k <= total; k += 1 + total / 40) {
    left = k;
    stop = (gcancel){stop_at, &left, 0, 0};
    opts.cancel = &stop;
    assert_ptr_equal(gclv_bgnbd_fit(o, n, &opts, &got, &info), gcancel_reason);
  }
  gclv_gg gwant, ggot;
  opts.cancel = NULL;
  assert_null(gclv_gg_fit(s, n, &opts, &gwant, &info));
  polls = 0;
  opts.cancel = &counting;
  counting = (gcancel){count_polls, &polls, 0, 0};
  assert_null(gclv_gg_fit(s, n, &opts, &ggot, &info));
  assert_memory_equal(&gwant, &ggot, sizeof gwant);
  total = polls;
  for (int k = 1; k <= total; k += 1 + total / 40) {
    left = k;
    stop = (gcancel){stop_at, &left, 0, 0};
    opts.cancel = &stop;
    assert_ptr_equal(gclv_gg_fit(s, n, &opts, &ggot, &info), gcancel_reason);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(log_gamma_and_digamma),
    cmocka_unit_test(hypergeometric_2f1),
    cmocka_unit_test(bgnbd_row_likelihoods),
    cmocka_unit_test(bgnbd_gradient_matches_differences),
    cmocka_unit_test(bgnbd_fit_reproduces_fhl),
    cmocka_unit_test(bgnbd_penalizer_as_lifetimes),
    cmocka_unit_test(weighted_and_expanded_data_fit_alike),
    cmocka_unit_test(conditional_expectations),
    cmocka_unit_test(extreme_customers_stay_finite),
    cmocka_unit_test(gamma_gamma_fit_reproduces_published),
    cmocka_unit_test(gamma_gamma_gradient_and_extremes),
    cmocka_unit_test(gamma_gamma_penalizer),
    cmocka_unit_test(discounted_clv),
    cmocka_unit_test(batch_predictions),
    cmocka_unit_test(refuses_what_cannot_be_fitted),
    cmocka_unit_test(non_convergence_names_the_remedy),
    cmocka_unit_test(fits_with_hostile_rows),
    cmocka_unit_test(fits_stop_when_interrupted),
    cmocka_unit_test(likelihoods_poll_inside_an_evaluation),
  };
  return cmocka_run_group_tests_name("clv_model", tests, NULL, NULL);
}
