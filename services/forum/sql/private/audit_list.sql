INSERT INTO forum.audit_log (actor_id, action, private_thread_id, client_ip, request_id)
SELECT $1::uuid, 'list', id, $3, $4 FROM unnest($2::uuid[]) AS id
