SELECT word, action, extract(epoch from updated_at)::bigint AS updated_s,
       (SELECT extract(epoch from max(updated_at))::bigint FROM forum.watched_words) AS last_updated_s
FROM forum.watched_words ORDER BY word OFFSET $1 LIMIT $2
