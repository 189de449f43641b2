SELECT amount_minor, extract(epoch from coalesce(processed_at, now()))::bigint AS issued_s
FROM payment.refunds WHERE id = $1::uuid
