SELECT id::text AS id, full_name FROM iam.users WHERE email = $1
