-- Preferences (per category × channel, quiet hours, locale), SMS, deferred and suppressed
-- deliveries, and one row per delivery attempt. Runs as notification_owner.
-- Delivery statuses: pending (due at next_attempt_at), deferred (quiet hours), sent, failed
-- (after the last retry; admins can retry), suppressed (preferences or caps), standby (the
-- email fallback of an urgent SMS, sent only if the SMS cannot be).

CREATE TABLE notification.preferences (
  user_id uuid PRIMARY KEY,
  -- {"appointments": {"email": true, "sms": true, "in_app": true, "push": false}, ...};
  -- categories or channels missing here take the defaults.
  channels jsonb NOT NULL DEFAULT '{}',
  quiet_start time,
  quiet_end time,
  quiet_timezone text,
  locale text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'hi')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((quiet_start IS NULL) = (quiet_end IS NULL) AND (quiet_start IS NULL) = (quiet_timezone IS NULL))
);

ALTER TABLE notification.deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE notification.deliveries ADD CONSTRAINT deliveries_status_check
  CHECK (status IN ('pending', 'deferred', 'sent', 'failed', 'suppressed', 'standby'));
ALTER TABLE notification.deliveries
  ADD COLUMN event_type text NOT NULL DEFAULT '',
  ADD COLUMN category text NOT NULL DEFAULT 'account',
  ADD COLUMN locale text NOT NULL DEFAULT 'en',
  -- Security messages ignore opt-outs and quiet hours.
  ADD COLUMN security boolean NOT NULL DEFAULT false,
  -- Urgent messages fall back to email when SMS cannot deliver them.
  ADD COLUMN urgent boolean NOT NULL DEFAULT false,
  ADD COLUMN dlt_template_id text NOT NULL DEFAULT '',
  ADD COLUMN html_body text NOT NULL DEFAULT '',
  ADD COLUMN provider text,
  ADD COLUMN provider_message_id text,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
DROP INDEX notification.deliveries_pending_idx;
CREATE INDEX deliveries_due_idx ON notification.deliveries (next_attempt_at)
  WHERE status IN ('pending', 'deferred');
CREATE INDEX deliveries_failed_idx ON notification.deliveries (updated_at DESC, id) WHERE status = 'failed';
CREATE INDEX deliveries_user_sms_idx ON notification.deliveries (user_id, sent_at) WHERE channel = 'sms';

CREATE TABLE notification.delivery_attempts (
  id bigserial PRIMARY KEY,
  delivery_id uuid NOT NULL REFERENCES notification.deliveries (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  provider text NOT NULL,
  status text NOT NULL CHECK (status IN ('sent', 'failed', 'deferred')),
  provider_message_id text,
  error text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX delivery_attempts_delivery_idx ON notification.delivery_attempts (delivery_id, attempt);

ALTER TABLE notification.preferences ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification.preferences FORCE ROW LEVEL SECURITY;
CREATE POLICY preferences_own ON notification.preferences TO notification_app
  USING (user_id = (SELECT notification.current_subject())
         OR coalesce(current_setting('app.roles', true), '') = 'system')
  WITH CHECK (user_id = (SELECT notification.current_subject())
              OR coalesce(current_setting('app.roles', true), '') = 'system');
