/* clv_model.c: see clv_model.h. */
#include "clv_model.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "mem.h"
#include "rfm_score.h"

/* ---------------------------------------------------------------------------------------------
** Special functions
** ------------------------------------------------------------------------------------------- */

#define LN_SQRT_2PI 0.91893853320467274178
#define LN_PI 1.14472988584940017414

/* Stirling's correction ln Gamma(x) - [(x - 1/2) ln x - x + ln sqrt(2 pi)] for x >= 15 (its
** first omitted term is below 1e-19 there). */
static double stirling_tail(double x) {
  double inv = 1 / x, inv2 = inv * inv;
  return inv * (1.0 / 12 + inv2 * (-1.0 / 360 + inv2 * (1.0 / 1260 + inv2 * (-1.0 / 1680
         + inv2 * (1.0 / 1188 + inv2 * (-691.0 / 360360 + inv2 * (1.0 / 156)))))));
}

/* ln Gamma(x) for x > 0: Stirling's series from x >= 15, smaller x shifted up by
** Gamma(x) = Gamma(x + n) / (x (x + 1) ... (x + n - 1)). */
static double lgamma_pos(double x) {
  double shift = 0;
  if (x < 15) {
    double prod = 1;
    while (x < 15) {
      prod *= x;
      x += 1;
    }
    shift = log(prod);
  }
  return (x - 0.5) * log(x) - x + LN_SQRT_2PI + stirling_tail(x) - shift;
}

double gclv_lgamma(double x, int *sign) {
  if (sign) *sign = 1;
  if (isnan(x)) return x;
  if (x > 0) return lgamma_pos(x);
  /* Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x); sin(pi x) = (-1)^n sin(pi f) with
  ** x = n + f, 0 <= f < 1 (exact for the magnitudes that are not integers in double). */
  double n = floor(x), f = x - n;
  if (f == 0) return INFINITY; /* a pole */
  double s = sin(M_PI * (f <= 0.5 ? f : 1 - f));
  if (sign) *sign = fmod(n, 2) == 0 ? 1 : -1;
  return LN_PI - log(s) - lgamma_pos(1 - x);
}

/* ln Gamma(y + q) - ln Gamma(y), y, q > 0. For large y the two are huge and nearly equal (at
** y = 62,500 both are 6e5 for a difference of 41), so subtracting them would leave 1e-10 of
** rounding; in Stirling's form the difference is (y - 1/2) ln(1 + q/y) + q ln(y + q) - q plus
** the tails' difference, each term accurate. */
static double lgamma_shift(double y, double q) {
  if (y < 15) return lgamma_pos(y + q) - lgamma_pos(y);
  return (y - 0.5) * log1p(q / y) + q * log(y + q) - q + stirling_tail(y + q) - stirling_tail(y);
}

/* digamma's asymptotic correction ln x - 1/(2x) - psi(x) for x >= 10 (first omitted term
** below 1e-16 there). */
static double digamma_tail(double x) {
  double inv2 = 1 / (x * x);
  return inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240
         - inv2 * (1.0 / 132 - inv2 * (691.0 / 32760 - inv2 * (1.0 / 12)))))));
}

double gclv_digamma(double x) {
  /* recurrence psi(x) = psi(x + 1) - 1/x up to x >= 10, then the asymptotic series */
  double acc = 0;
  while (x < 10) {
    acc -= 1 / x;
    x += 1;
  }
  return acc + log(x) - 0.5 / x - digamma_tail(x);
}

/* psi(y + q) - psi(y), y, q > 0, without the cancellation of two nearly equal values at large
** y: ln(1 + q/y) + q / (2 y (y + q)) minus the tails' difference. */
static double digamma_shift(double y, double q) {
  if (y < 10) return gclv_digamma(y + q) - gclv_digamma(y);
  return log1p(q / y) + 0.5 * q / (y * (y + q)) - (digamma_tail(y + q) - digamma_tail(y));
}

/* Is v a pole of Gamma (0, -1, -2, ...)? Then 1/Gamma(v) = 0. */
static int gamma_pole(double v) { return v <= 0 && v == floor(v); }

/* The Gauss series sum_{k>=1} (A)_k (B)_k / ((C)_k k!) z^k (the value minus its leading 1), at
** n values of z at once (CLV needs one per month: the coefficients are shared, so each more z
** costs a multiply-add per term). Stops when the terms left can no longer change any sum: once
** every factor ahead is positive, the ratio of successive terms tends to z, so the tail is at
** most |term| rho / (1 - rho) with rho the larger of z and the next ratio. Returns 0 and
** rest[0..n-1], or -1 when some sum does not settle within max_terms (or overflows). */
#define HYP_MANY 32
/* What the terms left may add, relative to the value, when a sum stops. */
#define HYP_TAIL 1e-16
static int hyp_series_many(double A, double B, double C, const double *z, int n, long max_terms, double *rest) {
  double term[HYP_MANY], sum[HYP_MANY], zmax = 0;
  int widest = 0;
  for (int i = 0; i < n; i++) {
    term[i] = 1, sum[i] = 0;
    if (z[i] > zmax) zmax = z[i], widest = i;
  }
  double lowest = fmax(0, fmax(-A, fmax(-B, -C)));
  double coef = A * B / C; /* (A + k)(B + k) / ((C + k)(k + 1)) at k = 0 */
  for (long k = 0;; k++) {
    if (k == max_terms) return -1;
    for (int i = 0; i < n; i++) {
      term[i] *= coef * z[i];
      sum[i] += term[i];
    }
    if (coef == 0) break; /* a terminating series (A or B a non-positive integer) */
    coef = (A + k + 1) * (B + k + 1) / ((C + k + 1) * (k + 2));
    if (k + 1 <= lowest) continue;
    /* the largest z settles last: test it first, then every sum (a 2F1 near 0 needs more) */
    double grow = fmax(1, fabs(coef)), rho = zmax * grow;
    if (!(rho < 1 && fabs(term[widest]) * rho <= HYP_TAIL * fabs(1 + sum[widest]) * (1 - rho))) {
      if (!isfinite(sum[widest])) return -1;
      continue;
    }
    int settled = 1;
    for (int i = 0; i < n && settled; i++) {
      if (!isfinite(sum[i])) return -1;
      rho = z[i] * grow;
      settled = rho < 1 && fabs(term[i]) * rho <= HYP_TAIL * fabs(1 + sum[i]) * (1 - rho);
    }
    if (settled) break;
  }
  memcpy(rest, sum, sizeof *rest * (size_t)n);
  return 0;
}

static int hyp_series(double A, double B, double C, double z, long max_terms, double *rest) {
  return hyp_series_many(A, B, C, &z, 1, max_terms, rest);
}

/* Gamma(n1) Gamma(n2) / (Gamma(d1) Gamma(d2)); 0 when a denominator is at a pole. */
static double gamma_ratio(double n1, double n2, double d1, double d2) {
  if (gamma_pole(d1) || gamma_pole(d2)) return 0;
  int s1, s2, s3, s4;
  double l = gclv_lgamma(n1, &s1) + gclv_lgamma(n2, &s2) - gclv_lgamma(d1, &s3) - gclv_lgamma(d2, &s4);
  return s1 * s2 * s3 * s4 * exp(l);
}

/* Abramowitz and Stegun 15.3.6: for C - A - B = m not an integer,
**   F(A,B;C;z) = G1 F(A, B; 1 - m; 1 - z) + (1 - z)^m G2 F(C - A, C - B; 1 + m; 1 - z),
**   G1 = Gamma(C) Gamma(m) / (Gamma(C - A) Gamma(C - B)), G2 = Gamma(C) Gamma(-m) / (Gamma(A) Gamma(B)).
** Both series are in 1 - z < 0.1, so they settle in a few dozen terms. */
static double hyp_connection(double A, double B, double C, double z) {
  double m = C - A - B, w = 1 - z, r1, r2;
  if (hyp_series(A, B, 1 - m, w, 100000, &r1) || hyp_series(C - A, C - B, 1 + m, w, 100000, &r2)) return NAN;
  double g1 = gamma_ratio(C, m, C - A, C - B), g2 = gamma_ratio(C, -m, A, B);
  return g1 * (1 + r1) + pow(w, m) * g2 * (1 + r2);
}

/* Within this of an integer, C - A - B takes the extrapolation below. */
#define HYP_NEAR_INTEGER 5e-4
#define HYP_STEP 1e-3

/* The series converges like z^k; beyond z = 0.9 use the connection formula when its third
** parameters 1 -/+ m are moderate (for large |m| its first series has huge terms that cancel,
** while the direct series then converges fast because C is large). */
static int use_series(double m, double z) { return z <= 0.9 || fabs(m) > 30; }

/* 2F1 - 1 (so that ln 2F1 keeps its precision when 2F1 is near 1), where the series does not
** serve. */
static double hyp2f1_rest_far(double A, double B, double C, double z) {
  double m = C - A - B, rest;
  if (fabs(m) > 30) return hyp_series(A, B, C, z, 1000000, &rest) == 0 ? rest : NAN;
  if (fabs(m - nearbyint(m)) >= HYP_NEAR_INTEGER) return hyp_connection(A, B, C, z) - 1;
  /* m (nearly) an integer: G1 and G2 have poles there whose cancellation loses about
  ** 1e-15 / distance of the value. F is smooth (even analytic) in C, so extrapolate from
  ** C -/+ k h, k = 1, 2, 3, each at least h/2 from the pole: with F_k the mean of the pair,
  ** 1.5 F_1 - 0.6 F_2 + 0.1 F_3 cancels the h^2 and h^4 terms (relative error about 1e-11). */
  double f[3];
  for (int k = 1; k <= 3; k++)
    f[k - 1] = (hyp_connection(A, B, C - k * HYP_STEP, z) + hyp_connection(A, B, C + k * HYP_STEP, z)) / 2;
  return 1.5 * f[0] - 0.6 * f[1] + 0.1 * f[2] - 1;
}

/* 2F1(A, B; C; z[i]) - 1 for n <= HYP_MANY values of z. */
static void hyp2f1_rest_many(double A, double B, double C, const double *z, int n, double *rest) {
  double m = C - A - B, near[HYP_MANY], near_rest[HYP_MANY];
  int idx[HYP_MANY], k = 0;
  for (int i = 0; i < n; i++) {
    if (!(z[i] >= 0 && z[i] < 1) || gamma_pole(C) || isnan(m)) rest[i] = NAN;
    else if (use_series(m, z[i])) idx[k] = i, near[k++] = z[i];
    else rest[i] = hyp2f1_rest_far(A, B, C, z[i]);
  }
  if (k == 0) return;
  if (hyp_series_many(A, B, C, near, k, 1000000, near_rest) == 0)
    for (int j = 0; j < k; j++) rest[idx[j]] = near_rest[j];
  else
    for (int j = 0; j < k; j++) rest[idx[j]] = NAN;
}

static double hyp2f1_rest(double A, double B, double C, double z) {
  double rest;
  hyp2f1_rest_many(A, B, C, &z, 1, &rest);
  return rest;
}

double gclv_hyp2f1(double A, double B, double C, double z) { return 1 + hyp2f1_rest(A, B, C, z); }

/* ---------------------------------------------------------------------------------------------
** Data
** ------------------------------------------------------------------------------------------- */

static int cmp_double(double u, double v) { return (u > v) - (u < v); }

static int cmp_obs(const void *p, const void *q) {
  const gclv_obs *u = p, *v = q;
  int c = cmp_double(u->x, v->x);
  if (!c) c = cmp_double(u->t_x, v->t_x);
  if (!c) c = cmp_double(u->T, v->T);
  return c;
}

/* Sorting also orders equal rows by weight, so merged weights are summed in one order (qsort is
** not stable: without it the sum could differ in its last bit with the input order). */
static int cmp_obs_weight(const void *p, const void *q) {
  int c = cmp_obs(p, q);
  return c ? c : cmp_double(((const gclv_obs *)p)->w, ((const gclv_obs *)q)->w);
}

static int cmp_spend(const void *p, const void *q) {
  const gclv_spend *u = p, *v = q;
  int c = cmp_double(u->x, v->x);
  if (!c) c = cmp_double(u->m, v->m);
  return c;
}

static int cmp_spend_weight(const void *p, const void *q) {
  int c = cmp_spend(p, q);
  return c ? c : cmp_double(((const gclv_spend *)p)->w, ((const gclv_spend *)q)->w);
}

/* The order of rows of `stride` bytes by their double fields at offsets off[0..k-1], the first
** the most significant, ties by the next: stable radix sorts of the fields' bits, the last field
** first (rfm_score.h's sort skips the bytes that are the same everywhere: whole numbers span two
** or three). The bits of a finite double without its sign bit order as its value, so this is
** the order of cmp_double when every field is such a value (never -0.0, negative or NaN: then,
** and when out of memory, it returns -1 and the caller sorts with qsort). qsort's comparisons
** cost more than the sort itself at 200k rows. */
static int radix_order(const void *rows, size_t n, size_t stride, const size_t *off, int k, uint32_t *order,
                       gcancel *cancel) {
  const unsigned char *base = rows;
  if (n >= UINT32_MAX) return -1;
  for (size_t i = 0; i < n; i++)
    for (int f = 0; f < k; f++) {
      double v;
      memcpy(&v, base + i * stride + off[f], sizeof v);
      if (!isfinite(v) || signbit(v)) return -1;
    }
  grfm_pair *p = gmem_alloc(sizeof *p * 2 * (n ? n : 1));
  if (!p) return -1;
  for (size_t i = 0; i < n; i++) order[i] = (uint32_t)i;
  for (int f = k - 1; f >= 0; f--) {
    for (size_t j = 0; j < n; j++) {
      uint64_t bits;
      memcpy(&bits, base + order[j] * stride + off[f], sizeof bits);
      p[j] = (grfm_pair){(int64_t)bits, order[j]};
    }
    if (grfm_sort_pairs(p, p + n, n, cancel)) break; /* stopped: the caller sees cancel->stopped */
    for (size_t j = 0; j < n; j++) order[j] = (uint32_t)p[j].i;
  }
  gmem_free(p);
  return 0;
}

#define PERMUTE_ROW_UNITS 32 /* a row moved: a cache miss, about 100 ns (cancel.h's units are a few ns) */

/* Puts rows[j] = the old rows[order[j]] for every j, in place (one cycle of the permutation at
** a time; order is consumed). tmp: one row. Each move is a cache miss (about 100 ms for 1M rows),
** so it polls cancel between cycles; stopped, the rows are left in no particular order. */
static void permute_rows(unsigned char *rows, size_t n, size_t stride, uint32_t *order, unsigned char *tmp,
                         gcancel *cancel) {
  for (size_t i = 0; i < n; i++) {
    if (gcancel_work(cancel, PERMUTE_ROW_UNITS)) return;
    if (order[i] == UINT32_MAX || order[i] == i) continue;
    memcpy(tmp, rows + i * stride, stride);
    size_t j = i;
    for (;;) {
      size_t k = order[j];
      order[j] = UINT32_MAX;
      if (k == i) {
        memcpy(rows + j * stride, tmp, stride);
        break;
      }
      memcpy(rows + j * stride, rows + k * stride, stride);
      j = k;
    }
  }
}

/* Sorts rows[n] of `stride` bytes (at most 32) by the fields (radix_order), else with qsort and
** cmp. Stopped by cancel, the rows are left in no particular order. */
static void sort_rows(void *rows, size_t n, size_t stride, const size_t *off, int k,
                      int (*cmp)(const void *, const void *), gcancel *cancel) {
  uint32_t *order = gmem_alloc(sizeof *order * (n ? n : 1));
  unsigned char tmp[32];
  if (order && stride <= sizeof tmp && radix_order(rows, n, stride, off, k, order, cancel) == 0)
    permute_rows(rows, n, stride, order, tmp, cancel);
  else qsort(rows, n, stride, cmp);
  gmem_free(order);
}

size_t gclv_compress_obs(gclv_obs *o, size_t n, gcancel *cancel) {
  if (n == 0) return 0;
  static const size_t fields[4] = {offsetof(gclv_obs, x), offsetof(gclv_obs, t_x), offsetof(gclv_obs, T),
                                   offsetof(gclv_obs, w)};
  sort_rows(o, n, sizeof *o, fields, 4, cmp_obs_weight, cancel);
  if (cancel && cancel->stopped) return 0;
  size_t out = 0;
  for (size_t i = 1; i < n; i++) {
    if (cmp_obs(&o[out], &o[i]) == 0) o[out].w += o[i].w;
    else o[++out] = o[i];
  }
  return out + 1;
}

size_t gclv_compress_spend(gclv_spend *s, size_t n, gcancel *cancel) {
  if (n == 0) return 0;
  static const size_t fields[3] = {offsetof(gclv_spend, x), offsetof(gclv_spend, m), offsetof(gclv_spend, w)};
  sort_rows(s, n, sizeof *s, fields, 3, cmp_spend_weight, cancel);
  if (cancel && cancel->stopped) return 0;
  size_t out = 0;
  for (size_t i = 1; i < n; i++) {
    if (cmp_spend(&s[out], &s[i]) == 0) s[out].w += s[i].w;
    else s[++out] = s[i];
  }
  return out + 1;
}

/* ---------------------------------------------------------------------------------------------
** BG/NBD
** ------------------------------------------------------------------------------------------- */

static int positive(double v) { return isfinite(v) && v > 0; }

const char *gclv_bgnbd_check(const gclv_bgnbd *m) {
  if (!positive(m->r)) return "r must be a positive number";
  if (!positive(m->alpha)) return "alpha must be a positive number";
  if (!positive(m->a)) return "a must be a positive number";
  if (!positive(m->b)) return "b must be a positive number";
  return NULL;
}

/* ln(1 + e^u) without overflow */
static double softplus(double u) { return u > 0 ? u + log1p(exp(-u)) : log1p(exp(u)); }

/* ln of the odds that a customer with x > 0 has dropped out after the last purchase:
** ln[a / (b + x - 1)] + (r + x) ln[(alpha + T) / (alpha + t_x)]  (the A4 - A3 of lifetimes). */
static double dropout_log_odds(const gclv_bgnbd *m, double x, double t_x, double T) {
  return log(m->a / (m->b + x - 1)) + (m->r + x) * log1p((T - t_x) / (m->alpha + t_x));
}

double gclv_bgnbd_ll_row(const gclv_bgnbd *m, double x, double t_x, double T) {
  double r = m->r, al = m->alpha, a = m->a, b = m->b;
  /* x = 0: A1 + A3 = r ln(alpha / (alpha + T)), A2 = 0, no A4 */
  if (x <= 0) return -r * log1p(T / al);
  double A1 = gclv_lgamma(r + x, NULL) - gclv_lgamma(r, NULL) + r * log(al);
  double A2 = gclv_lgamma(a + b, NULL) - gclv_lgamma(b, NULL) - lgamma_shift(b + x, a);
  double A3 = -(r + x) * log(al + T);
  return A1 + A2 + A3 + softplus(dropout_log_odds(m, x, t_x, T));
}

/* The row loops of the likelihoods poll cancel every LL_POLL_ROWS rows: one evaluation over 1M
** customers takes 50-150 ms, too long to wait for between two evaluations. A row (a log and an
** exp or two) counts as LL_ROW_UNITS units of work (cancel.h). Stopped, they return NaN, and
** the caller looks at cancel->stopped. */
#define LL_POLL_ROWS 1024
#define LL_ROW_UNITS 16

/* The terms of one evaluation that depend only on x (rows come sorted by x, so they are
** computed once per distinct x). */
typedef struct bg_xterms {
  double x, lg, ln_odds, dg_r, dg_a, dg_b;
} bg_xterms;

/* The distinct T and t_x of a fit's rows, each row's place among them, and (per evaluation) the
** logarithms ln(alpha + T) and ln(alpha + t_x) at those: whole days make few distinct values
** (365 among 109k rows), so the row loop takes two logarithms from the tables instead of
** computing them. The same expressions on the same values: the same bits. */
typedef struct bg_tables {
  const uint32_t *T_at, *tx_at; /* per row */
  const double *T, *tx;         /* the distinct values */
  size_t nT, ntx;
  double *ln_T, *ln_tx; /* scratch: filled per evaluation */
} bg_tables;

static double bgnbd_ll_rows(const gclv_bgnbd *m, const gclv_obs *o, size_t n, double grad[4], const bg_tables *tab,
                            gcancel *cancel);

/* Row loop of the fits: glibc's log1p costs three logs, so the differences of logarithms are
** taken as log(u) - log(v) here (absolute error 1e-16 per unit of x multiplying them, which is
** what a sum of log-likelihoods needs). */
double gclv_bgnbd_ll(const gclv_bgnbd *m, const gclv_obs *o, size_t n, double grad[4], gcancel *cancel) {
  return bgnbd_ll_rows(m, o, n, grad, NULL, cancel);
}

static double bgnbd_ll_rows(const gclv_bgnbd *m, const gclv_obs *o, size_t n, double grad[4], const bg_tables *tab,
                            gcancel *cancel) {
  double r = m->r, al = m->alpha, a = m->a, b = m->b;
  if (tab) {
    for (size_t j = 0; j < tab->nT; j++) tab->ln_T[j] = log(al + tab->T[j]);
    for (size_t j = 0; j < tab->ntx; j++) tab->ln_tx[j] = log(al + tab->tx[j]);
  }
  double lg_r = gclv_lgamma(r, NULL), lg_ab = gclv_lgamma(a + b, NULL), lg_b = gclv_lgamma(b, NULL);
  double dg_r = gclv_digamma(r), dg_ab = gclv_digamma(a + b), dg_b = gclv_digamma(b);
  double ln_al = log(al);
  double ll = 0, g[4] = {0, 0, 0, 0};
  bg_xterms xt = {-1, 0, 0, 0, 0, 0};
  double last_tx = -1, ln_altx = 0; /* rows come sorted by (x, t_x, T): t_x repeats */
  for (size_t i = 0; i < n; i++) {
    if (i % LL_POLL_ROWS == 0 && gcancel_work(cancel, LL_POLL_ROWS * LL_ROW_UNITS)) return NAN;
    double x = o[i].x, t_x = o[i].t_x, T = o[i].T, w = o[i].w;
    double ln_alT = tab ? tab->ln_T[tab->T_at[i]] : log(al + T), age = ln_alT - ln_al; /* ln((alpha + T) / alpha) */
    if (x <= 0) {
      ll += w * (-r * age);
      if (grad) {
        g[0] += w * r * -age;
        g[1] += w * al * (r / al - r / (al + T));
      }
      continue;
    }
    if (x != xt.x) {
      xt.x = x;
      /* lnG(r+x) - lnG(r) + lnG(a+b) - lnG(b) + [lnG(b+x) - lnG(a+b+x)] */
      xt.lg = gclv_lgamma(r + x, NULL) - lg_r + lg_ab - lg_b - lgamma_shift(b + x, a);
      xt.ln_odds = log(a / (b + x - 1));
      if (grad) {
        double dg_shift = digamma_shift(b + x, a); /* psi(a+b+x) - psi(b+x) */
        xt.dg_r = gclv_digamma(r + x) - dg_r;
        xt.dg_a = dg_ab - gclv_digamma(a + b + x);
        xt.dg_b = dg_ab - dg_b - dg_shift;
      }
    }
    if (t_x != last_tx) {
      last_tx = t_x;
      ln_altx = tab ? tab->ln_tx[tab->tx_at[i]] : log(al + t_x);
    }
    double gap = ln_alT - ln_altx; /* ln((alpha + T) / (alpha + t_x)) */
    double odds = xt.ln_odds + (r + x) * gap; /* the drop-out log-odds, A4 - A3 */
    double e = exp(-fabs(odds));
    /* A1 + A2 + A3 = lg + r ln alpha - (r + x) ln(alpha + T) = lg - r age - x ln(alpha + T);
    ** + ln(1 + e^odds) */
    ll += w * (xt.lg - r * age - x * ln_alT + fmax(odds, 0) + log(1 + e));
    if (grad) {
      /* s4: the share of the "dropped out after the last purchase" term, 1 - P(alive) */
      double s4 = odds > 0 ? 1 / (1 + e) : e / (1 + e), s3 = 1 - s4;
      g[0] += w * r * (xt.dg_r - age + s4 * gap);
      g[1] += w * al * (r / al - (r + x) * (s3 / (al + T) + s4 / (al + t_x)));
      g[2] += w * a * (xt.dg_a + s4 / a);
      g[3] += w * b * (xt.dg_b - s4 / (b + x - 1));
    }
  }
  if (grad) memcpy(grad, g, sizeof g);
  return ll;
}

double gclv_p_alive(const gclv_bgnbd *m, double x, double t_x, double T) {
  if (x <= 0) return 1;
  double odds = dropout_log_odds(m, x, t_x, T);
  return odds > 0 ? exp(-odds) / (1 + exp(-odds)) : 1 / (1 + exp(odds));
}

/* E[Y(t)] / P(alive) (FHL 2005 eq. 10 without its denominator):
**   (a + b + x - 1) / (a - 1) * [1 - ((alpha + T) / (alpha + T + t))^(r + x)
**                                      * 2F1(r + x, b + x; a + b + x - 1; z)],  z = t / (alpha + T + t).
** Euler's transformation F(A,B;C;z) = (1 - z)^(C-A-B) F(C-A, C-B; C; z) turns the product into
** (1 - z)^(a - 1) 2F1(a + b - 1 - r, a - 1; a + b + x - 1; z): bounded, where the original
** 2F1 grows like (1 - z)^-(x + r + 1 - a) and overflows for frequent buyers.
** Computed at n <= HYP_MANY horizons t[k] > 0 into out[k]. */
static void expected_y_if_alive(double r, double al, double a, double b, double x, double T, const double *t,
                                int n, double *out) {
  double z[HYP_MANY] = {0}, rest[HYP_MANY];
  for (int k = 0; k < n; k++) z[k] = t[k] / (al + T + t[k]);
  hyp2f1_rest_many(a + b - 1 - r, a - 1, a + b + x - 1, z, n, rest);
  double ln_alT = log(al + T);
  for (int k = 0; k < n; k++) {
    double ln_w = ln_alT - log(al + T + t[k]); /* ln(1 - z) */
    /* 2F1 > 0 when a + b + x - 1 > 0; below (x = 0, a + b < 1) it can be negative */
    double bracket = rest[k] > -1 ? -expm1((a - 1) * ln_w + log(1 + rest[k]))
                                  : 1 - exp((a - 1) * ln_w) * (1 + rest[k]);
    out[k] = (a + b + x - 1) / (a - 1) * bracket;
  }
}

#define REMOVABLE_STEP 1e-5

/* The formula is 0/0 at a = 1 and (for x = 0) at a + b = 1, where the value itself is smooth:
** there take the mean of the values a step either side. */
static void expected_y_smooth(const gclv_bgnbd *m, double x, double T, const double *t, int n, double *out) {
  double r = m->r, al = m->alpha, a = m->a, b = m->b, h = REMOVABLE_STEP, lo[HYP_MANY];
  if (fabs(a - 1) < h) {
    expected_y_if_alive(r, al, 1 - h, b, x, T, t, n, lo);
    expected_y_if_alive(r, al, 1 + h, b, x, T, t, n, out);
  } else if (fabs(a + b + x - 1) < h) {
    expected_y_if_alive(r, al, a, b - h, x, T, t, n, lo);
    expected_y_if_alive(r, al, a, b + h, x, T, t, n, out);
  } else {
    expected_y_if_alive(r, al, a, b, x, T, t, n, out);
    return;
  }
  for (int k = 0; k < n; k++) out[k] = (lo[k] + out[k]) / 2;
}

double gclv_expected_x(const gclv_bgnbd *m, double t) {
  if (!(t > 0)) return 0;
  double e;
  expected_y_smooth(m, 0, 0, &t, 1, &e);
  return e;
}

double gclv_expected_y(const gclv_bgnbd *m, double t, double x, double t_x, double T) {
  if (!(t > 0)) return 0;
  double e;
  expected_y_smooth(m, x, T, &t, 1, &e);
  return e * gclv_p_alive(m, x, t_x, T);
}

/* ---------------------------------------------------------------------------------------------
** Gamma-Gamma
** ------------------------------------------------------------------------------------------- */

const char *gclv_gg_check(const gclv_gg *g) {
  if (!positive(g->p)) return "p must be a positive number";
  if (!positive(g->q)) return "q must be a positive number";
  if (!positive(g->v)) return "v must be a positive number";
  return NULL;
}

/* ln L = lnG(px + q) - lnG(px) - lnG(q) + q ln v + (px - 1) ln m + px ln x - (px + q) ln(xm + v),
** with q ln v + px ln(xm) - (px + q) ln(xm + v) = -q ln(1 + xm/v) - px ln(1 + v/(xm)). */
double gclv_gg_ll_row(const gclv_gg *g, double x, double m) {
  double px = g->p * x, xm = x * m;
  return lgamma_shift(px, g->q) - gclv_lgamma(g->q, NULL) - g->q * log1p(xm / g->v)
         - px * log1p(g->v / xm) - log(m);
}

static double gg_ll_rows(const gclv_gg *g, const gclv_spend *s, size_t n, double grad[3], const double *ln_xm_of,
                         gcancel *cancel);

double gclv_gg_ll(const gclv_gg *g, const gclv_spend *s, size_t n, double grad[3], gcancel *cancel) {
  return gg_ll_rows(g, s, n, grad, NULL, cancel);
}

/* ln_xm_of: ln(x m) of every row, when the caller has them (they do not depend on the
** parameters: a fit computes them once, not once per evaluation). */
static double gg_ll_rows(const gclv_gg *g, const gclv_spend *s, size_t n, double grad[3], const double *ln_xm_of,
                         gcancel *cancel) {
  double p = g->p, q = g->q, v = g->v;
  double lg_q = gclv_lgamma(q, NULL), dg_q = gclv_digamma(q);
  double ll = 0, gr[3] = {0, 0, 0};
  double ln_v = log(v), last_x = -1, lg = 0, ln_x = 0, dg_px = 0, dg_pxq = 0;
  for (size_t i = 0; i < n; i++) {
    if (i % LL_POLL_ROWS == 0 && gcancel_work(cancel, LL_POLL_ROWS * LL_ROW_UNITS)) return NAN;
    double x = s[i].x, m = s[i].m, w = s[i].w, px = p * x, xm = x * m;
    if (x != last_x) {
      last_x = x;
      ln_x = log(x);
      lg = lgamma_shift(px, q) - lg_q;
      if (grad) {
        dg_px = digamma_shift(px, q);   /* psi(px + q) - psi(px) */
        dg_pxq = gclv_digamma(px + q);
      }
    }
    /* l_v = ln(1 + xm/v), l_m = ln(1 + v/(xm)); px multiplies l_m, so it keeps log1p's
    ** precision when large */
    double ln_xm = ln_xm_of ? ln_xm_of[i] : log(xm), ln_sum = log(xm + v);
    double l_v = ln_sum - ln_v, l_m = px < 64 ? ln_sum - ln_xm : log1p(v / xm);
    ll += w * (lg - q * l_v - px * l_m - (ln_xm - ln_x));
    if (grad) {
      gr[0] += w * p * x * (dg_px - l_m);
      gr[1] += w * q * (dg_pxq - dg_q - l_v);
      gr[2] += w * v * (q / v - (px + q) / (xm + v));
    }
  }
  if (grad) memcpy(grad, gr, sizeof gr);
  return ll;
}

double gclv_gg_expected_spend(const gclv_gg *g, double x, double m) {
  if (!(g->q > 1)) return NAN;
  double mean = g->p * g->v / (g->q - 1);
  if (!(x > 0) || !(m > 0)) return mean;
  double w = g->p * x / (g->p * x + g->q - 1);
  return (1 - w) * mean + w * m;
}

/* ---------------------------------------------------------------------------------------------
** CLV
** ------------------------------------------------------------------------------------------- */

/* The predictions of one history: P(alive), E[Y(horizon)] and the discounted monthly stream
** sum_k (E[Y(k L)] - E[Y((k - 1) L)]) / (1 + d)^k for k = 1..months. All horizons go through
** one pass of the 2F1 series per block of HYP_MANY of them: the horizon first (when > 0), then
** months 1, 2, ... The blocks are always these, so a value never depends on who asks for it. */

/* The horizons of one block: the first block starts with the horizon when lead. Returns how
** many (0 when none are left). */
static int block_horizons(double horizon, int lead, int done, int months, double month_len, double *t) {
  int n = 0;
  if (lead) t[n++] = horizon;
  for (; n < HYP_MANY && done + n - lead < months; n++) t[n] = (done + n - lead + 1) * month_len;
  return n;
}

/* Adds one block of E[Y | alive] values e[0..n-1] (the horizon first when lead, then months
** done + 1, ...) to the prediction of a customer alive with probability p->p_alive; *prev is
** E[Y] at the month before the block. disc[k] = (1 + d)^-k, or NULL: computed here. */
static void add_block(gclv_prediction *p, double *prev, const double *e, int n, int lead, int done, double discount,
                      const double *disc) {
  if (lead) p->expected = e[0] * p->p_alive;
  for (int k = lead; k < n; k++) {
    double cur = e[k] * p->p_alive;
    int month = done + k - lead + 1;
    p->discounted += (cur - *prev) * (disc ? disc[month] : 1 / pow(1 + discount, month));
    *prev = cur;
  }
}

static gclv_prediction predict_one(const gclv_bgnbd *m, double x, double t_x, double T, double horizon, int months,
                                   double month_len, double discount) {
  gclv_prediction p = {gclv_p_alive(m, x, t_x, T), 0, 0};
  double t[HYP_MANY], e[HYP_MANY], prev = 0;
  int lead = horizon > 0;
  for (int done = 0; lead || done < months; lead = 0) {
    int n = block_horizons(horizon, lead, done, months, month_len, t);
    expected_y_smooth(m, x, T, t, n, e);
    add_block(&p, &prev, e, n, lead, done, discount, NULL);
    done += n - lead;
  }
  return p;
}

/* E[Y | alive] of a history of x repeat purchases and age T at every horizon of the blocks,
** in their order, into e[] (ne = months + (horizon > 0) values). */
static void expected_path(const gclv_bgnbd *m, double x, double T, double horizon, int months, double month_len,
                          double *e) {
  double t[HYP_MANY];
  int lead = horizon > 0, at = 0;
  for (int done = 0; lead || done < months; lead = 0) {
    int n = block_horizons(horizon, lead, done, months, month_len, t);
    expected_y_smooth(m, x, T, t, n, e + at);
    at += n;
    done += n - lead;
  }
}

/* A customer's prediction from the E[Y | alive] path of their (x, T), the same arithmetic as
** predict_one. */
static gclv_prediction predict_from_path(double p_alive, const double *e, double horizon, int months,
                                         const double *disc) {
  gclv_prediction p = {p_alive, 0, 0};
  double prev = 0;
  int lead = horizon > 0, at = 0;
  for (int done = 0; lead || done < months; lead = 0) {
    int n = lead + (months - done < HYP_MANY - lead ? months - done : HYP_MANY - lead);
    add_block(&p, &prev, e + at, n, lead, done, 0, disc);
    at += n;
    done += n - lead;
  }
  return p;
}

/* (1 + d)^-k for k = 0..months into disc[]. */
static void discount_factors(double discount, int months, double *disc) {
  for (int k = 0; k <= months; k++) disc[k] = 1 / pow(1 + discount, k);
}

double gclv_clv(const gclv_bgnbd *m, double spend, double x, double t_x, double T, int months,
                double month_len, double discount) {
  if (months <= 0) return 0;
  return spend * predict_one(m, x, t_x, T, 0, months, month_len, discount).discounted;
}

/* The E[Y | alive] paths are found in a hash table of their (x, T) bits: t_x enters only
** P(alive), and whole days make few distinct (x, T) (10,779 among 195k customers in the
** bench against 109k distinct (x, t_x, T)). A path depends only on its (x, T), so which
** customer computes it first does not matter. */
static uint64_t double_bits(double v) {
  uint64_t u;
  v = v == 0 ? 0 : v; /* -0.0 is 0 */
  memcpy(&u, &v, sizeof u);
  return u;
}

static uint64_t path_hash(double x, double T) { return ghash_mix64(double_bits(x) ^ ghash_mix64(double_bits(T))); }

/* Paths kept at most: a long `months` makes each path long, and past this many bytes of them
** a path that finds no room is computed for its customer alone. */
#define PATHS_MAX_BYTES ((size_t)16 << 20)

const char *gclv_predictor_init(gclv_predictor *pr, const gclv_bgnbd *m, size_t n, double horizon, int months,
                                double month_len, double discount) {
  memset(pr, 0, sizeof *pr);
  if (months < 0) months = 0;
  pr->m = *m;
  pr->horizon = horizon;
  pr->month_len = month_len;
  pr->months = months;
  pr->ne = months + (horizon > 0);
  size_t ne = pr->ne ? (size_t)pr->ne : 1;
  pr->max = PATHS_MAX_BYTES / (sizeof(double) * (ne + 2) + 2 * sizeof(uint32_t));
  if (pr->max > n) pr->max = n;
  if (pr->max < 1) pr->max = 1;
  pr->nslots = 16;
  while (pr->nslots < 2 * pr->max) pr->nslots *= 2;
  pr->slot = gmem_alloc(sizeof *pr->slot * pr->nslots);
  pr->cap = pr->max < 1024 ? pr->max : 1024; /* the entries grow as paths come */
  pr->key = gmem_alloc(sizeof *pr->key * 2 * pr->cap);
  pr->e = gmem_alloc(sizeof *pr->e * ne * pr->cap);
  pr->disc = gmem_alloc(sizeof *pr->disc * ((size_t)months + 1));
  pr->own = gmem_alloc(sizeof *pr->own * ne);
  if (!pr->slot || !pr->key || !pr->e || !pr->disc || !pr->own) return "out of memory";
  memset(pr->slot, 0, sizeof *pr->slot * pr->nslots);
  discount_factors(discount, months, pr->disc);
  return NULL;
}

void gclv_predictor_free(gclv_predictor *pr) {
  gmem_free(pr->slot);
  gmem_free(pr->key);
  gmem_free(pr->e);
  gmem_free(pr->disc);
  gmem_free(pr->own);
  memset(pr, 0, sizeof *pr);
}

/* The path of (x, T), or NULL with *at the empty slot where it would go. */
static double *path_lookup(const gclv_predictor *pr, double x, double T, size_t *at) {
  size_t h = (size_t)path_hash(x, T) & (pr->nslots - 1);
  for (; pr->slot[h]; h = (h + 1) & (pr->nslots - 1)) {
    size_t i = pr->slot[h] - 1;
    if (pr->key[2 * i] == x && pr->key[2 * i + 1] == T) return pr->e + i * (size_t)pr->ne;
  }
  *at = h;
  return NULL;
}

/* A new entry at slot at for the caller to fill, or NULL when the cache is full (or cannot
** grow: the caller then computes the path for its customer alone, the same values). */
static double *path_insert(gclv_predictor *pr, size_t at, double x, double T) {
  if (pr->count == pr->max) return NULL;
  if (pr->count == pr->cap) {
    size_t cap = pr->cap * 2 < pr->max ? pr->cap * 2 : pr->max, ne = pr->ne ? (size_t)pr->ne : 1;
    double *key = gmem_realloc(pr->key, sizeof *key * 2 * cap);
    if (!key) return NULL;
    pr->key = key;
    double *e = gmem_realloc(pr->e, sizeof *e * ne * cap);
    if (!e) return NULL;
    pr->e = e;
    pr->cap = cap;
  }
  size_t i = pr->count++;
  pr->slot[at] = (uint32_t)i + 1;
  pr->key[2 * i] = x;
  pr->key[2 * i + 1] = T;
  return pr->e + i * (size_t)pr->ne;
}

const char *gclv_predictor_one(gclv_predictor *pr, double x, double t_x, double T, gcancel *cancel,
                               gclv_prediction *out) {
  size_t at = 0;
  double *e = path_lookup(pr, x, T, &at);
  /* a customer whose path is known still costs a P(alive) and a pass over the months: at a
  ** million customers, all known, that alone is about 100 ms */
  if (e && gcancel_work(cancel, (uint64_t)pr->months + 2)) return gcancel_reason;
  if (!e) {
    if (gcancel_work(cancel, 64 * (uint64_t)(pr->months + 2))) return gcancel_reason;
    e = path_insert(pr, at, x, T);
    if (!e) e = pr->own;
    expected_path(&pr->m, x, T, pr->horizon, pr->months, pr->month_len, e);
  }
  *out = predict_from_path(gclv_p_alive(&pr->m, x, t_x, T), e, pr->horizon, pr->months, pr->disc);
  return NULL;
}

const char *gclv_predict(const gclv_bgnbd *m, const gclv_obs *o, size_t n, double horizon, int months, double month_len,
                         double discount, gcancel *cancel, gclv_prediction *out) {
  if (n == 0) return NULL;
  if (n >= UINT32_MAX) return "out of memory";
  gclv_predictor pr;
  const char *why = gclv_predictor_init(&pr, m, n, horizon, months, month_len, discount);
  for (size_t i = 0; !why && i < n; i++) why = gclv_predictor_one(&pr, o[i].x, o[i].t_x, o[i].T, cancel, &out[i]);
  gclv_predictor_free(&pr);
  return why;
}

/* ---------------------------------------------------------------------------------------------
** Fitting: BFGS on the log-parameters
** ------------------------------------------------------------------------------------------- */

#define MAX_PARAMS 4
#define DEFAULT_MAX_ITERATIONS 500
/* Converged when every component of the gradient of the mean negative log-likelihood is below
** this (scipy's BFGS, which lifetimes uses, stops at 1e-7 with lifetimes' tol). */
#define GRADIENT_TOLERANCE 1e-8
/* When no step can decrease the objective any more (its changes are below rounding), a
** gradient below this still counts as converged. */
#define STALL_TOLERANCE 1e-5
/* A log-parameter (on the problem's own scale: time in units of the largest T, money in units
** of the mean spend) past +-13.8 (1e6 times from 1) runs off: the likelihood keeps rising along
** a ridge towards a boundary (a gamma with no spread, a beta concentrated on 0) and has no
** finite maximum on this data. Fitted parameters of real data sit within 1e-3..1e3 there. */
#define RUNAWAY 13.82

typedef struct fit_problem {
  int k;
  const char *model;
  const char *const *names;
  double (*objective)(void *ctx, const double *theta, double *grad);
  void *ctx;
  double units;           /* work units of one evaluation, for gcancel */
  double origin[MAX_PARAMS];  /* the log-parameters' scale: runaway is measured from here */
  double user_scale[MAX_PARAMS]; /* what a log-parameter is multiplied by to report it */
} fit_problem;

/* Told to stop during an evaluation (which then returned NaN). */
static int stopped(const gcancel *cancel) { return cancel && cancel->stopped; }

static double dot(int k, const double *u, const double *v) {
  double s = 0;
  for (int j = 0; j < k; j++) s += u[j] * v[j];
  return s;
}

static double max_abs(int k, const double *u) {
  double s = 0;
  for (int j = 0; j < k; j++) s = fmax(s, fabs(u[j]));
  return s;
}

static void describe(const fit_problem *pb, const double *theta, char *buf, size_t len) {
  size_t at = 0;
  for (int j = 0; j < pb->k && at < len; j++)
    at += (size_t)snprintf(buf + at, len - at, "%s%s = %.4g", j ? ", " : "", pb->names[j],
                           exp(theta[j]) * pb->user_scale[j]);
}

/* How a fit failed; the remedy depends on it. */
enum { FAIL_TO_INFINITY, FAIL_TO_ZERO, FAIL_OTHER };

static const char *fit_failed(const fit_problem *pb, gclv_fit_info *info, const double *theta,
                              const char *what, int kind) {
  static const char *const remedy[3] = {
    /* the L2 penalty pulls parameters toward 0: it stops the ones that run off upward */
    "add a penalizer, e.g. penalizer=0.01",
    "a penalizer cannot help (it pulls parameters toward 0); use more customers or a longer "
    "history, or give the parameters",
    "add a penalizer (e.g. penalizer=0.01), use more customers or a longer history, or give "
    "the parameters",
  };
  char params[200];
  describe(pb, theta, params, sizeof params);
  snprintf(info->why, sizeof info->why,
           "the %s fit did not converge (%s after %d iterations: %s): the data do not pin the "
           "model down; %s", pb->model, what, info->iterations, params, remedy[kind]);
  return info->why;
}

/* Eigenvalues of the symmetric k x k matrix A (destroyed) by cyclic Jacobi rotations. */
static void sym_eigenvalues(int k, double A[MAX_PARAMS][MAX_PARAMS], double *ev) {
  for (int sweep = 0; sweep < 64; sweep++) {
    double off = 0, diag = 0;
    for (int i = 0; i < k; i++) {
      diag += A[i][i] * A[i][i];
      for (int j = i + 1; j < k; j++) off += A[i][j] * A[i][j];
    }
    if (off <= 1e-30 * diag) break;
    for (int p = 0; p < k; p++) {
      for (int q = p + 1; q < k; q++) {
        if (A[p][q] == 0) continue;
        double th = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        double t = (th >= 0 ? 1 : -1) / (fabs(th) + sqrt(th * th + 1));
        double c = 1 / sqrt(t * t + 1), s = t * c;
        for (int r = 0; r < k; r++) {
          double arp = A[r][p], arq = A[r][q];
          A[r][p] = c * arp - s * arq;
          A[r][q] = s * arp + c * arq;
        }
        for (int r = 0; r < k; r++) {
          double apr = A[p][r], aqr = A[q][r];
          A[p][r] = c * apr - s * aqr;
          A[q][r] = s * apr + c * aqr;
        }
      }
    }
  }
  for (int i = 0; i < k; i++) ev[i] = A[i][i];
}

/* Below this, the smallest eigenvalue of the objective's Hessian (mean negative log-likelihood
** per customer, in log-parameters) means a flat ridge, not a maximum: CDNOW's is 3e-3. */
#define FLAT_CURVATURE 1e-6
#define HESSIAN_STEP 1e-4

/* After BFGS stops with a small gradient: is it a proper minimum? The gradient can also vanish
** far along a ridge where the likelihood keeps rising by ever less (on 4 customers, r = 6e7 and
** alpha = 6e8 with a = 5e-5: a Poisson rate with no spread and nobody dropping out). The
** Hessian by central differences of the gradient tells the two apart. Returns 0, 1 when
** flat, -1 when interrupted. */
static int flat_at(const fit_problem *pb, const double *theta, gcancel *cancel, uint64_t units) {
  int k = pb->k;
  double H[MAX_PARAMS][MAX_PARAMS], t[MAX_PARAMS], gp[MAX_PARAMS], gm[MAX_PARAMS], ev[MAX_PARAMS] = {0};
  for (int j = 0; j < k; j++) {
    memcpy(t, theta, sizeof *t * (size_t)k);
    if (gcancel_work(cancel, 2 * units)) return -1;
    t[j] = theta[j] + HESSIAN_STEP;
    pb->objective(pb->ctx, t, gp);
    t[j] = theta[j] - HESSIAN_STEP;
    pb->objective(pb->ctx, t, gm);
    if (stopped(cancel)) return -1;
    for (int i = 0; i < k; i++) H[i][j] = (gp[i] - gm[i]) / (2 * HESSIAN_STEP);
  }
  for (int i = 0; i < k; i++)
    for (int j = 0; j < i; j++) H[i][j] = H[j][i] = (H[i][j] + H[j][i]) / 2;
  sym_eigenvalues(k, H, ev);
  double lo = ev[0], hi = ev[0];
  for (int j = 1; j < k; j++) {
    lo = fmin(lo, ev[j]);
    hi = fmax(hi, ev[j]);
  }
  return !(lo > FLAT_CURVATURE * fmax(1, hi));
}

/* Stops at a point with a small gradient: converged unless it is a flat ridge. */
static const char *stop_small_gradient(const fit_problem *pb, const double *theta, gcancel *cancel,
                                       uint64_t units, gclv_fit_info *info) {
  int flat = flat_at(pb, theta, cancel, units);
  if (flat < 0) return gcancel_reason;
  if (flat) return fit_failed(pb, info, theta, "the likelihood is flat along a ridge", FAIL_OTHER);
  info->converged = 1;
  return NULL;
}

/* Minimises pb->objective from theta (updated in place). */
static const char *bfgs(const fit_problem *pb, double *theta, int max_iterations, gcancel *cancel,
                        gclv_fit_info *info) {
  int k = pb->k;
  double H[MAX_PARAMS][MAX_PARAMS], g[MAX_PARAMS], d[MAX_PARAMS], tn[MAX_PARAMS], gn[MAX_PARAMS];
  double s[MAX_PARAMS], y[MAX_PARAMS], Hy[MAX_PARAMS];
  uint64_t units = (uint64_t)pb->units + 1;
  for (int i = 0; i < k; i++)
    for (int j = 0; j < k; j++) H[i][j] = i == j;
  if (gcancel_work(cancel, units)) return gcancel_reason;
  double f = pb->objective(pb->ctx, theta, g);
  if (stopped(cancel)) return gcancel_reason;
  if (!isfinite(f) || !isfinite(max_abs(k, g))) return fit_failed(pb, info, theta, "no finite likelihood at the start", FAIL_OTHER);
  info->iterations = 0;
  info->converged = 0;
  while (info->iterations < max_iterations) {
    double gmax = max_abs(k, g);
    if (gmax <= GRADIENT_TOLERANCE) return stop_small_gradient(pb, theta, cancel, units, info);
    for (int i = 0; i < k; i++) d[i] = -dot(k, H[i], g);
    double slope = dot(k, d, g);
    if (!(slope < 0)) { /* not a descent direction: restart from steepest descent */
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++) H[i][j] = i == j;
        d[i] = -g[i];
      }
      slope = -dot(k, g, g);
    }
    /* at most a factor e^2 per parameter per step, so no trial leaves the range of exp() */
    double step = fmin(1, 2 / max_abs(k, d)), fn = NAN;
    int accepted = 0;
    for (int tries = 0; tries < 60 && !accepted; tries++) {
      for (int j = 0; j < k; j++) tn[j] = theta[j] + step * d[j];
      if (gcancel_work(cancel, units)) return gcancel_reason;
      fn = pb->objective(pb->ctx, tn, gn);
      if (stopped(cancel)) return gcancel_reason;
      /* sufficient decrease (Armijo); a step that leaves the objective unchanged is no
      ** progress, whatever rounding makes of the test */
      if (isfinite(fn) && isfinite(max_abs(k, gn)) && fn <= f + 1e-4 * step * slope && fn < f) accepted = 1;
      else step /= 2;
    }
    info->iterations++;
    if (!accepted) {
      /* no decrease left within rounding: a minimum if the gradient is small */
      if (gmax <= STALL_TOLERANCE) return stop_small_gradient(pb, theta, cancel, units, info);
      return fit_failed(pb, info, theta, "no step decreases the objective", FAIL_OTHER);
    }
    for (int j = 0; j < k; j++) {
      s[j] = tn[j] - theta[j];
      y[j] = gn[j] - g[j];
    }
    double sy = dot(k, s, y);
    if (sy > 1e-16 * sqrt(dot(k, s, s) * dot(k, y, y))) {
      if (info->iterations == 1) { /* scale the first guess of the inverse Hessian */
        double scale = sy / dot(k, y, y);
        for (int i = 0; i < k; i++) H[i][i] = scale;
      }
      for (int i = 0; i < k; i++) Hy[i] = dot(k, H[i], y);
      double rho = 1 / sy, yHy = dot(k, y, Hy);
      for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++)
          H[i][j] += -rho * (Hy[i] * s[j] + s[i] * Hy[j]) + (rho * rho * yHy + rho) * s[i] * s[j];
    }
    memcpy(theta, tn, sizeof *theta * (size_t)k);
    memcpy(g, gn, sizeof *g * (size_t)k);
    f = fn;
    for (int j = 0; j < k; j++) {
      if (fabs(theta[j] - pb->origin[j]) > RUNAWAY) {
        char what[96];
        snprintf(what, sizeof what, "%s runs off to %s", pb->names[j],
                 theta[j] > pb->origin[j] ? "infinity" : "zero");
        return fit_failed(pb, info, theta, what, theta[j] > pb->origin[j] ? FAIL_TO_INFINITY : FAIL_TO_ZERO);
      }
    }
  }
  return fit_failed(pb, info, theta, "still moving", FAIL_OTHER);
}

static void fit_init(gclv_fit_info *info) {
  memset(info, 0, sizeof *info);
}

/* ---- BG/NBD fit ---- */

typedef struct bg_ctx {
  const gclv_obs *o;  /* compressed, time scaled so the largest T is 1 */
  size_t n;
  double weight, penalizer;
  const bg_tables *tab;
  gcancel *cancel;
} bg_ctx;

static double bg_objective(void *vctx, const double *theta, double *grad) {
  bg_ctx *c = vctx;
  gclv_bgnbd m = {exp(theta[0]), exp(theta[1]), exp(theta[2]), exp(theta[3])};
  double params[4] = {m.r, m.alpha, m.a, m.b}, g[4];
  double f = -bgnbd_ll_rows(&m, c->o, c->n, g, c->tab, c->cancel) / c->weight;
  for (int j = 0; j < 4; j++) {
    f += c->penalizer * params[j] * params[j];
    grad[j] = -g[j] / c->weight + 2 * c->penalizer * params[j] * params[j];
  }
  return f;
}

static const char *bad_row(gclv_fit_info *info, size_t i, const char *what) {
  snprintf(info->why, sizeof info->why, "row %zu: %s", i + 1, what);
  return info->why;
}

static const char *check_obs(const gclv_obs *o, size_t n, gclv_fit_info *info, double *max_T) {
  double repeats = 0;
  *max_T = 0;
  for (size_t i = 0; i < n; i++) {
    double x = o[i].x, t_x = o[i].t_x, T = o[i].T, w = o[i].w;
    if (!(isfinite(x) && isfinite(t_x) && isfinite(T) && isfinite(w))) return bad_row(info, i, "a value is not finite");
    if (x < 0 || x != floor(x)) return bad_row(info, i, "frequency must be a whole number >= 0");
    if (t_x < 0 || t_x > T) return bad_row(info, i, "recency must be between 0 and T");
    if (x == 0 && t_x != 0) return bad_row(info, i, "recency must be 0 when frequency is 0");
    if (!(w > 0)) return bad_row(info, i, "weight must be positive");
    repeats += w * x;
    *max_T = fmax(*max_T, T);
  }
  if (n == 0) {
    snprintf(info->why, sizeof info->why, "no customers: BG/NBD cannot be fitted");
    return info->why;
  }
  if (repeats == 0) {
    snprintf(info->why, sizeof info->why,
             "nobody made a repeat purchase (every frequency is 0), so BG/NBD cannot be fitted: "
             "the data hold no information on purchase rates or drop-out");
    return info->why;
  }
  if (!(*max_T > 0)) {
    snprintf(info->why, sizeof info->why, "every customer's T is 0: BG/NBD cannot be fitted");
    return info->why;
  }
  return NULL;
}

/* The distinct values of o[i].T (t_x: o[i].t_x) into values[0..*count-1], each row's place
** among them into at[i]. slot: scratch of nslots (a power of 2 >= 2n) entries. */
static void distinct_times(const gclv_obs *o, size_t n, int t_x, uint32_t *slot, size_t nslots, uint32_t *at,
                           double *values, size_t *count) {
  memset(slot, 0, sizeof *slot * nslots);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    double v = t_x ? o[i].t_x : o[i].T;
    size_t h = (size_t)ghash_mix64(double_bits(v)) & (nslots - 1);
    while (slot[h] && values[slot[h] - 1] != v) h = (h + 1) & (nslots - 1);
    if (!slot[h]) {
      values[k] = v;
      slot[h] = (uint32_t)++k;
    }
    at[i] = slot[h] - 1;
  }
  *count = k;
}

/* The tables of n rows in one block of gmem (NULL when out of memory). */
static bg_tables *bg_tables_new(const gclv_obs *o, size_t n) {
  size_t nslots = 16;
  while (nslots < 2 * n) nslots *= 2;
  bg_tables *tab = gmem_alloc(sizeof *tab + (sizeof(uint32_t) * 2 + sizeof(double) * 4) * n);
  uint32_t *slot = gmem_alloc(sizeof *slot * nslots);
  if (!tab || !slot || n >= UINT32_MAX) {
    gmem_free(tab);
    gmem_free(slot);
    return NULL;
  }
  double *T = (double *)(tab + 1), *tx = T + n, *ln_T = tx + n, *ln_tx = ln_T + n;
  uint32_t *T_at = (uint32_t *)(ln_tx + n), *tx_at = T_at + n;
  distinct_times(o, n, 0, slot, nslots, T_at, T, &tab->nT);
  distinct_times(o, n, 1, slot, nslots, tx_at, tx, &tab->ntx);
  gmem_free(slot);
  *tab = (bg_tables){T_at, tx_at, T, tx, tab->nT, tab->ntx, ln_T, ln_tx};
  return tab;
}

const char *gclv_bgnbd_fit(const gclv_obs *o, size_t n, const gclv_fit_opts *opts, gclv_bgnbd *out,
                           gclv_fit_info *info) {
  static const char *const names[4] = {"r", "alpha", "a", "b"};
  fit_init(info);
  double max_T;
  const char *why = check_obs(o, n, info, &max_T);
  if (why) return why;
  if (!(opts->penalizer >= 0 && isfinite(opts->penalizer))) {
    snprintf(info->why, sizeof info->why, "penalizer must be a number >= 0");
    return info->why;
  }
  gclv_obs *rows = gmem_alloc(sizeof *rows * n);
  if (!rows) return "out of memory";
  /* lifetimes' rescaling: time in units of the largest T, which conditions the problem and is
  ** the scale its penalizer applies to alpha on */
  double scale = 1 / max_T;
  for (size_t i = 0; i < n; i++) rows[i] = (gclv_obs){o[i].x, o[i].t_x * scale, o[i].T * scale, o[i].w};
  size_t distinct = gclv_compress_obs(rows, n, opts->cancel);
  if (stopped(opts->cancel)) {
    gmem_free(rows);
    return gcancel_reason;
  }
  /* sums over the sorted rows, so that they too are the same in any input order */
  double weight = 0;
  for (size_t i = 0; i < distinct; i++) weight += rows[i].w;
  info->customers = weight;
  /* without the tables (out of memory) the same values, computed per row */
  bg_tables *tab = bg_tables_new(rows, distinct);
  bg_ctx ctx = {rows, distinct, weight, opts->penalizer, tab, opts->cancel};
  fit_problem pb = {4, "BG/NBD", names, bg_objective, &ctx, (double)distinct, {0, 0, 0, 0},
                    {1, max_T, 1, 1}};
  double theta[4] = {0.1, 0.1, 0.1, 0.1}; /* lifetimes' start */
  int max_it = opts->max_iterations > 0 ? opts->max_iterations : DEFAULT_MAX_ITERATIONS;
  why = bfgs(&pb, theta, max_it, opts->cancel, info);
  if (!why) {
    *out = (gclv_bgnbd){exp(theta[0]), exp(theta[1]) * max_T, exp(theta[2]), exp(theta[3])};
    /* The log-likelihood in the data's own time unit, summed over the sorted rows so that it
    ** too is the same in any input order. Scaling time by s scales each purchase time's
    ** density by 1/s: ln L = ln L_scaled - x ln(max T). */
    gclv_bgnbd scaled = {out->r, exp(theta[1]), out->a, out->b};
    double repeats = 0;
    for (size_t i = 0; i < distinct; i++) repeats += rows[i].w * rows[i].x;
    info->ll = gclv_bgnbd_ll(&scaled, rows, distinct, NULL, opts->cancel) - repeats * log(max_T);
    if (stopped(opts->cancel)) why = gcancel_reason;
  }
  gmem_free(tab);
  gmem_free(rows);
  return why;
}

/* ---- Gamma-Gamma fit ---- */

typedef struct gg_ctx {
  const gclv_spend *s;
  size_t n;
  double weight, penalizer;
  const double *ln_xm; /* per row, or NULL */
  gcancel *cancel;
} gg_ctx;

static double gg_objective(void *vctx, const double *theta, double *grad) {
  gg_ctx *c = vctx;
  gclv_gg g = {exp(theta[0]), exp(theta[1]), exp(theta[2])};
  double params[3] = {g.p, g.q, g.v}, gr[3];
  double f = -gg_ll_rows(&g, c->s, c->n, gr, c->ln_xm, c->cancel) / c->weight;
  for (int j = 0; j < 3; j++) {
    f += c->penalizer * params[j] * params[j];
    grad[j] = -gr[j] / c->weight + 2 * c->penalizer * params[j] * params[j];
  }
  return f;
}

const char *gclv_gg_fit(const gclv_spend *s, size_t n, const gclv_fit_opts *opts, gclv_gg *out,
                        gclv_fit_info *info) {
  static const char *const names[3] = {"p", "q", "v"};
  fit_init(info);
  for (size_t i = 0; i < n; i++) {
    if (!(isfinite(s[i].x) && isfinite(s[i].m) && isfinite(s[i].w))) return bad_row(info, i, "a value is not finite");
    if (!(s[i].x > 0) || s[i].x != floor(s[i].x)) return bad_row(info, i, "frequency must be a whole number > 0");
    if (!(s[i].m > 0)) return bad_row(info, i, "the mean spend must be positive");
    if (!(s[i].w > 0)) return bad_row(info, i, "weight must be positive");
  }
  if (n == 0) {
    snprintf(info->why, sizeof info->why,
             "no customer with a repeat purchase and a positive spend: Gamma-Gamma cannot be fitted");
    return info->why;
  }
  if (!(opts->penalizer >= 0 && isfinite(opts->penalizer))) {
    snprintf(info->why, sizeof info->why, "penalizer must be a number >= 0");
    return info->why;
  }
  gclv_spend *rows = gmem_alloc(sizeof *rows * n);
  if (!rows) return "out of memory";
  memcpy(rows, s, sizeof *rows * n);
  size_t distinct = gclv_compress_spend(rows, n, opts->cancel);
  if (stopped(opts->cancel)) {
    gmem_free(rows);
    return gcancel_reason;
  }
  /* sums over the sorted rows, so that they too are the same in any input order */
  double weight = 0, spend = 0;
  for (size_t i = 0; i < distinct; i++) {
    weight += rows[i].w;
    spend += rows[i].w * rows[i].m;
  }
  info->customers = weight;
  /* without them (out of memory) the same values, computed per row */
  double *ln_xm = gmem_alloc(sizeof *ln_xm * distinct);
  if (ln_xm)
    for (size_t i = 0; i < distinct; i++) ln_xm[i] = log(rows[i].x * rows[i].m);
  gg_ctx ctx = {rows, distinct, weight, opts->penalizer, ln_xm, opts->cancel};
  /* v carries the unit of money: start it (and measure runaway) from the mean spend, so the
  ** iterates are the same in cents as in yuan (lifetimes starts every log-parameter at 0.1) */
  double ln_money = log(spend / weight);
  fit_problem pb = {3, "Gamma-Gamma", names, gg_objective, &ctx, (double)distinct, {0, 0, ln_money},
                    {1, 1, 1}};
  double theta[3] = {0.1, 0.1, 0.1 + ln_money};
  int max_it = opts->max_iterations > 0 ? opts->max_iterations : DEFAULT_MAX_ITERATIONS;
  const char *why = bfgs(&pb, theta, max_it, opts->cancel, info);
  if (!why) {
    *out = (gclv_gg){exp(theta[0]), exp(theta[1]), exp(theta[2])};
    info->ll = gclv_gg_ll(out, rows, distinct, NULL, opts->cancel); /* over the sorted rows: any input order */
    if (stopped(opts->cancel)) why = gcancel_reason;
  }
  gmem_free(ln_xm);
  gmem_free(rows);
  return why;
}
