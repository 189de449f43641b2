-- Reminders 24 h and 1 h before, for those still ahead: unsent ones move to the new time,
-- sent ones are sent again, and unsent ones whose time has passed are dropped.
WITH ahead AS (
  SELECT a.id AS appointment_id, k.kind, a.start_at - k.before AS due_at
    FROM appointment.appointments a,
         (VALUES ('24h', interval '24 hours'), ('1h', interval '1 hour')) AS k(kind, before)
   WHERE a.id = $1::uuid AND a.start_at - k.before > now()
), dropped AS (
  DELETE FROM appointment.reminders r
   WHERE r.appointment_id = $1::uuid AND r.sent_at IS NULL
     AND NOT EXISTS (SELECT 1 FROM ahead WHERE ahead.kind = r.kind)
)
INSERT INTO appointment.reminders (appointment_id, kind, due_at)
SELECT appointment_id, kind, due_at FROM ahead
ON CONFLICT (appointment_id, kind) DO UPDATE SET due_at = EXCLUDED.due_at, sent_at = NULL
