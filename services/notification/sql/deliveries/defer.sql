-- Quiet hours: the message waits until they end ($2, epoch seconds).
UPDATE notification.deliveries SET status = 'deferred', next_attempt_at = to_timestamp($2), updated_at = now()
WHERE id = $1::uuid
