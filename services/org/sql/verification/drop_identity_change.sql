-- Drops a verified organization's pending change of identity.
UPDATE org.organizations SET pending_identity = NULL, identity_change_requested_at = NULL
WHERE id = $1::uuid
