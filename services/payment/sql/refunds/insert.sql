INSERT INTO payment.refunds (payment_id, amount_minor, currency, status, reason, initiated_by,
                             initiated_by_user, idempotency_key, request_hash)
VALUES ($1::uuid, $2, $3, 'pending', $4, $5, nullif($6, '')::uuid, nullif($7, ''), $8)
RETURNING id::text AS id
