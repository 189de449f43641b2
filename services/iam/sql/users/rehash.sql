UPDATE iam.users SET password_hash = $1 WHERE id = $2::uuid
