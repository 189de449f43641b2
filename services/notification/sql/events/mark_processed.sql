-- Records that an event was handled: a row comes back only the first time.
INSERT INTO notification.processed_events (event_id, event_type) VALUES ($1, $2)
ON CONFLICT DO NOTHING RETURNING 1
