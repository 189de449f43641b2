SELECT u.id::text AS id, coalesce(u.email, '') AS email, u.full_name AS full_name, coalesce(u.phone, '') AS phone,
       u.email_verified_at IS NOT NULL AS email_verified, u.totp_secret_enc IS NOT NULL AS mfa_enabled,
       extract(epoch from u.created_at)::bigint AS created_at,
       coalesce(u.date_of_birth::text, '') AS date_of_birth,
       coalesce((SELECT array_agg(CASE WHEN r.org_id IS NULL THEN r.role ELSE r.role || ':' || r.org_id::text END
                                  ORDER BY r.role, r.org_id)
                   FROM iam.user_roles r WHERE r.user_id = u.id), '{}')::text AS roles
  FROM iam.users u WHERE u.id = $1::uuid
