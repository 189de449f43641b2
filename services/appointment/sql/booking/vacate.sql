-- Frees an appointment's slot inside a reschedule, so that it does not block the search
-- for the new one (the move below sets the status back).
UPDATE appointment.appointments SET status = 'cancelled' WHERE id = $1::uuid
