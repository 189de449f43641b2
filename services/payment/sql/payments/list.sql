SELECT p.id::text AS id, p.appointment_id::text AS appointment_id, p.payer_id::text AS payer_id,
       p.organization_id::text AS organization_id, p.amount_minor, p.currency, p.status, p.gateway,
       coalesce(p.gateway_order_id, '') AS gateway_order_id, p.gateway_payment_id, p.failure_reason,
       extract(epoch from p.created_at)::bigint AS created_s,
       extract(epoch from p.updated_at)::bigint AS updated_s,
       extract(epoch from p.captured_at)::bigint AS captured_s,
       (extract(epoch from p.created_at) * 1000000)::bigint AS created_us
FROM payment.payments p
WHERE p.status = ANY($1::text[]) AND ($2 = '' OR p.appointment_id = nullif($2, '')::uuid)
  AND (NOT $3::bool OR (p.created_at, p.id) < (timestamptz 'epoch' + $4::bigint * interval '1 microsecond', $5::uuid))
ORDER BY p.created_at DESC, p.id DESC LIMIT $6
