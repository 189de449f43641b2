SELECT r.id::text AS id, r.payment_id::text AS payment_id, r.amount_minor, r.currency, r.status,
       r.reason, r.initiated_by, r.gateway_refund_id,
       extract(epoch from r.created_at)::bigint AS created_s,
       extract(epoch from r.processed_at)::bigint AS processed_s
FROM payment.refunds r WHERE r.id = $1::uuid
