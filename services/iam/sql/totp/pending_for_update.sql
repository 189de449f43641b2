SELECT totp_pending_enc, coalesce(email, '') AS email FROM iam.users
 WHERE id = $1::uuid AND totp_secret_enc IS NULL AND totp_pending_enc IS NOT NULL FOR UPDATE
