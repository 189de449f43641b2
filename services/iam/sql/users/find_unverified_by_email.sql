SELECT id::text AS id, full_name FROM iam.users WHERE email = $1 AND email_verified_at IS NULL
