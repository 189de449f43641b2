DELETE FROM iam.sign_in_devices WHERE user_id = $1::uuid AND fingerprint IN (
  SELECT fingerprint FROM iam.sign_in_devices WHERE user_id = $1::uuid ORDER BY last_seen_at LIMIT $2)
