-- The urgent message's email, kept on standby, goes out instead of the SMS.
UPDATE notification.deliveries SET status = 'pending', next_attempt_at = now(), updated_at = now()
WHERE event_id = $1 AND user_id = $2::uuid AND channel = 'email' AND status = 'standby'
