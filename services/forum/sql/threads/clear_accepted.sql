-- A post no longer visible is no longer an accepted answer.
UPDATE forum.threads SET accepted_post_id = NULL WHERE accepted_post_id = $1::uuid
