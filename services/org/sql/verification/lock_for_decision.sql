-- What a reviewer's decision depends on, locked for it.
SELECT status, legal_name, pending_identity IS NOT NULL AS has_pending_identity
FROM org.organizations WHERE id = $1::uuid FOR UPDATE
