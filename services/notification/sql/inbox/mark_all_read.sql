-- Marks every unread notification of the user read: one row per notification marked.
UPDATE notification.notifications SET read_at = now() WHERE user_id = $1::uuid AND read_at IS NULL
RETURNING 1
