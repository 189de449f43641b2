-- A newer invitation for the same address and role replaces the older one.
UPDATE org.invitations SET status = 'revoked'
WHERE organization_id = $1::uuid AND email = $2 AND role = $3 AND status = 'pending'
