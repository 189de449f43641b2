SELECT id::text AS id, request_hash FROM payment.refunds
WHERE payment_id = $1::uuid AND idempotency_key = $2
