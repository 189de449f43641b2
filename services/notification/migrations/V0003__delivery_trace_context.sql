-- The trace context of the work that queued each message (W3C traceparent: the event
-- consumer's span), so its sending is a span linked to that trace. Nullable: messages
-- queued outside a trace, and those from before this migration.
ALTER TABLE notification.deliveries ADD COLUMN traceparent text;
