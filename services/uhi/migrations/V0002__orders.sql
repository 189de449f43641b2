-- Orders placed through UHI: one per init that held a slot. The id is the appointment's
-- (the platform's order id on the wire); only the app that placed it may act on it.
CREATE TABLE uhi.orders (
  id uuid PRIMARY KEY,
  consumer_id text NOT NULL,
  transaction_id text NOT NULL,
  slot_id uuid NOT NULL,
  patient_id uuid NOT NULL,            -- iam.users: the account of the ABHA address
  abha_address text NOT NULL,
  name text NOT NULL DEFAULT '',
  phone text NOT NULL DEFAULT '',
  mode text NOT NULL CHECK (mode IN ('Physical', 'Online')),
  state text NOT NULL DEFAULT 'INITIALIZED'
    CHECK (state IN ('INITIALIZED', 'CONFIRMED', 'APPOINTMENT_STARTED', 'COMPLETED', 'NO_SHOW',
                     'CANCELLED', 'FAILED')),
  pin text CHECK (pin ~ '^[0-9]{4}$'), -- shown to the patient for a physical visit; never logged
  payment_uri text,                    -- an online consultation's payment link (the gateway's)
  gateway_order_id text,
  app_order jsonb NOT NULL,            -- the order as the app sent it at init
  init_context jsonb NOT NULL,         -- its context: where unsolicited updates go
  last_order jsonb,                    -- the order as the app was last told it
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_consumer_transaction_idx ON uhi.orders (consumer_id, transaction_id);

-- The platform's events already turned into unsolicited answers (at least once from the
-- stream; once here).
CREATE TABLE uhi.order_events (
  event_id text PRIMARY KEY,
  handled_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE uhi.orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE uhi.order_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY orders_system ON uhi.orders TO uhi_app
  USING (current_setting('app.roles', true) = 'system')
  WITH CHECK (current_setting('app.roles', true) = 'system');
CREATE POLICY order_events_system ON uhi.order_events TO uhi_app
  USING (current_setting('app.roles', true) = 'system')
  WITH CHECK (current_setting('app.roles', true) = 'system');
