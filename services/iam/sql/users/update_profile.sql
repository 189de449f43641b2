-- The caller's profile: each of name ($1/$2), phone ($3/$4) and date of birth ($6/$7) only
-- when given ('' clears phone and date of birth).
UPDATE iam.users SET full_name = CASE WHEN $1 THEN $2 ELSE full_name END,
       phone = CASE WHEN $3 THEN nullif($4, '') ELSE phone END,
       date_of_birth = CASE WHEN $6 THEN nullif($7, '')::date ELSE date_of_birth END,
       updated_at = now()
 WHERE id = $5::uuid
