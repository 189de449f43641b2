SELECT p.id::text AS id, p.appointment_id::text AS appointment_id, p.payer_id::text AS payer_id,
       p.organization_id::text AS organization_id, p.amount_minor, p.currency, p.status, p.gateway,
       coalesce(p.gateway_order_id, '') AS gateway_order_id, p.gateway_payment_id, p.failure_reason,
       extract(epoch from p.created_at)::bigint AS created_s,
       extract(epoch from p.updated_at)::bigint AS updated_s,
       extract(epoch from p.captured_at)::bigint AS captured_s
FROM payment.payments p WHERE p.id = $1::uuid
