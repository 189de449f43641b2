-- Refunds (partial or full, never more than captured in total) and the events this
-- service consumed from other services (each applied once).
CREATE TABLE payment.refunds (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  payment_id uuid NOT NULL REFERENCES payment.payments (id),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'processed', 'failed')),
  reason text NOT NULL DEFAULT '',
  initiated_by text NOT NULL CHECK (initiated_by IN ('org_admin', 'platform_admin', 'system')),
  initiated_by_user uuid,
  gateway_refund_id text UNIQUE,
  idempotency_key text,
  request_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  UNIQUE (payment_id, idempotency_key)
);
CREATE INDEX refunds_payment_idx ON payment.refunds (payment_id);

CREATE TABLE payment.consumed_events (
  event_id text PRIMARY KEY,
  event_type text NOT NULL,
  consumed_at timestamptz NOT NULL DEFAULT now()
);
