INSERT INTO iam.users (email, password_hash, full_name, phone)
VALUES ($1, $2, $3, nullif($4, ''))
ON CONFLICT (email) DO NOTHING RETURNING id::text AS id
