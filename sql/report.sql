-- report.sql: one self-contained HTML page (inline CSS and SVG, nothing fetched from the network)
-- with the funnel, the retention triangle, the lifecycle of the active base, DAU/WAU/MAU, the paths
-- from the landing event (a Sankey diagram) and the churn points, the RFM segments and their
-- lifetime value, every number taken from the extension's outputs: funnel(), cohort_retention(),
-- lifecycle(), active_users(), paths(), churn_points(), rfm(), clv(), repurchase().
--
--   sqlite3 shop.db < sql/report.sql > report.html        (from the folder holding growth.so)
--   make report                                             (the demo: build/report.html)
--
-- Sources are parameters. Their defaults follow the tables the database has: with
-- events(user_id, ts, event) the funnel and the weekly retention of first activity; with only
-- orders(order_id, customer_id, ts, amount), the monthly retention of first purchase; RFM from
-- orders. A section whose source is NULL is left out. Defaults are set below with INSERT OR
-- IGNORE, so values set before this script runs win, e.g.:
--   sqlite3 -cmd ".parameter init" -cmd ".parameter set @period month" shop.db < sql/report.sql
-- Parameters: @activity_source (actor, ts: the header's extent), @funnel_source, @funnel_window,
--             @funnel_steps, @funnel_options, @retention_source, @period, @retention_options,
--             @lifecycle_options, @rfm_source, @rfm_options, @clv_source, @clv_options,
--             @paths_source (actor, ts, event), @paths_options, @churn_options.
-- The lifecycle and DAU/WAU/MAU read @retention_source with @period; expected purchases by RFM
-- segment read @clv_source (customer, ts, and NULL for the amount: BG/NBD only) with @clv_options.
.bail on
.load ./growth
.mode list
.headers off
.nullvalue ''
.parameter init
WITH has(events, orders) AS (
  SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type IN ('table', 'view') AND name = 'events'),
         EXISTS (SELECT 1 FROM sqlite_schema WHERE type IN ('table', 'view') AND name = 'orders'))
INSERT OR IGNORE INTO temp.sqlite_parameters(key, value)
  SELECT '@activity_source', CASE WHEN events THEN 'SELECT user_id, ts FROM events'
                                  WHEN orders THEN 'SELECT customer_id, ts FROM orders' END FROM has
  UNION ALL SELECT '@funnel_source', CASE WHEN events THEN 'SELECT user_id, ts, event FROM events' END FROM has
  UNION ALL SELECT '@funnel_window', '1 day'
  UNION ALL SELECT '@funnel_steps', 'view,cart,checkout,pay'
  UNION ALL SELECT '@funnel_options', ''
  UNION ALL SELECT '@retention_source', CASE WHEN events THEN 'SELECT user_id, ts FROM events'
                                             WHEN orders THEN 'SELECT customer_id, ts FROM orders' END FROM has
  UNION ALL SELECT '@period', CASE WHEN events THEN 'week' ELSE 'month' END FROM has
  UNION ALL SELECT '@retention_options', CASE WHEN events THEN 'periods=13' ELSE 'periods=12' END FROM has
  UNION ALL SELECT '@rfm_source', CASE WHEN orders THEN 'SELECT customer_id, ts, amount, order_id FROM orders' END FROM has
  UNION ALL SELECT '@lifecycle_options', ''
  UNION ALL SELECT '@rfm_options', ''
  UNION ALL SELECT '@clv_source', CASE WHEN orders THEN 'SELECT customer_id, ts, NULL FROM orders' END FROM has
  UNION ALL SELECT '@clv_options', ''
  UNION ALL SELECT '@paths_source', CASE WHEN events THEN 'SELECT user_id, ts, event FROM events' END FROM has
  UNION ALL SELECT '@paths_options', 'start=view, steps=4'
  UNION ALL SELECT '@churn_options', '';

-- Page head and the data's extent.
SELECT '<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Growth report</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC",sans-serif;color:#1f2937;margin:24px auto;max-width:1100px;padding:0 16px;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:2px solid #e5e7eb;padding-bottom:4px}
.meta,.note{color:#6b7280;font-size:12px}
table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 8px;text-align:right;white-space:nowrap}
th{font-weight:600;color:#374151;border-bottom:1px solid #d1d5db}td.l,th.l{text-align:left}
tr.total td{border-top:1px solid #d1d5db;font-weight:600}
table.heat td{min-width:44px;font-size:12px;border:1px solid #fff}
table.heat td.partial{background-image:repeating-linear-gradient(45deg,transparent 0 3px,rgba(128,128,128,.45) 3px 5px);outline:1px dashed #9ca3af;outline-offset:-2px}
.bar{display:inline-block;height:10px;background:#2563eb;vertical-align:middle;border-radius:2px}
svg text{font-size:13px;fill:#1f2937}
</style></head><body>
<h1>Growth report</h1>
<p class="meta">' ||
  coalesce((SELECT printf('<span id="head-actors">%,d</span> actors', coalesce(sum(new_buyers), 0)) ||
                   CASE WHEN count(*) > 0 THEN printf(' active from <span id="head-actors-from">%s</span> to <span id="head-actors-to">%s</span>',
                                                      min(period), max(period)) ELSE '' END || '; '
            FROM repurchase(@activity_source, 'day') WHERE buyers > 0 AND @activity_source IS NOT NULL), '') ||
  coalesce((SELECT printf('<span id="head-orders">%,d</span> orders of <span id="head-customers">%,d</span> customers',
                          coalesce(sum(frequency), 0), count(*)) ||
                   CASE WHEN count(*) > 0 THEN printf(' from <span id="head-orders-from">%s</span> to <span id="head-orders-to">%s</span>',
                                                      substr(min(first_ts), 1, 10), substr(max(last_ts), 1, 10)) ELSE '' END || '. '
            FROM rfm(@rfm_source, NULL, @rfm_options) WHERE @rfm_source IS NOT NULL), '') ||
  'Every figure below comes from ' || growth_version() || '.</p>';

-- Funnel: one bar per step (SVG), then the table with conversions and time between steps.
WITH f AS (
  SELECT step, event, actors, conversion_from_prev AS prev, conversion_from_first AS first, dropped, median_seconds AS med,
         max(actors) OVER () AS top, count(*) OVER () AS steps
  FROM funnel(@funnel_source, @funnel_window, @funnel_steps, @funnel_options)
  ORDER BY step),
e AS (SELECT *, replace(replace(replace(event, '&', '&amp;'), '<', '&lt;'), '>', '&gt;') AS ev,
             CASE WHEN top > 0 THEN round(actors * 480.0 / top, 1) ELSE 0 END AS w,
             CASE WHEN med IS NULL THEN ''
                  WHEN med < 60 THEN printf('%ds', CAST(med AS INTEGER))
                  WHEN med < 3600 THEN printf('%dm %02ds', CAST(med AS INTEGER) / 60, CAST(med AS INTEGER) % 60)
                  WHEN med < 86400 THEN printf('%dh %02dm', CAST(med AS INTEGER) / 3600, CAST(med AS INTEGER) % 3600 / 60)
                  ELSE printf('%dd %02dh', CAST(med AS INTEGER) / 86400, CAST(med AS INTEGER) % 86400 / 3600) END AS med_text
      FROM f)
SELECT '<section id="funnel"><h2>Funnel: ' || replace(replace(replace(replace(@funnel_steps, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), ',', ' &#8594; ') ||
       ' within ' || replace(replace(replace(@funnel_window, '&', '&amp;'), '<', '&lt;'), '>', '&gt;') || '</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="1040" height="' || (max(steps) * 56 + 8) || '" role="img" aria-label="funnel">' ||
  group_concat(
    printf('<text x="130" y="%d" text-anchor="end" font-weight="600">%s</text>', (step - 1) * 56 + 33, ev) ||
    printf('<rect x="140" y="%d" width="%s" height="40" rx="3" fill="hsl(220,75%%,%d%%)"/>', (step - 1) * 56 + 8, w, 40 + step * 6) ||
    printf('<text x="%s" y="%d"><tspan font-weight="600">%s</tspan>%s</text>', 150 + w, (step - 1) * 56 + 33,
           printf('%,d', actors), CASE WHEN step = 1 THEN ' actors'
                                       ELSE printf(' &#183; %.1f%% of previous &#183; %.1f%% of first', 100.0 * prev, 100.0 * first) END), '') ||
  '</svg>
<table><tr><th>step</th><th class="l">event</th><th>actors</th><th>of previous</th><th>of first</th><th>dropped</th><th>median time from previous</th></tr>' ||
  group_concat(
    printf('<tr><td>%d</td><td class="l">%s</td><td id="funnel-actors-%d">%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>',
           step, ev, step, printf('%,d', actors), printf('%.1f%%', 100.0 * prev), printf('%.1f%%', 100.0 * first),
           printf('%,d', dropped), med_text), '') ||
  '</table></section>'
FROM e HAVING count(*) > 0;

-- Retention: cohorts down, periods across, each cell shaded by its rate; a cell whose period has
-- not fully elapsed yet is hatched (its rate can still grow).
WITH r AS (
  SELECT cohort, cohort_size, period, retained, rate, complete
  FROM cohort_retention(@retention_source, @period, @retention_options)),
grid(p) AS (SELECT 0 UNION ALL SELECT p + 1 FROM grid WHERE p < (SELECT max(period) FROM r)),
cohorts AS (SELECT cohort, max(cohort_size) AS size FROM r GROUP BY cohort ORDER BY cohort),
cells AS (
  SELECT c.cohort, c.size, g.p,
         CASE WHEN r.period IS NULL THEN '<td></td>'
              ELSE printf('<td%s id="ret-%s-%d" title="%s of %s" style="background:rgba(37,99,235,%.2f);color:%s">%s</td>',
                          CASE WHEN r.complete THEN '' ELSE ' class="partial"' END, c.cohort, g.p,
                          printf('%,d', r.retained), printf('%,d', c.size), 0.08 + 0.92 * r.rate,
                          CASE WHEN r.rate > 0.45 THEN '#fff' ELSE '#111827' END, printf('%.1f%%', 100.0 * r.rate)) END AS td
  FROM cohorts c CROSS JOIN grid g LEFT JOIN r ON r.cohort = c.cohort AND r.period = g.p
  ORDER BY c.cohort, g.p),
rows_html AS (
  SELECT cohort, printf('<tr><td class="l">%s</td><td id="ret-size-%s">%s</td>', cohort, cohort, printf('%,d', size)) ||
                 group_concat(td, '') || '</tr>' AS tr
  FROM cells GROUP BY cohort ORDER BY cohort)
SELECT '<section id="retention"><h2>Retention by ' || replace(replace(replace(@period, '&', '&amp;'), '<', '&lt;'), '>', '&gt;') || ' of first activity</h2>
<table class="heat"><tr><th class="l">cohort</th><th>actors</th>' ||
  (SELECT group_concat('<th>' || p || '</th>', '') FROM grid) || '</tr>' ||
  coalesce((SELECT group_concat(tr, '') FROM rows_html), '<tr><td class="l" colspan="3">no activity</td></tr>') ||
  '</table><p class="note">Rate = actors of the cohort active in that ' || replace(replace(replace(@period, '&', '&amp;'), '<', '&lt;'), '>', '&gt;') ||
  ' after their first; hatched cells have not fully elapsed yet.</p></section>'
WHERE @retention_source IS NOT NULL;

-- Lifecycle (PostHog's chart): per period, new, retained and resurrecting actors stacked above
-- the axis and those who went dormant below it; the table under the chart has every count.
WITH l AS (
  SELECT period, new, retained, resurrecting, dormant, active, complete,
         row_number() OVER (ORDER BY period) - 1 AS i, count(*) OVER () AS n,
         max(new + retained + resurrecting) OVER () AS top_up, max(dormant) OVER () AS top_down
  FROM lifecycle(@retention_source, @period, @lifecycle_options)),
geo AS (SELECT *, CASE WHEN n > 0 THEN min(36, 960 / n) ELSE 36 END AS step, 120.0 / max(top_up, top_down, 1) AS k FROM l),
bars AS (
  SELECT i, printf('<g><title>%s: %d new, %d retained, %d resurrecting, %d dormant</title>', period, new, retained, resurrecting, dormant) ||
            printf('<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="#16a34a"/>', 60 + i * step, 140 - k * new, step - 4, k * new) ||
            printf('<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="#2563eb"/>', 60 + i * step, 140 - k * (new + retained), step - 4, k * retained) ||
            printf('<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="#f59e0b"/>', 60 + i * step, 140 - k * (new + retained + resurrecting), step - 4, k * resurrecting) ||
            printf('<rect x="%d" y="140" width="%d" height="%.1f" fill="#dc2626"/></g>', 60 + i * step, step - 4, k * dormant) AS svg,
         printf('<tr%s><td class="l">%s</td><td id="lc-new-%s">%s</td><td id="lc-retained-%s">%s</td><td id="lc-resurrecting-%s">%s</td><td id="lc-dormant-%s">%s</td><td>%s</td></tr>',
                CASE WHEN complete THEN '' ELSE ' class="partial"' END, period, period, printf('%,d', new), period, printf('%,d', retained),
                period, printf('%,d', resurrecting), period, printf('%,d', dormant), printf('%,d', active)) AS tr
  FROM geo ORDER BY i)
SELECT '<section id="lifecycle"><h2>Lifecycle by ' || replace(replace(replace(@period, '&', '&amp;'), '<', '&lt;'), '>', '&gt;') || '</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="1040" height="290" role="img" aria-label="lifecycle">' ||
  '<line x1="56" y1="140" x2="1030" y2="140" stroke="#6b7280"/>' || group_concat(svg, '') ||
  '<rect x="60" y="272" width="10" height="10" fill="#16a34a"/><text x="74" y="281">new</text>' ||
  '<rect x="130" y="272" width="10" height="10" fill="#2563eb"/><text x="144" y="281">retained</text>' ||
  '<rect x="230" y="272" width="10" height="10" fill="#f59e0b"/><text x="244" y="281">resurrecting</text>' ||
  '<rect x="360" y="272" width="10" height="10" fill="#dc2626"/><text x="374" y="281">dormant (below the axis)</text></svg>
<table><tr><th class="l">period</th><th>new</th><th>retained</th><th>resurrecting</th><th>dormant</th><th>active</th></tr>' ||
  (SELECT group_concat(tr, '') FROM bars) ||
  '</table><p class="note">New: first active period; retained: active in the period before too; resurrecting: back after a gap; dormant: active in the period before, not in this one.</p></section>'
FROM bars WHERE @retention_source IS NOT NULL HAVING count(*) > 0;

-- DAU, WAU and MAU: actors active on the day, in the 7 and in the 30 days ending with it, as
-- three lines over every day; the table lists the last seven days.
WITH a AS (
  SELECT day, dau, wau, mau, row_number() OVER (ORDER BY day) - 1 AS i, count(*) OVER () AS n, max(mau) OVER () AS top
  FROM active_users(@retention_source)),
pts AS (
  SELECT group_concat(printf('%.1f,%.1f', 60 + i * 960.0 / max(n - 1, 1), 190 - 180.0 * dau / max(top, 1)), ' ') AS dau_pts,
         group_concat(printf('%.1f,%.1f', 60 + i * 960.0 / max(n - 1, 1), 190 - 180.0 * wau / max(top, 1)), ' ') AS wau_pts,
         group_concat(printf('%.1f,%.1f', 60 + i * 960.0 / max(n - 1, 1), 190 - 180.0 * mau / max(top, 1)), ' ') AS mau_pts,
         max(top) AS top, min(day) AS first, max(day) AS last
  FROM (SELECT * FROM a ORDER BY i)),
last7 AS (SELECT * FROM a WHERE i >= n - 7 ORDER BY day)
SELECT '<section id="active"><h2>Daily, weekly and monthly active actors</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="1040" height="230" role="img" aria-label="DAU, WAU and MAU">' ||
  '<line x1="56" y1="190" x2="1030" y2="190" stroke="#6b7280"/>' ||
  printf('<text x="52" y="16" text-anchor="end">%s</text><text x="52" y="194" text-anchor="end">0</text>', printf('%,d', top)) ||
  printf('<text x="60" y="210">%s</text><text x="1020" y="210" text-anchor="end">%s</text>', first, last) ||
  '<polyline fill="none" stroke="#9333ea" stroke-width="1.5" points="' || mau_pts || '"/>' ||
  '<polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="' || wau_pts || '"/>' ||
  '<polyline fill="none" stroke="#16a34a" stroke-width="1" points="' || dau_pts || '"/>' ||
  '<text x="140" y="225" fill="#9333ea">MAU</text><text x="200" y="225" fill="#2563eb">WAU</text><text x="260" y="225" fill="#16a34a">DAU</text></svg>
<table><tr><th class="l">day</th><th>DAU</th><th>WAU</th><th>MAU</th><th>DAU/MAU</th></tr>' ||
  (SELECT group_concat(printf('<tr><td class="l">%s</td><td id="au-dau-%s">%s</td><td id="au-wau-%s">%s</td><td id="au-mau-%s">%s</td><td>%.1f%%</td></tr>',
                              day, day, printf('%,d', dau), day, printf('%,d', wau), day, printf('%,d', mau),
                              CASE WHEN mau > 0 THEN 100.0 * dau / mau ELSE 0 END), '') FROM last7) ||
  '</table></section>'
FROM pts WHERE @retention_source IS NOT NULL AND top IS NOT NULL;

-- Paths from the landing event (a Sankey diagram of paths(): one column per step, a node per
-- event sized by its actors, bands between nodes as wide as the actors who went that way), the
-- drop-offs per node, and where churned actors were when they left (churn_points()).
WITH p AS (SELECT * FROM paths(@paths_source, @paths_options)),
top AS (SELECT max(actors) AS a0, min(step) AS s0 FROM p WHERE kind = 'node' AND step = (SELECT min(step) FROM p)),
k AS (SELECT 300.0 / max(a0, 1) AS k, s0 FROM top),
nodes AS (
  SELECT p.step, p.from_event AS ev, p.actors, 60 + (p.step - k.s0) * 250 AS x,
         20 + coalesce(sum(p.actors * k.k + 14) OVER (PARTITION BY p.step ORDER BY p.actors DESC, p.from_event
                                                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS y,
         p.actors * k.k AS h,
         (SELECT d.actors FROM p AS d WHERE d.kind = 'dropoff' AND d.step = p.step AND d.from_event = p.from_event) AS dropped
  FROM p, k WHERE p.kind = 'node'),
edges AS (
  SELECT e.actors * k.k AS w, nf.x + 14 AS x1, nt.x AS x2,
         nf.y + k.k * (sum(e.actors) OVER (PARTITION BY e.step, e.from_event ORDER BY nt.y) - e.actors) AS y1,
         nt.y + k.k * (sum(e.actors) OVER (PARTITION BY e.step + 1, e.to_event ORDER BY nf.y) - e.actors) AS y2,
         e.from_event, e.to_event, e.actors
  FROM p AS e JOIN nodes AS nf ON nf.step = e.step AND nf.ev = e.from_event
  JOIN nodes AS nt ON nt.step = e.step + 1 AND nt.ev = e.to_event, k WHERE e.kind = 'edge'),
esc(s, t, id) AS (
  SELECT ev, replace(replace(replace(ev, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
         replace(replace(replace(replace(replace(ev, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), ' ', '-')
  FROM (SELECT DISTINCT ev FROM nodes)),
svg AS (
  SELECT (SELECT group_concat(printf('<path d="M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f L%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f Z" fill="#2563eb" fill-opacity="0.25"><title>%s &#8594; %s: %d</title></path>',
                                     x1, y1, (x1 + x2) / 2.0, y1, (x1 + x2) / 2.0, y2, x2, y2, x2, y2 + w,
                                     (x1 + x2) / 2.0, y2 + w, (x1 + x2) / 2.0, y1 + w, x1, y1 + w,
                                     (SELECT t FROM esc WHERE s = from_event), (SELECT t FROM esc WHERE s = to_event), actors), '') FROM edges) AS bands,
         (SELECT group_concat(printf('<rect x="%d" y="%.1f" width="14" height="%.1f" fill="#1e3a8a"/><text x="%d" y="%.1f">%s <tspan id="pa-%d-%s">%s</tspan></text>',
                                     x, y, max(h, 1), x + 18, y + min(h / 2, 20) + 5, (SELECT t FROM esc WHERE s = ev), step,
                                     (SELECT id FROM esc WHERE s = ev), printf('%,d', actors)), '') FROM nodes) AS boxes,
         (SELECT max(y + h) FROM nodes) AS bottom),
drops AS (SELECT * FROM nodes ORDER BY step, actors DESC, ev)
SELECT '<section id="paths"><h2>Paths from ' || replace(replace(replace(coalesce(@paths_options, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;') || '</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="1040" height="' || CAST(bottom + 20 AS INTEGER) || '" role="img" aria-label="paths">' ||
  bands || boxes || '</svg>
<table><tr><th>step</th><th class="l">event</th><th>actors</th><th>stopped there</th></tr>' ||
  (SELECT group_concat(printf('<tr><td>%d</td><td class="l">%s</td><td>%s</td><td id="pa-drop-%d-%s">%s</td></tr>', step,
                              (SELECT t FROM esc WHERE s = ev), printf('%,d', actors), step, (SELECT id FROM esc WHERE s = ev),
                              printf('%,d', coalesce(dropped, 0))), '') FROM drops) ||
  '</table><p class="note">Journeys start at each actor''s first landing event and end after a gap of more than 30 minutes; repeats of one event count once. Stopped there: the journey ended at that node.</p></section>'
FROM svg WHERE @paths_source IS NOT NULL AND bottom IS NOT NULL;

WITH c AS (SELECT * FROM churn_points(@paths_source, NULL, @churn_options))
SELECT '<section id="churn"><h2>Churn points (流失点)</h2>
<table><tr><th class="l">last events</th><th>actors</th><th>share</th><th>median days since</th></tr>' ||
  group_concat(printf('<tr><td class="l">%s</td><td id="cp-%s">%s</td><td>%.1f%%</td><td>%.1f</td></tr>',
                      replace(replace(replace(last_events, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                      replace(replace(replace(replace(replace(replace(last_events, ' > ', '-'), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), ' ', '-'),
                      printf('%,d', actors), 100 * share,
                      median_days_since_last), '') ||
  '</table><p class="note">Actors whose last event lies 30 days or more before the day after the data ends, by that event.</p></section>'
FROM c WHERE @paths_source IS NOT NULL HAVING count(*) > 0;

-- RFM: customers and revenue per named segment, then per Chinese 8-class segment.
WITH c AS (SELECT segment, segment_cn, CAST(round(monetary * 100) AS INTEGER) AS cents
           FROM rfm(@rfm_source, NULL, @rfm_options)),
tot AS (SELECT count(*) AS n, sum(cents) AS cents FROM c),
en AS (SELECT segment AS name, count(*) AS n, sum(cents) AS cents FROM c GROUP BY segment),
cn AS (SELECT segment_cn AS name, count(*) AS n, sum(cents) AS cents FROM c GROUP BY segment_cn),
money(cents, text) AS (SELECT cents, printf('%s%,d.%02d', CASE WHEN cents < 0 THEN '-' ELSE '' END, abs(cents) / 100, abs(cents) % 100)
                       FROM (SELECT cents FROM en UNION SELECT cents FROM cn UNION SELECT cents FROM tot)),
rows_en AS (
  SELECT printf('<tr><td class="l">%s</td><td id="rfm-n-%s">%s</td><td>%.1f%%</td><td id="rfm-rev-%s">%s</td><td>%.1f%%</td><td>%s</td><td class="l"><span class="bar" style="width:%dpx"></span></td></tr>',
                replace(replace(name, '&', '&amp;'), '<', '&lt;'), replace(replace(name, ' ', '-'), '<', ''), printf('%,d', en.n),
                100.0 * en.n / tot.n, replace(replace(name, ' ', '-'), '<', ''), m.text,
                CASE WHEN tot.cents > 0 THEN 100.0 * en.cents / tot.cents ELSE 0 END,
                printf('%.2f', en.cents / 100.0 / en.n),
                CASE WHEN tot.cents > 0 AND en.cents > 0 THEN CAST(round(240.0 * en.cents / (SELECT max(cents) FROM en)) AS INTEGER) ELSE 0 END) AS tr
  FROM en, tot JOIN money m ON m.cents = en.cents ORDER BY en.cents DESC),
rows_cn AS (
  SELECT printf('<tr><td class="l">%s</td><td>%s</td><td>%.1f%%</td><td>%s</td><td>%.1f%%</td></tr>',
                replace(replace(name, '&', '&amp;'), '<', '&lt;'), printf('%,d', cn.n), 100.0 * cn.n / tot.n, m.text,
                CASE WHEN tot.cents > 0 THEN 100.0 * cn.cents / tot.cents ELSE 0 END) AS tr
  FROM cn, tot JOIN money m ON m.cents = cn.cents ORDER BY cn.cents DESC)
SELECT '<section id="rfm"><h2>RFM segments</h2>
<table><tr><th class="l">segment</th><th>customers</th><th>share</th><th>revenue</th><th>share</th><th>avg per customer</th><th></th></tr>' ||
  coalesce((SELECT group_concat(tr, '') FROM rows_en), '') ||
  printf('<tr class="total"><td class="l">all customers</td><td id="rfm-n-total">%s</td><td>100%%</td><td id="rfm-rev-total">%s</td><td>100%%</td><td></td><td></td></tr></table>',
         printf('%,d', tot.n), coalesce((SELECT text FROM money WHERE money.cents = tot.cents), '0.00')) ||
  '<table><tr><th class="l">客户分级 (8 classes)</th><th>customers</th><th>share</th><th>revenue</th><th>share</th></tr>' ||
  coalesce((SELECT group_concat(tr, '') FROM rows_cn), '') ||
  '</table><p class="note">Scores are quintiles of recency, order count and spend as of the latest order (rfm() defaults).</p></section>'
FROM tot WHERE @rfm_source IS NOT NULL;

-- Too few customers do not pin BG/NBD down (clv() would refuse): the section below needs 100
-- customers of whom 10 bought on two days or more, and is left out otherwise.
UPDATE temp.sqlite_parameters SET value = NULL
WHERE key = '@clv_source' AND value IS NOT NULL
  AND ((SELECT value FROM temp.sqlite_parameters WHERE key = '@rfm_source') IS NULL
       OR NOT (SELECT count(*) >= 100 AND coalesce(sum(frequency >= 2), 0) >= 10 FROM rfm(@rfm_source, NULL, 'frequency=days')));

-- Expected purchases and value by RFM segment: BG/NBD (clv() without amounts) gives each
-- customer's P(alive) and expected purchases over the next year; the value prices them at the
-- customer's own mean order value. The Gamma-Gamma spend model is left out on purpose: on a shop
-- whose customers spend about alike (the demo) it has no finite fit (docs/clv.md).
WITH c AS (
  SELECT f.segment, count(*) AS n, avg(v.p_alive) AS p_alive, sum(v.expected_purchases) AS purchases,
         sum(v.expected_purchases * f.monetary / f.frequency) AS value
  FROM clv(@clv_source, @clv_options) v JOIN rfm(@rfm_source, NULL, @rfm_options) f ON f.customer = v.customer
  GROUP BY f.segment),
rows_html AS (
  SELECT printf('<tr><td class="l">%s</td><td id="clv-n-%s">%s</td><td id="clv-alive-%s">%.2f</td><td id="clv-purchases-%s">%s</td><td id="clv-value-%s">%s</td></tr>',
                replace(replace(segment, '&', '&amp;'), '<', '&lt;'), replace(replace(segment, ' ', '-'), '<', ''), printf('%,d', n),
                replace(replace(segment, ' ', '-'), '<', ''), p_alive, replace(replace(segment, ' ', '-'), '<', ''),
                printf('%.1f', purchases), replace(replace(segment, ' ', '-'), '<', ''), printf('%.2f', value)) AS tr
  FROM c ORDER BY value DESC)
SELECT '<section id="clv"><h2>Expected purchases and value by RFM segment</h2>
<table><tr><th class="l">segment</th><th>customers</th><th>mean P(alive)</th><th>expected purchases next year</th><th>at their mean order value</th></tr>' ||
  group_concat(tr, '') ||
  '</table><p class="note">BG/NBD fitted by clv() on the purchase days; each expected purchase priced at the customer''s mean order value.</p></section>'
FROM rows_html HAVING count(*) > 0;

SELECT '<p class="meta">Generated by sql/report.sql with the sqlite3 shell; no scripts, no network.</p></body></html>';
