-- Cancels an appointment: status, reason, no more hold.
UPDATE appointment.appointments
   SET status = 'cancelled', cancellation_reason = nullif($2, ''), hold_expires_at = NULL,
       updated_at = now()
 WHERE id = $1::uuid
