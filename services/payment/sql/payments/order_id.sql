SELECT coalesce(gateway_order_id, '') AS gateway_order_id FROM payment.payments WHERE id = $1::uuid
