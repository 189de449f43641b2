UPDATE payment.refunds SET status = 'processed', processed_at = now()
WHERE gateway_refund_id = $1 AND status = 'pending'
RETURNING id::text AS id, payment_id::text AS payment_id, amount_minor, currency, initiated_by
