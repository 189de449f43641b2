-- The outcome of a send: $3 status, $4 error or '', $5 provider, $6 its message id or '',
-- next attempt in $7 seconds.
UPDATE notification.deliveries SET attempts = $2, status = $3, sent_at = CASE WHEN $3 = 'sent' THEN now() END,
  last_error = nullif($4, ''), provider = $5, provider_message_id = nullif($6, ''),
  next_attempt_at = now() + make_interval(secs => $7), updated_at = now()
WHERE id = $1::uuid
