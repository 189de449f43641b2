INSERT INTO forum.audit_log (actor_id, action, private_thread_id, client_ip, request_id)
VALUES ($1::uuid, 'create', $2::uuid, $3, $4)
