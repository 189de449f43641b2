-- Free days, published for search. The organization service answers "who is free on day D"
-- from a read model of its own, fed by appointment.free_days events, so that search never
-- calls this service (the two services used to call each other) and a date filter is one
-- indexed predicate instead of one slot computation per candidate.
--
-- A change that can alter a practitioner's free time marks the (practitioner, local day)
-- it touches in free_days_dirty, in the same transaction, by trigger; local_day 'infinity'
-- marks every day of the horizon (the rules changed). Rows are only ever inserted by the
-- writers, so bookings take no lock here and never wait on the publisher. The publisher
-- (publish_free_days, one at a time) reads the marks its statement can see, computes those
-- days with the same snapshot and deletes exactly the marks it read: a change committed
-- later leaves its mark for the next round, so nothing is missed.
CREATE TABLE appointment.free_days_dirty (
  id bigserial PRIMARY KEY,
  practitioner_id uuid NOT NULL,
  local_day date NOT NULL
);

-- Orders the publications, so that the read model keeps the newest of each day.
CREATE SEQUENCE appointment.free_days_version;

-- The last local day published for the practitioner; extend_free_days marks the days that
-- enter the horizon as time passes.
ALTER TABLE appointment.availability ADD COLUMN free_days_through date;

CREATE FUNCTION appointment.mark_busy_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.block = NEW.block AND OLD.local_day = NEW.local_day
     AND OLD.practitioner_id = NEW.practitioner_id THEN
    RETURN NULL;  -- e.g. a status change that keeps the time busy
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO appointment.free_days_dirty (practitioner_id, local_day)
    VALUES (OLD.practitioner_id, OLD.local_day);
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO appointment.free_days_dirty (practitioner_id, local_day)
    VALUES (NEW.practitioner_id, NEW.local_day);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER busy_blocks_free_days AFTER INSERT OR UPDATE OR DELETE ON appointment.busy_blocks
  FOR EACH ROW EXECUTE FUNCTION appointment.mark_busy_day();

-- Rules, extra hours, time off and the practitioner's settings: every day (one mark per
-- statement; a republish of availability replaces all of them at once).
CREATE FUNCTION appointment.mark_all_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO appointment.free_days_dirty (practitioner_id, local_day)
  SELECT DISTINCT practitioner_id, 'infinity'::date FROM changed;
  RETURN NULL;
END $$;
CREATE FUNCTION appointment.mark_practitioner_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO appointment.free_days_dirty (practitioner_id, local_day)
  VALUES (NEW.practitioner_id, 'infinity');
  RETURN NULL;
END $$;
CREATE TRIGGER availability_free_days_ins AFTER INSERT ON appointment.availability
  FOR EACH ROW EXECUTE FUNCTION appointment.mark_practitioner_days();
-- Not free_days_through: the publisher moves it.
CREATE TRIGGER availability_free_days_upd AFTER UPDATE ON appointment.availability FOR EACH ROW
  WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone
        OR OLD.min_notice_minutes IS DISTINCT FROM NEW.min_notice_minutes
        OR OLD.horizon_days IS DISTINCT FROM NEW.horizon_days
        OR OLD.max_bookings_per_day IS DISTINCT FROM NEW.max_bookings_per_day)
  EXECUTE FUNCTION appointment.mark_practitioner_days();
CREATE TRIGGER weekly_rules_free_days_ins AFTER INSERT ON appointment.weekly_rules
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION appointment.mark_all_days();
CREATE TRIGGER weekly_rules_free_days_del AFTER DELETE ON appointment.weekly_rules
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION appointment.mark_all_days();
CREATE TRIGGER extra_hours_free_days_ins AFTER INSERT ON appointment.extra_hours
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION appointment.mark_all_days();
CREATE TRIGGER extra_hours_free_days_del AFTER DELETE ON appointment.extra_hours
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION appointment.mark_all_days();
CREATE TRIGGER time_off_free_days_ins AFTER INSERT ON appointment.time_off
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION appointment.mark_all_days();
CREATE TRIGGER time_off_free_days_del AFTER DELETE ON appointment.time_off
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION appointment.mark_all_days();

-- Publishes the marked days of up to `max_practitioners` practitioners (oldest marks first)
-- as appointment.free_days events, one per practitioner: the days it covers, and for each day and mode the first and last free
-- slot start, with the practitioner's notice and horizon (the reader applies those to the
-- current time: a day stays "free" until its last slot is within the notice). Returns the
-- number of events; 0 at once when another publisher is running.
CREATE FUNCTION appointment.publish_free_days(max_practitioners integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  events integer := 0;
  m record;
  av record;
  covered date[];
  all_days boolean;
  free jsonb;
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('appointment.publish_free_days')) THEN
    RETURN 0;
  END IF;
  FOR m IN
    WITH picked AS (
      SELECT practitioner_id FROM appointment.free_days_dirty
       GROUP BY practitioner_id ORDER BY min(id) LIMIT max_practitioners),
    taken AS (
      DELETE FROM appointment.free_days_dirty d USING picked
       WHERE d.practitioner_id = picked.practitioner_id
      RETURNING d.practitioner_id, d.local_day)
    SELECT practitioner_id, array_agg(DISTINCT local_day) AS days FROM taken GROUP BY practitioner_id
  LOOP
    all_days := 'infinity'::date = ANY (m.days);
    SELECT a.timezone, a.min_notice_minutes, a.horizon_days, a.max_bookings_per_day,
           (now() AT TIME ZONE a.timezone)::date AS today
      INTO av FROM appointment.availability a WHERE a.practitioner_id = m.practitioner_id;
    IF NOT FOUND THEN  -- no availability (any more): nothing is free
      covered := '{}';
      all_days := true;
      free := '[]';
    ELSE
      IF all_days THEN
        SELECT array_agg(d::date) INTO covered
          FROM generate_series(av.today - 1, av.today + av.horizon_days + 1, interval '1 day') d;
        UPDATE appointment.availability SET free_days_through = av.today + av.horizon_days + 1
         WHERE practitioner_id = m.practitioner_id;
      ELSE
        covered := m.days;
      END IF;
      SELECT coalesce(jsonb_agg(jsonb_build_object(
               'day', f.local_day, 'mode', f.mode,
               'first', extract(epoch FROM f.first_free), 'last', extract(epoch FROM f.last_free))
               ORDER BY f.local_day, f.mode), '[]')
        INTO free
        FROM (SELECT c.local_day, c.mode, min(c.slot_start) AS first_free, max(c.slot_start) AS last_free
                FROM appointment.candidate_slots(
                       m.practitioner_id,
                       ((SELECT min(x) FROM unnest(covered) x) - 1)::timestamptz,
                       ((SELECT max(x) FROM unnest(covered) x) + 2)::timestamptz) c
               WHERE c.local_day = ANY (covered)
                 AND NOT EXISTS (SELECT 1 FROM appointment.busy_blocks b
                                  WHERE b.practitioner_id = m.practitioner_id
                                    AND b.block && tstzrange(c.block_start, c.block_end))
                 AND (av.max_bookings_per_day IS NULL
                      OR (SELECT count(*) FROM appointment.busy_blocks b
                           WHERE b.practitioner_id = m.practitioner_id
                             AND b.local_day = c.local_day) < av.max_bookings_per_day)
               GROUP BY c.local_day, c.mode) f;
    END IF;
    INSERT INTO appointment.outbox (event_id, event_type, aggregate_id, payload)
    VALUES (gen_random_uuid(), 'appointment.free_days', m.practitioner_id::text,
            jsonb_build_object(
              'practitioner_id', m.practitioner_id,
              'version', nextval('appointment.free_days_version'),
              'replace_all', all_days,
              'days', to_jsonb(coalesce(covered, '{}')),
              'free', free,
              'min_notice_minutes', coalesce(av.min_notice_minutes, 0),
              'horizon_days', coalesce(av.horizon_days, 0)));
    events := events + 1;
  END LOOP;
  RETURN events;
END $$;

-- Marks the days that entered the horizon since they were last published (run now and
-- then: each day, one more day per practitioner comes within reach).
CREATE FUNCTION appointment.extend_free_days() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  marked integer;
BEGIN
  WITH due AS (
    SELECT practitioner_id, free_days_through AS through,
           (now() AT TIME ZONE timezone)::date + horizon_days + 1 AS want
      FROM appointment.availability
     WHERE free_days_through IS NOT NULL
       AND free_days_through < (now() AT TIME ZONE timezone)::date + horizon_days + 1
     FOR UPDATE SKIP LOCKED),
  moved AS (
    UPDATE appointment.availability a SET free_days_through = due.want
      FROM due WHERE a.practitioner_id = due.practitioner_id RETURNING a.practitioner_id)
  -- A long pause (the service was down for over a week): publish every day again.
  INSERT INTO appointment.free_days_dirty (practitioner_id, local_day)
  SELECT due.practitioner_id, d::date
    FROM due CROSS JOIN LATERAL generate_series(due.through + 1, due.want, interval '1 day') d
   WHERE due.want - due.through <= 7
  UNION ALL
  SELECT due.practitioner_id, 'infinity' FROM due WHERE due.want - due.through > 7;
  GET DIAGNOSTICS marked = ROW_COUNT;
  RETURN marked;
END $$;

-- Everything published once, for a read model that starts empty.
INSERT INTO appointment.free_days_dirty (practitioner_id, local_day)
SELECT practitioner_id, 'infinity' FROM appointment.availability;
