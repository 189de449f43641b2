-- A patient waits for a practitioner between two dates ($5 mode, $6 facility: '' any).
INSERT INTO appointment.waitlist (practitioner_id, patient_id, date_from, date_to, mode, facility_id)
VALUES ($1::uuid, $2::uuid, $3::date, $4::date, nullif($5, ''), nullif($6, '')::uuid)
RETURNING id, practitioner_id, patient_id, to_char(date_from, 'YYYY-MM-DD') AS date_from,
          to_char(date_to, 'YYYY-MM-DD') AS date_to, mode, facility_id, status,
          extract(epoch from created_at)::bigint AS created_s
