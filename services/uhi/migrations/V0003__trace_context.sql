-- The trace context (W3C traceparent) of the request that delivered each message and of the
-- work that queued each callback, so answering and posting are spans linked to them.
-- Nullable: rows written outside a trace, and rows from before this migration.
ALTER TABLE uhi.messages ADD COLUMN traceparent text;
ALTER TABLE uhi.callbacks ADD COLUMN traceparent text;
