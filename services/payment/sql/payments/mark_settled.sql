UPDATE payment.payments SET settled_at = now() WHERE id = $1::uuid AND settled_at IS NULL
