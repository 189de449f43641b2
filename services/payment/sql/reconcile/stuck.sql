SELECT id::text AS id, CASE WHEN status = 'creating' THEN 'creating' ELSE 'unsettled' END AS kind,
       appointment_id::text AS appointment_id
FROM payment.payments
WHERE (status = 'creating' AND created_at < now() - interval '30 seconds')
   OR (status = 'captured' AND settled_at IS NULL AND captured_at < now() - interval '30 seconds')
ORDER BY created_at
