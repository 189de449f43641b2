INSERT INTO payment.payments (appointment_id, payer_id, organization_id, amount_minor,
                              currency, status, gateway, idempotency_key, request_hash)
VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, 'creating', $6, nullif($7, ''), $8)
RETURNING id::text AS id
