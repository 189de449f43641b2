INSERT INTO iam.audit_log (actor_id, action, target_id, client_ip, request_id)
VALUES (nullif($1,'')::uuid, $2, nullif($3,''), nullif($4,''), nullif($5,''))
