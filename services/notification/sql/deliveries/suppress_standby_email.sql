-- The SMS went out: the standby email is not needed.
UPDATE notification.deliveries SET status = 'suppressed', updated_at = now()
WHERE event_id = $1 AND user_id = $2::uuid AND channel = 'email' AND status = 'standby'
