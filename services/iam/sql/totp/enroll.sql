UPDATE iam.users SET totp_pending_enc = $1, updated_at = now()
 WHERE id = $2::uuid AND totp_secret_enc IS NULL RETURNING coalesce(email, '') AS email
