INSERT INTO forum.watched_words (word, action, updated_by) VALUES ($1, $2, $3::uuid)
