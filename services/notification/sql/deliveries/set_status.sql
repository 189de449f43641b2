-- A decision without an attempt ($3: error or ''; next look in $4 seconds).
UPDATE notification.deliveries SET status = $2, sent_at = NULL, last_error = nullif($3, ''),
  next_attempt_at = now() + make_interval(secs => $4), updated_at = now()
WHERE id = $1::uuid
