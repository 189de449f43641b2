INSERT INTO payment.webhook_events (event_id, gateway, event_type, payment_ref, applied)
VALUES ($1, $2, $3, $4, false) ON CONFLICT (event_id) DO NOTHING
