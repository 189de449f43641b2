-- Devices a user has signed in from, so a sign-in from a device never seen before can be
-- reported to the account owner (user.new_sign_in). A device is the browser family and
-- operating system taken from the User-Agent with its version numbers removed, so a
-- browser update is not a "new device".
CREATE TABLE iam.sign_in_devices (
  user_id uuid NOT NULL REFERENCES iam.users (id) ON DELETE CASCADE,
  fingerprint bytea NOT NULL,
  user_agent text NOT NULL,
  first_ip text NOT NULL DEFAULT '',
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, fingerprint)
);

ALTER TABLE iam.sign_in_devices ENABLE ROW LEVEL SECURITY;
ALTER TABLE iam.sign_in_devices FORCE ROW LEVEL SECURITY;
CREATE POLICY sign_in_devices_access ON iam.sign_in_devices TO iam_app
  USING (user_id = (SELECT iam.current_subject()) OR (SELECT iam.is_system()))
  WITH CHECK (user_id = (SELECT iam.current_subject()) OR (SELECT iam.is_system()));
