UPDATE payment.payments p
SET status = CASE WHEN (SELECT coalesce(sum(amount_minor), 0) FROM payment.refunds
                        WHERE payment_id = p.id AND status = 'processed') >= p.amount_minor
                  THEN 'refunded' ELSE 'partially_refunded' END,
    updated_at = now()
WHERE id = $1::uuid
RETURNING payer_id::text AS payer_id
