SELECT id::text AS id, password_hash, email_verified_at IS NOT NULL AS verified,
       totp_secret_enc IS NOT NULL AS mfa
  FROM iam.users WHERE email = $1
