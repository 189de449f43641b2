UPDATE payment.payments SET updated_at = now()
WHERE gateway_order_id = $1 AND status IN ('created', 'authorized')
