SELECT id::text AS id FROM iam.users WHERE email = $1
