-- Promotions: promo_check finds overlapping activities and prices below the profit band.
SELECT promo_id, other_promo_id, sku, problem, detail
FROM promo_check('promotions', 'costs=products, min_margin=0.25');
