/*
** shapes.h: the data `make bench` measures on, generated deterministically (a fixed-seed
** splitmix64, no random()) in the shapes real shop data has, not from a hash formula.
**
** Events (per 1M rows about 70k users, 14 events each on average):
** - users arrive over 180 days (more of them later: the shop grows), each with a number of
**   sessions drawn from a Pareto law (alpha 1.6: most users come once or twice, a few daily);
** - a session is a chain: 1 + Geometric(1/2) views, then cart with probability 0.6, checkout
**   0.7 of those, pay 0.8 of those, seconds to minutes apart;
** - the gap to the next session is exponential, its mean 90 days / sessions at first and a
**   little longer each time (interest fades), and nothing happens after day 365;
** - each user has an acquisition channel (app 40%, web 30%, wechat 20%, ads 10%) that most of
**   their rows carry; one row in ten carries another.
** Orders (per 1M orders 200k customers, 5 each on average, a heavy tail): customers arrive over
** a year, each with a Pareto(alpha 1.5) number of orders a month or so apart (exponential; a
** heavy buyer's orders closer, so they fit in the two years),
** amounts log-normal around 55 yuan with two decimals, order ids in time order.
**
** Rows come in time order (as an application writes them), and the same rows shuffled.
*/
#ifndef GROWTH_BENCH_SHAPES_H
#define GROWTH_BENCH_SHAPES_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct shape_rng { uint64_t s; } shape_rng;

static uint64_t shape_next(shape_rng *r) {
  uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
/* uniform in (0, 1] */
static double shape_unit(shape_rng *r) { return ((double)(shape_next(r) >> 11) + 1.0) / 9007199254740992.0; }
static double shape_expo(shape_rng *r, double mean) { return -mean * log(shape_unit(r)); }
static long shape_pareto(shape_rng *r, double xm, double alpha, long cap) {
  double x = xm / pow(shape_unit(r), 1.0 / alpha);
  return x > (double)cap ? cap : (long)x;
}
static double shape_normal(shape_rng *r) {
  return sqrt(-2.0 * log(shape_unit(r))) * cos(6.283185307179586 * shape_unit(r));
}

#define SHAPE_START 1704067200LL  /* 2024-01-01 00:00:00 UTC */
#define SHAPE_DAY 86400LL

typedef struct shape_event { int64_t ts; uint32_t user; uint8_t event, channel; } shape_event;
typedef struct shape_order { int64_t ts; uint32_t customer; int64_t cents; } shape_order;

static const char *const shape_event_names[] = {"view", "cart", "checkout", "pay"};
static const char *const shape_channels[] = {"app", "web", "wechat", "ads"};

static int shape_by_ts(const void *a, const void *b) {
  const shape_event *x = a, *y = b;
  if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
  if (x->user != y->user) return x->user < y->user ? -1 : 1;
  return (int)x->event - (int)y->event;
}

static int shape_order_by_ts(const void *a, const void *b) {
  const shape_order *x = a, *y = b;
  if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
  return x->customer < y->customer ? -1 : x->customer > y->customer;
}

/* n events in time order; *users receives the number of users. */
static shape_event *shape_events(long long n, uint32_t *users) {
  shape_event *e = malloc((size_t)n * sizeof *e);
  if (!e) { fprintf(stderr, "bench: out of memory\n"); exit(1); }
  shape_rng r = {20240101};
  long long k = 0;
  uint32_t u = 0;
  const int64_t end = SHAPE_START + 365 * SHAPE_DAY;
  while (k < n) {
    /* arrivals grow over the 180 days: the square root of a uniform leans late */
    int64_t t = SHAPE_START + (int64_t)(sqrt(shape_unit(&r)) * 180 * SHAPE_DAY);
    long sessions = shape_pareto(&r, 1.8, 1.6, 3000);
    /* frequent users come back often; every gap is a little longer than the last */
    double mean_gap = 90.0 * SHAPE_DAY / (double)sessions, growth = 1.0 + 1.5 / (double)sessions;
    double c = shape_unit(&r);
    uint8_t channel = c < 0.4 ? 0 : c < 0.7 ? 1 : c < 0.9 ? 2 : 3;
    for (long s = 0; s < sessions && k < n && t < end; s++) {
      int views = 1;
      while (shape_unit(&r) < 0.5 && views < 20) views++;
      int steps = 0;
      if (shape_unit(&r) < 0.6) steps = shape_unit(&r) < 0.7 ? (shape_unit(&r) < 0.8 ? 3 : 2) : 1;
      for (int i = 0; i < views + steps && k < n; i++) {
        e[k].ts = t;
        e[k].user = u;
        e[k].event = (uint8_t)(i < views ? 0 : i - views + 1);
        e[k].channel = shape_unit(&r) < 0.9 ? channel : (uint8_t)(shape_next(&r) % 4);
        k++;
        t += 5 + (int64_t)shape_expo(&r, 90);
      }
      t += (int64_t)shape_expo(&r, mean_gap);
      mean_gap *= growth;
    }
    u++;
  }
  qsort(e, (size_t)n, sizeof *e, shape_by_ts);
  *users = u;
  return e;
}

/* n orders in time order; *customers receives the number of customers. */
static shape_order *shape_orders(long long n, uint32_t *customers) {
  shape_order *o = malloc((size_t)n * sizeof *o);
  if (!o) { fprintf(stderr, "bench: out of memory\n"); exit(1); }
  shape_rng r = {19970101};
  long long k = 0;
  uint32_t c = 0;
  const int64_t end = SHAPE_START + 2 * 365 * SHAPE_DAY;
  while (k < n) {
    int64_t t = SHAPE_START + (int64_t)(shape_unit(&r) * 365 * SHAPE_DAY);
    long orders = shape_pareto(&r, 1.85, 1.5, 5000);
    /* heavy buyers buy often: a month apart on average for most, days apart for the few */
    double mean_gap = (double)SHAPE_DAY * (orders < 12 ? 30.0 : 365.0 / (double)orders);
    for (long i = 0; i < orders && k < n && t < end; i++) {
      o[k].ts = t;
      o[k].customer = c;
      double yuan = exp(4.0 + 0.8 * shape_normal(&r));
      o[k].cents = 100 + (int64_t)(yuan * 100);
      k++;
      t += 3600 + (int64_t)shape_expo(&r, mean_gap);
    }
    c++;
  }
  qsort(o, (size_t)n, sizeof *o, shape_order_by_ts);
  *customers = c;
  return o;
}

/* A permutation of 0..n-1 (Fisher-Yates with its own seed). */
static uint32_t *shape_shuffle(long long n) {
  uint32_t *p = malloc((size_t)n * sizeof *p);
  if (!p) { fprintf(stderr, "bench: out of memory\n"); exit(1); }
  for (long long i = 0; i < n; i++) p[i] = (uint32_t)i;
  shape_rng r = {42};
  for (long long i = n - 1; i > 0; i--) {
    long long j = (long long)(shape_next(&r) % (uint64_t)(i + 1));
    uint32_t t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}

/* A 36-character UUID-shaped text id for a number (a bijective mix, so ids stay distinct). */
static void shape_uuid(uint32_t id, char out[37]) {
  shape_rng r = {0x5EEDull * 0x100000000ull + id};
  uint64_t a = shape_next(&r), b = shape_next(&r);
  snprintf(out, 37, "%08x-%04x-4%03x-%04x-%012llx", id ^ (uint32_t)(a >> 32), (unsigned)(a >> 16) & 0xffff,
           (unsigned)a & 0xfff, (unsigned)(b >> 48) & 0xffff, (unsigned long long)(b & 0xffffffffffffull));
}

/* 'YYYY-MM-DD HH:MM:SS' of a Unix second (UTC, civil-from-days). */
static void shape_iso(int64_t secs, char out[32]) {
  int64_t z = secs / 86400, sod = secs % 86400;
  z += 719468;
  int64_t era = z / 146097, doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
  int64_t y = yoe + era * 400 + (m <= 2);
  snprintf(out, 32, "%04d-%02d-%02d %02d:%02d:%02d", (int)y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60),
           (int)(sod % 60));
}

#endif
