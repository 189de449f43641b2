SELECT coalesce(sum(amount_minor), 0)::bigint AS total FROM payment.refunds
WHERE payment_id = $1::uuid AND status <> 'failed'
