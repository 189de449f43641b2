UPDATE iam.users SET full_name = CASE WHEN $1 THEN $2 ELSE full_name END,
       phone = CASE WHEN $3 THEN nullif($4, '') ELSE phone END, updated_at = now()
 WHERE id = $5::uuid
