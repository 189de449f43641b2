-- Messages waiting for the user's old quiet hours look again now.
UPDATE notification.deliveries SET next_attempt_at = now() WHERE user_id = $1::uuid AND status = 'deferred'
