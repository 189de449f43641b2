-- Moves an appointment to status $2 (the caller checked the move), with its history entry:
-- $3 the status it leaves, $4 who ($'' the system), $5 note.
WITH moved AS (
  UPDATE appointment.appointments SET status = $2, updated_at = now() WHERE id = $1::uuid
  RETURNING id
)
INSERT INTO appointment.status_history (appointment_id, from_status, to_status, actor_id, note)
SELECT id, nullif($3, ''), $2, nullif($4, '')::uuid, nullif($5, '') FROM moved
