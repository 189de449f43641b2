-- uhi-service: the platform as an HSPA on the Unified Health Interface. Every message
-- received (once per sender, action and message id), the callbacks owed (a durable queue,
-- retried with backoff) and the slots offered in second searches (what init refers to).
-- Runs as uhi_owner; the service acts as the system (no end user signs in here).
GRANT USAGE ON SCHEMA uhi TO uhi_app;
ALTER DEFAULT PRIVILEGES FOR ROLE uhi_owner IN SCHEMA uhi
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO uhi_app;
ALTER DEFAULT PRIVILEGES FOR ROLE uhi_owner IN SCHEMA uhi
  GRANT USAGE, SELECT ON SEQUENCES TO uhi_app;
GRANT SELECT ON uhi.schema_migrations TO uhi_app;

CREATE TABLE uhi.messages (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sender_id text NOT NULL,              -- the subscriber whose signature verified
  via_gateway boolean NOT NULL,
  action text NOT NULL CHECK (action IN ('search', 'init', 'confirm', 'status', 'cancel',
                                         'on_update', 'message', 'select')),
  message_id text NOT NULL CHECK (length(message_id) BETWEEN 1 AND 200),
  transaction_id text NOT NULL CHECK (length(transaction_id) BETWEEN 1 AND 200),
  consumer_id text NOT NULL,
  callback_url text NOT NULL,           -- where on_<action> goes
  body_digest text NOT NULL,            -- BLAKE2b-512 of the bytes received, base64
  body jsonb NOT NULL,
  attempts integer NOT NULL DEFAULT 0,  -- times its answer was worked on
  not_before timestamptz NOT NULL DEFAULT now(),  -- tried again from then (a service was down)
  received_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  UNIQUE (sender_id, action, message_id)
);
CREATE INDEX messages_pending_idx ON uhi.messages (id) WHERE processed_at IS NULL;
CREATE INDEX messages_transaction_idx ON uhi.messages (transaction_id);

CREATE TABLE uhi.callbacks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_row bigint REFERENCES uhi.messages (id) ON DELETE SET NULL,
  action text NOT NULL CHECK (action ~ '^on_[a-z_]+$'),
  message_id text NOT NULL,
  transaction_id text NOT NULL,
  url text NOT NULL,
  body text NOT NULL,                   -- the exact bytes signed and sent on every attempt
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  leased_until timestamptz,
  last_status integer,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX callbacks_due_idx ON uhi.callbacks (next_attempt_at) WHERE state = 'pending';
CREATE INDEX callbacks_transaction_idx ON uhi.callbacks (transaction_id);

-- A slot offered in a second search: init names it by this id.
CREATE TABLE uhi.offered_slots (
  id uuid PRIMARY KEY,
  practitioner_id uuid NOT NULL,
  facility_id uuid NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
  mode text NOT NULL CHECK (mode IN ('Physical', 'Online')),
  offered_at timestamptz NOT NULL DEFAULT now()
);

-- Only the service's own flows (app.roles = 'system') read or write these tables.
ALTER TABLE uhi.messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE uhi.callbacks ENABLE ROW LEVEL SECURITY;
ALTER TABLE uhi.offered_slots ENABLE ROW LEVEL SECURITY;
CREATE POLICY messages_system ON uhi.messages TO uhi_app
  USING (current_setting('app.roles', true) = 'system')
  WITH CHECK (current_setting('app.roles', true) = 'system');
CREATE POLICY callbacks_system ON uhi.callbacks TO uhi_app
  USING (current_setting('app.roles', true) = 'system')
  WITH CHECK (current_setting('app.roles', true) = 'system');
CREATE POLICY offered_slots_system ON uhi.offered_slots TO uhi_app
  USING (current_setting('app.roles', true) = 'system')
  WITH CHECK (current_setting('app.roles', true) = 'system');
