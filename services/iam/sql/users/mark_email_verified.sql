UPDATE iam.users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
 WHERE id = $1::uuid
