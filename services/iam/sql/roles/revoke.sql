DELETE FROM iam.user_roles WHERE user_id = $1::uuid AND role = $2 AND org_id IS NULL
