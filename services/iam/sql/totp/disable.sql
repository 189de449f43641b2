UPDATE iam.users SET totp_secret_enc = NULL, totp_pending_enc = NULL, totp_last_step = $1, updated_at = now()
 WHERE id = $2::uuid
