UPDATE forum.threads SET accepted_post_id = nullif($2, '')::uuid WHERE id = $1::uuid
