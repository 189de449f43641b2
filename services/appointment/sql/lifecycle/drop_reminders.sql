-- Reminders not sent yet of an appointment that is over or off.
DELETE FROM appointment.reminders WHERE appointment_id = $1::uuid AND sent_at IS NULL
