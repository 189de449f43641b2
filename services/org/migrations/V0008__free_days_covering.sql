-- Search ranks every match by its next free day (org.relevance_score), one probe per
-- practitioner: the probe reads the times it filters on from the index itself (an index-only
-- scan), not from a heap page per practitioner — at 100,000 practitioners the heap visits
-- were most of a text search's time. Also serves search by date (practitioner and day).
CREATE INDEX practitioner_free_days_covering
  ON org.practitioner_free_days (practitioner_id, local_day)
  INCLUDE (mode, first_free, last_free, min_notice, horizon);
DROP INDEX org.practitioner_free_days_by_practitioner;
