-- IAM schema: users, roles, one-time tokens, sessions (refresh token families), MFA,
-- signing keys, outbox and audit. Runs as iam_owner; iam_app gets DML only.
GRANT USAGE ON SCHEMA iam TO iam_app;
ALTER DEFAULT PRIVILEGES FOR ROLE iam_owner IN SCHEMA iam
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO iam_app;
ALTER DEFAULT PRIVILEGES FOR ROLE iam_owner IN SCHEMA iam
  GRANT USAGE, SELECT ON SEQUENCES TO iam_app;
GRANT SELECT ON iam.schema_migrations TO iam_app;

CREATE TABLE iam.users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  password_hash text NOT NULL,
  full_name text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
  phone text CHECK (phone IS NULL OR phone ~ '^\+[1-9][0-9]{7,14}$'),
  email_verified_at timestamptz,
  totp_secret_enc bytea,
  totp_pending_enc bytea,
  totp_last_step bigint NOT NULL DEFAULT 0,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE iam.user_roles (
  user_id uuid NOT NULL REFERENCES iam.users (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('patient', 'moderator', 'platform_admin',
                                     'practitioner', 'org_staff', 'org_admin')),
  org_id uuid,
  granted_by uuid,
  granted_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((role IN ('practitioner', 'org_staff', 'org_admin')) = (org_id IS NOT NULL)),
  UNIQUE NULLS NOT DISTINCT (user_id, role, org_id)
);
CREATE INDEX user_roles_user_idx ON iam.user_roles (user_id);

-- Email verification and password reset tokens: single use, stored as SHA-256.
CREATE TABLE iam.one_time_tokens (
  token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
  user_id uuid NOT NULL REFERENCES iam.users (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX one_time_tokens_user_idx ON iam.one_time_tokens (user_id, purpose);

-- Refresh tokens: opaque, hashed, rotated on every use; one family per sign-in.
CREATE TABLE iam.refresh_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  family_id uuid NOT NULL,
  parent_id uuid REFERENCES iam.refresh_tokens (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES iam.users (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  amr text[] NOT NULL,
  aal text NOT NULL CHECK (aal IN ('aal1', 'aal2')),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  rotated_at timestamptz,
  revoked_at timestamptz,
  revoked_reason text
);
CREATE INDEX refresh_tokens_family_idx ON iam.refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON iam.refresh_tokens (user_id) WHERE revoked_at IS NULL;

CREATE TABLE iam.mfa_challenges (
  token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
  user_id uuid NOT NULL REFERENCES iam.users (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE iam.recovery_codes (
  user_id uuid NOT NULL REFERENCES iam.users (id) ON DELETE CASCADE,
  code_hash bytea NOT NULL CHECK (length(code_hash) = 32),
  used_at timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

-- Ed25519 signing keys; private halves encrypted with IAM_KEY_ENCRYPTION_KEY.
CREATE TABLE iam.signing_keys (
  kid text PRIMARY KEY,
  alg text NOT NULL CHECK (alg = 'EdDSA'),
  public_key bytea NOT NULL CHECK (length(public_key) = 32),
  private_key_enc bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  retired_at timestamptz
);

CREATE TABLE iam.outbox (
  id bigserial PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  event_type text NOT NULL,
  aggregate_id text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished_idx ON iam.outbox (id) WHERE published_at IS NULL;

CREATE TABLE iam.audit_log (
  id bigserial PRIMARY KEY,
  actor_id uuid,
  action text NOT NULL,
  target_id text,
  client_ip text,
  request_id text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_actor_idx ON iam.audit_log (actor_id, at);
