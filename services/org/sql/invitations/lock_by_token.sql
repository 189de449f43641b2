-- A pending, unexpired invitation by the hash of its token, locked for acceptance.
SELECT id::text AS id, organization_id::text AS organization_id, email, role
FROM org.invitations
WHERE token_hash = $1 AND status = 'pending' AND expires_at > now() FOR UPDATE
