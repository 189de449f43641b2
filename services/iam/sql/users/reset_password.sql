UPDATE iam.users SET password_hash = $1, password_changed_at = now(), updated_at = now(),
       email_verified_at = coalesce(email_verified_at, now())
 WHERE id = $2::uuid RETURNING email
