-- The trace context of the request that wrote each event (W3C traceparent), so the relay
-- publishes it with the event and consumers link their spans to it (libs/outbox, libs/events).
-- Nullable: rows written outside a traced request, and rows from before this migration.
ALTER TABLE forum.outbox ADD COLUMN traceparent text;
