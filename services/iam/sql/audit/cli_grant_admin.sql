INSERT INTO iam.audit_log (actor_id, action, target_id)
VALUES (NULL, 'role.grant:platform_admin:cli', $1)
