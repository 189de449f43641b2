-- Applies a verified organization's pending change of identity.
UPDATE org.organizations SET
  legal_name = CASE WHEN pending_identity ? 'legal_name' THEN pending_identity ->> 'legal_name'
    ELSE legal_name END,
  registration_number = CASE WHEN pending_identity ? 'registration_number'
    THEN pending_identity ->> 'registration_number' ELSE registration_number END,
  gstin = CASE WHEN pending_identity ? 'gstin' THEN nullif(pending_identity ->> 'gstin', '')
    ELSE gstin END,
  pending_identity = NULL, identity_change_requested_at = NULL, updated_at = now()
WHERE id = $1::uuid
