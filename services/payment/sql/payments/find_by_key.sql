SELECT id::text AS id, request_hash FROM payment.payments
WHERE payer_id = $1::uuid AND idempotency_key = $2
