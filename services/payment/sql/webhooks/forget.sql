DELETE FROM payment.webhook_events WHERE event_id = $1
