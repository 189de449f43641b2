INSERT INTO payment.consumed_events (event_id, event_type) VALUES ($1, $2)
ON CONFLICT DO NOTHING RETURNING 1
