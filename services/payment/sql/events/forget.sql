DELETE FROM payment.consumed_events WHERE event_id = $1
