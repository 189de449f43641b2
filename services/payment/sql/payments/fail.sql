UPDATE payment.payments SET status = 'failed', failure_reason = $2, updated_at = now()
WHERE gateway_order_id = $1 AND status IN ('created', 'authorized')
RETURNING id::text AS id
