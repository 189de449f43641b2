SELECT id::text AS id FROM payment.payments
WHERE status = 'creating' AND created_at < now() - make_interval(secs => $1)
ORDER BY created_at LIMIT 50
