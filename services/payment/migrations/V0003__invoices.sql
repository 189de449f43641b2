-- Invoices and credit notes: numbered without gaps per organization and financial year
-- (April–March). The counter row is locked and advanced in the same transaction as the
-- document, so a rollback returns the number. Documents are immutable once issued.
CREATE TABLE payment.document_counters (
  organization_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
  fiscal_year text NOT NULL,  -- "2026-27"
  last_number integer NOT NULL DEFAULT 0,
  PRIMARY KEY (organization_id, kind, fiscal_year)
);

CREATE TABLE payment.invoices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
  organization_id uuid NOT NULL,
  fiscal_year text NOT NULL,
  seq integer NOT NULL,
  number text NOT NULL,  -- unique within its organization (see below)
  payment_id uuid NOT NULL REFERENCES payment.payments (id),
  refund_id uuid REFERENCES payment.refunds (id),
  document bytea NOT NULL,  -- healthtech.payment.v1.Invoice, serialized
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, kind, fiscal_year, seq),
  UNIQUE (organization_id, number)
);
CREATE UNIQUE INDEX invoices_one_per_payment ON payment.invoices (payment_id) WHERE kind = 'invoice';
CREATE UNIQUE INDEX invoices_one_per_refund ON payment.invoices (refund_id) WHERE kind = 'credit_note';
REVOKE UPDATE, DELETE, TRUNCATE ON payment.invoices FROM payment_app;
