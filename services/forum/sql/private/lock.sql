SELECT patient_id::text AS patient_id, practitioner_user_id::text AS practitioner_user_id
FROM forum.private_threads WHERE id = $1::uuid FOR UPDATE
