INSERT INTO forum.post_edits (post_id, previous_markdown, edited_by) VALUES ($1::uuid, $2, $3::uuid)
