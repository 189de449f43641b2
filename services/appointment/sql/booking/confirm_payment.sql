-- A captured payment books the appointment held for it.
UPDATE appointment.appointments
   SET status = 'booked', payment_id = $2, hold_expires_at = NULL, updated_at = now()
 WHERE id = $1::uuid
