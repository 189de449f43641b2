SELECT word, action FROM forum.watched_words
