-- Search results show each practitioner's next free day (and can sort by it): the read model
-- is then looked up by practitioner, in day order.
CREATE INDEX practitioner_free_days_by_practitioner
  ON org.practitioner_free_days (practitioner_id, local_day);
