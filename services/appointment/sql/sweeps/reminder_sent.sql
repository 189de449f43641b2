-- Marks a reminder sent.
UPDATE appointment.reminders SET sent_at = now() WHERE appointment_id = $1::uuid AND kind = $2
