-- Reminders that are due, for appointments still booked, locked for this sweep.
SELECT m.appointment_id, m.kind
  FROM appointment.reminders m JOIN appointment.appointments a ON a.id = m.appointment_id
 WHERE m.sent_at IS NULL AND m.due_at <= now() AND a.status IN ('booked', 'checked_in')
 ORDER BY m.due_at LIMIT 100
   FOR UPDATE OF m SKIP LOCKED
