SELECT id::text AS id, email, role, invited_by::text AS invited_by,
       extract(epoch from expires_at)::bigint AS expires_at,
       extract(epoch from created_at)::bigint AS created_at
FROM org.invitations i
WHERE i.organization_id = $1::uuid AND i.status = 'pending' AND i.expires_at > now()
ORDER BY i.created_at  -- the column, not the output alias
