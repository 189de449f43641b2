UPDATE iam.users SET totp_secret_enc = $1, totp_pending_enc = NULL, totp_last_step = $2, updated_at = now()
 WHERE id = $3::uuid
