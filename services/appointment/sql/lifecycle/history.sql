-- A status-history entry: $2 from ('' none), $3 to, $4 who ('' the system), $5 note.
INSERT INTO appointment.status_history (appointment_id, from_status, to_status, actor_id, note)
VALUES ($1::uuid, nullif($2, ''), $3, nullif($4, '')::uuid, nullif($5, ''))
