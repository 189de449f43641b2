SELECT password_hash, email FROM iam.users WHERE id = $1::uuid AND password_hash IS NOT NULL
