SELECT totp_secret_enc, totp_last_step FROM iam.users
 WHERE id = $1::uuid AND totp_secret_enc IS NOT NULL FOR UPDATE
