-- The caller's member row, created on first use; a display name refreshes it ('' keeps it).
INSERT INTO forum.members (user_id, display_name) VALUES ($1::uuid, $2)
ON CONFLICT (user_id) DO UPDATE SET display_name = CASE WHEN $2 = '' THEN forum.members.display_name ELSE $2 END
