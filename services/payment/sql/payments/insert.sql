-- A new payment, 'creating' until the gateway's order is recorded. $9..$13 describe the visit
-- for the invoice: practitioner, specialty, start (epoch s), the facility's zone, place.
INSERT INTO payment.payments (appointment_id, payer_id, organization_id, amount_minor,
                              currency, status, gateway, idempotency_key, request_hash,
                              description)
VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, 'creating', $6, nullif($7, ''), $8,
        left(CASE WHEN $9 = '' THEN '' ELSE
               'Consultation with ' || $9
               || CASE WHEN $10 <> '' THEN ' (' || initcap($10) || ')' ELSE '' END
               || ' on ' || to_char(to_timestamp($11) AT TIME ZONE $12, 'Dy DD Mon YYYY, HH24:MI')
               || ' (' || $12 || ')'
               || CASE WHEN $13 <> '' THEN ', ' || $13 ELSE '' END
             END, 500))
RETURNING id::text AS id
