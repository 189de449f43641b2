-- How many of the user's notifications are unread.
SELECT count(*) AS unread FROM notification.notifications WHERE user_id = $1::uuid AND read_at IS NULL
