INSERT INTO forum.private_threads (patient_id, practitioner_id, practitioner_user_id,
                                  practitioner_display_name, appointment_id, subject, post_count)
VALUES ($1::uuid, $2::uuid, $3::uuid, $4, nullif($5, '')::uuid, $6, 1) RETURNING id::text AS id
