SELECT 1 FROM iam.users WHERE id::text = $1
