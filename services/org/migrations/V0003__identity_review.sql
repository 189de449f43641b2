-- A verified organization that changes who it is (legal name, registration number, GSTIN,
-- the identity printed on invoices) goes back to review: the change waits here, the public
-- and the invoices keep the last verified identity until a platform admin approves it.
-- {"legal_name": …, "registration_number": …, "gstin": … (null: remove it),
--  "requested_by": "<uuid>", "requested_at": "<timestamptz>"}; only the changed keys.
ALTER TABLE org.organizations ADD COLUMN pending_identity jsonb
  CHECK (pending_identity IS NULL OR jsonb_typeof(pending_identity) = 'object');
ALTER TABLE org.organizations ADD COLUMN identity_change_requested_at timestamptz;
CREATE INDEX organizations_pending_identity_idx ON org.organizations (identity_change_requested_at)
  WHERE pending_identity IS NOT NULL;
