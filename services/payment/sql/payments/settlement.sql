SELECT appointment_id::text AS appointment_id, settled_at IS NOT NULL AS settled
FROM payment.payments WHERE id = $1::uuid
