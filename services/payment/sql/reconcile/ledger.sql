SELECT p.id::text AS id, p.gateway_order_id, p.currency,
       coalesce((SELECT sum(amount_minor) FROM payment.ledger l
                 WHERE l.payment_id = p.id AND l.kind = 'captured'), 0)::bigint AS captured,
       coalesce((SELECT -sum(amount_minor) FROM payment.ledger l
                 WHERE l.payment_id = p.id AND l.kind = 'refunded'), 0)::bigint AS refunded
FROM payment.payments p WHERE p.gateway_order_id IS NOT NULL ORDER BY p.created_at
