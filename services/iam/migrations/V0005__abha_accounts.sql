-- Patients who book through another app on the Unified Health Interface are known by their
-- ABHA address (Ayushman Bharat Health Account, e.g. "rahul.k001@abdm"): an account with
-- neither email nor password (nobody signs in to it) until its owner claims it.
ALTER TABLE iam.users ALTER COLUMN email DROP NOT NULL;
ALTER TABLE iam.users ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE iam.users ADD COLUMN abha_address text UNIQUE
  CHECK (abha_address ~ '^[a-z0-9][a-z0-9._]{1,30}[a-z0-9]@(abdm|sbx)$');
ALTER TABLE iam.users ADD CONSTRAINT users_email_or_abha
  CHECK (email IS NOT NULL OR abha_address IS NOT NULL);
ALTER TABLE iam.users ADD CONSTRAINT users_password_with_email
  CHECK (password_hash IS NOT NULL OR email IS NULL);
