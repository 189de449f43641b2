SELECT appointment_id::text AS appointment_id, payer_id::text AS payer_id,
       organization_id::text AS organization_id, amount_minor, currency,
       extract(epoch from coalesce(captured_at, now()))::bigint AS issued_s, description
FROM payment.payments WHERE id = $1::uuid
