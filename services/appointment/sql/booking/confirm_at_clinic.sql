-- A held appointment (a UHI order) confirmed: booked, paid at the facility.
UPDATE appointment.appointments
   SET status = 'booked', pay_at_clinic = true, hold_expires_at = NULL, updated_at = now()
 WHERE id = $1::uuid
