INSERT INTO iam.one_time_tokens (token_hash, user_id, purpose, expires_at)
VALUES ($1, $2::uuid, $3, now() + make_interval(secs => $4))
RETURNING to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS expires_at
