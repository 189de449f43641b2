-- A verified organization's change of identity waiting for a platform admin, if any.
SELECT pending_identity ->> 'legal_name' AS legal_name,
       pending_identity ->> 'registration_number' AS registration_number,
       pending_identity ->> 'gstin' AS gstin, pending_identity ? 'legal_name' AS has_legal_name,
       pending_identity ? 'registration_number' AS has_registration_number,
       pending_identity ? 'gstin' AS has_gstin, pending_identity ->> 'requested_by' AS requested_by,
       extract(epoch from identity_change_requested_at)::bigint AS requested_at
FROM org.organizations WHERE id = $1::uuid AND pending_identity IS NOT NULL
