-- Adds fields (a JSON object) to a verified organization's pending change of identity.
UPDATE org.organizations SET pending_identity = coalesce(pending_identity, '{}'::jsonb) || $2::jsonb,
  identity_change_requested_at = now()
WHERE id = $1::uuid
