SELECT id::text AS id FROM payment.payments
WHERE status = 'captured' AND settled_at IS NULL AND captured_at < now() - make_interval(secs => $1)
ORDER BY captured_at LIMIT 50
