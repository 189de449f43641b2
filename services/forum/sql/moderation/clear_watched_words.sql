DELETE FROM forum.watched_words
