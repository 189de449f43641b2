-- An appointment by id, locked for a change in this transaction.
SELECT v.* FROM appointment.appointments a JOIN appointment.appointment_view v ON v.id = a.id
 WHERE a.id = $1::uuid FOR UPDATE OF a
