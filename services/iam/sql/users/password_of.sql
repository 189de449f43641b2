SELECT password_hash, email FROM iam.users WHERE id = $1::uuid
