UPDATE payment.payments SET status = 'created', gateway_order_id = $2, updated_at = now()
WHERE id = $1::uuid AND status = 'creating' RETURNING 1
