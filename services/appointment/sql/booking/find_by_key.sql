-- The patient's booking under an Idempotency-Key, with the fingerprint of its request.
SELECT id, request_hash FROM appointment.appointments
 WHERE patient_id = $1::uuid AND idempotency_key = $2
