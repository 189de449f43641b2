-- Moves an appointment to a new slot, keeping status $2; $10 the details of the (maybe new)
-- facility.
UPDATE appointment.appointments
   SET status = $2, facility_id = $3::uuid, organization_id = $4::uuid,
       start_at = to_timestamp($5), end_at = to_timestamp($6),
       block_start = to_timestamp($7), block_end = to_timestamp($8), timezone = $9,
       details = $10::jsonb, updated_at = now()
 WHERE id = $1::uuid
