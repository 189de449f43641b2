-- Payments: one payment per appointment at a time, an append-only money ledger, gateway
-- webhook events (deduplicated), outbox and audit. Runs as payment_owner.
GRANT USAGE ON SCHEMA payment TO payment_app;
ALTER DEFAULT PRIVILEGES FOR ROLE payment_owner IN SCHEMA payment
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO payment_app;
ALTER DEFAULT PRIVILEGES FOR ROLE payment_owner IN SCHEMA payment
  GRANT USAGE, SELECT ON SEQUENCES TO payment_app;
GRANT SELECT ON payment.schema_migrations TO payment_app;

CREATE TABLE payment.payments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  appointment_id uuid NOT NULL,
  payer_id uuid NOT NULL,
  organization_id uuid NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status text NOT NULL CHECK (status IN ('creating', 'created', 'authorized', 'captured', 'failed',
                                         'refunded', 'partially_refunded')),
  gateway text NOT NULL DEFAULT 'razorpay',
  gateway_order_id text UNIQUE,
  gateway_payment_id text UNIQUE,
  failure_reason text,
  idempotency_key text,
  request_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  captured_at timestamptz,
  UNIQUE (payer_id, idempotency_key)
);
-- One open payment per appointment, whatever the code does.
CREATE UNIQUE INDEX payments_one_open_per_appointment ON payment.payments (appointment_id)
  WHERE status IN ('creating', 'created', 'authorized', 'captured');
CREATE INDEX payments_payer_idx ON payment.payments (payer_id, created_at);

-- Every money movement, append-only (the app role cannot update or delete).
CREATE TABLE payment.ledger (
  id bigserial PRIMARY KEY,
  payment_id uuid NOT NULL REFERENCES payment.payments (id),
  kind text NOT NULL CHECK (kind IN ('order_created', 'captured', 'refunded')),
  amount_minor bigint NOT NULL,
  currency text NOT NULL,
  gateway_ref text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, gateway_ref)
);
REVOKE UPDATE, DELETE, TRUNCATE ON payment.ledger FROM payment_app;

CREATE TABLE payment.webhook_events (
  event_id text PRIMARY KEY,
  gateway text NOT NULL,
  event_type text NOT NULL,
  payment_ref text,
  applied boolean NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE payment.outbox (
  id bigserial PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  event_type text NOT NULL,
  aggregate_id text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished_idx ON payment.outbox (id) WHERE published_at IS NULL;

-- Row-level security: a payment is visible to its payer, admins of the selling
-- organization (roles "org_admin:<org>") and platform admins; flows without a user
-- (webhooks) run as 'system'.
CREATE FUNCTION payment.current_subject() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.subject_id', true), '')::uuid $$;
CREATE FUNCTION payment.caller_roles() RETURNS text[] LANGUAGE sql STABLE AS
  $$ SELECT string_to_array(coalesce(current_setting('app.roles', true), ''), ',') $$;
ALTER TABLE payment.payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE payment.payments FORCE ROW LEVEL SECURITY;
CREATE POLICY payments_access ON payment.payments TO payment_app
  USING (payer_id = (SELECT payment.current_subject())
         OR ('org_admin:' || organization_id) = ANY (payment.caller_roles())
         OR 'platform_admin' = ANY (payment.caller_roles())
         OR 'system' = ANY (payment.caller_roles()))
  WITH CHECK (payer_id = (SELECT payment.current_subject()) OR 'system' = ANY (payment.caller_roles()));
