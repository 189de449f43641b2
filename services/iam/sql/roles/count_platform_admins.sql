SELECT count(*) AS admins FROM iam.user_roles WHERE role = 'platform_admin'
