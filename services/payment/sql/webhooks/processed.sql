SELECT 1 FROM payment.webhook_events WHERE event_id = $1 AND processed_at IS NOT NULL
