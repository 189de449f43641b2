SELECT gateway_order_id FROM payment.payments
WHERE status IN ('created', 'authorized') AND gateway_order_id IS NOT NULL
  AND updated_at < now() - make_interval(secs => $1) AND created_at > now() - interval '2 days'
ORDER BY updated_at LIMIT 50
