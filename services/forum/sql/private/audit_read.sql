INSERT INTO forum.audit_log (actor_id, action, private_thread_id, reason, client_ip, request_id)
VALUES ($1::uuid, $2, $3::uuid, nullif($4, ''), $5, $6)
