-- Who is free on which day, for search by date: a read model of the appointment service's
-- appointment.free_days events (its migration V0006), so that search never calls it. Per
-- practitioner, local day and mode: the first and last free slot start, with the
-- practitioner's notice and horizon, which search applies to the current time (a day is
-- bookable once its first free slot is within the horizon, and until its last one is
-- within the notice). Public data: no row-level security.
CREATE TABLE org.practitioner_free_days (
  practitioner_id uuid NOT NULL,
  local_day date NOT NULL,
  mode text NOT NULL,
  first_free timestamptz NOT NULL,
  last_free timestamptz NOT NULL,
  min_notice interval NOT NULL,
  horizon interval NOT NULL,
  PRIMARY KEY (local_day, practitioner_id, mode)
);

-- The newest publication applied per practitioner and day, so a late duplicate or an
-- older event delivered after a newer one changes nothing.
CREATE TABLE org.practitioner_free_day_versions (
  practitioner_id uuid NOT NULL,
  local_day date NOT NULL,
  version bigint NOT NULL,
  PRIMARY KEY (practitioner_id, local_day)
);

-- Applies one appointment.free_days event: the days it covers take its free times when it
-- is newer than what they hold; with replace_all, the practitioner's other days are
-- emptied too (the rules changed, or the practitioner has no availability any more).
CREATE FUNCTION org.apply_free_days(event jsonb) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  p uuid := (event ->> 'practitioner_id')::uuid;
  v bigint := (event ->> 'version')::bigint;
  days date[];
  newer date[];
BEGIN
  SELECT coalesce(array_agg(d::date), '{}') INTO days FROM jsonb_array_elements_text(event -> 'days') d;
  IF (event ->> 'replace_all')::boolean THEN
    -- Days no longer covered (outside the new horizon): emptied, version noted.
    WITH stale AS (
      INSERT INTO org.practitioner_free_day_versions AS fv (practitioner_id, local_day, version)
      SELECT p, f.local_day, v FROM (SELECT DISTINCT local_day FROM org.practitioner_free_days
                                      WHERE practitioner_id = p) f
       WHERE NOT f.local_day = ANY (days)
      ON CONFLICT (practitioner_id, local_day) DO UPDATE SET version = EXCLUDED.version
        WHERE fv.version < EXCLUDED.version
      RETURNING local_day)
    DELETE FROM org.practitioner_free_days
     WHERE practitioner_id = p AND local_day IN (SELECT local_day FROM stale);
  END IF;
  WITH won AS (
    INSERT INTO org.practitioner_free_day_versions AS fv (practitioner_id, local_day, version)
    SELECT p, d, v FROM unnest(days) d
    ON CONFLICT (practitioner_id, local_day) DO UPDATE SET version = EXCLUDED.version
      WHERE fv.version < EXCLUDED.version
    RETURNING local_day)
  SELECT coalesce(array_agg(local_day), '{}') INTO newer FROM won;
  DELETE FROM org.practitioner_free_days WHERE practitioner_id = p AND local_day = ANY (newer);
  INSERT INTO org.practitioner_free_days (practitioner_id, local_day, mode, first_free, last_free,
                                          min_notice, horizon)
  SELECT p, (f ->> 'day')::date, f ->> 'mode', to_timestamp((f ->> 'first')::float8),
         to_timestamp((f ->> 'last')::float8),
         make_interval(mins => (event ->> 'min_notice_minutes')::integer),
         make_interval(days => (event ->> 'horizon_days')::integer)
    FROM jsonb_array_elements(event -> 'free') f
   WHERE (f ->> 'day')::date = ANY (newer);
  -- Days gone by are of no use to search.
  DELETE FROM org.practitioner_free_days WHERE practitioner_id = p AND local_day < current_date - 2;
  DELETE FROM org.practitioner_free_day_versions
   WHERE practitioner_id = p AND local_day < current_date - 2;
  RETURN cardinality(newer);
END $$;
