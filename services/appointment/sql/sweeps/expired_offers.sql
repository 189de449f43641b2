-- Waitlist offers that were not taken in time, locked for this sweep; each is expired here
-- and whether its slot is still free comes with it.
WITH due AS (
  SELECT id FROM appointment.waitlist
   WHERE status = 'offered' AND offer_expires_at <= now()
   LIMIT 100 FOR UPDATE SKIP LOCKED
), expired AS (
  UPDATE appointment.waitlist w SET status = 'expired' FROM due WHERE w.id = due.id
  RETURNING w.id, w.practitioner_id, w.offered_start, w.offered_end, w.offered_facility_id,
            w.offered_mode, w.offered_timezone
)
SELECT e.id, e.practitioner_id, extract(epoch from e.offered_start)::float8 AS start_s,
       extract(epoch from e.offered_end)::float8 AS end_s, e.offered_facility_id AS facility_id,
       e.offered_mode AS mode, e.offered_timezone AS timezone,
       NOT EXISTS (SELECT 1 FROM appointment.busy_blocks b
                    WHERE b.practitioner_id = e.practitioner_id
                      AND b.block && tstzrange(e.offered_start, e.offered_end)) AS still_free
  FROM expired e
