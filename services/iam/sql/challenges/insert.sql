INSERT INTO iam.mfa_challenges (token_hash, user_id, expires_at)
VALUES ($1, $2::uuid, now() + interval '5 minutes')
