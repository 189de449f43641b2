SELECT id::text AS id FROM payment.payments
WHERE appointment_id = $1::uuid AND status IN ('captured', 'partially_refunded')
