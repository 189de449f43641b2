-- An appointment by id, if the caller may see it (row-level security).
SELECT * FROM appointment.appointment_view WHERE id = $1::uuid
