-- The channels and locale of every user of $1 who stored preferences.
SELECT user_id::text AS user_id, channels::text AS channels, locale
FROM notification.preferences WHERE user_id = ANY($1::uuid[])
