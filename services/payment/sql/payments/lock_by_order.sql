SELECT id::text AS id, status, amount_minor, currency, payer_id::text AS payer_id,
       appointment_id::text AS appointment_id, organization_id::text AS organization_id
FROM payment.payments WHERE gateway_order_id = $1 FOR UPDATE
