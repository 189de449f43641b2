SELECT 1 FROM iam.user_roles WHERE role = 'platform_admin' AND user_id = $1::uuid
