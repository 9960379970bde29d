-- Promotions: one demo order priced through promo_apply (activities, coupon apportioned, profit).
SELECT line_id, sku, qty, list_amount, promo_id, discount, coupon_discount AS coupon, final_amount, profit
FROM promo_apply('SELECT * FROM cart WHERE order_id = 1011', 'promotions');
