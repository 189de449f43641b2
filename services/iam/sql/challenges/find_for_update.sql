SELECT c.user_id::text AS user_id, u.totp_secret_enc, u.totp_last_step
  FROM iam.mfa_challenges c JOIN iam.users u ON u.id = c.user_id
 WHERE c.token_hash = $1 AND c.used_at IS NULL AND c.expires_at > now() AND c.attempts < 5
   FOR UPDATE OF c, u
