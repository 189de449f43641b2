SELECT status, amount_minor, currency, coalesce(gateway_payment_id, '') AS gateway_payment_id
FROM payment.payments WHERE id = $1::uuid FOR UPDATE
