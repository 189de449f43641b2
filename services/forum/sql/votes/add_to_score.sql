UPDATE forum.posts SET vote_score = vote_score + $2 WHERE id = $1::uuid RETURNING vote_score
