/*
** queries.h: one representative call of every SQL name the extension registers, shared by the
** out-of-memory, thread and interrupt harnesses. A harness runs the entries whose function is
** registered (entries for capabilities not yet merged are skipped), and reports any
** registered name that no entry mentions, so the table is the one place to extend.
** Queries run on the fixture tables of harness.h.
*/
#ifndef GROWTH_TEST_QUERIES_H
#define GROWTH_TEST_QUERIES_H

typedef struct hquery {
  const char *fn;    /* the SQL name it exercises */
  const char *sql;
} hquery;

static const hquery harness_queries[] = {
  {"growth_version", "SELECT growth_version() LIKE 'sqlite-growth %'"},
  {"growth_trust_schema", "SELECT growth_trust_schema(), growth_trust_schema(0)"},
  {"date_bucket", "SELECT date_bucket(ts, 'week') FROM events ORDER BY rowid"},
  {"date_bucket", "SELECT date_bucket('2024-02-30', 'week')"},  /* error paths too */
  {"period_diff", "SELECT period_diff(1, 2, 'day', 'tz=+25:00')"},
  {"date_bucket", "SELECT date_bucket('2024-03-15 23:30:00', 'month', 'tz=+08:00, week_start=sunday')"},
  {"period_diff", "SELECT period_diff('2024-01-31', ts, 'month') FROM events ORDER BY rowid"},
  {"period_diff", "SELECT period_diff('2024-01-01 12:00', '2024-02-01', 'week', 'rolling, tz=-05:00')"},
  {"growth_gather", "SELECT growth_gather(1, 2)"},
  {"window_funnel", "SELECT user_id, window_funnel('1 day', ts, event = 'view', event = 'cart', event = 'pay') "
                    "FROM events GROUP BY user_id ORDER BY user_id"},
  {"window_funnel", "SELECT window_funnel(86400, ts, event = 'view', event = 'cart', 'strict_order') FROM events"},
  {"sequence_match", "SELECT user_id, sequence_match('(?1).*(?t<=86400)(?2)', ts, event = 'view', event = 'pay') "
                     "FROM events GROUP BY user_id ORDER BY user_id"},
  {"sequence_count", "SELECT user_id, sequence_count('(?1)(?2)', ts, event = 'view', event = 'cart') OVER "
                     "(PARTITION BY user_id ORDER BY ts) FROM events ORDER BY user_id, ts"},
  {"sequence_next_node", "SELECT user_id, sequence_next_node(ts, event, 1, event = 'cart', 'forward,first_match') "
                         "FROM events GROUP BY user_id ORDER BY user_id"},
  {"retention", "SELECT user_id, retention(event = 'view', event = 'cart', event = 'pay') FROM events "
                "GROUP BY user_id ORDER BY user_id"},
  {"funnel", "SELECT * FROM funnel('events', '1 day', 'view,cart,pay')"},
  {"funnel", "SELECT * FROM funnel('SELECT user_id, ts, event, channel FROM events', 86400, "
             "'[\"view\",\"cart\"]', 'strict_order')"},
  {"funnel_actors", "SELECT * FROM funnel_actors('events', '1 day', 'view,cart,pay')"},
  {"cohort_retention", "SELECT * FROM cohort_retention('SELECT user_id, ts FROM events', 'week')"},
  {"cohort_retention", "SELECT * FROM cohort_retention('SELECT user_id, ts FROM events', 'month', 'periods=3, as_of=2024-06-30')"},
  {"repurchase", "SELECT * FROM repurchase('SELECT customer_id, ts FROM orders', 'month')"},
  {"repurchase", "SELECT * FROM repurchase('SELECT customer_id, ts, amount > 10 FROM orders', 'week', "
                 "'count=orders, segment=last, tz=+08:00, as_of=2024-03-01')"},
  {"clv", "SELECT * FROM clv('SELECT customer_id, ts, amount FROM orders', "
          "'unit=week, r=0.24, alpha=4.4, a=0.79, b=2.4, p=6.25, q=3.74, v=15.4')"},
  {"clv_fit", "SELECT * FROM clv_fit('SELECT customer_id, ts, amount FROM orders', "
              "'r=0.24, alpha=4.4, a=0.79, b=2.4, p=6.25, q=3.74, v=15.4')"},
  {"clv_fit", "SELECT * FROM clv_fit('SELECT customer_id, ts, amount FROM orders', 'penalizer=0.01')"},
  {"rfm", "SELECT * FROM rfm('orders', '2024-07-01')"},
  {"rfm", "SELECT * FROM rfm('SELECT customer_id, ts, amount FROM orders', '2024-07-01', 'bins=3')"},
  {"rfm_segments", "SELECT scheme, count(*) FROM rfm_segments GROUP BY scheme ORDER BY scheme"},
  {"rfm_segment", "SELECT rfm_segment(5, 5, 5), rfm_segment(1, 1, 1)"},
  {"promo_price", "SELECT promo_price(100, 3, '{\"type\":\"discount\",\"rate\":0.8}')"},
  {"promo_price", "SELECT promo_price('19.99', 2, '{\"type\":\"buy_x_get_y\",\"buy\":1,\"get\":1,\"rate\":0.5}')"},
  {"promo_price_cents", "SELECT promo_price_cents(100, 5, '{\"type\":\"tiered_discount\",\"tiers\":"
                        "[{\"qty\":2,\"rate\":0.95},{\"qty\":5,\"rate\":0.8}]}')"},
  {"promo_apply", "SELECT * FROM promo_apply('cart', 'promotions')"},
  {"bar", "SELECT bar(3, 10), bar(0.5, 1, 8)"},
  {"shade", "SELECT shade(0.3), shade(NULL)"},
  {"promo_check", "SELECT * FROM promo_check('promotions')"},
  {"lifecycle", "SELECT * FROM lifecycle('SELECT user_id, ts FROM events', 'week')"},
  {"lifecycle", "SELECT * FROM lifecycle('SELECT user_id, ts, channel FROM events', 'month', "
                "'segment=last, tz=+08:00, from=2024-01-01, as_of=2024-06-01')"},
  {"lifecycle", "SELECT * FROM lifecycle('SELECT user_id, ts, ts FROM events', 'day', 'compat=posthog')"},
  {"lifecycle_actors", "SELECT * FROM lifecycle_actors('SELECT user_id, ts, channel FROM events', 'week')"},
  {"actor_status", "SELECT * FROM actor_status('SELECT user_id, ts FROM events', '2024-04-02', 'short=3, long=60')"},
  {"actor_transitions", "SELECT * FROM actor_transitions('SELECT user_id, ts FROM events', '2024-01-03', '2024-04-02')"},
  {"stickiness", "SELECT * FROM stickiness('SELECT user_id, ts FROM events', 'week', 'day')"},
  {"stickiness", "SELECT * FROM stickiness('SELECT user_id, ts FROM events', 'range', 'hour', "
                 "'every=24, min_events=2, to=2024-03-06')"},
  {"active_users", "SELECT * FROM active_users('SELECT user_id, ts FROM events')"},
  {"active_users", "SELECT * FROM active_users('SELECT user_id, ts FROM events', 'every=month, calendar')"},
  {"paths", "SELECT * FROM paths('SELECT user_id, ts, event FROM events')"},
  {"paths", "SELECT * FROM paths('SELECT user_id, ts, event, channel FROM events', 'start=view, top=2, timing=last')"},
  {"path_actors", "SELECT * FROM path_actors('SELECT user_id, ts, event FROM events', 'end=pay, steps=3')"},
  {"churn_points", "SELECT * FROM churn_points('SELECT user_id, ts, event FROM events', NULL, 'depth=2')"},
};

#define HARNESS_NQUERIES ((int)(sizeof harness_queries / sizeof harness_queries[0]))

/* Runs sql and renders every row as "a|b|c\n" (NULL as NULL) into a sqlite3_str result;
** returns the result code of the last step (SQLITE_DONE on success) and *out (caller frees). */
static int harness_run(sqlite3 *db, const char *sql, char **out) {
  sqlite3_stmt *st = NULL;
  *out = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc != SQLITE_OK) return rc;
  sqlite3_str *s = sqlite3_str_new(NULL);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    for (int c = 0; c < sqlite3_column_count(st); c++) {
      int type = sqlite3_column_type(st, c);
      const unsigned char *t = sqlite3_column_text(st, c);
      if (!t && type != SQLITE_NULL) { rc = SQLITE_NOMEM; break; }  /* conversion out of memory */
      sqlite3_str_appendf(s, "%s%s", c ? "|" : "", t ? (const char *)t : "NULL");
    }
    if (rc == SQLITE_NOMEM) break;
    sqlite3_str_appendchar(s, 1, '\n');
  }
  sqlite3_finalize(st);
  if (sqlite3_str_errcode(s)) rc = SQLITE_NOMEM;
  *out = sqlite3_str_finish(s);
  return rc;
}

#endif
