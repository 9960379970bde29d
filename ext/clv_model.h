/*
** clv_model.h: the pure core of customer lifetime value. Plain C doubles in and out, no
** sqlite3 calls, memory through gmem_*, only libm.
**
** Two models, as Fader, Hardie and Lee (2005) and the `lifetimes` package define them:
**   BG/NBD (purchase count): while alive a customer buys as a Poisson process with rate
**     lambda ~ Gamma(r, alpha); after each purchase they drop out with probability
**     p ~ Beta(a, b). Data per customer: x repeat purchases, recency t_x (first to last
**     purchase), age T (first purchase to the end of observation), in one time unit.
**   Gamma-Gamma (spend per purchase): fitted on customers with x > 0 and a positive mean
**     repeat spend m; parameters p, q, v.
**
** Fitting maximises the likelihood with BFGS in log-parameter space (parameters stay
** positive), minimising what lifetimes minimises: the mean negative log-likelihood plus
** penalizer * (sum of the squared parameters), with BG/NBD's time rescaled so the largest T
** is 1 (alpha is penalised on that scale). Identical rows are merged into weights first. Every
** step is a fixed sequence of IEEE operations over rows in a canonical order (sorted by value),
** so the same data gives bit-identical parameters on every run, in any input order.
**
** Numerics: log-likelihoods in log-sum-exp form (x = 10,000 stays finite), our own log-gamma
** and digamma (glibc's lgamma writes the global signgam), and the Gauss hypergeometric 2F1 by
** its series with the connection formula for z near 1 (see gclv_hyp2f1).
*/
#ifndef GROWTH_CLV_MODEL_H
#define GROWTH_CLV_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "cancel.h"

typedef struct gclv_bgnbd { double r, alpha, a, b; } gclv_bgnbd;
typedef struct gclv_gg { double p, q, v; } gclv_gg;

/* One BG/NBD data row: x repeat purchases, recency t_x, age T; w customers share it. */
typedef struct gclv_obs { double x, t_x, T, w; } gclv_obs;
/* One Gamma-Gamma data row: x repeat purchases of mean value m; w customers share it. */
typedef struct gclv_spend { double x, m, w; } gclv_spend;

/* lifetimes' month length, for CLV's monthly steps: 30 days, 4.345 weeks. */
#define GCLV_MONTH_DAYS 30.0
#define GCLV_MONTH_WEEKS 4.345

/* ---- special functions ---- */
/* ln|Gamma(x)|, and the sign of Gamma(x) in *sign when sign is not NULL; +inf at the poles
** (x = 0, -1, -2, ...). Absolute error a few 1e-15 for x > 0. */
double gclv_lgamma(double x, int *sign);
/* digamma(x) = d/dx ln Gamma(x), for x > 0. */
double gclv_digamma(double x);
/* Gauss hypergeometric 2F1(A, B; C; z) for 0 <= z < 1 and C not 0, -1, -2, ...: the power
** series, or for z > 0.9 (where it converges slowly) the connection formula in 1 - z
** (Abramowitz and Stegun 15.3.6); when C - A - B is within 5e-4 of an integer that formula's
** two terms cancel, and the value is extrapolated from six points around C (relative error
** about 1e-11 there, about 1e-14 elsewhere). NaN outside the domain. */
double gclv_hyp2f1(double A, double B, double C, double z);

/* ---- data ---- */
/* Sorts rows by (x, t_x, T) and merges equal ones (weights added). Returns the new count, or 0
** when cancel said stop (cancel->stopped; the rows are then in no particular order). */
size_t gclv_compress_obs(gclv_obs *o, size_t n, gcancel *cancel);
/* Sorts rows by (x, m) and merges equal ones. Returns the new count (0 when stopped, as above). */
size_t gclv_compress_spend(gclv_spend *s, size_t n, gcancel *cancel);

/* ---- BG/NBD ---- */
/* NULL when every parameter is finite and positive, else a static reason. */
const char *gclv_bgnbd_check(const gclv_bgnbd *m);
/* ln L of one customer (FHL 2005 eq. 6, in Hardie's note 027 stable form). */
double gclv_bgnbd_ll_row(const gclv_bgnbd *m, double x, double t_x, double T);
/* Sum of w * ln L over n rows; when grad is not NULL, its gradient with respect to
** (ln r, ln alpha, ln a, ln b). NaN when cancel said stop (cancel->stopped). */
double gclv_bgnbd_ll(const gclv_bgnbd *m, const gclv_obs *o, size_t n, double grad[4], gcancel *cancel);
/* Probability that a customer with history (x, t_x, T) is alive at T (Hardie note 021). */
double gclv_p_alive(const gclv_bgnbd *m, double x, double t_x, double T);
/* Expected repeat purchases of a new customer in (0, t] (FHL 2005 eq. 9). */
double gclv_expected_x(const gclv_bgnbd *m, double t);
/* Expected purchases in (T, T + t] of a customer with history (x, t_x, T) (FHL 2005 eq. 10). */
double gclv_expected_y(const gclv_bgnbd *m, double t, double x, double t_x, double T);

/* ---- Gamma-Gamma ---- */
const char *gclv_gg_check(const gclv_gg *g);
/* ln L of one customer's mean spend (Hardie note 025 / lifetimes). */
double gclv_gg_ll_row(const gclv_gg *g, double x, double m);
/* NaN when cancel said stop (cancel->stopped). */
double gclv_gg_ll(const gclv_gg *g, const gclv_spend *s, size_t n, double grad[3], gcancel *cancel);
/* Conditional expected mean spend per purchase: (1 - w) p v / (q - 1) + w m with
** w = p x / (p x + q - 1); the population mean p v / (q - 1) when x <= 0 or m <= 0.
** NaN when q <= 1 (the model then has no finite mean). */
double gclv_gg_expected_spend(const gclv_gg *g, double x, double m);

/* ---- CLV ---- */
/* lifetimes' discounted CLV: sum over k = 1..months of
**   spend * (E[Y(k L)] - E[Y((k - 1) L)]) / (1 + discount)^k,
** L = month_len (GCLV_MONTH_DAYS or GCLV_MONTH_WEEKS, in the model's time unit). */
double gclv_clv(const gclv_bgnbd *m, double spend, double x, double t_x, double T, int months,
                double month_len, double discount);

/* BG/NBD predictions for one customer. */
typedef struct gclv_prediction {
  double p_alive;       /* gclv_p_alive */
  double expected;      /* gclv_expected_y over the horizon */
  double discounted;    /* gclv_clv with spend 1: CLV = spend * discounted */
} gclv_prediction;

/* Predictions for n customers (o[i].x, t_x, T; weights unused) into out[i]. The E[Y] path over
** the horizons depends on (x, T) alone, and whole days make few distinct (x, T): each is
** computed once. Returns NULL, "out of memory" or gcancel_reason. */
const char *gclv_predict(const gclv_bgnbd *m, const gclv_obs *o, size_t n, double horizon, int months,
                         double month_len, double discount, gcancel *cancel, gclv_prediction *out);

/* The same one customer at a time (for callers that keep their customers in their own rows):
**   gclv_predictor pr;
**   why = gclv_predictor_init(&pr, m, n, horizon, months, month_len, discount);
**   per customer: why = gclv_predictor_one(&pr, x, t_x, T, cancel, &out);
**   gclv_predictor_free(&pr);      (also after a failed init)
** n: about how many customers (it sizes the cache of paths). */
typedef struct gclv_predictor {
  gclv_bgnbd m;
  double horizon, month_len;
  int months, ne;                 /* ne: horizons per path, months + (horizon > 0) */
  double *disc;                   /* (1 + discount)^-k, k = 0..months */
  double *own;                    /* a path that finds no room in the cache */
  uint32_t *slot;                 /* the cache of paths: 1 + an entry, or 0 */
  size_t nslots, count, cap, max; /* entries used, allocated, at most */
  double *key;                    /* (x, T) of each entry */
  double *e;                      /* the ne values of each entry */
} gclv_predictor;

const char *gclv_predictor_init(gclv_predictor *pr, const gclv_bgnbd *m, size_t n, double horizon, int months,
                                double month_len, double discount);
const char *gclv_predictor_one(gclv_predictor *pr, double x, double t_x, double T, gcancel *cancel,
                               gclv_prediction *out);
void gclv_predictor_free(gclv_predictor *pr);

/* ---- fitting ---- */
typedef struct gclv_fit_opts {
  double penalizer;     /* >= 0 */
  int max_iterations;   /* <= 0: 500 */
  gcancel *cancel;      /* NULL: never interrupted */
} gclv_fit_opts;

typedef struct gclv_fit_info {
  int iterations;       /* BFGS iterations taken */
  int converged;
  double ll;            /* sum of w * ln L at the result (unpenalised, in the data's units) */
  double customers;     /* sum of the weights fitted */
  char why[512];        /* the reason when the fit failed */
} gclv_fit_info;

/* Fit BG/NBD to n rows (any order, duplicates allowed; weights > 0). Returns NULL and fills
** *out, or the reason it cannot: info->why (bad data, nobody with a repeat purchase, no
** convergence: the message names penalizer as the remedy), "out of memory", or
** gcancel_reason (compare the pointer) when interrupted. */
const char *gclv_bgnbd_fit(const gclv_obs *o, size_t n, const gclv_fit_opts *opts, gclv_bgnbd *out,
                           gclv_fit_info *info);
/* Fit Gamma-Gamma to n rows with x > 0 and m > 0; as gclv_bgnbd_fit. */
const char *gclv_gg_fit(const gclv_spend *s, size_t n, const gclv_fit_opts *opts, gclv_gg *out,
                        gclv_fit_info *info);

#endif
