SELECT id::text AS id FROM org.practitioners WHERE user_id = $1::uuid
