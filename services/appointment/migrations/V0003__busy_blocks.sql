-- The practitioner's busy time, without patients or reasons: what slot computation needs.
-- appointments is under row-level security, and PostgreSQL will not push a range-overlap
-- test below an RLS qual, so checking slots against it scanned every appointment of the
-- practitioner per candidate slot (and, as a patient, saw only their own). This table is
-- kept by a trigger in the same transaction as every appointment change.
CREATE TABLE appointment.busy_blocks (
  appointment_id uuid PRIMARY KEY REFERENCES appointment.appointments (id) ON DELETE CASCADE,
  practitioner_id uuid NOT NULL,
  block tstzrange NOT NULL,
  local_day date NOT NULL
);
CREATE INDEX busy_blocks_practitioner_block_idx ON appointment.busy_blocks USING gist (practitioner_id, block);
CREATE INDEX busy_blocks_practitioner_day_idx ON appointment.busy_blocks (practitioner_id, local_day);

CREATE FUNCTION appointment.sync_busy_block() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IN ('pending_payment', 'booked', 'checked_in', 'in_progress') THEN
    INSERT INTO appointment.busy_blocks (appointment_id, practitioner_id, block, local_day)
    VALUES (NEW.id, NEW.practitioner_id, tstzrange(NEW.block_start, NEW.block_end),
            (NEW.start_at AT TIME ZONE NEW.timezone)::date)
    ON CONFLICT (appointment_id) DO UPDATE SET practitioner_id = EXCLUDED.practitioner_id,
      block = EXCLUDED.block, local_day = EXCLUDED.local_day;
  ELSE
    DELETE FROM appointment.busy_blocks WHERE appointment_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER appointments_busy_blocks AFTER INSERT OR UPDATE OF status, block_start, block_end,
  start_at, timezone, practitioner_id ON appointment.appointments
  FOR EACH ROW EXECUTE FUNCTION appointment.sync_busy_block();

INSERT INTO appointment.busy_blocks (appointment_id, practitioner_id, block, local_day)
SELECT id, practitioner_id, tstzrange(block_start, block_end), (start_at AT TIME ZONE timezone)::date
  FROM appointment.appointments
 WHERE status IN ('pending_payment', 'booked', 'checked_in', 'in_progress');
