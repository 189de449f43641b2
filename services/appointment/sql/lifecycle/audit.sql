-- Who did what to which appointments, from where: one row per id of $3.
INSERT INTO appointment.audit_log (actor_id, action, appointment_id, client_ip, request_id)
SELECT nullif($1, '')::uuid, $2, id, nullif($4, ''), nullif($5, '')
  FROM unnest($3::uuid[]) AS id
