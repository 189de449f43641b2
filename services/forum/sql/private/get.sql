-- Row-level security shows the row to its patient, its practitioner and platform admins only.
SELECT pt.id::text AS id, pt.patient_id::text AS patient_id, pt.practitioner_id::text AS practitioner_id,
       pt.practitioner_user_id::text AS practitioner_user_id, pt.practitioner_display_name,
       pt.appointment_id::text AS appointment_id, pt.subject, pt.post_count,
       extract(epoch from pt.last_post_at)::bigint AS last_post_s,
       extract(epoch from pt.created_at)::bigint AS created_s
FROM forum.private_threads pt WHERE pt.id = $1::uuid
