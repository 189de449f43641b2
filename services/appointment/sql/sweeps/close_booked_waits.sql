-- A waitlisted patient who booked that practitioner since is no longer waiting.
UPDATE appointment.waitlist w SET status = 'booked'
 WHERE w.status IN ('waiting', 'offered')
   AND EXISTS (SELECT 1 FROM appointment.appointments a
                WHERE a.patient_id = w.patient_id AND a.practitioner_id = w.practitioner_id
                  AND a.status IN ('pending_payment', 'booked') AND a.created_at >= w.created_at)
