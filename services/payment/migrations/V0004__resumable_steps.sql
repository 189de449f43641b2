-- Every step of a payment can be resumed after a crash (kill -9 between two steps):
--  * settled_at: when the appointment of a capture was confirmed, or the capture refunded
--    because the slot was gone. A capture without it is settled by the sweeper.
--  * webhook_events.processed_at: a webhook is a duplicate only once it was processed, so
--    the gateway's retry of one whose processing was cut short applies it.
ALTER TABLE payment.payments ADD COLUMN settled_at timestamptz;
UPDATE payment.payments SET settled_at = coalesce(captured_at, updated_at)
 WHERE status IN ('captured', 'refunded', 'partially_refunded');
CREATE INDEX payments_unsettled_idx ON payment.payments (captured_at)
  WHERE status = 'captured' AND settled_at IS NULL;
CREATE INDEX payments_creating_idx ON payment.payments (created_at) WHERE status = 'creating';

ALTER TABLE payment.webhook_events ADD COLUMN processed_at timestamptz;
UPDATE payment.webhook_events SET processed_at = received_at;
