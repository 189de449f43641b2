-- What was paid for, in words, as it stood when the payment was asked for: the practitioner,
-- the visit's local date and time, and the place. Invoices and credit notes print it.
ALTER TABLE payment.payments ADD COLUMN description text NOT NULL DEFAULT ''
  CHECK (length(description) <= 500);
