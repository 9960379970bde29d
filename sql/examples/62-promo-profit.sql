-- Promotions: what each activity gave away and earned over the demo carts.
SELECT coalesce(promo_id, '(none)') AS activity, count(*) AS lines, sum(discount) AS discount,
       round(sum(final_amount), 2) AS revenue, round(sum(profit), 2) AS profit,
       round(100 * sum(profit) / sum(final_amount), 1) AS margin_pct, sum(below_cost) AS below_cost
FROM promo_apply('cart', 'promotions') GROUP BY promo_id ORDER BY discount DESC;
