-- Notifications: the in-app inbox, every delivery attempt per channel, and the events
-- already handled (each event produces its messages once). Runs as notification_owner.
GRANT USAGE ON SCHEMA notification TO notification_app;
ALTER DEFAULT PRIVILEGES FOR ROLE notification_owner IN SCHEMA notification
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO notification_app;
ALTER DEFAULT PRIVILEGES FOR ROLE notification_owner IN SCHEMA notification
  GRANT USAGE, SELECT ON SEQUENCES TO notification_app;
GRANT SELECT ON notification.schema_migrations TO notification_app;

CREATE TABLE notification.notifications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  category text NOT NULL CHECK (category IN ('appointments', 'payments', 'forum', 'marketing', 'account')),
  type text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  link text NOT NULL DEFAULT '',
  event_id text NOT NULL,
  read_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (event_id, user_id, type)
);
CREATE INDEX notifications_user_idx ON notification.notifications (user_id, created_at DESC);
CREATE INDEX notifications_unread_idx ON notification.notifications (user_id) WHERE read_at IS NULL;

CREATE TABLE notification.deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id text NOT NULL,
  user_id uuid,
  channel text NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
  recipient text NOT NULL,
  subject text NOT NULL DEFAULT '',
  body text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  UNIQUE (event_id, channel, recipient)
);
CREATE INDEX deliveries_pending_idx ON notification.deliveries (next_attempt_at) WHERE status = 'pending';

CREATE TABLE notification.processed_events (
  event_id text PRIMARY KEY,
  event_type text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION notification.current_subject() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.subject_id', true), '')::uuid $$;
ALTER TABLE notification.notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification.notifications FORCE ROW LEVEL SECURITY;
CREATE POLICY notifications_own ON notification.notifications TO notification_app
  USING (user_id = (SELECT notification.current_subject())
         OR coalesce(current_setting('app.roles', true), '') = 'system')
  WITH CHECK (user_id = (SELECT notification.current_subject())
              OR coalesce(current_setting('app.roles', true), '') = 'system');
