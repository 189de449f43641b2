UPDATE payment.webhook_events SET applied = applied OR $2, processed_at = now()
WHERE event_id = $1
