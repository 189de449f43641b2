UPDATE iam.users SET totp_last_step = $1 WHERE id = $2::uuid
