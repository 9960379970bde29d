#!/bin/sh
# sql/report.sql on two small databases: empty tables (every section still renders, totals 0)
# and hand-made rows whose event name needs HTML escaping. Expected values by hand below.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
schema="CREATE TABLE events(user_id INTEGER, ts TEXT, event TEXT);
        CREATE TABLE orders(order_id INTEGER PRIMARY KEY, customer_id INTEGER, ts TEXT, amount REAL);"
fail() { echo "report edges: $*"; exit 1; }

sqlite3 "$tmp/empty.db" "$schema"
sqlite3 "$tmp/empty.db" < sql/report.sql > "$tmp/empty.html" || fail "the report fails on empty tables"
for want in 'id="funnel-actors-1">0<' 'no activity' 'id="rfm-n-total">0<' 'id="rfm-rev-total">0.00<' 'id="head-orders">0<' 'id="head-customers">0<' '</body></html>'; do
  grep -qF "$want" "$tmp/empty.html" || fail "empty tables: no '$want' in the page"
done

# User 1 views then does 'c<a>rt&' 5 minutes later (step 2 reached), user 2 only views:
# 2 actors at step 1, 1 at step 2. Both first show up in the week of Monday 2024-01-01 (a cohort
# of 2, 100% in week 0). Orders 10.50 + 3.00 = 13.50 from 2 customers. Paths from the first
# view: 2 actors at view, 1 goes on to 'c<a>rt&' and stops there.
sqlite3 "$tmp/odd.db" "$schema
  INSERT INTO events VALUES (1, '2024-01-01 10:00', 'view'), (1, '2024-01-01 10:05', 'c<a>rt&'), (2, '2024-01-02 09:00', 'view');
  INSERT INTO orders VALUES (1, 1, '2024-01-01 10:06', 10.5), (2, 2, '2024-01-09', 3);"
sqlite3 -cmd ".parameter init" -cmd ".parameter set @funnel_steps \"'view,c<a>rt&'\"" "$tmp/odd.db" \
  < sql/report.sql > "$tmp/odd.html" || fail "the report fails on the hand-made database"
for want in 'id="funnel-actors-1">2<' 'id="funnel-actors-2">1<' 'c&lt;a&gt;rt&amp;' 'id="ret-size-2024-01-01">2<' 'id="ret-2024-01-01-0"' '>100.0%<' 'id="rfm-n-total">2<' 'id="rfm-rev-total">13.50<' \
            'id="pa-0-view">2<' 'id="pa-1-c&lt;a&gt;rt&amp;">1<' 'id="pa-drop-1-c&lt;a&gt;rt&amp;">1<'; do
  grep -qF "$want" "$tmp/odd.html" || fail "hand-made rows: no '$want' in the page"
done
! grep -qF 'c<a>' "$tmp/odd.html" || fail "an event name reached the page unescaped"
for f in empty odd; do ! grep -qF 'id="clv"' "$tmp/$f.html" || fail "$f: a lifetime-value section on too few customers"; done
# A shop with only orders, timestamps as Unix seconds: no funnel section, retention by month of
# first purchase, RFM, and a header in dates. Customer 7: 2024-01-15 and 2024-02-10 (a cohort of
# 1, retained in month 1); customer 8: 2024-02-20. 3 orders, 2 customers, 2024-01-15 .. 2024-02-20.
# Lifecycle by month: January 1 new (7); February 1 new (8) and 1 retained (7). On 2024-02-20 one
# customer is active that day and in its week (8), two in its 30 days (7 on 02-10, and 8).
sqlite3 "$tmp/orders.db" "CREATE TABLE orders(order_id INTEGER PRIMARY KEY, customer_id INTEGER, ts INTEGER, amount REAL);
  INSERT INTO orders VALUES (1, 7, 1705276800, 20), (2, 7, 1707523200, 30), (3, 8, 1708387200, 5);"
sqlite3 "$tmp/orders.db" < sql/report.sql > "$tmp/orders.html" || fail "the report fails on a shop with only orders"
for want in 'id="head-actors">2<' 'id="head-actors-from">2024-01-15<' 'id="head-actors-to">2024-02-20<' \
            'id="head-orders">3<' 'id="head-customers">2<' 'id="head-orders-from">2024-01-15<' 'id="head-orders-to">2024-02-20<' \
            'Retention by month' 'id="ret-size-2024-01-01">1<' 'id="ret-2024-01-01-1"' 'id="rfm-n-total">2<' 'id="rfm-rev-total">55.00<' \
            'id="lc-new-2024-01-01">1<' 'id="lc-new-2024-02-01">1<' 'id="lc-retained-2024-02-01">1<' \
            'id="au-dau-2024-02-20">1<' 'id="au-wau-2024-02-20">1<' 'id="au-mau-2024-02-20">2<'; do
  grep -qF "$want" "$tmp/orders.html" || fail "only orders: no '$want' in the page"
done
! grep -qF 'id="funnel"' "$tmp/orders.html" || fail "only orders: a funnel section without events"
! grep -qF '17052' "$tmp/orders.html" || fail "only orders: epoch seconds in the page"
echo "report edges: empty tables, escaping and a shop with only orders ok"
