INSERT INTO org.invitations (organization_id, email, role, token_hash, invited_by, expires_at)
VALUES ($1::uuid, $2, $3, $4, $5::uuid, now() + make_interval(days => $6))
RETURNING id::text AS id, extract(epoch from expires_at)::bigint AS expires_at,
          extract(epoch from created_at)::bigint AS created_at,
          to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS expires_at_text
